"""Fit the reader's combiner and abstention threshold on the dev cases; report the held-out ones.

    python -m evals.reader_fit                       # dev: fit; seeds_test: report only
    python -m evals.reader_fit --no-fit              # measure the shipped settings

1. Selection. For every answerable case, the sentences of its top hits (the answerer's
   candidates) are labelled 1 where they overlap a gold quote. Reported: how often the top
   sentence is a gold one (top-1, top-2) when ranked by the reader's probability, by cosine,
   by the older hand-weighted score (0.25 passage + 0.25 overlap + 0.5 cosine) and by the
   combiner. The combiner (rag/answer.py READER_COMBINER) is a logistic regression of the
   label on (passage score, overlap, cosine, reader probability), fitted on dev only.
2. Abstention. Each case is answered once with no threshold; its confidence (the reader's
   best probability near the top) is swept: the threshold that gives the best dev answer
   accuracy is printed (rag/config.py reader_threshold), with the held-out figures at it.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

from rag.config import Config
from rag.pipeline import Pipeline
from rag.query import described

from .answers import corpus_texts, run, summary
from .cases import DEFAULT_CASES, load_cases

TEST_CASES = DEFAULT_CASES.parent / "seeds_test.jsonl"


def sentence_rows(pipeline: Pipeline, cases, texts: dict[str, str]) -> list[dict]:
    """One row per candidate sentence of each answerable case without history."""
    retriever, answerer = pipeline.retriever, pipeline.extractive
    rows = []
    for case in cases:
        if case.unanswerable or case.history or not case.gold_quotes:
            continue
        gold = []
        for g in case.gold_quotes:
            at = texts.get(g.source, "").find(g.quote)
            if at >= 0:
                gold.append((g.source, at, at + len(g.quote)))
        query = retriever.roles.resolve(retriever.speller.correct(case.question))
        hits = retriever.search(query, k=pipeline.config.answer_hits)
        describes = described(query, answerer.names, answerer.speakers)
        scored, _ = answerer.score_sentences(query, hits, describes)
        for s in scored:
            p = s.hit.passage
            a, b = p.file_span(s.start, s.end)
            label = any(src == p.source and a < e and st < b for src, st, e in gold)
            rows.append({"case": case.id, "hit": s.hit.score, "overlap": s.overlap, "cosine": s.cosine,
                         "prob": s.prob, "label": int(label)})
    return rows


def top_k(rows: list[dict], key, k: int) -> float:
    by_case: dict[str, list[dict]] = {}
    for r in rows:
        by_case.setdefault(r["case"], []).append(r)
    cases = [rs for rs in by_case.values() if any(r["label"] for r in rs)]
    hit = sum(any(r["label"] for r in sorted(rs, key=lambda r: -key(r))[:k]) for rs in cases)
    return round(hit / max(1, len(cases)), 3)


def features(rows: list[dict]) -> np.ndarray:
    return np.array([[r["hit"], r["overlap"], r["cosine"], r["prob"]] for r in rows])


def selection(rows: list[dict], combiner: tuple[float, ...]) -> dict:
    b, *w = combiner
    rankers = {
        "reader": lambda r: r["prob"],
        "cosine": lambda r: r["cosine"],
        "old_score": lambda r: 0.25 * r["hit"] + 0.25 * r["overlap"] + 0.5 * r["cosine"],
        "combiner": lambda r: b + w[0] * r["hit"] + w[1] * r["overlap"] + w[2] * r["cosine"] + w[3] * r["prob"],
    }
    return {name: {"top1": top_k(rows, f, 1), "top2": top_k(rows, f, 2)} for name, f in rankers.items()}


def sweep(rows: list[dict]) -> list[dict]:
    """Answer accuracy, abstention recall and false abstention at each threshold, given each
    case's answer without a threshold (an answer abstains anyway stays abstained)."""
    out = []
    for t in [x / 100 for x in range(0, 96, 1)]:
        correct, abst_un, abst_ans, n_un, n_ans = 0, 0, 0, 0, 0
        for r in rows:
            abstains = r["abstained"] or r["confidence"] < t
            if r["unanswerable"]:
                n_un += 1
                abst_un += abstains
                correct += abstains
            else:
                n_ans += 1
                abst_ans += abstains
                correct += (not abstains) and r["correct"]
        out.append({"threshold": t, "accuracy": round(correct / len(rows), 3),
                    "abstain_recall": round(abst_un / max(1, n_un), 3),
                    "false_abstention": round(abst_ans / max(1, n_ans), 3)})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=Path, default=DEFAULT_CASES)
    ap.add_argument("--report-cases", type=Path, default=TEST_CASES)
    ap.add_argument("--no-fit", action="store_true", help="measure the shipped combiner and threshold only")
    args = ap.parse_args(argv)
    config = Config.from_env()
    pipeline = Pipeline(replace(config, reader_threshold=0.0))
    texts = corpus_texts(pipeline)
    sets = {"dev": load_cases(args.cases, texts), "held_out": load_cases(args.report_cases, texts)}
    from rag.answer import READER_COMBINER

    combiner = READER_COMBINER
    sentences = {name: sentence_rows(pipeline, cases, texts) for name, cases in sets.items()}
    if not args.no_fit:
        from sklearn.linear_model import LogisticRegression

        dev = sentences["dev"]
        lr = LogisticRegression(C=1.0, max_iter=1000).fit(features(dev), [r["label"] for r in dev])
        combiner = (round(float(lr.intercept_[0]), 3), *(round(float(x), 3) for x in lr.coef_[0]))
        print("fitted combiner (bias, passage, overlap, cosine, reader):", combiner)
    for name, rows in sentences.items():
        print(name, "selection", json.dumps(selection(rows, combiner)))
    answers = {name: run(pipeline, cases, "extractive") for name, cases in sets.items()}
    sweeps = {name: sweep(rows) for name, rows in answers.items()}
    best = max(sweeps["dev"], key=lambda r: (r["accuracy"], -abs(r["threshold"] - config.reader_threshold)))
    chosen = best["threshold"] if not args.no_fit else config.reader_threshold
    for name, rows in sweeps.items():
        at = min(rows, key=lambda r: abs(r["threshold"] - chosen))
        print(name, f"at threshold {chosen:.2f}:", json.dumps(at))
    for r in sweeps["dev"][::5]:
        print("dev sweep", json.dumps(r), "| held-out", json.dumps(sweeps["held_out"][sweeps["dev"].index(r)]))
    print(json.dumps({"combiner": combiner, "threshold": chosen,
                      "selection": {n: selection(r, combiner) for n, r in sentences.items()},
                      "summary_no_threshold": {n: summary(r) for n, r in answers.items()}}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
