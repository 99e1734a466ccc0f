"""Content words, shared by BM25 and by the answerers' sentence scoring.

Example:
    >>> terms("Why is he fighting the council?")
    ['fight', 'council']
"""

from __future__ import annotations

import re
from functools import lru_cache

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

try:  # PyStemmer: "fighting" finds "fight"
    import Stemmer

    _STEMMER = Stemmer.Stemmer("english")
except ImportError:  # pragma: no cover - optional
    _STEMMER = None

# scikit-learn's 318 English stop words (bm25s's own list has 33: "who", "about" stay in)
STOPWORDS = frozenset(ENGLISH_STOP_WORDS)
_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # bm25s's token pattern


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _STEMMER.stemWord(word) if _STEMMER else word


def stemmer():
    return _STEMMER


@lru_cache(maxsize=200_000)
def lemma_stem(word: str) -> str:
    """The stem of a word's dictionary form: "stolen" -> "steal" (its stem, "stolen", is
    not "steals"' one), "children" -> "child", "went" -> "go"."""
    import simplemma

    return stem(simplemma.lemmatize(word.lower(), lang="en").lower())


def terms(text: str) -> list[str]:
    return [stem(w) for w in _TOKEN.findall(text.lower()) if w not in STOPWORDS]


def lemma_terms(text: str) -> list[str]:
    """Like `terms`, each word by its dictionary form's stem ("stolen" -> "steal")."""
    return [lemma_stem(w) for w in _TOKEN.findall(text.lower()) if w not in STOPWORDS]
