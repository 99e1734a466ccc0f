"""Retrieval metrics over cases with gold quotes: recall@k, MRR, nDCG.

A hit is relevant when its passage, or a near-identical one it stands for (`also_in`),
holds part of a gold quote. recall@k is the share of answerable cases with a relevant hit
in the top k (the "hit rate" a reader cares about: is the answer on the page?).

    python -m evals.retrieval [--cases FILE] [--corpus DIR] [--modes hybrid,dense,lexical]

The metric functions (`rank_metrics`, `recall_curve`) work on "rank of the first relevant
hit" lists, so evals/external.py scores the public benchmarks with the very same code.

Example:
    >>> rank_metrics([0, 2, None], ks=(1, 3))
    {'recall@1': 0.3333, 'recall@3': 0.6667, 'mrr': 0.4444}
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from rag.config import Config
from rag.conversation import contextualize
from rag.index import open_index
from rag.retrieve import Retriever

from .cases import DEFAULT_CASES, Case, load_cases

KS = (1, 3, 5, 10)
MODES = ("dense", "lexical", "hybrid")
MODE_NAMES = {"dense": "dense", "lexical": "BM25", "hybrid": "hybrid"}


def relevance(case: Case, hits) -> list[bool]:
    return [any(case.is_gold(p) for p in (h.passage, *h.also_in)) for h in hits]


def query_of(case: Case, retriever: Retriever) -> str:
    """What the pipeline searches for: a follow-up rewritten with its conversation, as
    `rag.pipeline.ask` does it (rag.conversation.contextualize)."""
    if not case.history:
        return case.question
    return contextualize(case.question, list(case.history), retriever.names, set(retriever.speakers))


def first_relevant(rel: Sequence[bool]) -> int | None:
    """0-based rank of the first relevant hit, or None."""
    return next((i for i, r in enumerate(rel) if r), None)


def ndcg(rel: Sequence[bool], k: int) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, r in enumerate(rel[:k]) if r)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, max(1, sum(rel[:k])))))
    return dcg / ideal if ideal else 0.0


def rank_metrics(firsts: Iterable[int | None], ks: Sequence[int] = KS) -> dict[str, float]:
    """recall@k and MRR from the 0-based rank of each question's first relevant hit."""
    firsts = list(firsts)
    n = max(1, len(firsts))
    out = {f"recall@{k}": round(sum(f is not None and f < k for f in firsts) / n, 4) for k in ks}
    out["mrr"] = round(sum(1 / (f + 1) for f in firsts if f is not None) / n, 4)
    return out


def recall_curve(firsts: Iterable[int | None], k_max: int) -> list[float]:
    """recall@1 .. recall@k_max (for the chart)."""
    firsts = list(firsts)
    n = max(1, len(firsts))
    return [round(sum(f is not None and f < k for f in firsts) / n, 4) for k in range(1, k_max + 1)]


def score_cases(retriever: Retriever, cases: list[Case], mode: str, k: int = 10) -> dict:
    answerable = [c for c in cases if not c.unanswerable and c.gold_quotes]
    firsts, ndcgs, per_case = [], [], []
    for case in answerable:
        rel = relevance(case, retriever.search(query_of(case, retriever), k=k, mode=mode))
        first = first_relevant(rel)
        firsts.append(first)
        ndcgs.append(ndcg(rel, k))
        per_case.append({"id": case.id, "type": case.type, "first_relevant": first})
    return {
        "mode": mode,
        "cases": len(answerable),
        **rank_metrics(firsts),
        f"ndcg@{k}": round(sum(ndcgs) / max(1, len(ndcgs)), 4),
        "curve": recall_curve(firsts, k),
        "per_case": per_case,
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=Path, default=DEFAULT_CASES)
    ap.add_argument("--corpus", type=Path)
    ap.add_argument("--modes", default=",".join(MODES))
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
        print(json.dumps([{k: v for k, v in r.items() if k not in ("per_case", "curve")} for r in rows]))


if __name__ == "__main__":
    sys.exit(main())
