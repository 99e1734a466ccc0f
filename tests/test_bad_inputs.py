"""Bad files are reported by name with a reason; every other file is still ingested."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rag.errors import UserError
from rag.ingest import load_corpus

GOOD = "Host: Welcome to the show. What do you grow?\nGuest: Mostly tomatoes and beans.\nHost: Why tomatoes?\nGuest: They love the heat here.\n"


def _run(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rag", *args], capture_output=True, text=True, cwd=cwd, timeout=120)


@pytest.fixture
def messy(tmp_path):
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.md").write_text("  \n\n \t\n", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (tmp_path / "latin1.txt").write_bytes("Host: Caf\xe9 au lait?\nGuest: Oui.\n".encode("latin-1"))
    (tmp_path / "unicode.txt").write_bytes(GOOD.encode("utf-16"))  # Windows' "Unicode", with its BOM
    (tmp_path / "unicode_nobom.txt").write_bytes(GOOD.encode("utf-16-be"))
    (tmp_path / "notepad.txt").write_bytes(GOOD.replace("Guest", "Visitor").encode("utf-8-sig"))  # UTF-8 with a BOM: fine
    (tmp_path / "slides.pdf").write_bytes(b"%PDF-1.4 ...")
    with open(tmp_path / "huge.txt", "wb") as f:  # 50 MB, sparse: refused before reading
        f.truncate(50 * 1024 * 1024)
    os.symlink(tmp_path / "missing.txt", tmp_path / "unreadable.txt")
    (tmp_path / "broken.vtt").write_text("not a webvtt file\n", encoding="utf-8")
    (tmp_path / "broken.json").write_text('{"segments": [ {"start": 0, ', encoding="utf-8")
    (tmp_path / "evil.txt").write_text(
        "Title\nA: <script>alert(1)</script> [click](javascript:alert(1))\nB: '; DROP TABLE passages; --\nA: ok\nB: fine\n",
        encoding="utf-8",
    )
    return tmp_path


EXPECTED_REASONS = {
    "empty.txt": "empty",
    "blank.md": "empty",
    "binary.txt": "binary",
    "latin1.txt": "not UTF-8",
    "unicode.txt": "UTF-16 text, not UTF-8; re-save it as UTF-8",
    "unicode_nobom.txt": "UTF-16 text",
    "slides.pdf": "cannot read the PDF",  # a .pdf is read; this one is garbage
    "huge.txt": "too large",
    "unreadable.txt": "cannot be read",
    "broken.vtt": "WEBVTT",
    "broken.json": "JSON",
}


def test_each_bad_file_is_reported_with_its_reason_and_the_rest_ingested(messy):
    corpus = load_corpus(messy)
    reasons = {bad.source: bad.reason for bad in corpus.bad_files}
    assert set(reasons) == set(EXPECTED_REASONS)
    for name, fragment in EXPECTED_REASONS.items():
        assert fragment.lower() in reasons[name].lower(), (name, reasons[name])
    assert {d.source for d in corpus.documents} == {"good.txt", "evil.txt", "notepad.txt"}
    guest = [p for p in corpus.passages if p.source == "good.txt" and p.speaker == "Guest"]
    assert [p.text for p in guest] == ["Mostly tomatoes and beans.", "They love the heat here."]


def test_a_utf8_byte_order_mark_hides_no_label_and_shifts_no_offset(messy):
    corpus = load_corpus(messy)
    text = next(d.text for d in corpus.documents if d.source == "notepad.txt")
    passages = [p for p in corpus.passages if p.source == "notepad.txt"]
    host = [p for p in passages if p.speaker == "Host"]
    assert host and host[0].text == "Welcome to the show. What do you grow?" and all(text[p.start : p.end] == p.text for p in passages)
    assert text.startswith("\ufeff") and not host[0].title.startswith("\ufeff")


def test_not_utf8_names_the_byte_and_the_line(messy):
    reason = {b.source: b.reason for b in load_corpus(messy).bad_files}["latin1.txt"]
    assert "0xe9" in reason and "line 1" in reason


def test_malicious_text_is_kept_verbatim_as_data(messy):
    evil = [p for p in load_corpus(messy).passages if p.source == "evil.txt"]
    assert any(p.text == "<script>alert(1)</script> [click](javascript:alert(1))" and p.speaker == "A" for p in evil)


def test_cli_reports_skipped_files_on_stderr_and_exits_zero(messy):
    result = _run("passages", "--jsonl", "--corpus", str(messy))
    assert result.returncode == 0, result.stderr
    for name in EXPECTED_REASONS:
        assert f"skipped {name}:" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stdout.splitlines()) >= 4


def test_a_folder_with_no_usable_file_exits_2_with_one_line(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "x.bin").write_bytes(b"\x00\x01")
    result = _run("passages", "--jsonl", "--corpus", str(tmp_path))
    assert result.returncode == 2
    assert result.stdout == ""
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "no usable transcript" in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("make", ["missing", "empty", "file"])
def test_bad_corpus_paths_are_a_clean_error(tmp_path, make):
    path = tmp_path / "corpus"
    if make == "empty":
        path.mkdir()
    elif make == "file":
        path.write_text("not a folder")
    with pytest.raises(UserError):
        load_corpus(path)
    result = _run("passages", "--jsonl", "--corpus", str(path))
    assert result.returncode == 2 and "Traceback" not in result.stderr and result.stderr.startswith("error:")


def test_malformed_metadata_is_a_clean_error(tmp_path):
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "metadata.toml").write_text("[[sources]\nfile = ", encoding="utf-8")
    result = _run("passages", "--jsonl", "--corpus", str(tmp_path))
    assert result.returncode == 2 and "metadata" in result.stderr and "Traceback" not in result.stderr


def test_metadata_examples_must_be_strings(tmp_path):
    from rag.metadata import load_metadata

    (tmp_path / "metadata.toml").write_text("examples = [1, 2]\n", encoding="utf-8")
    with pytest.raises(UserError, match="examples"):
        load_metadata(tmp_path)


def test_publication_aliases_are_read_and_must_be_strings(tmp_path):
    from rag.metadata import load_metadata

    (tmp_path / "metadata.toml").write_text('[[sources]]\nfile = "a.txt"\naliases = ["HT", "The Times"]\n', encoding="utf-8")
    assert load_metadata(tmp_path).source("a.txt").aliases == ("HT", "The Times")
    (tmp_path / "metadata.toml").write_text('[[sources]]\nfile = "a.txt"\naliases = [7]\n', encoding="utf-8")
    with pytest.raises(UserError, match="aliases"):
        load_metadata(tmp_path)


@pytest.mark.parametrize(("name", "value"), [("RAG_HNSW_EF_SEARCH", "many"), ("RAG_ABSTAIN_THRESHOLD", "high"),
                                             ("RAG_EMBEDDING_BACKEND", "tensorflow")])
def test_a_malformed_setting_is_one_clear_line(name, value, tmp_path):
    env = {**os.environ, name: value, "RAG_CACHE_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "rag", "search", "who spoke?"], capture_output=True, text=True,
                          env=env, timeout=300)
    assert done.returncode == 2
    assert name.removeprefix("RAG_").lower().split("_")[0] in done.stderr.lower()
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


# --- issue 31: each user mistake is one clear line and exit 2 ----------------------------------
def _one_line_exit_2(done: subprocess.CompletedProcess, *fragments: str) -> None:
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.strip().splitlines() if line.startswith("error:")]
    assert len(lines) == 1, done.stderr
    for fragment in fragments:
        assert fragment.lower() in lines[0].lower(), (fragment, lines[0])


@pytest.mark.parametrize(("name", "value", "fragment"), [
    ("RAG_PASSAGE_CHARS", "0", "range"), ("RAG_PASSAGE_CHARS", "-5", "range"), ("RAG_MAX_FILE_MB", "nan", "finite"),
    ("RAG_MAX_FILE_MB", "inf", "finite"), ("RAG_MAX_FILE_MB", "0", "range"), ("RAG_ABSTAIN_THRESHOLD", "-inf", "finite"),
    ("RAG_MAX_K", "0", "range"), ("RAG_EMBEDDING_BATCH_SIZE", "0", "range"),
])
def test_an_impossible_setting_is_one_clear_line(name, value, fragment, tmp_path):
    env = {**os.environ, name: value, "RAG_CACHE_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "rag", "passages", "--jsonl"], capture_output=True, text=True, env=env,
                          timeout=120)
    _one_line_exit_2(done, name, fragment)


@pytest.mark.parametrize("port", ["99999", "0", "-1", "http"])
def test_serve_on_an_impossible_port_is_one_clear_line(port, tmp_path):
    done = subprocess.run([sys.executable, "-m", "rag", "serve", "--corpus", str(tmp_path), "--port", port],
                          capture_output=True, text=True, timeout=120)
    _one_line_exit_2(done, "port")


def test_serve_on_a_port_in_use_is_one_clear_line_before_anything_loads(tmp_path):
    import socket

    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        t0 = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "rag", "serve", "--corpus", str(tmp_path), "--port", str(port)],
                              capture_output=True, text=True, timeout=120, env={**os.environ, "RAG_CACHE_DIR": str(tmp_path / "c")})
    _one_line_exit_2(done, "in use", str(port))
    assert time.monotonic() - t0 < 60 and not (tmp_path / "c").exists()  # refused before the index was built


def _without_root_powers() -> list[str]:
    """A command prefix that runs a child without root's power to read any folder (root reads
    a folder whatever its mode): setpriv dropping every capability, where it exists."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: cannot make a folder unreadable")
    return [setpriv, "--bounding-set=-all", "--inh-caps=-all"]


