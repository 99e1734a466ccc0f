"""Answer metrics: keywords, speakers (named in the answer, and cited), abstention, latency;
and the abstention-threshold sweep.

    python -m evals.answers [--cases FILE] [--corpus DIR] [--answerer extractive] [--show]
    python -m evals.answers --calibrate     # sweep the abstention threshold

The full suite, with grounding and retrieval, reports and thresholds, is `rag eval`
(evals/cli.py); this module is its answer-level part.

Definitions (answerable = cases with `unanswerable: false`):
- keyword accuracy: share of answerable cases whose answer holds every expected keyword;
- cited-speaker accuracy: share of answered answerable cases with an expected speaker
  among the speakers of the cited passages;
- answer-speaker accuracy: the same, for the speaker *named in the answer text* (any
  spelling the corpus metadata gives; cases whose only expected speaker is the narrator
  are left out, since nobody can be named);
- answer accuracy: answered, every keyword, and the right speaker cited;
- abstention precision: of the cases the system abstained on, the share that were
  unanswerable; abstention recall: of the unanswerable cases, the share it abstained on;
  false abstention: of the answerable cases, the share it abstained on;
- latency: seconds per question, p50 and p95 (linear interpolation); `rag eval` asks one
  warm-up question first, so loading the models is not counted.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import numpy as np

from rag.config import Config
from rag.pipeline import Pipeline
from rag.records import Answer

from .cases import DEFAULT_CASES, Case, load_cases


def keywords_found(case: Case, answer: Answer) -> float:
    if not case.expected_keywords:
        return 1.0
    text = answer.text.casefold()
    return sum(k.casefold() in text for k in case.expected_keywords) / len(case.expected_keywords)


def speaker_correct(case: Case, answer: Answer) -> bool:
    """An expected speaker is among the cited passages' speakers."""
    if not case.expected_speakers:
        return True
    return any(c.passage.speaker in case.expected_speakers for c in answer.citations)


def speaker_coverage(case: Case, answer: Answer) -> float:
    """Share of the expected speakers cited (a comparison should quote each side)."""
    if not case.expected_speakers:
        return 1.0
    cited = {c.passage.speaker for c in answer.citations}
    return sum(s in cited for s in case.expected_speakers) / len(case.expected_speakers)


def name_variants(speaker: str, people: Mapping[str, tuple[str, ...]] | None = None) -> set[str]:
    """The ways a text may name a speaker: the full name, its metadata aliases, the surname.

    >>> sorted(name_variants("Ali Nazary", {"Ali Nazary": ("Nazari",)}))
    ['ali nazary', 'nazari', 'nazary']
    """
    names = {speaker, *(people or {}).get(speaker, ())}
    if len(speaker.split()) > 1:
        names.add(speaker.split()[-1])
    return {n.casefold() for n in names if len(n) > 2}


def names_speaker(text: str, speaker: str, people: Mapping[str, tuple[str, ...]] | None = None) -> bool:
    folded = text.casefold()
    return any(re.search(rf"(?<!\w){re.escape(v)}(?!\w)", folded) for v in name_variants(speaker, people))


def answer_speaker_correct(case: Case, answer: Answer, people: Mapping[str, tuple[str, ...]] | None = None) -> bool | None:
    """Does the answer's text name an expected speaker? None when only the narrator is expected."""
    named = case.named_speakers
    if not named:
        return None
    return any(names_speaker(answer.text, s, people) for s in named)


def grade(case: Case, answer: Answer, seconds: float, people: Mapping[str, tuple[str, ...]] | None = None) -> dict:
    kw = keywords_found(case, answer)
    speaker_ok = speaker_correct(case, answer)
    if case.unanswerable:
        correct = answer.abstained
    else:
        correct = not answer.abstained and kw == 1.0 and speaker_ok
    return {
        "id": case.id,
        "type": case.type,
        "question": case.question,
        "sources": list(case.sources),
        "unanswerable": case.unanswerable,
        "abstained": answer.abstained,
        "confidence": round(answer.confidence, 4),
        "keywords": kw,
        "expected_keywords": list(case.expected_keywords),
        "missing_keywords": [k for k in case.expected_keywords if k.casefold() not in answer.text.casefold()],
        "speaker_ok": speaker_ok,
        "answer_speaker_ok": answer_speaker_correct(case, answer, people),
        "speaker_coverage": round(speaker_coverage(case, answer), 4),
        "correct": correct,
        "answer": answer.text,
        "expected_speakers": list(case.expected_speakers),
        "cited_speakers": [c.passage.speaker for c in answer.citations],
        "citations": [
            {"n": c.n, "speaker": c.passage.speaker, "source": c.passage.source, "start": c.start, "end": c.end, "quote": c.quote}
            for c in answer.citations
        ],
        "seconds": round(seconds, 4),
    }


