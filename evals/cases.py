"""Evaluation cases: a JSONL file, one question a line, checked against the corpus on load.

    {"id": "s001", "question": "...", "type": "fact", "expected_keywords": ["federalist"],
     "expected_speakers": ["Khalid Amiri"], "expected_sources": ["000_....txt"],
     "gold_quotes": [{"source": "000_....txt", "quote": "verbatim words"}],
     "unanswerable": false, "history": []}

The same cases may be written as a YAML list (`.yaml` / `.yml`, one mapping per case).

A malformed case is rejected with its line number and the reason: not JSON, a missing or
mistyped field, an unknown field (a typo such as `gold_quote` would otherwise be ignored),
an unknown type, a duplicate id, or a gold quote that is not verbatim in its source (quotes
drift when transcripts are edited). A quote that occurs more than once in its source (a pull
quote repeating an answer) counts wherever it occurs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from rag.errors import UserError
from rag.records import NARRATOR, Passage

TYPES = ("fact", "who-said", "figure", "comparison", "interviewer", "paraphrase", "follow-up", "unanswerable", "near-miss")
FIELDS = ("id", "question", "type", "expected_keywords", "expected_speakers", "expected_sources", "gold_quotes",
          "unanswerable", "history", "notes")
DEFAULT_CASES = Path(__file__).resolve().parent / "cases" / "seeds.jsonl"


@dataclass(frozen=True)
class GoldQuote:
    source: str
    quote: str
    start: int = -1  # the first occurrence in the source (-1: not checked against a corpus)
    end: int = -1
    spans: tuple[tuple[int, int], ...] = ()  # every occurrence

    def overlaps(self, source: str, start: int, end: int) -> bool:
        spans = self.spans or ((self.start, self.end),)
        return source == self.source and any(start < e and s < end for s, e in spans)


@dataclass(frozen=True)
class Case:
    id: str
    question: str
    type: str
    expected_keywords: tuple[str, ...] = ()
    expected_speakers: tuple[str, ...] = ()
    expected_sources: tuple[str, ...] = ()
    gold_quotes: tuple[GoldQuote, ...] = ()
    unanswerable: bool = False
    history: tuple[dict, ...] = field(default_factory=tuple)

    def is_gold(self, p: Passage) -> bool:
        """Does the passage hold (part of) a gold quote?"""
        return any(q.overlaps(p.source, p.start, p.end) for q in self.gold_quotes)

    @property
    def named_speakers(self) -> tuple[str, ...]:
        """Expected speakers a reader could name (the narrator is nobody's name)."""
        return tuple(s for s in self.expected_speakers if s != NARRATOR)

    @property
    def sources(self) -> tuple[str, ...]:
        """The sources the case is about: its expected sources, else its gold quotes' sources."""
        return self.expected_sources or tuple(dict.fromkeys(q.source for q in self.gold_quotes))


def _strings(row: dict, key: str, where: str) -> tuple[str, ...]:
    value = row.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise UserError(f"{where}: `{key}` must be a list of non-empty strings, got {value!r}")
    return tuple(value)


def _occurrences(text: str, quote: str) -> tuple[tuple[int, int], ...]:
    spans, i = [], text.find(quote)
    while i >= 0:
        spans.append((i, i + len(quote)))
        i = text.find(quote, i + 1)
    return tuple(spans)


def parse_case(row: object, where: str, texts: dict[str, str] | None) -> Case:
    """One case from its JSON object; `where` ("cases.jsonl:12") prefixes every complaint."""
    if not isinstance(row, dict):
        raise UserError(f"{where}: a case must be a JSON object, got {type(row).__name__}")
    unknown = sorted(set(row) - set(FIELDS))
    if unknown:
        raise UserError(f"{where}: unknown field {', '.join(map(repr, unknown))}; fields are {', '.join(FIELDS)}")
    for key in ("id", "question", "type"):
        if not isinstance(row.get(key), str) or not row[key].strip():
            raise UserError(f"{where}: `{key}` must be a non-empty string")
    if row["type"] not in TYPES:
        raise UserError(f"{where}: unknown type {row['type']!r}; one of {', '.join(TYPES)}")
    unanswerable = row.get("unanswerable", False)
    if not isinstance(unanswerable, bool):
        raise UserError(f"{where}: `unanswerable` must be true or false, got {unanswerable!r}")
    if row["type"] == "unanswerable" and not unanswerable:
        raise UserError(f"{where}: a case of type 'unanswerable' needs \"unanswerable\": true")
    gold = row.get("gold_quotes", [])
    if not isinstance(gold, list):
        raise UserError(f"{where}: `gold_quotes` must be a list of {{source, quote}} objects")
    quotes = []
    for q in gold:
        if not isinstance(q, dict) or not isinstance(q.get("source"), str) or not isinstance(q.get("quote"), str) \
                or not q["quote"].strip():
            raise UserError(f"{where}: each gold quote needs a `source` and a non-empty `quote`, got {q!r}")
        spans: tuple[tuple[int, int], ...] = ()
        if texts is not None:
            if q["source"] not in texts:
                raise UserError(f"{where}: gold quote source {q['source']!r} is not in the corpus")
            spans = _occurrences(texts[q["source"]], q["quote"])
            if not spans:
                raise UserError(f"{where}: gold quote is not verbatim in {q['source']}: {q['quote'][:60]!r}")
        start, end = spans[0] if spans else (-1, -1)
        quotes.append(GoldQuote(q["source"], q["quote"], start, end, spans))
    if not unanswerable and not quotes:
        raise UserError(f"{where}: an answerable case needs at least one gold quote")
    sources = _strings(row, "expected_sources", where)
    if texts is not None:
        for s in sources:
            if s not in texts:
                raise UserError(f"{where}: expected source {s!r} is not in the corpus")
    history = row.get("history", [])
    if not isinstance(history, list) or not all(isinstance(h, dict) and {"role", "content"} <= set(h) for h in history):
        raise UserError(f"{where}: `history` must be a list of {{role, content}} messages")
    return Case(
        id=row["id"],
        question=row["question"],
        type=row["type"],
        expected_keywords=_strings(row, "expected_keywords", where),
        expected_speakers=_strings(row, "expected_speakers", where),
        expected_sources=sources,
        gold_quotes=tuple(quotes),
        unanswerable=unanswerable,
        history=tuple(history),
    )


def _jsonl_rows(path: Path, text: str):
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = f"{path.name}:{n}"
        try:
            yield where, json.loads(line)
        except json.JSONDecodeError as e:
            raise UserError(f"{where}: not JSON ({e.msg} at column {e.colno})") from None


def _yaml_rows(path: Path, text: str):
    """(where, case) for each item of a YAML list; `where` names the item's first line."""
    try:
        import yaml
    except ImportError:  # pragma: no cover - PyYAML is a dependency
        raise UserError(f"{path.name}: reading YAML cases needs PyYAML (pip install pyyaml)") from None
    try:
        data = yaml.safe_load(text)
        root = yaml.compose(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise UserError(f"{path.name}{line}: not YAML ({getattr(e, 'problem', None) or e})") from None
    if data is None:
        return
    if not isinstance(data, list) or not isinstance(root, yaml.SequenceNode):
        raise UserError(f"{path.name}:1: a YAML case file must be a list of cases")
    for item, node in zip(data, root.value):
        yield f"{path.name}:{node.start_mark.line + 1}", item


def load_cases(path: Path | str = DEFAULT_CASES, texts: dict[str, str] | None = None) -> list[Case]:
    """Read and check a case file (JSONL, or YAML by extension); `texts` (source -> file
    text) verifies gold quotes and expected sources against the corpus."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise UserError(f"cannot read cases {path}: {e}") from None
    rows = _yaml_rows(path, text) if path.suffix.lower() in (".yaml", ".yml") else _jsonl_rows(path, text)
    cases, seen = [], {}
    for where, row in rows:
        case = parse_case(row, where, texts)
        if case.id in seen:
            raise UserError(f"{where}: duplicate id {case.id!r} (first at {seen[case.id]})")
        seen[case.id] = where
        cases.append(case)
    if not cases:
        raise UserError(f"{path}: no cases")
    return cases
