"""`pytest evals/`: the evaluation suite as a CI gate (evals/test_grounding.py). Offline,
with an index cache of its own, like the unit tests (tests/conftest.py)."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session", autouse=True)
def _private_index_cache(tmp_path_factory):
    os.environ["RAG_CACHE_DIR"] = str(tmp_path_factory.mktemp("index-cache"))
