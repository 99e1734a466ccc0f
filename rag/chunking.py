"""Split a speaker's turn into passages a reader takes in at a glance, at sentence ends.

Example:
    >>> text = "One. Two two. Three three three."
    >>> sentence_spans(text, 0, len(text))
    [(0, 4), (5, 13), (14, 32)]
    >>> pack(text, sentence_spans(text, 0, len(text)), max_chars=15)
    [(0, 13), (14, 32)]

Sentence boundaries come from sentencex (Wikimedia's segmenter: abbreviations such as
"Mr." and "U.S." do not end a sentence). A passage never ends inside a sentence; one
sentence longer than the limit is a passage of its own.
"""

from __future__ import annotations

import math
import re

import sentencex

_SENTENCE_END = re.compile(r"[.!?…][\"”’')\]]*\s*$")  # "... now." / "... now.”" / "(... now.)"


def ends_sentence(text: str) -> bool:
    """Does the text end as a sentence does (not a heading, not words that run on)?"""
    return bool(_SENTENCE_END.search(text))


def sentence_spans(text: str, start: int, end: int, language: str = "en") -> list[tuple[int, int]]:
    """Offsets of the sentences of text[start:end], whitespace trimmed."""
    chunk = text[start:end]
    spans = []
    for b in sentencex.get_sentence_boundaries(language, chunk):
        s, e = b["start_index"], b["end_index"]
        while s < e and chunk[s].isspace():
            s += 1
        while e > s and chunk[e - 1].isspace():
            e -= 1
        if s < e:
            spans.append((start + s, start + e))
    return spans or [(start, end)]


def pack(text: str, sentences: list[tuple[int, int]], max_chars: int) -> list[tuple[int, int]]:
    """Group consecutive sentences into passages of similar length, each <= max_chars
    where the sentences allow it (subtle: balancing the target avoids a tiny last passage)."""
    total = sentences[-1][1] - sentences[0][0]
    if total <= max_chars:
        return [(sentences[0][0], sentences[-1][1])]
    target = total / math.ceil(total / max_chars)
    out: list[tuple[int, int]] = []
    s0, e0 = sentences[0]
    for s, e in sentences[1:]:
        if e - s0 > max_chars or (e0 - s0 >= target and e - s0 > target * 1.15):
            out.append((s0, e0))
            s0 = s
        e0 = e
    out.append((s0, e0))
    return out
