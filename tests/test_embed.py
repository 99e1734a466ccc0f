"""Embeddings: the ONNX Runtime backend gives torch's vectors, and falls back cleanly."""

from __future__ import annotations

import numpy as np
import pytest

from rag.embed import SentenceTransformerEmbedder
from rag.errors import UserError
from rag.index import embedding_text


@pytest.fixture(scope="module")
def seed_texts_to_embed(seeds_index):
    return [embedding_text(p) for p in seeds_index.passages[:120]]


def test_onnx_backend_gives_the_same_vectors_as_torch(seed_texts_to_embed, tmp_path):
    torch_embedder = SentenceTransformerEmbedder(backend="torch")
    torch_vectors = torch_embedder.encode_documents(seed_texts_to_embed)
    onnx = SentenceTransformerEmbedder(backend="onnx", cache_dir=tmp_path)
    onnx_vectors = onnx.encode_documents(seed_texts_to_embed)
    assert onnx.model[0].model.__class__.__name__ == "OnnxTransformer"  # really ONNX Runtime
    assert list(tmp_path.glob("onnx/*.onnx"))  # exported once, into the cache
    assert np.min(np.sum(torch_vectors * onnx_vectors, axis=1)) > 0.9999
    question = "What keeps him awake at night?"
    q_torch = torch_embedder.encode_queries([question])
    assert float(onnx.encode_queries([question])[0] @ q_torch[0]) > 0.9999


def test_a_failed_onnx_export_falls_back_to_torch_and_says_so(tmp_path, monkeypatch, capsys):
    import torch

    def broken_export(*args, **kwargs):
        raise RuntimeError("exporter exploded")

    monkeypatch.setattr(torch.onnx, "export", broken_export)
    embedder = SentenceTransformerEmbedder(backend="onnx", cache_dir=tmp_path)
    vectors = embedder.encode_queries(["Who tweeted about mine fields?"])
    assert vectors.shape == (1, 384) and abs(float(np.linalg.norm(vectors[0])) - 1) < 1e-5
    assert embedder.model[0].model.__class__.__name__ != "OnnxTransformer"
    assert "exporter exploded" in capsys.readouterr().err
    assert not list(tmp_path.glob("onnx/*"))  # nothing half-written left behind


def test_unknown_backend_is_a_user_error():
    with pytest.raises(UserError, match="embedding backend"):
        SentenceTransformerEmbedder(backend="tensorflow")


def test_a_corrupt_cached_onnx_model_is_exported_afresh(tmp_path, capsys):
    first = SentenceTransformerEmbedder(backend="onnx", cache_dir=tmp_path)
    reference = first.encode_queries(["Who spoke about the harbour?"])
    (cached,) = tmp_path.glob("onnx/*.onnx")
    cached.write_bytes(b"\x00not an onnx model")  # truncated / overwritten on disk
    again = SentenceTransformerEmbedder(backend="onnx", cache_dir=tmp_path)
    vectors = again.encode_queries(["Who spoke about the harbour?"])
    assert again.model[0].model.__class__.__name__ == "OnnxTransformer"  # still ONNX Runtime
    assert cached.stat().st_size > 1_000_000  # a real model again
    assert float(vectors[0] @ reference[0]) > 0.9999
    assert "not used" not in capsys.readouterr().err


class Counting:
    """The real embedder, counting the texts it is asked to embed."""

    def __init__(self, embedder):
        self.embedder, self.embedded = embedder, []

    def encode_queries(self, texts):
        self.embedded.extend(texts)
        return self.embedder.encode_queries(texts)


@pytest.fixture(scope="module")
def embedder():
    from rag.embed import load_embedder

    return load_embedder()


def test_the_vector_cache_embeds_a_text_once_and_gives_its_own_vector(embedder, seeds_index):
    from rag.embed import VectorCache

    sentences = [p.text for p in seeds_index.passages[:12]]
    counting = Counting(embedder)
    cache = VectorCache(counting, max_items=100)
    first = cache.encode(sentences[:8])
    again = cache.encode(sentences[4:] + sentences[:2] + sentences[4:5])  # some seen, some new, a repeat
    assert counting.embedded == sentences[:8] + sentences[8:]  # each text embedded once
    direct = embedder.encode_queries(sentences)
    assert np.min(np.sum(first * direct[:8], axis=1)) > 0.9999
    expected = np.concatenate([direct[4:], direct[:2], direct[4:5]])
    assert again.shape == expected.shape and np.min(np.sum(again * expected, axis=1)) > 0.9999


def test_the_vector_cache_forgets_the_least_recently_used_first(embedder):
    from rag.embed import VectorCache

    counting = Counting(embedder)
    cache = VectorCache(counting, max_items=2)
    cache.encode(["one"])
    cache.encode(["two"])
    cache.encode(["one"])  # used again: "two" is now the oldest
    cache.encode(["three"])
    assert len(cache) == 2
    counting.embedded.clear()
    cache.encode(["one", "three", "two"])
    assert counting.embedded == ["two"]


def test_a_vector_cache_of_size_zero_keeps_nothing(embedder):
    from rag.embed import VectorCache

    counting = Counting(embedder)
    cache = VectorCache(counting, max_items=0)
    cache.encode(["one", "two"])
    cache.encode(["one"])
    assert counting.embedded == ["one", "two", "one"] and len(cache) == 0
    assert cache.encode([]).shape[0] == 0


def test_a_question_is_embedded_once_for_its_search_and_its_answer(embedder, seeds_index, monkeypatch):
    """The retriever and the answerer share the pipeline's vector cache: the question's
    vector is made once, and a question asked again embeds nothing."""
    from rag.config import Config
    from rag.pipeline import Pipeline

    pipeline = Pipeline(Config.from_env(), index=seeds_index)
    assert pipeline.retriever.embedder is embedder
    embedded, real = [], embedder.encode_queries

    def counting(texts):
        embedded.extend(texts)
        return real(texts)

    monkeypatch.setattr(embedder, "encode_queries", counting)  # whoever calls the model
    question = "What does Amiri say about the Taliban's ties to foreign terrorist groups?"
    first = pipeline.ask(question)
    assert embedded.count(question) == 1
    before = len(embedded)
    again = pipeline.ask(question)
    assert len(embedded) == before and again.text == first.text
