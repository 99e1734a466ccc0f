"""Timed transcripts (captions, JSON and table turns) into passages: cues joined, voices named.

Captions cut sentences into 1-4 second cues, and Whisper into segments; a passage is a
speaker's consecutive cues joined up to a sentence end (at most `max_chars`, as for text),
from the first cue's words to the last cue's:

    start, end   the span in the file from the passage's first word to its last
    text         the words of its cues as a reader sees them (`read`: caption markup
                 removed, JSON escapes decoded), joined by single spaces; where that is
                 exactly the file's text (one cue, or one JSON string, without markup or
                 escapes) it is the file's text, so that file_text[start:end] == text
    pieces       otherwise, where each run of `text` is in the file (textmap.py), so that
                 a quote inside one run is cited by its exact place in the file
    t_start/t_end  from its first and last cue

An unnamed voice (a `<v ->` tag, or a transcript that names nobody) takes the name it gives
itself in its first words ("Hello, my name is Anita Chen", `speakers.self_introduction`), or
else the one person the metadata lists as speaking in the source whom no named voice is
(`unnamed_voice`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from rag.chunking import ends_sentence, pack, sentence_spans
from rag.formats import segments_json, subtitles, tables
from rag.formats.textmap import Mapped, Piece, normalised
from rag.records import Segment
from rag.speakers import listed_as, self_introduction

Reader = Callable[[str, int, int], str]
_WORD = re.compile(r"\w+")
TIMED: dict[str, Reader] = {
    ".vtt": subtitles.words_of,
    ".srt": subtitles.words_of,
    ".json": segments_json.read_span,
    ".csv": tables.read_span,
    ".tsv": tables.read_span,
}
# The same readers with where each character is in the file, the passages' text: the same
# words as TIMED's (captions keep the file's whitespace between the words of a cue, so that
# a sentence inside one cue is the file's own characters)
MAPPED: dict[str, Callable[[str, int, int], Mapped]] = {
    ".vtt": subtitles.words_mapped,
    ".srt": subtitles.words_mapped,
    ".json": segments_json.read_mapped,
    ".csv": tables.read_mapped,
    ".tsv": tables.read_mapped,
}
_OPENING = 600  # characters of a voice's first words searched for its introduction


def words_text(text: str, segments: Sequence[Segment], read: Reader) -> str:
    """The words of all segments, one per line: what names are looked for in."""
    return "\n".join(read(text, s.start, s.end) for s in segments)


def name_voices(text: str, segments: Sequence[Segment], read: Reader, listed: Sequence[str] = ()) -> list[Segment]:
    """Segments whose voice has no name (an anonymous voice tag's "Voice N", or none at all)
    given the name the voice introduces itself by in its first words, where it does: as
    `listed` spells it where it shares a name with one of the people the metadata says speak
    in the source (captions mishear names; a programme spells them)."""
    opening: dict[str | None, str] = {}
    for seg in segments:
        if seg.speaker is None or subtitles.ANONYMOUS_VOICE.fullmatch(seg.speaker):
            said = opening.get(seg.speaker, "")
            if len(said) < _OPENING:
                opening[seg.speaker] = f"{said} {read(text, seg.start, seg.end)}".strip()
    named = {label: listed_as(name, listed, loose=True) or name
             for label, said in opening.items() if (name := self_introduction(said[:_OPENING]))}
    if not named:
        return list(segments)
    return [replace(s, speaker=named[s.speaker], role="speaker") if s.speaker in named else s for s in segments]


def unnamed_voice(segments: Sequence[Segment], listed: Sequence[str]) -> str | None:
    """Who the unnamed voices are, given `listed`, the people the metadata says speak in the
    source: the one listed, or of several the only one no named voice is ("My name is
    Oskar Lindqvist" then an unnamed voice, in a talk by Oskar Lindqvist and Priya Raman:
    Priya Raman). None where that leaves nobody or several."""
    if len(listed) == 1:
        return listed[0]
    named = {listed_as(s.speaker, listed) for s in segments
             if s.speaker is not None and not subtitles.ANONYMOUS_VOICE.fullmatch(s.speaker)}
    left = [p for p in listed if p not in named]
    return left[0] if len(left) == 1 else None


def give_unnamed(text: str, segments: Sequence[Segment], read: Reader, name: str) -> list[Segment]:
    """Segments of no voice (an untagged caption file's cues, turns without a speaker field)
    and of an unnamed one ("Voice 1") given `name` (`unnamed_voice`); a cue that only describes a sound, "(applause)", stays nobody's. Turns are
    counted again: one grows where the speaker changes."""
    out: list[Segment] = []
    turn = -1
    for seg in segments:
        unnamed = seg.speaker is None or subtitles.ANONYMOUS_VOICE.fullmatch(seg.speaker)
        if unnamed and not subtitles.only_sound(read(text, seg.start, seg.end)):
            seg = replace(seg, speaker=name, role="speaker")
        if not out or seg.speaker != out[-1].speaker:
            turn += 1
        out.append(replace(seg, turn=turn))
    return out


def join_cues(text: str, segments: Sequence[Segment], read: Callable[[str, int, int], Mapped],
              max_chars: int) -> list[tuple[int, int, str, tuple[Piece, ...], int, int]]:
    """(start, end, text, pieces, first segment index, last segment index) per passage: the
    sentences of each segment, joined across the consecutive segments of one turn up to
    `max_chars`, ending at a sentence end where one comes before the limit. `read` is a
    MAPPED reader; `pieces` is () where the text is the file's slice."""
    pieces: list[tuple[int, int, Mapped, int]] = []
    for i, seg in enumerate(segments):
        for s, e in pack(text, sentence_spans(text, seg.start, seg.end), max_chars):
            words = read(text, s, e)
            if words.text.strip():
                pieces.append((s, e, words, i))
    out: list[tuple[int, int, str, tuple[Piece, ...], int, int]] = []

    def flush(group: list[tuple[int, int, Mapped, int]]) -> None:
        s, e = group[0][0], group[-1][1]
        joined = Mapped(text)
        for k, piece in enumerate(group):
            if k:
                joined.join(" ")
            joined.extend(piece[2])
        words = joined.text
        if " ".join(text[s:e].split()) == " ".join(words.split()):
            # contiguous, no markup or escapes: the file's own text
            out.append((s, e, text[s:e], (), group[0][3], group[-1][3]))
        else:
            out.append((s, e, words, normalised(joined.pieces, words, s), group[0][3], group[-1][3]))

    current: list[tuple[int, int, Mapped, int]] = []
    size = 0
    for piece in pieces:
        n = piece[2].length
        if current and segments[piece[3]].turn != segments[current[-1][3]].turn:
            flush(current)
            current, size = [], 0
        elif current and size + 1 + n > max_chars:
            ends = [j for j, p in enumerate(current) if ends_sentence(p[2].text)]
            cut = ends[-1] + 1 if ends else len(current)
            flush(current[:cut])
            current = current[cut:]
            size = sum(p[2].length + 1 for p in current)
        current.append(piece)
        size += n + 1
    if current:
        flush(current)
    return out


def cited_in(file_text: str, start: int, end: int, words: str, read: Reader | None = None) -> bool:
    """Does the span hold the passage's words? Verbatim (`file_text[start:end] == words`), or,
    for a timed format (`read`), its words in order from the span's first word to its last,
    what lies between them being cue timings, identifiers, repeated rolling lines and JSON
    syntax.

        >>> vtt = "1\\n00:00:01.000 --> 00:00:02.000\\nWe built\\n\\n2\\n00:00:02.000 --> 00:00:03.000\\nit."
        >>> cited_in(vtt, 30, len(vtt), "We built it.", TIMED[".vtt"])
        True
    """
    if file_text[start:end] == words:
        return True
    if read is None:
        return False
    span, said = _WORD.findall(read(file_text, start, end)), _WORD.findall(words)
    if not said or not span or span[0] != said[0] or span[-1] != said[-1]:
        return False
    it = iter(span)
    return all(any(w == s for s in it) for w in said)
