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


@pytest.fixture(scope="session")
def seeds_corpus():
    from rag import load_corpus

    return load_corpus(SEEDS)


@pytest.fixture(scope="session")
def seed_texts(seeds_corpus) -> dict[str, str]:
    return {doc.source: doc.text for doc in seeds_corpus.documents}
