"""The query adapter: a question's vector moved toward the passages that answer it.

A question is worded unlike its answer ("What does the commander lose sleep over?" /
"What worries me most is ..."), and a small bi-encoder puts the two further apart than it
should. A linear map learned on questions paired with the turns that answer them closes
some of that gap:

    q' = normalize(q + q @ W)            W: (dim, dim), learned; passages stay as indexed

Only the question's side moves, so an index never needs rebuilding for it, and a passage's
cosine with the question (what abstention weighs) stays the unadapted one: the adapter
changes which passages are found, not how close they are said to be.

The shipped file (rag/data/query_adapter.npz) is learned by `python -m evals.adapter` from
the dev splits of the public benchmarks in ../shared/benchmarks (FriendsQA, QMSum), never
their test splits, nor this project's own questions; the file records what it was learned
from. It is for the default embedding model; with another model it is not used (learn one
for it with evals/adapter.py, or set RAG_QUERY_ADAPTER to a file of your own).

Example:
    adapter = load_adapter("default", "default", 384)
    q = adapter(embedder.encode_queries(["What worries him about the harbour?"]))  # unit norm
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import UserError

SHIPPED = Path(__file__).resolve().parent / "data" / "query_adapter.npz"
OFF = ("", "none", "off")


@dataclass(frozen=True)
class QueryAdapter:
    weights: np.ndarray  # (dim, dim) float32
    model: str  # the embedding model it was learned for
    info: dict = field(default_factory=dict)  # how it was learned (data, settings)

    @property
    def dim(self) -> int:
        return int(self.weights.shape[0])

    def __call__(self, vectors: np.ndarray) -> np.ndarray:
        moved = vectors + vectors @ self.weights
        norms = np.linalg.norm(moved, axis=1, keepdims=True)
        return np.ascontiguousarray(moved / np.maximum(norms, 1e-12), dtype=np.float32)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez_compressed(tmp, weights=self.weights.astype(np.float32), model=np.array(self.model),
                            info=np.array(json.dumps(self.info, sort_keys=True)))
        tmp.replace(path)


def read_adapter(path: Path) -> QueryAdapter:
    """An adapter file; a missing, corrupt or malformed one is the user's error, said plainly."""
    try:
        with np.load(path, allow_pickle=False) as z:
            weights, model, info = z["weights"], str(z["model"]), json.loads(str(z["info"]))
    except FileNotFoundError:
        raise UserError(f"query adapter {str(path)!r} not found (RAG_QUERY_ADAPTER: 'default', 'none' or a .npz file)") from None
    except (OSError, EOFError, ValueError, KeyError, zipfile.BadZipFile) as e:  # JSONDecodeError is a ValueError
        raise UserError(f"query adapter {str(path)!r} is not an adapter file ({type(e).__name__}: {str(e)[:120]})") from None
    if weights.ndim != 2 or weights.shape[0] != weights.shape[1] or not np.isfinite(weights).all():
        raise UserError(f"query adapter {str(path)!r} holds no square finite matrix (shape {weights.shape})")
    return QueryAdapter(weights.astype(np.float32), model, info)


def load_adapter(setting: str, embedding_model: str, dim: int) -> QueryAdapter | None:
    """The adapter a setting names, for this embedding model and dimension, or None.

    "default": the shipped one, used only with the embedding model it was learned for;
    "none" (or empty): none; anything else: a file, which must fit the model's dimension."""
    setting = (setting or "").strip()
    if setting.lower() in OFF:
        return None
    if setting.lower() == "default":
        adapter = read_adapter(SHIPPED)
        return adapter if adapter.model == embedding_model and adapter.dim == dim else None
    adapter = read_adapter(Path(setting).expanduser())
    if adapter.dim != dim:
        raise UserError(f"query adapter {setting!r} is {adapter.dim}-dimensional; the embedding model "
                        f"{embedding_model!r} gives {dim}")
    return adapter
