"""The query adapter (rag/adapter.py): the shipped file, its loading rules, what it changes in
search (which passages are found, not their reported cosine), and how it is learned
(evals/adapter.py: dev questions only)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from evals.adapter import Pairs, gather, main, recall_at, train
from evals.cases import DEFAULT_CASES, load_cases
from evals.retrieval import score_cases
from rag.adapter import SHIPPED, QueryAdapter, load_adapter, read_adapter
from rag.config import Config
from rag.errors import UserError
from rag.retrieve import Retriever


def test_the_shipped_adapter_is_for_the_default_model_and_learned_on_dev_splits_only():
    adapter = read_adapter(SHIPPED)
    assert adapter.model == "default" and adapter.weights.shape == (384, 384)
    trained_on = adapter.info["trained_on"]
    assert set(trained_on) == {"friendsqa", "qmsum"}
    assert all(v.startswith("dev split") for v in trained_on.values()), trained_on
    assert 0 < np.linalg.norm(adapter.weights) < 20  # learned, and kept near the identity


def test_adapted_vectors_are_unit_vectors_and_a_zero_map_changes_nothing():
    rng = np.random.default_rng(0)
    q = rng.normal(size=(3, 384)).astype(np.float32)
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    moved = read_adapter(SHIPPED)(q)
    assert np.allclose(np.linalg.norm(moved, axis=1), 1.0, atol=1e-5)
    assert not np.allclose(moved, q)
    assert np.allclose(QueryAdapter(np.zeros((384, 384), np.float32), "default")(q), q, atol=1e-6)


def test_which_adapter_a_setting_names(tmp_path):
    assert load_adapter("none", "default", 384) is None and load_adapter("", "default", 384) is None
    assert load_adapter("default", "default", 384) is not None
    # the shipped one was learned for MiniLM's space: another model does without it
    assert load_adapter("default", "BAAI/bge-small-en-v1.5", 384) is None
    own = tmp_path / "mine.npz"
    QueryAdapter(np.zeros((8, 8), np.float32), "my-model", {"note": "test"}).save(own)
    assert load_adapter(str(own), "my-model", 8).info == {"note": "test"}
    with pytest.raises(UserError, match="8-dimensional"):
        load_adapter(str(own), "default", 384)


@pytest.mark.parametrize("content", [b"", b"\x00\xffnot a zip at all", b"PK\x03\x04truncated"])
def test_a_broken_adapter_file_is_a_clear_error(tmp_path, content):
    path = tmp_path / "broken.npz"
    path.write_bytes(content)
    with pytest.raises(UserError, match="not an adapter file"):
        load_adapter(str(path), "default", 384)
    with pytest.raises(UserError, match="not found"):
        load_adapter(str(tmp_path / "missing.npz"), "default", 384)


def test_a_wrong_matrix_is_refused(tmp_path):
    path = tmp_path / "odd.npz"
    np.savez(path, weights=np.zeros((4, 5), np.float32), model=np.array("default"), info=np.array("{}"))
    with pytest.raises(UserError, match="square"):
        read_adapter(path)


@pytest.fixture(scope="module")
def unadapted(seeds_index):
    return Retriever(seeds_index, Config.from_env(query_adapter="none"))


def test_hits_report_the_questions_own_cosine_not_the_adapted_one(retriever, unadapted):
    question = "What keeps him awake at night?"  # no role or name to resolve: searched as asked
    raw = retriever.embedder.encode_queries([question])
    hits = retriever.search(question, k=10, mode="dense")
    assert [h.passage.id for h in hits] != [h.passage.id for h in unadapted.search(question, k=10, mode="dense")]
    row = {p.id: i for i, p in enumerate(retriever.passages)}
    for h in hits:  # a reprinted quote's hit carries the cosine of the copy that was found
        cosines = [float(retriever.index.vectors[row[p.id]] @ raw[0]) for p in (h.passage, *h.also_in)]
        assert any(h.dense == pytest.approx(c, abs=1e-5) for c in cosines), (h.dense, cosines)


def test_the_adapter_finds_more_answers_on_the_seeds_dev_set(retriever, unadapted, seed_texts):
    # measured: dense R@5 .616 -> .667, hybrid .818 -> .828 (README); here with a margin
    cases = load_cases(DEFAULT_CASES, seed_texts)
    adapted, plain = score_cases(retriever, cases, "dense"), score_cases(unadapted, cases, "dense")
    assert adapted["recall@5"] >= plain["recall@5"] + 0.03, (adapted["recall@5"], plain["recall@5"])
    assert score_cases(retriever, cases, "hybrid")["recall@5"] >= score_cases(unadapted, cases, "hybrid")["recall@5"]


def test_training_learns_a_map_that_finds_the_gold_passages():
    # questions that are their answers turned by a fixed rotation: unadapted search finds
    # few of them; the learned map finds most
    rng = np.random.default_rng(1)
    dim, n = 16, 120
    passages = rng.normal(size=(n, dim)).astype(np.float32)
    passages /= np.linalg.norm(passages, axis=1, keepdims=True)
    rotation, _ = np.linalg.qr(rng.normal(size=(dim, dim)))
    queries = (passages @ rotation).astype(np.float32)
    docs = np.arange(n) // 10
    pairs = Pairs("toy", queries, passages, docs, docs.copy(), [np.array([i]) for i in range(n)])
    W = train([pairs], lam=1e-4, epochs=30, lr=1e-2, negatives=16)
    assert recall_at(pairs, None, k=1) < 0.3
    assert recall_at(pairs, QueryAdapter(W, "toy"), k=1) > 0.8


def test_training_data_is_the_dev_split_only(tmp_path):
    root = tmp_path / "benchmarks"
    folder = root / "friendsqa"
    (folder / "transcripts").mkdir(parents=True)
    (folder / "transcripts" / "s01_e01_c01.txt").write_text(
        "# Harbour\nDana Okafor: Someone steals the lobster pots every winter.\n"
        "Tom Reyes: The council should pay for a new pier.\n", encoding="utf-8")
    rows = [{"id": "a", "doc_id": "s01_e01_c01", "split": "dev", "question": "What gets stolen?", "evidence_turns": [0]},
            {"id": "b", "doc_id": "s01_e01_c01", "split": "test", "question": "Who pays for the pier?", "evidence_turns": [1]}]
    (folder / "questions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    pairs = gather("friendsqa", None, Config.from_env(cache_dir=tmp_path / "cache"), root, progress=False)
    assert len(pairs.queries) == 1 and len(pairs.gold[0]) == 1


@pytest.mark.parametrize("args", [["--holdout", "1.5"], ["--epochs", "0"], ["--lambda", "-1"]])
def test_learning_with_bad_settings_or_no_benchmarks_is_a_clear_error(tmp_path, capsys, args):
    before = SHIPPED.read_bytes()
    assert main(args) == 2
    assert "--holdout must be" in capsys.readouterr().err
    assert main(["--root", str(tmp_path / "nowhere")]) == 2
    assert "not found under" in capsys.readouterr().err
    assert SHIPPED.read_bytes() == before  # nothing was written
