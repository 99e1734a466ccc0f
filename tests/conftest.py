"""Shared fixtures: the real seeds, ingested once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Models come from PyPI packages; nothing may reach the hub during tests.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

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
