"""Answer metrics: keywords, cited speakers, abstention, latency; and threshold calibration.

    python -m evals.answers [--cases FILE] [--corpus DIR] [--answerer extractive]
    python -m evals.answers --calibrate     # sweep the abstention threshold
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

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
    if not case.expected_speakers:
        return True
    return any(c.passage.speaker in case.expected_speakers for c in answer.citations)


def grade(case: Case, answer: Answer, seconds: float) -> dict:
    kw = keywords_found(case, answer)
    return {
        "id": case.id,
        "type": case.type,
        "question": case.question,
        "unanswerable": case.unanswerable,
        "abstained": answer.abstained,
        "confidence": round(answer.confidence, 4),
        "keywords": kw,
        "speaker_ok": speaker_correct(case, answer),
        "correct": (not case.unanswerable) and not answer.abstained and kw == 1.0 and speaker_correct(case, answer),
        "answer": answer.text,
        "cited_speakers": [c.passage.speaker for c in answer.citations],
        "seconds": round(seconds, 4),
    }


def run(pipeline: Pipeline, cases: list[Case], answerer: str = "extractive") -> list[dict]:
    rows = []
    for case in cases:
        t0 = time.perf_counter()
        answer = pipeline.ask(case.question, history=list(case.history), answerer=answerer)
        rows.append(grade(case, answer, time.perf_counter() - t0))
    return rows


def summary(rows: list[dict]) -> dict:
    answerable = [r for r in rows if not r["unanswerable"]]
    unanswerable = [r for r in rows if r["unanswerable"]]
    answered = [r for r in answerable if not r["abstained"]]
    seconds = sorted(r["seconds"] for r in rows)
    return {
        "cases": len(rows),
        "answer_accuracy": round(sum(r["correct"] for r in answerable) / max(1, len(answerable)), 4),
        "keyword_accuracy": round(sum(r["keywords"] == 1.0 for r in answerable) / max(1, len(answerable)), 4),
        "cited_speaker_accuracy": round(sum(r["speaker_ok"] for r in answered) / max(1, len(answered)), 4),
        "abstain_on_unanswerable": round(sum(r["abstained"] for r in unanswerable) / max(1, len(unanswerable)), 4),
        "false_abstention": round(sum(r["abstained"] for r in answerable) / max(1, len(answerable)), 4),
        "latency_p50_s": round(statistics.median(seconds), 4),
        "latency_p95_s": round(seconds[int(0.95 * (len(seconds) - 1))], 4),
    }


def calibrate(rows: list[dict]) -> list[tuple[float, float, float]]:
    """(threshold, abstain rate on unanswerable, false abstention rate) for a sweep."""
    pos = [r["confidence"] for r in rows if r["unanswerable"]]
    neg = [r["confidence"] for r in rows if not r["unanswerable"]]
    out = []
    for t in [x / 100 for x in range(20, 80)]:
        out.append((t, sum(c < t for c in pos) / len(pos), sum(c < t for c in neg) / len(neg)))
    return out


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
    texts = {s: (Path(config.corpus) / s).read_text(encoding="utf-8") for s in {p.source for p in pipeline.index.passages}}
    cases = load_cases(args.cases, texts)
    rows = run(pipeline, cases, args.answerer)
    if args.calibrate:
        for t, tp, fp in calibrate(rows):
            print(f"threshold {t:.2f}: abstains on {tp:.0%} of unanswerable, wrongly on {fp:.0%} of answerable")
        return
    if args.show:
        for r in rows:
            if (r["unanswerable"] != r["abstained"]) or (not r["unanswerable"] and not r["correct"]):
                print(json.dumps({k: r[k] for k in ("id", "type", "question", "abstained", "confidence", "keywords", "speaker_ok", "cited_speakers", "answer")}, ensure_ascii=False))
    print(json.dumps(summary(rows), indent=1))


if __name__ == "__main__":
    sys.exit(main())
