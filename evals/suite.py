"""The whole evaluation of one system on one case file: retrieval (dense, BM25, hybrid),
answers, grounding and latency, as one JSON-able report; and the thresholds it must meet.

    report = run_suite(pipeline, cases, judge=make_judge("default", pipeline.retriever.embedder))
    failures = check_gates(report["summary"], {"answer_accuracy": 0.4, "recall@5": 0.6})

The report (REPORT_VERSION) is what `rag eval` writes and what `rag eval --compare` reads:
`summary` (headline numbers), `by_type` / `by_source` (the same, per group), `rows` (one
per case: the answer, its citations, its grounding verdicts, the rank of its gold passage
for each retriever).
"""

from __future__ import annotations

import datetime as _dt
import sys
import time
from collections.abc import Callable, Iterable

from tqdm import tqdm

from rag.pipeline import Pipeline

from .answers import grade
from .answers import summary as answer_summary
from .cases import Case
from .gates import GATES, check_gates  # noqa: F401 - re-exported
from .grounding import check_quotes, ground
from .judges import judge_name
from .retrieval import KS, MODES, first_relevant, ndcg, query_of, rank_metrics, recall_curve, relevance

REPORT_VERSION = 1
CURVE_K = 10


def _mean(values: Iterable[float | None]) -> float | None:
    values = [v for v in values if v is not None]
    return round(sum(values) / len(values), 4) if values else None


def grounding_summary(rows: list[dict]) -> dict:
    answered = [r for r in rows if not r["abstained"]]
    exact = sum(r["quotes_exact"] for r in rows)
    total = sum(r["quotes_total"] for r in rows)
    return {
        "citation_recall": _mean(r["citation_recall"] for r in answered),
        "citation_precision": _mean(r["citation_precision"] for r in answered),
        "quote_exactness": round(exact / total, 4) if total else None,
        "citations": total,
    }


def retrieval_summary(rows: list[dict], mode: str) -> dict:
    scored = [r for r in rows if r["retrieval"].get(mode, "n/a") != "n/a"]
    firsts = [r["retrieval"][mode] for r in scored]
    return {
        "cases": len(scored),
        **rank_metrics(firsts, KS),
        f"ndcg@{CURVE_K}": _mean(r["ndcg"][mode] for r in scored) or 0.0,
        "curve": recall_curve(firsts, CURVE_K),
    }


def summarize(rows: list[dict], primary_mode: str) -> dict:
    out = answer_summary(rows)
    out.update(grounding_summary(rows))
    retrieval = {mode: retrieval_summary(rows, mode) for mode in MODES if any(mode in r["retrieval"] for r in rows)}
    if primary_mode in retrieval:
        out.update({k: retrieval[primary_mode][k] for k in (*(f"recall@{k}" for k in KS), "mrr")})
    out["retrieval"] = retrieval
    return out


def group_summaries(rows: list[dict], key: Callable[[dict], Iterable[str]], primary_mode: str) -> dict[str, dict]:
    groups: dict[str, list[dict]] = {}
    for r in rows:
        for g in key(r) or ["(none)"]:
            groups.setdefault(g, []).append(r)
    out = {}
    for g, members in groups.items():
        s = summarize(members, primary_mode)
        s["accuracy"] = _mean(float(r["correct"]) for r in members)  # answered right, or rightly abstained
        out[g] = s
    return out