def test_an_unreadable_corpus_folder_is_one_clear_line_naming_it(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(GOOD, encoding="utf-8")
    corpus.chmod(0)
    try:
        env = {**os.environ, "RAG_CACHE_DIR": str(tmp_path / "cache")}
        for command in (["passages", "--jsonl"], ["ask", "who grows tomatoes?"], ["index"]):
            done = subprocess.run([*_without_root_powers(), sys.executable, "-m", "rag", *command, "--corpus", str(corpus)],
                                  capture_output=True, text=True, timeout=300, env=env)
            _one_line_exit_2(done, "corpus folder", str(corpus))
            assert "cache" not in done.stderr.lower()  # the corpus is to blame, not the index folder
    finally:
        corpus.chmod(0o755)


def test_a_nine_megabyte_line_without_punctuation_becomes_short_verbatim_passages(tmp_path):
    from rag.chunking import HARD_MAX_FACTOR
    from rag.config import Config

    words = " ".join(f"word{i % 997}" for i in range(200_000))  # ~1.6 MB, one line, no sentence end
    (tmp_path / "ramble.txt").write_text(f"Ann: {words}\nBob: ok then\nAnn: {words[:5000]}\nBob: fine\n", encoding="utf-8")
    config = Config.from_env()
    corpus = load_corpus(tmp_path, config)
    text = corpus.documents[0].text
    limit = HARD_MAX_FACTOR * config.passage_chars
    assert all(len(p.text) <= limit and text[p.start : p.end] == p.text for p in corpus.passages)
    ann = [p for p in corpus.passages if p.speaker == "Ann"]
    assert len(ann) > len(words) // limit
    assert all(not p.text[0].isspace() and not p.text[-1].isspace() for p in ann)
