"""Uploads through the page (issue 31): nothing refused is left in Gradio's temp folder, a long
name keeps its extension, the session's upload cap is named, and the API's chat=[] starts a
fresh conversation whatever the session asked before."""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client(ui_server):
    from gradio_client import Client

    return Client(ui_server.url, verbose=False)


def _upload_dirs() -> list[Path]:
    return [Path(d) for d in {os.environ.get("GRADIO_TEMP_DIR") or "", str(Path(tempfile.gettempdir()) / "gradio")} if d]


def _left_in_temp(token: str) -> list[Path]:
    return [p for d in _upload_dirs() if d.is_dir() for p in d.rglob(f"*{token}*")]


def test_uploaded_files_do_not_pile_up_in_gradios_temp_folder(client, ui_server, tmp_path):
    from gradio_client import handle_file

    token = uuid.uuid4().hex[:10]
    paths = []
    for i, data in enumerate([b"\x00\x01 binary", b"", "Host: caf\xe9?".encode("latin-1")]):
        path = tmp_path / f"refused-{token}-{i}.txt"
        path.write_bytes(data)
        paths.append(path)
    out = client.predict([handle_file(str(p)) for p in paths], api_name="/add_transcripts")
    assert out[0].count("not added") == 3
    assert any(d.is_dir() for d in _upload_dirs())  # where Gradio put them: the check below is not vacuous
    assert _left_in_temp(token) == []
    assert not [p for p in ui_server.corpus.rglob(f"*{token}*")]  # nor in the corpus, nor a staging folder
    assert not [p for p in ui_server.corpus.iterdir() if p.name.startswith(".upload-")]


def test_a_long_name_keeps_its_extension(client, ui_server, tmp_path):
    from gradio_client import handle_file

    token = uuid.uuid4().hex[:8]
    path = tmp_path / (f"episode-{token}-" + "a very long title " * 13 + ".txt").replace(" ", "_")
    assert len(path.name) > 240
    path.write_text("Ann Vale: The lighthouse keeper's cat is called Biscuit.\nBo Rink: Really, Biscuit?\n", encoding="utf-8")
    out = client.predict([handle_file(str(path))], api_name="/add_transcripts")
    assert "added" in out[0] and "not added" not in out[0], out[0]
    saved = [p for p in ui_server.corpus.iterdir() if token in p.name]
    assert len(saved) == 1 and saved[0].suffix == ".txt" and len(saved[0].name) <= 120
    assert _left_in_temp(token) == []


def test_chat_empty_starts_afresh_in_the_same_session(client):
    first, _ = client.predict("Who is Khalid Amiri?", [], "", "", "extractive", api_name="/chat")
    follow, _ = client.predict("What did he say about China?", first, "", "", "extractive", api_name="/chat")
    assert "Searched for" in _text(follow[-1])  # with the conversation: "he" is Amiri
    fresh, _ = client.predict("What did he say about China?", [], "", "", "extractive", api_name="/chat")
    assert "Searched for" not in _text(fresh[-1]) and len(fresh) == 2  # chat=[]: nothing carried over


def _text(message: dict) -> str:
    content = message["content"]
    return "".join(part.get("text", "") for part in content) if isinstance(content, list) else str(content)


def test_an_upload_shows_its_stages_on_the_page(client, tmp_path):
    from gradio_client import handle_file

    token = uuid.uuid4().hex[:8]
    path = tmp_path / f"stages-{token}.txt"
    path.write_text("".join(f"Ann Vale: Buoy {i} of {token} was painted in week {i}.\nBo Rink: And buoy {i + 1}?\n"
                            for i in range(300)), encoding="utf-8")
    job = client.submit([handle_file(str(path))], api_name="/add_transcripts")
    seen: set[str] = set()
    while not job.done():
        status = job.status()
        for unit in status.progress_data or []:
            if unit.desc:
                seen.add(unit.desc)
        time.sleep(0.05)
    assert "added" in job.result()[0]
    assert any(s.startswith("checking 1 file") for s in seen), seen
    writer = ("updating the index", "embedding the new passages", "index ready")  # rag/update.py's own lines
    assert any(s.startswith(writer) for s in seen), seen  # they reach the page from the relay thread
