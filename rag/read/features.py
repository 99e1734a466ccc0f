"""The packaged reader: a logistic regression over features of (question, candidate sentence).

Why not the cross-encoder: fine-tuning one on this project's 2 shared CPU cores did not
converge in the time there was (rag/read/model/README.md has the measured loss); this
model is trained in minutes on the same pairs and is what ships by default. A cross-encoder
by hub id or folder (`RAG_READER_MODEL`) replaces it, e.g. on a Space.

Features, none of them about a particular corpus or question (the weights are learned from
the public pairs of rag/read/pairs.py):
- the embedding cosine of the question with the sentence, and with the question the
  sentence replies to; the element-wise product of the two vectors (which directions of
  meaning must agree);
- the share of the question's content words the sentence holds (all, the long ones, word
  pairs);
- the sentence's length, whether it asks a question, whether its speaker is named;
- the kind of question (its wh-word) crossed with what kind of thing the sentence holds
  (a digit, a number word, a year, a month or weekday, a capitalised word inside it, "because").
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Sequence

import numpy as np

from .pairs import _STOP, _WORD
from .reader import Candidate

KINDS = ("who", "when", "where", "why", "how many", "how much", "how", "which", "what", "yes/no")
_KIND = [(k, re.compile(rf"\b{k}\b", re.IGNORECASE)) for k in KINDS[:-1]]
_NUMBER_WORDS = re.compile(r"\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
                           r"fifty|hundred|hundreds|thousand|thousands|million|millions|billion|dozen|half)\b", re.I)
_YEAR = re.compile(r"\b(1[5-9]|20)\d\d\b")
_MONTH = re.compile(r"\b(january|february|march|april|may|june|july|august|september|october|november|december|"
                    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tomorrow|yesterday|ago)\b", re.I)
_CAPITAL = re.compile(r"(?<=[a-z,;] )[A-Z][a-z]+")
_BECAUSE = re.compile(r"\b(because|so that|in order to|due to|reason)\b", re.I)
SENTENCE_KINDS = ("digit", "number word", "year", "date word", "capitalised", "because")


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in _STOP]


def question_kind(question: str) -> int:
    q = question.lower()
    for i, (_, pattern) in enumerate(_KIND):
        if pattern.search(q):
            return i
    return len(KINDS) - 1


def sentence_kinds(text: str) -> np.ndarray:
    return np.array([bool(re.search(r"\d", text)), bool(_NUMBER_WORDS.search(text)), bool(_YEAR.search(text)),
                     bool(_MONTH.search(text)), bool(_CAPITAL.search(text)), bool(_BECAUSE.search(text))], dtype=np.float32)


def lexical(question: str, c: Candidate) -> np.ndarray:
    q, s = _words(question), set(_words(c.text))
    qs = set(q)
    share = len(qs & s) / (len(qs) or 1)
    long_q = {w for w in qs if len(w) >= 7}
    long_share = len(long_q & s) / (len(long_q) or 1) if long_q else 0.0
    q_pairs = set(zip(q, q[1:]))
    s_list = _words(c.text)
    pair_share = len(q_pairs & set(zip(s_list, s_list[1:]))) / (len(q_pairs) or 1) if q_pairs else 0.0
    speaker = set(_words(c.speaker))
    named = float(bool(speaker & qs))
    asked_share = len(qs & set(_words(c.asked))) / (len(qs) or 1) if c.asked else 0.0
    n = len(c.text.split())
    return np.array([share, long_share, pair_share, named, asked_share, np.log1p(n), float(n <= 4),
                     float(c.text.rstrip().endswith("?")), float(bool(c.asked))], dtype=np.float32)


def featurize(question: str, candidates: Sequence[Candidate], q_vec: np.ndarray, s_vecs: np.ndarray,
              a_vecs: np.ndarray) -> np.ndarray:
    """One row per candidate. q_vec: (d,), s_vecs: sentence vectors (n, d), a_vecs: vectors of
    the questions replied to (n, d; zeros where none)."""
    kind = np.zeros(len(KINDS), dtype=np.float32)
    kind[question_kind(question)] = 1.0
    rows = []
    for c, s, a in zip(candidates, s_vecs, a_vecs):
        cos, cos_asked = float(s @ q_vec), float(a @ q_vec)
        crossed = np.outer(kind, sentence_kinds(c.text)).ravel()
        rows.append(np.concatenate([[cos, cos_asked, cos * cos], lexical(question, c), kind, crossed, s * q_vec]))
    return np.asarray(rows, dtype=np.float32)


class FeatureReader:
    """P(answers) = sigmoid(w · standardised features + b), weights in `reader.npz`."""

    def __init__(self, path: Path, vectors=None):
        self.path = Path(path)
        self.name = str(self.path)
        self._vectors = vectors  # anything with .encode(texts) -> unit vectors (rag.embed.VectorCache)
        self._lock = threading.Lock()
        self._weights = None

    def _load(self):
        with self._lock:
            if self._weights is None:
                data = np.load(self.path)
                self._weights = (data["w"], float(data["b"]), data["mean"], data["scale"])
        return self._weights

    def _encoder(self):
        with self._lock:
            if self._vectors is None:
                from ..embed import VectorCache, load_embedder

                self._vectors = VectorCache(load_embedder(), 20_000)
        return self._vectors

    def score(self, question: str, candidates: Sequence[Candidate]) -> np.ndarray:
        if not candidates:
            return np.zeros(0, dtype=np.float32)
        w, b, mean, scale = self._load()
        x = self.features(question, candidates)
        z = ((x - mean) / scale) @ w + b
        return (1.0 / (1.0 + np.exp(-z))).astype(np.float32)

    def features(self, question: str, candidates: Sequence[Candidate]) -> np.ndarray:
        asked = [c.asked for c in candidates if c.asked]
        vecs = self._encoder().encode([question] + [c.text for c in candidates] + asked)
        q_vec, s_vecs = vecs[0], vecs[1 : 1 + len(candidates)]
        a_vecs = np.zeros_like(s_vecs)
        it = iter(vecs[1 + len(candidates) :])
        for i, c in enumerate(candidates):
            if c.asked:
                a_vecs[i] = next(it)
        return featurize(question, candidates, q_vec, s_vecs, a_vecs)
