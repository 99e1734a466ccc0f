"""Text read out of a file, with a map from each of its characters back to the file.

A timed transcript's passage is not one slice of its file: caption markup is dropped, a
speaker's cues are joined by spaces across the timing lines between them, and JSON escapes
are decoded. `Mapped` builds such a text from runs of the file and records its *pieces*,
`(text_offset, file_offset, text_length, file_length)`:

    verbatim piece   text_length == file_length and text[t:t+n] == file_text[f:f+n]
    decoded piece    one escape (`\\"`, `\\u00e9`, a CSV `""`): text[t:t+n] is what
                     file_text[f:f+m] stands for, n < m
    joins            characters in no piece: the single spaces put between cues, or
                     between a cue's lines (they stand for no one character of the file)

Example: two cues joined, the second with markup.

    >>> vtt = "00:01.000 --> 00:02.000\\nWe built\\n\\n00:02.000 --> 00:03.000\\n<i>it.</i>"
    >>> m = Mapped(vtt)
    >>> m.verbatim(24, 32); m.join(" "); m.verbatim(61, 64)
    >>> m.text, m.pieces
    ('We built it.', [(0, 24, 8, 8), (9, 61, 3, 3)])
    >>> file_span(m.pieces, 9, 12, 0), vtt[61:64]
    ((61, 64), 'it.')

`file_span` maps a span of the text to the file: a span inside one verbatim piece is
exactly the file's characters there; a span across pieces runs from its first character's
place in the file to the end of its last one's (an escape's whole raw form).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence

Piece = tuple[int, int, int, int]  # text offset, file offset, text length, file length


class Mapped:
    """A text built from runs of `file_text`, with its pieces (see the module)."""

    __slots__ = ("file", "parts", "pieces", "length", "_tail", "_grows")

    def __init__(self, file_text: str) -> None:
        self.file = file_text
        self.parts: list[str] = []
        self.pieces: list[Piece] = []
        self.length = 0
        self._tail = ""  # join text since the last piece
        self._grows = False  # is the last piece verbatim (a decoded piece never grows)?

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def verbatim(self, start: int, end: int) -> None:
        """Append file_text[start:end] as it is. It extends the last piece when the file has
        exactly the joins since then between the two (a space read as a space)."""
        if start >= end:
            return
        if self.pieces:
            t, f, n, m = self.pieces[-1]
            gap = f + m
            if self._grows and gap <= start and self.file[gap:start] == self._tail:
                grown = n + len(self._tail) + end - start
                self.pieces[-1] = (t, f, grown, grown)
                self._append(self.file[start:end])
                return
        self.pieces.append((self.length, start, end - start, end - start))
        self._append(self.file[start:end])
        self._grows = True

    def decoded(self, text: str, start: int, end: int) -> None:
        """Append `text`, what file_text[start:end] (an escape) stands for: a piece of its own."""
        if text:
            self.pieces.append((self.length, start, len(text), end - start))
            self._append(text)
            self._grows = False

    def join(self, text: str) -> None:
        """Append characters that stand for none of the file's (a space between cues)."""
        self.parts.append(text)
        self.length += len(text)
        self._tail += text

    def extend(self, other: Mapped) -> None:
        """Append another mapped text of the same file, its pieces and joins kept."""
        text, at = other.text, 0
        for t, f, n, m in other.pieces:
            if t > at:
                self.join(text[at:t])
            if n == m and text[t : t + n] == self.file[f : f + n]:
                self.verbatim(f, f + n)
            else:
                self.decoded(text[t : t + n], f, f + m)
            at = t + n
        if at < len(text):
            self.join(text[at:])

    def _append(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)
        self._tail = ""


def file_span(pieces: Sequence[Piece], start: int, end: int, base: int) -> tuple[int, int]:
    """File offsets of text[start:end] (0 <= start < end <= len(text)). With no pieces the
    text is the file's slice from `base`. A span that begins or ends in a join begins at the
    next piece, or ends at the previous one."""
    if not pieces:
        return base + start, base + end
    ends = [t + n for t, _, n, _ in pieces]
    i = min(bisect_right(ends, start), len(pieces) - 1)  # the first piece ending after start
    t, f, n, m = pieces[i]
    fs = f + (start - t) if n == m and start >= t else f
    starts = [t for t, _, _, _ in pieces]
    j = max(bisect_left(starts, end) - 1, 0)  # the last piece beginning before end
    t, f, n, m = pieces[j]
    fe = f + (end - t) if n == m and end <= t + n else f + m
    if fe <= fs:  # a span of joins only: the nearest file characters
        fe = fs
    return fs, fe


def inside_one(pieces: Sequence[Piece], start: int, end: int) -> bool:
    """Does text[start:end] lie inside one verbatim piece (or is the text the file's slice)?"""
    if not pieces:
        return True
    i = bisect_right([t for t, _, _, _ in pieces], start) - 1
    if i < 0:
        return False
    t, _, n, m = pieces[i]
    return n == m and t <= start and end <= t + n


def normalised(pieces: Sequence[Piece], text: str, start: int) -> tuple[Piece, ...]:
    """() when the pieces say the text is simply the file's slice from `start`."""
    if len(pieces) == 1 and pieces[0] == (0, start, len(text), len(text)):
        return ()
    return tuple(pieces)
