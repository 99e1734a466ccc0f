"""Retrieval metrics over cases with gold quotes: recall@k, MRR, nDCG.

A hit is relevant when its passage, or a near-identical one it stands for (`also_in`),
holds part of a gold quote. recall@k is the share of answerable cases with a relevant hit
in the top k (the "hit rate" a reader cares about: is the answer on the page?).

    python -m evals.retrieval [--cases FILE] [--corpus DIR] [--modes hybrid,dense,lexical]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from rag.config import Config
from rag.index import open_index
from rag.retrieve import Retriever

from .cases import DEFAULT_CASES, Case, load_cases

KS = (1, 3, 5, 10)


def relevance(case: Case, hits) -> list[bool]:
    return [any(case.is_gold(p) for p in (h.passage, *h.also_in)) for h in hits]


def query_of(case: Case) -> str:
    """Follow-ups carry their context: the previous user turn, then the question."""
    previous = [h["content"] for h in case.history if h.get("role") == "user"]
    return f"{previous[-1]} {case.question}" if previous else case.question


def score_cases(retriever: Retriever, cases: list[Case], mode: str, k: int = 10) -> dict:
    answerable = [c for c in cases if not c.unanswerable and c.gold_quotes]
    recall = {kk: 0 for kk in KS}
    mrr = ndcg = 0.0
    per_case = []
    for case in answerable:
        rel = relevance(case, retriever.search(query_of(case), k=k, mode=mode))
        first = next((i for i, r in enumerate(rel) if r), None)
        for kk in KS:
            recall[kk] += first is not None and first < kk
        mrr += 1 / (first + 1) if first is not None else 0
        dcg = sum(1 / math.log2(i + 2) for i, r in enumerate(rel) if r)
        ideal = sum(1 / math.log2(i + 2) for i in range(min(k, max(1, sum(rel)))))
        ndcg += dcg / ideal if ideal else 0
        per_case.append({"id": case.id, "type": case.type, "first_relevant": first})
    n = len(answerable)
    return {
        "mode": mode,
        "cases": n,
        **{f"recall@{kk}": round(recall[kk] / n, 4) for kk in KS},
        "mrr": round(mrr / n, 4),
        f"ndcg@{k}": round(ndcg / n, 4),
        "per_case": per_case,
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=Path, default=DEFAULT_CASES)
    ap.add_argument("--corpus", type=Path)
    ap.add_argument("--modes", default="dense,lexical,hybrid")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    config = Config.from_env(corpus=args.corpus)
    index = open_index(config.corpus, config)
    retriever = Retriever(index, config)
    texts = {}
    for source in {p.source for p in index.passages}:
        texts[source] = (Path(config.corpus) / source).read_text(encoding="utf-8")
    cases = load_cases(args.cases, texts)
    rows = [score_cases(retriever, cases, mode) for mode in args.modes.split(",")]
    print(f"{'mode':8} {'cases':>5} " + " ".join(f"{'R@' + str(k):>6}" for k in KS) + f" {'MRR':>6} {'nDCG@10':>7}")
    for r in rows:
        print(f"{r['mode']:8} {r['cases']:>5} " + " ".join(f"{r[f'recall@{k}']:>6.3f}" for k in KS) + f" {r['mrr']:>6.3f} {r['ndcg@10']:>7.3f}")
    if args.json:
        print(json.dumps([{k: v for k, v in r.items() if k != "per_case"} for r in rows]))


if __name__ == "__main__":
    sys.exit(main())
