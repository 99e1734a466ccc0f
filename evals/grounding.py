"""Grounding: are an answer's sentences supported by the passages they cite, and are its
quotes the transcripts' exact words?

Citation recall and precision follow the ALCE benchmark (Gao et al., 2023, "Enabling
Large Language Models to Generate Text with Citations"; their `compute_autoais`):

- the answer is cut into sentences, each with the [n] markers it carries;
- a sentence is *supported* when the concatenation of the passages it cites supports it
  (a sentence citing nothing is unsupported): citation recall = supported / sentences;
- a citation is *precise* when its sentence is supported and either the cited passage
  alone supports the sentence, or the sentence's other citations without it no longer do
  (so a citation is imprecise only when it is superfluous); with a single citation, it is
  precise exactly when its sentence is supported. Citation precision = precise / citations.

Both are averaged per answer (as ALCE does); abstentions carry no claims and are skipped.
A judge decides "supports": anything with `supports(claim, evidence) -> bool` (see
evals/judges.py; offline default rag.support.LexicalEmbeddingJudge).

Quote exactness: each Citation's `quote` must equal file_text[start:end] and lie inside
the passage it cites (whose own text must match the file at its offsets).

Example:
    >>> [(s.text, s.refs) for s in answer_sentences('Amiri: “No. Never.” [1] Massoud disagrees [2][3].')]
    [('Amiri: “No. Never.”', (1,)), ('Massoud disagrees.', (2, 3))]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.chunking import sentence_spans
from rag.records import NARRATOR, Answer, Citation

_MARKS = re.compile(r"(?:\s*\[\d+(?:\s*,\s*\d+)*\])+")
_MARK = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
_LEADING_MARKS = re.compile(r"^(?:\s*\[\d+(?:\s*,\s*\d+)*\])+")
_QUOTED = re.compile(r"“[^”]*”|\"[^\"\n]*\"")
_CLAUSE_END = re.compile(r"[.!?…”\"'’)]$")


@dataclass(frozen=True)
class Sentence:
    text: str  # without its [n] markers
    refs: tuple[int, ...]  # the citation numbers it carries, in order, distinct


@dataclass(frozen=True)
class SentenceVerdict:
    text: str
    refs: tuple[int, ...]
    supported: bool
    precise: tuple[bool, ...]  # one per ref


@dataclass(frozen=True)
class Grounding:
    """ALCE citation recall/precision of one answer (None when it makes no claim)."""

    citation_recall: float | None
    citation_precision: float | None
    sentences: tuple[SentenceVerdict, ...] = ()
    unknown_refs: tuple[int, ...] = ()  # [n] in the text with no citation n

    def to_json(self) -> dict:
        return {
            "citation_recall": None if self.citation_recall is None else round(self.citation_recall, 4),
            "citation_precision": None if self.citation_precision is None else round(self.citation_precision, 4),
            "sentences": [
                {"text": s.text, "refs": list(s.refs), "supported": s.supported, "precise": list(s.precise)}
                for s in self.sentences
            ],
            "unknown_refs": list(self.unknown_refs),
        }


def _in_quote(text: str, pos: int) -> bool:
    return any(m.start() < pos < m.end() - 1 for m in _QUOTED.finditer(text))


def answer_sentences(text: str) -> list[Sentence]:
    """The answer's sentences with their citation numbers.

    Unlike plain sentence splitting: a quotation is never cut (a quoted passage of three
    sentences is one claim, cited once, at its end); a run of [n] markers followed by a new
    sentence (or a clause with citations of its own) ends the sentence it follows; markers
    that open a sentence belong to the one before.
    """
    cuts = {e for _, e in sentence_spans(text, 0, len(text)) if not _in_quote(text, e)}
    for m in _MARKS.finditer(text):
        before = text[: m.start()].rstrip()
        after = text[m.end():].lstrip()
        if not (before and _CLAUSE_END.search(before) and after):
            continue
        # a new sentence starts, or a clause that carries citations of its own
        # ('... anyone,” [1] a blog summary reports: “...” [2]')
        next_cut = min((c for c in cuts if c > m.end()), default=len(text))
        if after[0].isupper() or after[0] in "“\"‘'" or _MARK.search(text, m.end(), next_cut):
            cuts.add(m.end())
    cuts.add(len(text))
    pieces, start = [], 0
    for cut in sorted(cuts):
        if cut > start:
            pieces.append(text[start:cut])
            start = cut
    sentences: list[tuple[str, list[int]]] = []
    for piece in pieces:
        lead = _LEADING_MARKS.match(piece)
        if lead and sentences:
            sentences[-1][1].extend(_numbers(lead.group(0)))
            piece = piece[lead.end():]
        refs = _numbers(piece)
        body = " ".join(_MARK.sub(" ", piece).split())
        body = re.sub(r"\s+([.,;:!?])", r"\1", body)
        if re.search(r"\w", body):
            sentences.append((body, refs))
        elif sentences:
            sentences[-1][1].extend(refs)
    return [Sentence(body, tuple(dict.fromkeys(refs))) for body, refs in sentences]


def _numbers(text: str) -> list[int]:
    return [int(n) for group in _MARK.findall(text) for n in re.split(r"\s*,\s*", group)]


def evidence_text(text: str, speaker: str = NARRATOR, publication: str = "") -> str:
    """What a judge reads for one cited passage: where it was published, who says it, the
    words (ALCE formats a document as its title, then its text; here the speaker is part of
    what a passage attests, so "Nazary said X" is not supported by Amiri saying X).

    >>> evidence_text("We feel abandoned.", "Ali Nazary", "Newsweek")
    'Newsweek. Ali Nazary: We feel abandoned.'
    """
    who = "" if speaker == NARRATOR else f"{speaker}: "
    where = f"{publication}. " if publication else ""
    return f"{where}{who}{text}"


def citation_evidence(c: Citation) -> str:
    """A quote the writer introduces is read with its lead-in, as its card shows it and as
    the answer gives it ("He said the demands were “too high”")."""
    return evidence_text(c.passage.introduced, c.passage.speaker, c.publication)


def ground(answer: Answer, judge) -> Grounding:
    """ALCE citation recall and precision of one answer, by `judge`."""
    if answer.abstained:
        return Grounding(None, None)
    by_n = {c.n: c for c in answer.citations}
    cache: dict[tuple[str, tuple[int, ...]], bool] = {}

    def supports(claim: str, refs: tuple[int, ...]) -> bool:
        key = (claim, refs)
        if key not in cache:
            evidence = "\n".join(citation_evidence(by_n[n]) for n in refs)
            cache[key] = bool(judge.supports(claim, evidence))
        return cache[key]

    verdicts, unknown = [], set()
    supported_count = precise_count = citations_count = 0
    for s in answer_sentences(answer.text):
        missing = [n for n in s.refs if n not in by_n]
        unknown.update(missing)
        if not s.refs or missing:
            joint = False  # no citation, or a citation to nothing: unsupported (ALCE)
        else:
            joint = supports(s.text, s.refs)
        supported_count += joint
        precise: list[bool] = []
        if joint and len(s.refs) > 1:
            for n in s.refs:
                alone = supports(s.text, (n,))
                rest = tuple(r for r in s.refs if r != n)
                precise.append(alone or not supports(s.text, rest))
        else:
            precise = [joint] * len(s.refs)
        precise_count += sum(precise)
        citations_count += len(s.refs)
        verdicts.append(SentenceVerdict(s.text, s.refs, joint, tuple(precise)))
    if not verdicts:
        return Grounding(0.0, 0.0, (), tuple(sorted(unknown)))
    recall = supported_count / len(verdicts)
    precision = precise_count / citations_count if citations_count else 0.0
    return Grounding(recall, precision, tuple(verdicts), tuple(sorted(unknown)))


@dataclass(frozen=True)
class QuoteCheck:
    exact: int
    total: int
    problems: tuple[str, ...] = field(default_factory=tuple)


def check_quotes(answer: Answer, texts: dict[str, str]) -> QuoteCheck:
    """Every citation's quote is the file's own words at its offsets, inside its passage."""
    problems = []
    for c in answer.citations:
        p = c.passage
        text = texts.get(p.source)
        if text is None:
            problems.append(f"[{c.n}] cites {p.source!r}, which is not in the corpus")
        elif text[c.start : c.end] != c.quote:
            problems.append(f"[{c.n}] quote is not verbatim at {p.source}:{c.start}-{c.end}: {c.quote[:50]!r}")
        elif not p.start <= c.start < c.end <= p.end:
            problems.append(f"[{c.n}] quote {c.start}-{c.end} lies outside its passage {p.start}-{p.end}")
        elif text[p.start : p.end] != p.text:
            problems.append(f"[{c.n}] passage {p.id} does not match the file at its offsets")
    return QuoteCheck(len(answer.citations) - len(problems), len(answer.citations), tuple(problems))
