"""Compare two evaluation reports (A = before, B = after): the summary deltas, then what
improved and what regressed, case by case.

    rag eval --compare eval-report-old/report.json eval-report/report.json

A case improves when it turns right (or rightly abstains), its citation recall or
precision rises, or its gold passage ranks higher with the hybrid retriever; it regresses
the other way. Cases in only one report are listed too.
"""

from __future__ import annotations

import json
from pathlib import Path

from rag.errors import UserError

from .suite import REPORT_VERSION

EPS = 1e-9


def load_report(path: Path | str) -> dict:
    path = Path(path)
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise UserError(f"cannot read report {path}: {e}") from None
    if not isinstance(report, dict) or "summary" not in report or "rows" not in report:
        raise UserError(f"{path} is not an evaluation report (no summary/rows); make one with rag eval --report DIR")
    if report.get("version") != REPORT_VERSION:
        raise UserError(f"{path} has report version {report.get('version')!r}; this code reads version {REPORT_VERSION}")
    return report


# Counts, and the primary retriever's numbers (already listed under their retriever's name).
NEUTRAL = ("cases", "answerable", "unanswerable", "citations", "abstain_on_unanswerable")


def _flat(summary: dict) -> dict[str, float]:
    out = {}
    for key, value in summary.items():
        if key in NEUTRAL[-1:] or (summary.get("retrieval") and (key.startswith("recall@") or key == "mrr")):
            continue
        if key == "retrieval":
            for mode, r in value.items():
                for k, v in r.items():
                    if isinstance(v, (int, float)) and k != "cases":
                        out[f"{mode} {k}"] = v
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out[key] = value
    return out


# Metrics where a smaller number is better.
LOWER_IS_BETTER = ("false_abstention", "latency_p50_s", "latency_p95_s")


def _rank(first) -> float:
    return float("inf") if first is None else first


def case_changes(a: dict, b: dict) -> tuple[list[str], list[str], list[str]]:
    """(improved, regressed, mixed): one line per changed case, saying what changed."""
    improved, regressed, mixed = [], [], []
    for rb in b["rows"]:
        ra = next((r for r in a["rows"] if r["id"] == rb["id"]), None)
        if ra is None:
            continue
        better, worse = [], []
        if ra["correct"] != rb["correct"]:
            (better if rb["correct"] else worse).append("now right" if rb["correct"] else "now wrong")
        if ra["abstained"] != rb["abstained"]:
            what = "abstains" if rb["abstained"] else "answers"
            (better if rb["abstained"] == rb["unanswerable"] else worse).append(f"{what} now")
        for key, label in (("citation_recall", "citation recall"), ("citation_precision", "citation precision")):
            va, vb = ra.get(key), rb.get(key)
            if va is not None and vb is not None and abs(vb - va) > EPS:
                (better if vb > va else worse).append(f"{label} {va:.2f} -> {vb:.2f}")
        fa, fb = ra["retrieval"].get("hybrid", "n/a"), rb["retrieval"].get("hybrid", "n/a")
        if "n/a" not in (fa, fb) and _rank(fa) != _rank(fb):
            (better if _rank(fb) < _rank(fa) else worse).append(
                f"gold rank {'-' if fa is None else fa + 1} -> {'-' if fb is None else fb + 1}")
        line = f"{rb['id']} ({rb['type']}) {rb['question'][:70]}"
        if better and worse:
            mixed.append(f"{line}: {'; '.join(better)}; but {'; '.join(worse)}")
        elif better:
            improved.append(f"{line}: {'; '.join(better)}")
        elif worse:
            regressed.append(f"{line}: {'; '.join(worse)}")
    return improved, regressed, mixed


def compare(a: dict, b: dict, name_a: str = "A", name_b: str = "B") -> str:
    lines = [f"# {name_a} -> {name_b}", ""]
    for key in ("corpus", "cases_file", "answerer", "judge", "judge_threshold", "settings"):
        if a.get(key) != b.get(key):
            lines.append(f"note: {key} differs: {a.get(key)!r} vs {b.get(key)!r}")
    fa, fb = _flat(a["summary"]), _flat(b["summary"])
    lines += ["", "| metric | A | B | change |", "|---|---:|---:|---:|"]
    for key in dict.fromkeys([*fa, *fb]):
        va, vb = fa.get(key), fb.get(key)
        if va is None or vb is None:
            lines.append(f"| {key} | {va} | {vb} | |")
            continue
        delta = vb - va
        good = delta < 0 if any(key.endswith(k) for k in LOWER_IS_BETTER) else delta > 0
        mark = "" if abs(delta) < EPS or key in NEUTRAL else (" better" if good else " worse")
        lines.append(f"| {key} | {va:.4g} | {vb:.4g} | {delta:+.4g}{mark} |")
    improved, regressed, mixed = case_changes(a, b)
    lines += ["", f"## Improved ({len(improved)})", ""] + [f"- {x}" for x in improved]
    lines += ["", f"## Regressed ({len(regressed)})", ""] + [f"- {x}" for x in regressed]
    if mixed:
        lines += ["", f"## Mixed ({len(mixed)})", ""] + [f"- {x}" for x in mixed]
    ids_a, ids_b = {r["id"] for r in a["rows"]}, {r["id"] for r in b["rows"]}
    if ids_a - ids_b:
        lines += ["", f"only in {name_a}: {', '.join(sorted(ids_a - ids_b))}"]
    if ids_b - ids_a:
        lines += ["", f"only in {name_b}: {', '.join(sorted(ids_b - ids_a))}"]
    return "\n".join(lines) + "\n"