def run_suite(
    pipeline: Pipeline,
    cases: list[Case],
    judge,
    texts: dict[str, str],
    answerer: str = "extractive",
    modes: Iterable[str] = MODES,
    progress: bool = True,
    meta: dict | None = None,
) -> dict:
    """Ask every case, grade it, ground it, and rank its gold passage with every retriever."""
    config = pipeline.config
    people = pipeline.index.metadata.people
    modes = tuple(modes)
    if cases:  # warm up: latency is per question, not the models' first load
        pipeline.ask(cases[0].question, history=list(cases[0].history), answerer=answerer)
    bar = tqdm(total=len(cases), desc="eval", unit="case", file=sys.stderr, disable=not progress, dynamic_ncols=True)
    rows = []
    for case in cases:
        bar.set_postfix_str(case.id, refresh=False)
        t0 = time.perf_counter()
        answer = pipeline.ask(case.question, history=list(case.history), answerer=answerer)
        seconds = time.perf_counter() - t0
        row = grade(case, answer, seconds, people)
        g = ground(answer, judge)
        q = check_quotes(answer, texts)
        row.update({
            "citation_recall": g.citation_recall,
            "citation_precision": g.citation_precision,
            "grounding": g.to_json()["sentences"],
            "unknown_refs": list(g.unknown_refs),
            "quotes_exact": q.exact,
            "quotes_total": q.total,
            "quote_problems": list(q.problems),
            "retrieval": {},
            "ndcg": {},
        })
        if not case.unanswerable and case.gold_quotes:
            for mode in modes:
                rel = relevance(case, pipeline.retriever.search(query_of(case, pipeline.retriever), k=CURVE_K, mode=mode))
                row["retrieval"][mode] = first_relevant(rel)
                row["ndcg"][mode] = round(ndcg(rel, CURVE_K), 4)
        rows.append(row)
        bar.update(1)
    bar.close()
    primary = config.retrieval_mode
    return {
        "version": REPORT_VERSION,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "corpus": str(config.corpus),
        "answerer": answerer,
        "judge": judge_name(judge),
        "judge_threshold": getattr(judge, "threshold", None),
        "settings": {
            "retrieval_mode": primary,
            "embedding_model": config.embedding_model,
            "query_adapter": config.query_adapter,
            "abstain_threshold": config.abstain_threshold,
            "answer_hits": config.answer_hits,
            "reranker_model": config.reranker_model,
        },
        **(meta or {}),
        "summary": summarize(rows, primary),
        "by_type": group_summaries(rows, lambda r: [r["type"]], primary),
        "by_source": group_summaries(rows, lambda r: r["sources"], primary),
        "rows": rows,
    }


def problems(row: dict) -> list[str]:
    """What went wrong with one case, in words (empty: nothing)."""
    out = []
    if row["unanswerable"]:
        if not row["abstained"]:
            out.append("answered a question the transcripts do not answer")
    elif row["abstained"]:
        out.append("abstained on an answerable question")
    else:
        if row["missing_keywords"]:
            out.append(f"missing keywords: {', '.join(row['missing_keywords'])}")
        if not row["speaker_ok"]:
            out.append(f"cited {', '.join(dict.fromkeys(row['cited_speakers'])) or 'nobody'}; "
                       f"expected {' or '.join(row['expected_speakers'])}")
    if not row["abstained"] and row["citation_recall"] is not None:
        unsupported = [s for s in row["grounding"] if not s["supported"]]
        if unsupported:
            out.append(f"{len(unsupported)} of {len(row['grounding'])} sentences not supported by their citations")
        if row["citation_precision"] is not None and row["citation_precision"] < 1 and len(unsupported) < len(row["grounding"]):
            out.append(f"citation precision {row['citation_precision']:.2f}")
    if row["quote_problems"]:
        out.append(f"{len(row['quote_problems'])} quote(s) not verbatim")
    hybrid = row["retrieval"].get("hybrid", "n/a")
    if hybrid is None:
        out.append(f"gold passage not in the hybrid top {CURVE_K}")
    return out


def badness(row: dict) -> float:
    """Orders the worst cases: a wrong answer first, then ungrounded, then retrieval misses."""
    score = 0.0 if row["correct"] else 2.0
    if not row["abstained"] and row["citation_recall"] is not None:
        score += (1 - row["citation_recall"]) + 0.5 * (1 - (row["citation_precision"] or 0))
    score += 1.0 if row["quote_problems"] else 0.0
    if row["retrieval"].get("hybrid", "n/a") is None:
        score += 0.5
    return score
