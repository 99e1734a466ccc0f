"""Split a speaker's turn into passages a reader takes in at a glance, at sentence ends.

Example:
    >>> text = "One. Two two. Three three three."
    >>> sentence_spans(text, 0, len(text))
    [(0, 4), (5, 13), (14, 32)]
    >>> pack(text, sentence_spans(text, 0, len(text)), max_chars=15)
    [(0, 13), (14, 32)]

Sentence boundaries come from sentencex (Wikimedia's segmenter: abbreviations such as
"Mr." and "U.S." do not end a sentence). A passage never ends inside a sentence; one
sentence longer than the limit is a passage of its own, up to a hard maximum: beyond it
(a transcript with no punctuation, one 9 MB line) the sentence is cut at spaces:

    >>> split_long("aaa bbb ccc ddd", [(0, 15)], 8)
    [(0, 7), (8, 15)]
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


def split_long(text: str, spans: list[tuple[int, int]], hard_max: int) -> list[tuple[int, int]]:
    """Each span longer than hard_max cut into pieces of at most hard_max characters, at the
    last whitespace inside the limit (mid-word only where a "word" is longer than the limit);
    pieces are whitespace-trimmed, so each is still a verbatim slice of text."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        while e - s > hard_max:
            cut = s + hard_max
            space = _last_space(text, s + 1, cut + 1)  # a space right at the limit is fine too
            piece_end = space if space > s else cut
            out.append((s, piece_end))
            s = piece_end
            while s < e and text[s].isspace():
                s += 1
            # subtle: trailing whitespace of the piece was left to it; trim it back
            last = out[-1]
            t = last[1]
            while t > last[0] and text[t - 1].isspace():
                t -= 1
            out[-1] = (last[0], t)
        if s < e:
            out.append((s, e))
    return out


def _last_space(text: str, lo: int, hi: int) -> int:
    """Index of the last space, tab or line break in text[lo:hi], or -1."""
    return max(text.rfind(c, lo, hi) for c in " \n\t\r\u3000\u00a0")


# No passage is longer than this many times the passage size (2,000 characters for 500)
HARD_MAX_FACTOR = 4


def pack(text: str, sentences: list[tuple[int, int]], max_chars: int, hard_max: int | None = None) -> list[tuple[int, int]]:
    """Group consecutive sentences into passages of similar length, each <= max_chars
    where the sentences allow it (subtle: balancing the target avoids a tiny last passage).
    No passage is longer than hard_max (default HARD_MAX_FACTOR x max_chars, split_long)."""
    sentences = split_long(text, sentences, hard_max or HARD_MAX_FACTOR * max_chars)
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
