"""The persisted index: built once, refreshed incrementally, never used when corrupt."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from rag.config import Config
from rag.embed import load_embedder
from rag.index import embedding_text, open_index, store_dir

from .conftest import SEEDS


class CountingEmbedder:
    """The real default model, counting what it is asked to embed."""

    def __init__(self):
        self.inner = load_embedder()
        self.model_id = self.inner.model_id
        self.embedded = 0

    @property
    def dim(self):
        return self.inner.dim

    def encode_queries(self, texts):
        return self.inner.encode_queries(texts)

    def encode_documents(self, texts, progress=False):
        self.embedded += len(texts)
        return self.inner.encode_documents(texts, progress)


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in ("000_40e17a0aaa5d46fb.txt", "003_ecfc993b8a397a1a.txt", "metadata.toml"):
        shutil.copy(SEEDS / name, folder / name)
    return folder


@pytest.fixture
def config(tmp_path):
    return Config.from_env(cache_dir=tmp_path / "cache")


def test_first_open_builds_then_reopening_embeds_nothing(corpus, config):
    embedder = CountingEmbedder()
    first = open_index(corpus, config, embedder)
    assert embedder.embedded == len(first.passages) > 50
    assert any("building" in line for line in first.report)
    again = open_index(corpus, config, embedder)
    assert embedder.embedded == len(first.passages) and again.report == []
    assert [p.id for p in again.passages] == [p.id for p in first.passages]
    assert np.allclose(again.vectors, first.vectors)
    manifest = again.manifest
    assert manifest.format_version == 1 and manifest.dim == 384 and manifest.model_id == "default"
    assert set(manifest.sources) == {"000_40e17a0aaa5d46fb.txt", "003_ecfc993b8a397a1a.txt", "metadata.toml"}


def test_vectors_are_normalised_and_match_a_fresh_encoding(corpus, config):
    index = open_index(corpus, config)
    assert np.allclose(np.linalg.norm(index.vectors, axis=1), 1.0, atol=1e-4)
    fresh = load_embedder().encode_documents([embedding_text(index.passages[7])])
    assert float(fresh[0] @ index.vectors[7]) > 0.999


def test_adding_changing_and_removing_files_embeds_only_what_changed(corpus, config):
    embedder = CountingEmbedder()
    base = open_index(corpus, config, embedder)
    shutil.copy(SEEDS / "002_6831f9dcccccef0c.txt", corpus / "002_6831f9dcccccef0c.txt")
    added = open_index(corpus, config, embedder)
    new = [p for p in added.passages if p.source == "002_6831f9dcccccef0c.txt"]
    assert embedder.embedded == len(base.passages) + len(new)
    assert any("changed: 002_6831f9dcccccef0c.txt" in line for line in added.report)

    before = embedder.embedded
    path = corpus / "003_ecfc993b8a397a1a.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("We feel abandoned", "We feel forgotten"), encoding="utf-8")
    changed = open_index(corpus, config, embedder)
    assert 1 <= embedder.embedded - before <= 3  # the one passage whose words changed
    assert any("We feel forgotten" in p.text for p in changed.passages)

    (corpus / "002_6831f9dcccccef0c.txt").unlink()
    removed = open_index(corpus, config, embedder)
    assert not any(p.source == "002_6831f9dcccccef0c.txt" for p in removed.passages)
    assert removed.faiss_index.ntotal == len(removed.passages)


@pytest.mark.parametrize("damage", ["truncate-vectors", "garble-index", "delete-passages", "bad-manifest"])
def test_a_corrupt_index_is_reported_and_rebuilt_never_used(corpus, config, damage):
    good = open_index(corpus, config)
    store = store_dir(corpus, config)
    gen = store / (store / "CURRENT").read_text().strip()
    if damage == "truncate-vectors":
        data = (gen / "vectors.npy").read_bytes()
        (gen / "vectors.npy").write_bytes(data[: len(data) // 2])
    elif damage == "garble-index":
        (gen / "index.faiss").write_bytes(b"garbage" * 100)
    elif damage == "delete-passages":
        (gen / "passages.jsonl").unlink()
    else:
        (gen / "manifest.json").write_text("{not json", encoding="utf-8")
    rebuilt = open_index(corpus, config)
    assert any("unusable" in line and "rebuilding" in line for line in rebuilt.report)
    assert [p.id for p in rebuilt.passages] == [p.id for p in good.passages]
    assert np.allclose(rebuilt.vectors, good.vectors, atol=1e-5)


def test_writes_are_atomic_generations(corpus, config):
    open_index(corpus, config)
    store = store_dir(corpus, config)
    (corpus / "new.txt").write_text("A: one two.\nB: three four.\nA: five.\nB: six.\n", encoding="utf-8")
    open_index(corpus, config)
    generations = sorted(p.name for p in store.glob("gen-*"))
    assert len(generations) == 1 and (store / "CURRENT").read_text() == generations[0]
    assert not list(store.glob("*.tmp"))
    manifest = json.loads((store / generations[0] / "manifest.json").read_text())
    assert set(manifest["checksums"]) == {"passages.jsonl", "vectors.npy", "index.faiss"}


def test_hnsw_by_configuration(corpus, tmp_path):
    config = Config.from_env(cache_dir=tmp_path / "cache-hnsw", index_type="hnsw")
    index = open_index(corpus, config)
    assert index.manifest.index_type == "hnsw"
    assert type(index.faiss_index).__name__ == "IndexHNSWFlat"


# --- issue 31: a manifest that parses but has the wrong shape is corrupt, and rebuilt ----------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from rag.index import CorruptIndex, parse_manifest  # noqa: E402

_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                     max_leaves=8)


def _good_manifest(corpus, config) -> tuple[dict, object]:
    index = open_index(corpus, config)
    folder = store_dir(corpus, config) / index.generation
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8")), folder


@pytest.mark.parametrize(("field", "value"), [
    ("checksums", None), ("checksums", {}), ("sources", None), ("sources", {"a.txt": 5}), ("passages", "12"),
    ("dim", -1), ("format_version", True), ("skipped", []), ("index_type", "bogus"), ("model_id", 3), ("created", "x"),
])
def test_a_manifest_of_the_wrong_shape_is_reported_and_rebuilt(corpus, config, field, value):
    raw, folder = _good_manifest(corpus, config)
    (folder / "manifest.json").write_text(json.dumps({**raw, field: value}), encoding="utf-8")
    again = open_index(corpus, config)
    assert any("unusable" in line and field in line for line in again.report), again.report
    assert len(again.passages) == raw["passages"]
    assert not any("unusable" in line for line in open_index(corpus, config).report)  # rebuilt: fine from then on


@pytest.mark.parametrize("current", ["../../etc", "gen-zzz", "", "\udcff"])
def test_a_current_pointer_that_names_no_generation_is_rebuilt(corpus, config, current):
    open_index(corpus, config)
    (store_dir(corpus, config) / "CURRENT").write_bytes(current.encode("utf-8", "surrogateescape"))
    again = open_index(corpus, config)
    assert any("unusable" in line for line in again.report)


def test_random_manifest_shapes_are_accepted_only_when_well_formed(corpus, config):
    raw, _ = _good_manifest(corpus, config)
    assert parse_manifest(raw).passages == raw["passages"]

    @given(st.sampled_from(sorted(raw)), _JSON)
    @settings(max_examples=400, deadline=None)
    def check(field, value):
        try:
            manifest = parse_manifest({**raw, field: value})
        except CorruptIndex:
            return
        assert getattr(manifest, field) == value  # accepted: then it is of the right shape
        assert isinstance(manifest.checksums, dict) and isinstance(manifest.sources, dict)

    check()

    @given(_JSON)
    @settings(max_examples=200, deadline=None)
    def whole(value):
        try:
            parse_manifest(value)
        except CorruptIndex:
            pass

    whole()
