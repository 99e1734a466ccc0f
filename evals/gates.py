"""Thresholds an evaluation must meet (`rag eval --min-... X`), kept apart from the suite
so that the command line can list them without loading any model."""

from __future__ import annotations

from rag.errors import UserError

# Command-line thresholds: option -> (summary key, "min" or "max"). Retrieval gates apply to
# the retriever the pipeline answers with (config.retrieval_mode).
GATES: dict[str, tuple[str, str]] = {
    "min_answer_accuracy": ("answer_accuracy", "min"),
    "min_keyword_accuracy": ("keyword_accuracy", "min"),
    "min_speaker_accuracy": ("answer_speaker_accuracy", "min"),
    "min_cited_speaker_accuracy": ("cited_speaker_accuracy", "min"),
    "min_citation_recall": ("citation_recall", "min"),
    "min_citation_precision": ("citation_precision", "min"),
    "min_quote_exactness": ("quote_exactness", "min"),
    "min_recall_at_1": ("recall@1", "min"),
    "min_recall_at_5": ("recall@5", "min"),
    "min_recall_at_10": ("recall@10", "min"),
    "min_mrr": ("mrr", "min"),
    "min_abstention_precision": ("abstention_precision", "min"),
    "min_abstention_recall": ("abstention_recall", "min"),
    "max_false_abstention": ("false_abstention", "max"),
    "max_latency_p95": ("latency_p95_s", "max"),
}


def check_gates(summary: dict, gates: dict[str, float]) -> list[str]:
    """The thresholds missed, one line each. `gates` maps summary keys (or GATES options) to
    their bound; a metric that could not be measured (None) misses its threshold."""
    failures = []
    for name, bound in gates.items():
        if bound is None:
            continue
        key, kind = GATES.get(name, (name, "max" if name.startswith("max_") else "min"))
        if key not in summary:
            raise UserError(f"unknown metric {key!r} for a threshold; metrics: {', '.join(sorted(summary))}")
        value = summary[key]
        if value is None:
            failures.append(f"{key} could not be measured (needs cases of that kind); threshold {bound}")
        elif kind == "min" and value < bound:
            failures.append(f"{key} {value:.4g} is below the minimum {bound:g}")
        elif kind == "max" and value > bound:
            failures.append(f"{key} {value:.4g} is above the maximum {bound:g}")
    return failures
