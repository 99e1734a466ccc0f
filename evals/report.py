"""Write an evaluation report: report.json (everything), report.md (the tables a person
reads), accuracy_by_type.png and recall_at_k.png.

    paths = write_report(report, Path("eval-report"))

Files are written whole or not at all (a temporary name, then a rename).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .retrieval import KS, MODE_NAMES
from .suite import CURVE_K, badness, problems

WORST = 12


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _fmt(value, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(_fmt(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


OVERALL = [
    ("answer accuracy (answerable: answered, all keywords, right speaker cited)", "answer_accuracy"),
    ("keyword accuracy", "keyword_accuracy"),
    ("speaker named in the answer is right", "answer_speaker_accuracy"),
    ("cited speaker is right", "cited_speaker_accuracy"),
    ("citation recall (ALCE)", "citation_recall"),
    ("citation precision (ALCE)", "citation_precision"),
    ("quotes verbatim and inside their passage", "quote_exactness"),
    ("abstention precision", "abstention_precision"),
    ("abstention recall (unanswerable cases abstained on)", "abstention_recall"),
    ("false abstention (answerable cases abstained on)", "false_abstention"),
    ("latency p50 (s)", "latency_p50_s"),
    ("latency p95 (s)", "latency_p95_s"),
]

GROUP_COLUMNS = [
    ("cases", "cases"), ("accuracy", "accuracy"), ("keywords", "keyword_accuracy"),
    ("cited speaker", "cited_speaker_accuracy"), ("cit. recall", "citation_recall"),
    ("cit. precision", "citation_precision"), ("hybrid R@5", "recall@5"),
]


def markdown(report: dict, failures: list[str] | None = None) -> str:
    s = report["summary"]
    out = [
        "# Evaluation report",
        "",
        f"- corpus: `{report['corpus']}`",
        f"- cases: `{report.get('cases_file', '?')}` ({s['cases']}: {s['answerable']} answerable, {s['unanswerable']} not)",
        (f"- answerer: {report['answerer']}; retrieval: {report['settings']['retrieval_mode']}; "
         f"embedding model: {report['settings']['embedding_model']}"
         f" (query adapter: {report['settings'].get('query_adapter', 'none')})"),
        f"- support judge: {report['judge']}, threshold {report['judge_threshold']}",
        f"- created: {report['created']}",
        "",
        "## Overall",
        "",
        _table(["metric", "value"], [[label, s.get(key)] for label, key in OVERALL]),
        "",
        "Accuracy per type counts an unanswerable case as right when the system abstained.",
        "",
        "## Retrieval (gold passage among the hits)",
        "",
        _table(
            ["retriever", "cases", *(f"R@{k}" for k in KS), "MRR", f"nDCG@{CURVE_K}"],
            [[MODE_NAMES.get(m, m), r["cases"], *(r[f"recall@{k}"] for k in KS), r["mrr"], r[f"ndcg@{CURVE_K}"]]
             for m, r in s["retrieval"].items()],
        ),
        "",
        "## By type",
        "",
        _table(["type", *(c for c, _ in GROUP_COLUMNS)],
               [[t, *(g.get(k) for _, k in GROUP_COLUMNS)] for t, g in report["by_type"].items()]),
        "",
        "## By source",
        "",
        _table(["source", *(c for c, _ in GROUP_COLUMNS)],
               [[src, *(g.get(k) for _, k in GROUP_COLUMNS)] for src, g in sorted(report["by_source"].items())]),
        "",
    ]
    if failures is not None:
        out += ["## Thresholds", ""]
        out += [f"- MISSED: {f}" for f in failures] or ["- all thresholds met"]
        out.append("")
    worst = sorted((r for r in report["rows"] if problems(r)), key=lambda r: (-badness(r), r["id"]))[:WORST]
    out += ["## Worst cases", ""]
    for r in worst:
        out += [
            f"### {r['id']} ({r['type']}): {r['question']}",
            "",
            f"- problems: {'; '.join(problems(r))}",
            (f"- expected: keywords {', '.join(r.get('expected_keywords', [])) or '–'}; "
             f"speakers {', '.join(r['expected_speakers']) or '–'}; "
             f"gold passage rank (hybrid): {_rank(r['retrieval'].get('hybrid', 'n/a'))}"),
            f"- answer: {_clip(r['answer'], 500)}",
        ]
        for sent in r["grounding"]:
            if not sent["supported"]:
                out.append(f"  - unsupported: “{_clip(sent['text'], 160)}” citing {sent['refs'] or 'nothing'}")
        out.append("")
    return "\n".join(out)


def _rank(first) -> str:
    if first == "n/a":
        return "n/a"
    return f"not in top {CURVE_K}" if first is None else str(first + 1)


def _clip(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def charts(report: dict, folder: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    # 1. per-type accuracy, with citation recall beside it
    by_type = report["by_type"]
    types = list(by_type)
    acc = [by_type[t]["accuracy"] or 0 for t in types]
    rec = [by_type[t]["citation_recall"] for t in types]
    fig, ax = plt.subplots(figsize=(10, 5.2), dpi=120)
    x = range(len(types))
    ax.bar([i - 0.2 for i in x], acc, width=0.4, label="accuracy", color="#3b6ea5")
    ax.bar([i + 0.2 for i in x], [r or 0 for r in rec], width=0.4, label="citation recall (answered)", color="#e39b3b")
    for i, (a, r) in enumerate(zip(acc, rec)):
        ax.text(i - 0.2, a + 0.015, f"{a:.2f}", ha="center", fontsize=8)
        ax.text(i + 0.2, (r or 0) + 0.015, "–" if r is None else f"{r:.2f}", ha="center", fontsize=8)
    ax.set_xticks(list(x))
    ax.set_xticklabels([f"{t}\n(n={by_type[t]['cases']})" for t in types], fontsize=9)
    ax.set_ylim(0, 1.08)
    ax.set_ylabel("share of cases")
    ax.set_title(f"Accuracy by question type ({report['answerer']} answerer; unanswerable types: abstained)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, fontsize=9, frameon=False)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    path = folder / "accuracy_by_type.png"
    _save(fig, path)
    paths.append(path)

    # 2. recall@k for each retriever
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=120)
    styles = {"dense": ("#3b6ea5", "o"), "lexical": ("#e39b3b", "s"), "hybrid": ("#2e8b57", "^")}
    for mode, r in report["summary"]["retrieval"].items():
        color, marker = styles.get(mode, (None, "o"))
        ks = list(range(1, len(r["curve"]) + 1))
        ax.plot(ks, r["curve"], marker=marker, color=color, label=f"{MODE_NAMES.get(mode, mode)} (MRR {r['mrr']:.2f})")
    ax.set_xticks(list(range(1, CURVE_K + 1)))
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("k (passages retrieved)")
    ax.set_ylabel("recall@k (gold passage in top k)")
    n = next(iter(report["summary"]["retrieval"].values()), {}).get("cases", 0)
    ax.set_title(f"Retrieval recall@k on {n} answerable cases")
    ax.legend(loc="lower right", fontsize=9)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    path = folder / "recall_at_k.png"
    _save(fig, path)
    paths.append(path)
    return paths


def _save(fig, path: Path) -> None:
    import matplotlib.pyplot as plt

    tmp = path.with_name(f".{path.name}.part")
    fig.savefig(tmp, format="png", bbox_inches="tight")
    plt.close(fig)
    os.replace(tmp, path)


def write_report(report: dict, folder: Path | str, failures: list[str] | None = None) -> list[Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    json_path, md_path = folder / "report.json", folder / "report.md"
    _atomic_write(json_path, json.dumps(report, indent=1, ensure_ascii=False).encode())
    _atomic_write(md_path, markdown(report, failures).encode())
    return [json_path, md_path, *charts(report, folder)]
