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

# scikit-learn's 318 English stop words (bm25s's own list has 33: "who", "about" stay in),
# less the content words it holds ("What kind of government system ...", "the mine fields",
# "Joey's new name", "a fire at the mill"): they say what a question is about. Measured:
# seeds dev answers .758 -> .768, hybrid R@1 .556 -> .566, R@10 .869 -> .859; FriendsQA dev
# corpus R@5 .371 both; QMSum dev (20 meetings) corpus R@5 .550 -> .558, within .775 -> .760.
CONTENT_WORDS = frozenset("alone amount bill bottom cry detail empty fill fire found front full interest mill mine "
                          "move name part serious show side sincere system thick thin top".split())
STOPWORDS = frozenset(ENGLISH_STOP_WORDS) - CONTENT_WORDS
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