def run(pipeline: Pipeline, cases: list[Case], answerer: str = "extractive") -> list[dict]:
    people = pipeline.index.metadata.people
    rows = []
    for case in cases:
        t0 = time.perf_counter()
        answer = pipeline.ask(case.question, history=list(case.history), answerer=answerer)
        rows.append(grade(case, answer, time.perf_counter() - t0, people))
    return rows


def _share(values) -> float | None:
    values = [bool(v) for v in values if v is not None]
    return round(sum(values) / len(values), 4) if values else None


def percentile(values, q: float) -> float:
    return round(float(np.percentile(values, q)), 4) if len(values) else 0.0


def summary(rows: list[dict]) -> dict:
    answerable = [r for r in rows if not r["unanswerable"]]
    unanswerable = [r for r in rows if r["unanswerable"]]
    answered = [r for r in answerable if not r["abstained"]]
    abstained = [r for r in rows if r["abstained"]]
    seconds = [r["seconds"] for r in rows]
    recall = _share(r["abstained"] for r in unanswerable)
    return {
        "cases": len(rows),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "answer_accuracy": _share(r["correct"] for r in answerable),
        "keyword_accuracy": _share(r["keywords"] == 1.0 for r in answerable),
        "cited_speaker_accuracy": _share(r["speaker_ok"] for r in answered),
        "answer_speaker_accuracy": _share(r.get("answer_speaker_ok") for r in answered),
        "abstention_precision": _share(r["unanswerable"] for r in abstained),
        "abstention_recall": recall,
        "abstain_on_unanswerable": recall,  # the old name of abstention_recall
        "false_abstention": _share(r["abstained"] for r in answerable),
        "latency_p50_s": percentile(seconds, 50),
        "latency_p95_s": percentile(seconds, 95),
    }


def calibrate(rows: list[dict]) -> list[tuple[float, float, float]]:
    """(threshold, abstain rate on unanswerable, false abstention rate) for a sweep."""
    pos = [r["confidence"] for r in rows if r["unanswerable"]]
    neg = [r["confidence"] for r in rows if not r["unanswerable"]]
    out = []
    for t in [x / 100 for x in range(20, 80)]:
        out.append((t, sum(c < t for c in pos) / max(1, len(pos)), sum(c < t for c in neg) / max(1, len(neg))))
    return out


def corpus_texts(pipeline: Pipeline) -> dict[str, str]:
    """source -> file text, for every source the index holds (gold quotes are checked on it)."""
    root = Path(pipeline.config.corpus)
    return {s: (root / s).read_text(encoding="utf-8") for s in sorted({p.source for p in pipeline.index.passages})}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=Path, default=DEFAULT_CASES)
    ap.add_argument("--corpus", type=Path)
    ap.add_argument("--answerer", default="extractive")
    ap.add_argument("--calibrate", action="store_true")
    ap.add_argument("--show", action="store_true", help="print every wrong answer")
    args = ap.parse_args(argv)
    config = Config.from_env(corpus=args.corpus)
    if args.calibrate:
        config = replace(config, abstain_threshold=0.0)
    pipeline = Pipeline(config)
    cases = load_cases(args.cases, corpus_texts(pipeline))
    rows = run(pipeline, cases, args.answerer)
    if args.calibrate:
        for t, tp, fp in calibrate(rows):
            print(f"threshold {t:.2f}: abstains on {tp:.0%} of unanswerable, wrongly on {fp:.0%} of answerable")
        return
    if args.show:
        for r in rows:
            if not r["correct"]:
                print(json.dumps({k: r[k] for k in ("id", "type", "question", "abstained", "confidence", "keywords", "speaker_ok", "cited_speakers", "answer")}, ensure_ascii=False))
    print(json.dumps(summary(rows), indent=1))


if __name__ == "__main__":
    sys.exit(main())
