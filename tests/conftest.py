"""Shared fixtures: the real seeds, ingested once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Models come from PyPI packages; nothing may reach the hub during tests.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session", autouse=True)
def _private_index_cache(tmp_path_factory):
    """Tests build their indexes in a cache of their own, never the user's."""
    os.environ["RAG_CACHE_DIR"] = str(tmp_path_factory.mktemp("index-cache"))


@pytest.fixture(scope="session")
def seeds_index():
    from rag.index import open_index

    return open_index(SEEDS)


@pytest.fixture(scope="session")
def pipeline(seeds_index):
    """One pipeline over the seeds, shared by the answer tests (a test file may define its own)."""
    from rag.pipeline import Pipeline

    return Pipeline(index=seeds_index)


@pytest.fixture(scope="session")
def texts():
    """The seeds' file texts, by file name: what citations must quote verbatim."""
    return {p.name: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}


@pytest.fixture(scope="session")
def retriever(seeds_index):
    from rag.retrieve import Retriever

    return Retriever(seeds_index)


@pytest.fixture(scope="session")
def seeds_corpus():
    from rag import load_corpus

    return load_corpus(SEEDS)


@pytest.fixture(scope="session")
def seed_texts(seeds_corpus) -> dict[str, str]:
    return {doc.source: doc.text for doc in seeds_corpus.documents}


@pytest.fixture(scope="session")
def ui_server(tmp_path_factory, _private_index_cache):
    """The chat page on a private copy of the seeds (uploads land there, never in seeds/),
    served in this process on 127.0.0.1 at a free port; shared by the UI and browser tests."""
    import shutil
    import socket
    from types import SimpleNamespace

    from rag.config import Config
    from rag.pipeline import Pipeline
    from ui.app import build_app, launch

    corpus = tmp_path_factory.mktemp("ui-corpus")
    for path in SEEDS.iterdir():
        shutil.copy2(path, corpus / path.name)
    pipeline = Pipeline(Config.from_env(corpus=corpus))
    app = build_app(pipeline)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    launch(app, host="127.0.0.1", port=port, prevent_thread_lock=True, quiet=True)
    yield SimpleNamespace(url=f"http://127.0.0.1:{port}/", pipeline=pipeline, corpus=corpus)
    app.close()
