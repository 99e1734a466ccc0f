"""`rag eval` end to end on a tiny case file: the report files, the exit code when a
threshold is missed, and --compare. Runs in-process so the models load once."""

from __future__ import annotations

import json

import pytest

from evals.cases import DEFAULT_CASES
from rag.cli import main

TINY = ("s002", "s043", "s088", "s094")  # fact, figure, follow-up, unanswerable
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def tiny_cases(tmp_path_factory):
    rows = [line for line in DEFAULT_CASES.read_text(encoding="utf-8").splitlines() if json.loads(line)["id"] in TINY]
    path = tmp_path_factory.mktemp("cases") / "tiny.jsonl"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def first_report(tiny_cases, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    code = main(["eval", "--cases", str(tiny_cases), "--report", str(out), "--no-progress"])
    return code, out


def test_eval_writes_json_markdown_and_charts(first_report):
    code, out = first_report
    assert code == 0
    report = json.loads((out / "report.json").read_text())
    assert [r["id"] for r in report["rows"]] == list(TINY)
    s = report["summary"]
    for key in ("answer_accuracy", "citation_recall", "citation_precision", "quote_exactness", "abstention_recall",
                "false_abstention", "latency_p50_s", "latency_p95_s", "recall@5"):
        assert key in s, key
    assert set(s["retrieval"]) == {"dense", "lexical", "hybrid"}
    assert s["quote_exactness"] in (None, 1.0)
    md = (out / "report.md").read_text()
    for heading in ("## Overall", "## Retrieval", "## By type", "## By source", "## Worst cases"):
        assert heading in md
    for name in ("accuracy_by_type.png", "recall_at_k.png"):
        data = (out / name).read_bytes()
        assert data.startswith(PNG) and len(data) > 10_000, name


def test_a_missed_threshold_exits_1_and_says_which(first_report, tiny_cases, tmp_path, capsys):
    capsys.readouterr()
    code = main(["eval", "--cases", str(tiny_cases), "--report", str(tmp_path), "--no-progress",
                 "--max-latency-p95", "0", "--min-quote-exactness", "0"])
    assert code == 1
    err = capsys.readouterr().err
    assert "threshold missed: latency_p95_s" in err and "quote_exactness" not in err.split("threshold missed")[1]
    assert "MISSED: latency_p95_s" in (tmp_path / "report.md").read_text()


def test_compare_lists_summary_deltas_and_cases(first_report, tmp_path, capsys):
    _, out = first_report
    a = json.loads((out / "report.json").read_text())
    b = json.loads(json.dumps(a))
    row = b["rows"][0]
    row["correct"] = not row["correct"]
    b["summary"]["answer_accuracy"] = (a["summary"]["answer_accuracy"] or 0) + 0.25
    (tmp_path / "b.json").write_text(json.dumps(b))
    capsys.readouterr()
    assert main(["eval", "--compare", str(out / "report.json"), str(tmp_path / "b.json")]) == 0
    text = capsys.readouterr().out
    assert "answer_accuracy" in text and "+0.25" in text
    assert row["id"] in text and ("now right" in text or "now wrong" in text)


def test_bad_usage_is_a_clean_error(tmp_path, capsys):
    assert main(["eval", "--corpus", str(tmp_path)]) == 2  # another corpus needs its own cases
    assert "--cases" in capsys.readouterr().err
    assert main(["eval", "--compare", str(tmp_path / "missing.json"), str(tmp_path / "b.json")]) == 2
