"""Typos in questions: a word the corpus never uses and English does not know is read as
the corpus's word one typo away.

    speller = Speller(passage_texts)
    speller.correct("What did Chander say to Phebe?")  ->  "What did Chandler say to Phoebe?"

Only such words are touched: a word English knows ("react", which the corpus may never use)
stays as asked, so the answerer can still say the transcripts never mention it; so does a
word with no corpus word close enough, or with several equally close and equally common.
Distance is Damerau-Levenshtein (a swap of two letters is one typo), by rapidfuzz: at most
1 for words under 8 letters, 2 from 8 on.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

import simplemma
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

_WORD = re.compile(r"[^\W\d_]{4,}")  # shorter words are too close to too many others
LONG_WORD = 8


class Speller:
    def __init__(self, texts: Iterable[str]):
        self._count: Counter[str] = Counter()
        self._form: dict[str, str] = {}  # the commonest way of writing it: "Chandler", not "chandler"
        for form, n in Counter(_WORD.findall("\n".join(texts))).most_common():
            key = form.casefold()
            self._count[key] += n
            self._form.setdefault(key, form)
        self._words = list(self._count)
        self._seen: dict[str, str | None] = {}  # looked up before: the correction, or None

    def correct(self, question: str) -> str:
        return _WORD.sub(lambda m: self.correct_word(m.group()) or m.group(), question)

    def correct_word(self, word: str) -> str | None:
        """The corpus word `word` is a typo of, or None."""
        key = word.casefold()
        if key in self._count:
            return None
        found = self._seen.get(key, "")
        if found == "":  # not looked up yet (a local: another thread may clear the dict meanwhile)
            if len(self._seen) >= 10_000:
                self._seen.clear()
            found = self._seen[key] = self._closest(key)
        if found is None:
            return None
        return found[:1].upper() + found[1:] if word[:1].isupper() else found

    def _closest(self, key: str) -> str | None:
        if simplemma.is_known(key, lang="en") or not self._words:
            return None
        limit = 2 if len(key) >= LONG_WORD else 1
        near = process.extract(key, self._words, scorer=DamerauLevenshtein.distance, score_cutoff=limit, limit=None)
        if not near:
            return None
        best = min(distance for _, distance, _ in near)
        ranked = sorted((-self._count[w], w) for w, distance, _ in near if distance == best)
        if len(ranked) > 1 and ranked[0][0] == ranked[1][0]:
            return None  # "bame": "bake" or "bare", equally often; no guess
        return self._form[ranked[0][1]]
