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


# --- issue 31: the batch reads bytes, line by line, under any locale ------------------------------
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


def _locale_env(tmp_path_factory=None, strict: bool = True) -> dict:
    """An ordinary en_US.UTF-8 locale, PYTHONIOENCODING unset and Python's UTF-8 mode off: stdin
    then decodes strictly (C and C.UTF-8 decode leniently and hide the problem). Where the locale
    is not installed it is compiled into a private folder (localedef); failing that, its
    strictness is asked for directly. strict=False: LC_ALL=C, whose stdout is ASCII."""
    import os
    import shutil as sh

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONIOENCODING", "PYTHONUTF8", "LANG", "LC_ALL")}
    env["PYTHONUTF8"] = "0"
    if not strict:
        return {**env, "LC_ALL": "C"}
    env.update(LC_ALL="en_US.UTF-8", LANG="en_US.UTF-8")
    probe = [sys.executable, "-c", "import sys; print(sys.stdin.errors)"]
    if subprocess.run(probe, capture_output=True, text=True, env=env).stdout.strip() == "strict":
        return env
    if tmp_path_factory is not None and sh.which("localedef"):
        folder = tmp_path_factory.mktemp("locales")
        subprocess.run(["localedef", "-i", "en_US", "-f", "UTF-8", str(folder / "en_US.UTF-8")], capture_output=True)
        if subprocess.run(probe, capture_output=True, text=True, env={**env, "LOCPATH": str(folder)}).stdout.strip() == "strict":
            return {**env, "LOCPATH": str(folder)}
    return {**env, "PYTHONIOENCODING": "utf-8:strict"}


@pytest.mark.parametrize("strict", [True, False], ids=["en_US.UTF-8", "C"])
def test_a_bad_line_on_stdin_gets_its_error_and_the_batch_goes_on(strict, tmp_path_factory):
    lines = [b"What keeps Khalid Amiri awake at night?", b"caf\xe9 au lait?", b'{"id": "q3", "question": "Who tweeted about mine fields?"}',
             b"\xff\xfe\x00garbage", b'{"id": 7, "question": "\\ud800 alone"}', b'{"question": 5}', b"   ",
             "Was sagte Nazary über die Taliban — und warum?".encode("utf-8")]
    done = subprocess.run([sys.executable, "-m", "rag", "ask", "--json"], input=b"\n".join(lines) + b"\n",
                          capture_output=True, timeout=600, env=_locale_env(tmp_path_factory, strict))
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    rows = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]
    assert len(rows) == 7  # one per non-blank line, in order
    assert "error" not in rows[0] and rows[0]["answer"] and rows[0]["hits"]  # answered (whatever the answerer decides)
    assert "not UTF-8" in rows[1]["error"] and "0xe9" in rows[1]["error"]
    assert rows[2]["id"] == "q3" and "error" not in rows[2]
    assert "not UTF-8" in rows[3]["error"]
    assert rows[4]["id"] == 7 and "surrogate" in rows[4]["error"]
    assert "must be a string" in rows[5]["error"]
    assert "error" not in rows[6] and rows[6]["question"].startswith("Was sagte Nazary über")


@given(st.binary(max_size=300))
@settings(max_examples=500, deadline=None)
def test_any_bytes_make_one_question_or_one_error_never_an_exception(raw):
    from rag.cli import _batch_line, _json_line

    qid, question, error = _batch_line(3, raw.replace(b"\n", b" ") + b"\n")
    if question is None and error is None:
        assert raw.replace(b"\n", b" ").decode("utf-8").strip() == ""  # only a blank line is skipped
        return
    assert (question is None) != (error is None)
    row = {"question": question, "error": error} if error else {"question": question}
    if qid is not None:
        row = {"id": qid, **row}
    line = _json_line(row)
    assert line.endswith(b"\n") and json.loads(line.decode("utf-8")) is not None


@given(st.lists(st.text(max_size=40) | st.binary(max_size=40).map(lambda b: b.decode("latin-1")), max_size=6),
       st.one_of(st.none(), st.integers(), st.text(max_size=10), st.floats()))
@settings(max_examples=300, deadline=None)
def test_json_lines_with_any_question_or_id_never_raise(words, qid):
    from rag.cli import _batch_line

    raw = json.dumps({"id": qid, "question": " ".join(words)}).encode("utf-8")
    got_id, question, error = _batch_line(1, raw)
    assert (question is None) != (error is None)
    if question is not None:
        question.encode("utf-8")  # always writable


def test_a_question_argument_that_is_not_utf8_is_one_clear_line():
    done = subprocess.run([sys.executable, "-m", "rag", "ask", b"caf\xe9?".decode("utf-8", "surrogateescape"), "--json"],
                          capture_output=True, timeout=300, env=_locale_env())
    assert done.returncode == 2 and b"Traceback" not in done.stderr and b"UTF-8" in done.stderr
