"""Evaluation cases: a JSONL file, one question a line, checked against the corpus on load.

    {"id": "s001", "question": "...", "type": "fact", "expected_keywords": ["federalist"],
     "expected_speakers": ["Khalid Amiri"], "expected_sources": ["000_....txt"],
     "gold_quotes": [{"source": "000_....txt", "quote": "verbatim words"}],
     "unanswerable": false, "history": []}

A malformed case is rejected with its line number and the reason; a gold quote that is not
verbatim in its source is malformed too (quotes drift when transcripts are edited).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from rag.errors import UserError
from rag.records import Passage

TYPES = ("fact", "who-said", "figure", "comparison", "interviewer", "paraphrase", "follow-up", "unanswerable", "near-miss")
DEFAULT_CASES = Path(__file__).resolve().parent / "cases" / "seeds.jsonl"


@dataclass(frozen=True)
class GoldQuote:
    source: str
    quote: str
    start: int = -1
    end: int = -1


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
        return any(q.source == p.source and p.start < q.end and q.start < p.end for q in self.gold_quotes)


def _strings(row: dict, key: str, where: str) -> tuple[str, ...]:
    value = row.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UserError(f"{where}: `{key}` must be a list of strings")
    return tuple(value)


def parse_case(row: object, where: str, texts: dict[str, str] | None) -> Case:
    if not isinstance(row, dict):
        raise UserError(f"{where}: a case must be a JSON object")
    for key in ("id", "question", "type"):
        if not isinstance(row.get(key), str) or not row[key].strip():
            raise UserError(f"{where}: `{key}` must be a non-empty string")
    if row["type"] not in TYPES:
        raise UserError(f"{where}: unknown type {row['type']!r}; one of {', '.join(TYPES)}")
    unanswerable = row.get("unanswerable", False)
    if not isinstance(unanswerable, bool):
        raise UserError(f"{where}: `unanswerable` must be true or false")
    quotes = []
    for q in row.get("gold_quotes", []):
        if not isinstance(q, dict) or not isinstance(q.get("source"), str) or not isinstance(q.get("quote"), str):
            raise UserError(f"{where}: each gold quote needs a `source` and a `quote`")
        start = -1
        if texts is not None:
            if q["source"] not in texts:
                raise UserError(f"{where}: gold quote source {q['source']!r} is not in the corpus")
            start = texts[q["source"]].find(q["quote"])
            if start < 0:
                raise UserError(f"{where}: gold quote is not verbatim in {q['source']}: {q['quote'][:60]!r}")
        quotes.append(GoldQuote(q["source"], q["quote"], start, start + len(q["quote"])))
    if not unanswerable and not quotes:
        raise UserError(f"{where}: an answerable case needs at least one gold quote")
    history = row.get("history", [])
    if not isinstance(history, list) or not all(isinstance(h, dict) and {"role", "content"} <= set(h) for h in history):
        raise UserError(f"{where}: `history` must be a list of {{role, content}} messages")
    return Case(
        id=row["id"],
        question=row["question"],
        type=row["type"],
        expected_keywords=_strings(row, "expected_keywords", where),
        expected_speakers=_strings(row, "expected_speakers", where),
        expected_sources=_strings(row, "expected_sources", where),
        gold_quotes=tuple(quotes),
        unanswerable=unanswerable,
        history=tuple(history),
    )


def load_cases(path: Path | str = DEFAULT_CASES, texts: dict[str, str] | None = None) -> list[Case]:
    """Read and check a case file; `texts` (source -> file text) verifies gold quotes."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise UserError(f"cannot read cases {path}: {e}") from None
    cases, seen = [], set()
    for n, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = f"{path.name}:{n}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise UserError(f"{where}: not JSON ({e.msg} at column {e.colno})") from None
        case = parse_case(row, where, texts)
        if case.id in seen:
            raise UserError(f"{where}: duplicate id {case.id!r}")
        seen.add(case.id)
        cases.append(case)
    if not cases:
        raise UserError(f"{path}: no cases")
    return cases
