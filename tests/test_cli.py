"""The command-line contract (../shared/CONTRACT.md) as evaluators' scripts see it."""

from __future__ import annotations

import json
import subprocess
import sys

from .conftest import SEEDS

CONTRACT_FIELDS = ["id", "source", "title", "speaker", "role", "text", "start", "end"]


def rag(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rag", *args], capture_output=True, text=True, timeout=300)


def test_passages_jsonl_follows_the_contract():
    result = rag("passages", "--jsonl")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) > 100
    texts = {p.name: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}
    for row in rows:
        assert list(row)[: len(CONTRACT_FIELDS)] == CONTRACT_FIELDS
        assert texts[row["source"]][row["start"] : row["end"]] == row["text"]
        assert row["role"] in ("interviewer", "interviewee", "quoted", "narrator", "speaker")
    # document order: sources sorted, offsets increasing within each
    keys = [(r["source"], r["start"]) for r in rows]
    assert keys == sorted(keys)


def test_corpus_flag_and_default_agree():
    assert rag("passages", "--jsonl").stdout == rag("passages", "--jsonl", "--corpus", str(SEEDS)).stdout


def test_help_lists_every_command_with_an_example():
    result = rag("--help")
    assert result.returncode == 0
    assert "passages" in result.stdout and "rag passages --jsonl" in result.stdout


def test_bad_usage_is_one_line_and_exit_2():
    for args in (["passages", "--bogus"], ["nonsense"], []):
        result = rag(*args)
        assert result.returncode == 2, args
        assert "Traceback" not in result.stderr + result.stdout
