"""The reader: how likely each candidate sentence is to answer a question.

A reader scores each candidate: the sentence, who said it and, in a conversation, the
question it replies to (`Candidate`; a cross-encoder reads `Candidate.as_text()` beside the
question). The packaged one (rag/read/features.py) was trained on public QA data
(`python -m rag.read.train`, see rag/read/model/README.md) to tell a sentence that answers
from one that only mentions the topic. Any cross-encoder replaces it (`RAG_READER_MODEL`):
by hub id or folder, run by sentence-transformers, or a folder with an ONNX export
(`model.onnx` or `model_int8.onnx` and its tokenizer, as `--kind cross-encoder` writes), run
by ONNX Runtime.

Example:
    >>> Candidate("It cost forty dollars.", "Ann Lee", "How much was it?").as_text()
    'Asked: How much was it? | Ann Lee: It cost forty dollars.'
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

MODEL_DIR = Path(__file__).parent / "model"
MAX_TOKENS = 128
_ASKED_WORDS = 30


@dataclass(frozen=True)
class Candidate:
    text: str
    speaker: str = ""
    asked: str = ""  # the question this sentence replies to, when it is a reply

    def as_text(self) -> str:
        head = ""
        if self.asked:
            words = self.asked.split()
            asked = " ".join(words[-_ASKED_WORDS:])
            head = f"Asked: {asked} | "
        who = f"{self.speaker}: " if self.speaker else ""
        return f"{head}{who}{self.text}"


class Reader(Protocol):
    name: str

    def score(self, question: str, candidates: Sequence[Candidate]) -> np.ndarray:
        """P(candidate answers question), one float in 0..1 per candidate."""
        ...


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


class OnnxReader:
    """A cross-encoder exported to ONNX (model.onnx or model_int8.onnx beside its tokenizer)."""

    def __init__(self, folder: Path, batch_size: int = 32):
        self.folder = Path(folder)
        self.name = str(self.folder)
        self.batch_size = batch_size
        self._lock = threading.Lock()
        self._session = None
        self._tokenizer = None

    def _load(self):
        with self._lock:
            if self._session is None:
                import onnxruntime as ort
                from transformers import AutoTokenizer

                files = [self.folder / n for n in ("model_int8.onnx", "model.onnx")]
                path = next((f for f in files if f.exists()), None)
                if path is None:
                    raise FileNotFoundError(f"no model.onnx or model_int8.onnx in {self.folder}")
                opts = ort.SessionOptions()
                opts.intra_op_num_threads = 2
                self._tokenizer = AutoTokenizer.from_pretrained(str(self.folder))
                self._session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
                self._inputs = {i.name for i in self._session.get_inputs()}
        return self._session, self._tokenizer

    def score(self, question: str, candidates: Sequence[Candidate]) -> np.ndarray:
        if not candidates:
            return np.zeros(0, dtype=np.float32)
        session, tok = self._load()
        texts = [c.as_text() for c in candidates]
        out = []
        for i in range(0, len(texts), self.batch_size):
            chunk = texts[i : i + self.batch_size]
            enc = tok([question] * len(chunk), chunk, padding=True, truncation="only_second",
                      max_length=MAX_TOKENS, return_tensors="np")
            feed = {k: v.astype(np.int64) for k, v in enc.items() if k in self._inputs}
            logits = session.run(None, feed)[0]
            out.append(logits.reshape(-1))
        return _sigmoid(np.concatenate(out)).astype(np.float32)


class SentenceTransformersReader:
    """Any cross-encoder sentence-transformers loads (hub id or folder), e.g. on a Space."""

    def __init__(self, model: str):
        self.name = model
        self._model = None
        self._lock = threading.Lock()

    def score(self, question: str, candidates: Sequence[Candidate]) -> np.ndarray:
        if not candidates:
            return np.zeros(0, dtype=np.float32)
        with self._lock:
            if self._model is None:
                from sentence_transformers import CrossEncoder

                self._model = CrossEncoder(self.name, device="cpu", max_length=MAX_TOKENS)
        raw = self._model.predict([(question, c.as_text()) for c in candidates], convert_to_numpy=True,
                                  activation_fn=None, show_progress_bar=False)
        raw = np.asarray(raw, dtype=np.float32).reshape(len(candidates), -1)
        if raw.shape[1] > 1:  # e.g. an NLI or 2-class model: the last class as "answers"
            e = np.exp(raw - raw.max(axis=1, keepdims=True))
            return (e / e.sum(axis=1, keepdims=True))[:, -1]
        return _sigmoid(raw[:, 0])


def load_reader(model: str = "default", vectors=None) -> Reader:
    """`default` (the packaged model, rag/read/features.py; `vectors`: the pipeline's
    rag.embed.VectorCache, shared), a folder with an ONNX export, or any cross-encoder by
    hub id or folder."""
    if model in ("", "default"):
        if (MODEL_DIR / "reader.npz").exists():
            from .features import FeatureReader

            return FeatureReader(MODEL_DIR / "reader.npz", vectors)
        return OnnxReader(MODEL_DIR)
    path = Path(model)
    if path.is_dir() and any((path / n).exists() for n in ("model.onnx", "model_int8.onnx")):
        return OnnxReader(path)
    return SentenceTransformersReader(model)
