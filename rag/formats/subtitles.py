"""Parse WebVTT and SubRip (SRT) subtitles into speaker segments with exact offsets.

Each cue becomes a Segment whose start/end index the string passed in, so that
`text[seg.start:seg.end]` is the cue's words verbatim: whitespace trimmed, the speaker
label (`<v Name>` voice tag or `NAME:` prefix) left outside. Inline markup inside the
words (`<i>`, `<c.x>`, `<00:00:01.000>`) stays in the span, because the span must be a
plain slice of the file. Cues with no words once markup is removed are skipped.

Example:
    >>> vtt = "WEBVTT\\n\\n00:01.000 --> 00:04.000\\n<v Alice>Hello there</v>\\n"
    >>> [seg] = parse_vtt(vtt)
    >>> vtt[seg.start:seg.end], seg.speaker, seg.role, seg.turn, seg.t_start, seg.t_end
    ('Hello there', 'Alice', 'speaker', 0, 1.0, 4.0)
    >>> srt = ("1\\n00:00:01,000 --> 00:00:04,000\\nALICE: Hello\\n\\n"
    ...        "2\\n00:00:05,000 --> 00:00:06,000\\nStill me.\\n")
    >>> [(srt[s.start:s.end], s.speaker, s.turn) for s in parse_srt(srt)]
    [('Hello', 'ALICE', 0), ('Still me.', 'ALICE', 0)]

`trim_span` and `with_turns` are shared with the JSON segments parser.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from rag.errors import FormatError
from rag.formats.textmap import Mapped
from rag.records import NARRATOR, Segment

BOM = "\ufeff"

# One line without its break. Only \r\n, \r and \n end a line: str.splitlines would also
# split on \x0c, \u2028 and friends, which subtitle files treat as ordinary characters.
_LINE = re.compile(r"([^\r\n]*)(?:\r\n|\r|\n|\Z)")

# 00:01:02.500 or 01:02.500 (hours optional, as WebVTT allows). Both formats accept
# '.' or ',' before the milliseconds: hand-made files mix them up often enough.
# Hours may have one digit ("0:00:08.160") and the fraction fewer than three ("00:42.21"),
# as real caption tools write them.
_TIME = r"(?:(\d+):)?(\d{2}):(\d{2})[.,](\d{1,3})(?!\d)"
# Anything after the end time is a cue setting ("align:start", a translated "行：15%") or SRT
# coordinates.
_TIMING = re.compile(rf"[ \t]*{_TIME}[ \t]*-->[ \t]*{_TIME}(?:\D.*)?")

# A speaker label: 1-4 words of letters, digits, . ' ’ - _ before the first colon of a
# cue's first line, followed by whitespace or the line's end. The word cap keeps out
# sentences with a colon late in them; "followed by whitespace" keeps out "12:30" and
# "http://". _label() adds the 40-character cap and requires a letter.
# A diarizer may bracket it: "[Amit Varma]: words".
_LABEL = re.compile(r"[ \t]*(?P<open>\[)?([\w.'’-]+(?:[ \t]+[\w.'’-]+){0,3})(?(open)\])[ \t]*:(?=\s|$)")
_LABEL_MAX = 40

# <v Bob>, <v.loud Bob Smith>: the annotation after the optional classes is the name.
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?(?:\s+([^>]*))?>")
_VOICE_END = "</v>"
_TAG = re.compile(r"<[^>]*>")
_NOT_A_CUE = re.compile(r"(?:NOTE|STYLE|REGION)(?:[ \t]|$)")

VTT_EXAMPLE = "00:01:02.500 --> 00:01:05.000"
SRT_EXAMPLE = "00:01:02,500 --> 00:01:05,000"

Span = tuple[int, int, str | None, float | None, float | None]  # start, end, speaker, t_start, t_end


class _Line(NamedTuple):
    no: int  # 1-based, for error messages
    start: int
    end: int  # excludes the line break


class _Cue(NamedTuple):
    start: int  # first character of the cue's text lines
    first_end: int  # end of its first text line, where a NAME: prefix must end
    end: int  # end of its last text line
    t_start: float
    t_end: float
    lines: tuple[_Line, ...] = ()


# A voice tag without a name (`<v ->`, `<v>`): the captioner marks a change of speaker
# without saying who. Each one is a new voice, "Voice 1", "Voice 2", ..., until the words
# name them (see ingest: a self-introduction), except one that follows a named voice: that
# is the unnamed voice heard before it, back after an interruption.
ANONYMOUS = frozenset({"", "-", "?", "--"})
ANONYMOUS_VOICE = re.compile(r"Voice \d+")
# A cue that only describes a sound or an action: "(upbeat music)", "[applause]", "♪ ♪".
_SOUND = re.compile(r"\s*(?:\([^()]*\)|\[[^\[\]]*\]|♪[^♪]*♪?)\s*")


def only_sound(words: str) -> bool:
    """Do these words only describe a sound or an action ("(upbeat music)", "[applause]")?"""
    return _SOUND.fullmatch(words) is not None


def parse_vtt(text: str, notes: list[str] | None = None) -> list[Segment]:
    """Segments of a WebVTT file: one per cue, or one per voice where a cue has several.

    A voice (`<v Name>` tag or `NAME:` prefix) goes on through the untagged cues after it,
    until the next one; a cue that only describes a sound is nobody's. Rolling captions
    (each cue repeating the last line of the one before) are read once. Repairs (a cue that
    ends before it starts, a file without its header) are appended to `notes`.
    """
    notes = [] if notes is None else notes
    pos = 1 if text.startswith(BOM) else 0
    first = _LINE.match(text, pos)[1]
    blocks = _blocks(text, pos)
    if re.fullmatch(r"WEBVTT(?:[ \t].*)?", first):
        header, *blocks = blocks
        # A cue written straight under the header, with no blank line between, still counts.
        if any("-->" in text[ln.start : ln.end] for ln in header[1:]):
            blocks.insert(0, header[1:])
    elif blocks and any("-->" in text[ln.start : ln.end] for ln in blocks[0][:2]):
        notes.append(f"line 1: no 'WEBVTT' header (found {first[:40]!r}); read as captions")
    else:
        raise FormatError(f"line 1: missing the 'WEBVTT' header (found {first[:40]!r})")
    # Comments, style sheets and region definitions carry no spoken words.
    blocks = [b for b in blocks if not _NOT_A_CUE.match(text, b[0].start, b[0].end)]

    pieces: list[tuple[int, int, str | None, float, float]] = []
    labelled, anonymous = False, 0
    cues = _unroll(text, _cues(text, blocks, VTT_EXAMPLE, notes), notes)
    # In a file with voice tags only they name speakers: "A: the timing ..." is a list item
    voiced = any(_VOICE.search(text, cue.start, cue.end) for cue in cues)
    current = unnamed = None  # the voice speaking, and the last unnamed one
    for cue in cues:
        voices = _voices(text, cue)
        if voiced:
            labelled = True
            for a, b, name in voices:
                if name is None:
                    # an unnamed tag after a named voice (a clip played, a question asked)
                    # returns to the unnamed voice before it; after an unnamed one it is new
                    if unnamed is None or current == unnamed:
                        anonymous += 1
                        unnamed = f"Voice {anonymous}"
                    name = unnamed
                current = name
                pieces.append((a, b, name, cue.t_start, cue.t_end))
            if not voices:
                pieces.append((cue.start, cue.end, None, cue.t_start, cue.t_end))
        else:
            name, start = _label(text, cue.start, cue.first_end)
            labelled = labelled or name is not None
            pieces.append((start, cue.end, name, cue.t_start, cue.t_end))
    return _segments(text, pieces, inherit=labelled)


def parse_srt(text: str, notes: list[str] | None = None) -> list[Segment]:
    """Segments of a SubRip file: one per cue, the speaker taken from a `NAME:` prefix.

    In a file that uses prefixes, a cue without one continues the previous speaker (a
    long answer spread over several cues names its speaker only once).
    """
    notes = [] if notes is None else notes
    pos = 1 if text.startswith(BOM) else 0
    pieces: list[tuple[int, int, str | None, float, float]] = []
    prefixed = False
    for cue in _unroll(text, _cues(text, _blocks(text, pos), SRT_EXAMPLE, notes), notes):
        name, start = _label(text, cue.start, cue.first_end)
        prefixed = prefixed or name is not None
        pieces.append((start, cue.end, name, cue.t_start, cue.t_end))
    return _segments(text, pieces, inherit=prefixed)


def words_of(text: str, start: int, end: int) -> str:
    """A cue's words as a reader sees them: markup removed, lines joined by a space."""
    return " ".join(_TAG.sub("", text[start:end]).split())


_WORDS = re.compile(r"\S+")  # \s is str.isspace's whitespace, as str.split uses


def words_mapped(text: str, start: int, end: int) -> Mapped:
    """A cue's words as the file has them, with where each is (textmap.py): markup dropped,
    the whitespace between two words kept as written (a cue's line break stays one), and
    whitespace next to markup read as one space. Its words are `words_of`'s.

        >>> m = words_mapped("<v Ann>We <b>built</b>\\nthe\\nbridge.</v>", 7, 34)
        >>> m.text, m.pieces
        ('We built the\\nbridge.', [(0, 7, 2, 2), (3, 13, 5, 5), (9, 23, 11, 11)])
    """
    m = Mapped(text)
    space, pos = False, start
    for tag in [*_TAG.finditer(text, start, end), None]:
        stop = tag.start() if tag else end
        at = None  # where the last word of this stretch between tags ended
        for w in _WORDS.finditer(text, pos, stop):
            if at is not None:
                m.verbatim(at, w.start())  # the file's own whitespace between two words
            elif m.length and (space or w.start() > pos):
                m.join(" ")
            m.verbatim(w.start(), w.end())
            space, at = False, w.end()
        if (pos if at is None else at) < stop:  # whitespace after the last word, or only whitespace
            space = space or m.length > 0
        if tag is None:
            break
        pos = tag.end()
    return m


def _line_key(text: str, line: _Line) -> str:
    return words_of(text, line.start, line.end).casefold()


def _unroll(text: str, cues: list[_Cue], notes: list[str]) -> list[_Cue]:
    """Rolling captions read once: where most cues open with the last line(s) of the cue
    before (YouTube's automatic captions), each cue keeps only its new lines, and a cue with
    none is dropped. Other files are returned as they are."""
    repeats = []
    for before, after in zip(cues, cues[1:]):
        k = 0
        for n in range(min(len(before.lines), len(after.lines)), 0, -1):
            if [_line_key(text, ln) for ln in before.lines[-n:]] == [_line_key(text, ln) for ln in after.lines[:n]]:
                k = n
                break
        repeats.append(k)
    # evidence: a cue that repeats lines before it and goes on with new ones (a cue that
    # only repeats the one before, "Yes." after "Yes.", may be said twice)
    rolling = sum(1 for k, cue in zip(repeats, cues[1:]) if 0 < k < len(cue.lines))
    if len(repeats) < 2 or rolling * 2 < len(repeats):
        return cues
    out = [cues[0]]
    for cue, k in zip(cues[1:], repeats):
        rest = cue.lines[k:]
        if rest:
            out.append(cue._replace(start=rest[0].start, first_end=rest[0].end, lines=rest))
    notes.append(f"rolling captions: {sum(1 for k in repeats if k)} cues repeat the lines before them; read once")
    return out


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Narrow [start, end) so that it neither starts nor ends with whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def with_turns(spans: list[Span]) -> list[Segment]:
    """Segments from (start, end, speaker, t_start, t_end): the turn grows when the speaker changes."""
    segments: list[Segment] = []
    turn = 0
    for start, end, speaker, t_start, t_end in spans:
        if segments and speaker != segments[-1].speaker:
            turn += 1
        role = "speaker" if speaker is not None else NARRATOR
        segments.append(Segment(start, end, speaker, role, turn, t_start, t_end))  # type: ignore[arg-type]
    return segments


def _blocks(text: str, pos: int) -> list[list[_Line]]:
    """Runs of non-blank lines from `pos` on: both formats separate cues by blank lines."""
    blocks: list[list[_Line]] = []
    current: list[_Line] = []
    for no, m in enumerate(_LINE.finditer(text, pos), 1):
        if text[m.start(1) : m.end(1)].strip():
            current.append(_Line(no, m.start(1), m.end(1)))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _cues(text: str, blocks: list[list[_Line]], example: str, notes: list[str]) -> list[_Cue]:
    """The timed text of each cue block; a block without a parsable timing line is an error,
    unless it follows a cue's text (a cue with a blank line inside it). A cue that ends
    before it starts is repaired (its end set to its start) and noted, and so are cues that
    start before the one before them ends (kept in file order)."""
    cues: list[_Cue] = []
    overlaps, first_overlap = 0, 0
    for block in blocks:
        head0 = text[block[0].start : block[0].end]
        if cues and "-->" not in head0 and not head0.strip().isdigit() and not any(
                "-->" in text[ln.start : ln.end] for ln in block[1:2]):
            last = cues[-1]
            cues[-1] = last._replace(end=block[-1].end, lines=(*last.lines, *block))
            continue
        # The timing line comes first, or second after a cue number / identifier. After a
        # number it must be second, so that a garbled one is reported on its own line.
        head = [text[ln.start : ln.end] for ln in block[:2]]
        if "-->" in head[0]:
            at = 0
        elif len(head) == 2 and ("-->" in head[1] or head[0].strip().isdigit()):
            at = 1
        else:
            found = head[0][:60]
            raise FormatError(
                f"line {block[0].no}: expected a cue timing line like {example!r}, found {found!r}"
            )
        t_start, t_end = _timing(text, block[at], example)
        if t_end < t_start:
            notes.append(f"line {block[at].no}: the cue ends ({t_end:g} s) before it starts ({t_start:g} s); end set to its start")
            t_end = t_start
        if cues and t_start < cues[-1].t_end:
            overlaps += 1
            first_overlap = first_overlap or block[at].no
        lines = block[at + 1 :]
        if lines:
            cues.append(_Cue(lines[0].start, lines[0].end, lines[-1].end, t_start, t_end, tuple(lines)))
    if overlaps:
        notes.append(f"{overlaps} cues start before the one before them ends (first on line {first_overlap}); kept in file order")
    return cues


def _timing(text: str, line: _Line, example: str) -> tuple[float, float]:
    m = _TIMING.fullmatch(text, line.start, line.end)
    if not m or max(int(m[2]), int(m[3]), int(m[6]), int(m[7])) > 59:
        found = text[line.start : line.end][:60]
        raise FormatError(
            f"line {line.no}: cannot parse the timing line {found!r} (expected e.g. {example!r})"
        )
    return _seconds(*m.groups()[:4]), _seconds(*m.groups()[4:])


def _seconds(h: str | None, m: str, s: str, ms: str) -> float:
    # Whole milliseconds divided once, so 62.5 comes out exactly as 62500 / 1000; ".21" is 210 ms.
    return (((int(h or 0) * 60 + int(m)) * 60 + int(s)) * 1000 + int(ms.ljust(3, "0"))) / 1000


def _label(text: str, start: int, line_end: int) -> tuple[str | None, int]:
    """The `NAME:` prefix of a cue's first line (or None), and where the words begin."""
    m = _LABEL.match(text, start, line_end)
    # Every word capitalised ("Alice", "DR. SMITH", "SPEAKER_00", "Speaker 2"): a sentence
    # with a colon in it ("The answer was simple: no") is words, not a label.
    words = m[2].split() if m else []
    if m and len(m[2]) <= _LABEL_MAX and any(c.isalpha() for c in m[2]) and all(w[0].isupper() or w[0].isdigit() for w in words):
        return m[2], m.end()
    return None, start


def _voices(text: str, cue: _Cue) -> list[tuple[int, int, str | None]]:
    """(start, end, name) per `<v name>` tag of a cue, up to its `</v>` or the next voice.

    Text outside every voice (the dashes or spaces between `</v>` and the next `<v>`) is
    not anybody's words and is dropped.
    """
    tags = list(_VOICE.finditer(text, cue.start, cue.end))
    voices = []
    for tag, following in zip(tags, [*tags[1:], None]):
        stop = following.start() if following else cue.end
        close = text.find(_VOICE_END, tag.end(), stop)
        name = (tag[1] or "").strip()
        name = None if name in ANONYMOUS else name
        voices.append((tag.end(), close if close != -1 else stop, name))
    return voices


def _segments(
    text: str, pieces: list[tuple[int, int, str | None, float, float]], inherit: bool
) -> list[Segment]:
    """Trim pieces, carry speakers forward where the file uses prefixes, drop empty ones."""
    spans: list[Span] = []
    speaker = None
    for start, end, name, t_start, t_end in pieces:
        if name is not None or not inherit:
            speaker = name  # an empty cue that names a speaker still hands the turn over
        start, end = trim_span(text, start, end)
        words = _TAG.sub("", text[start:end])
        if words.strip():
            sound = name is None and _SOUND.fullmatch(words) is not None
            spans.append((start, end, None if sound else speaker, t_start, t_end))
    if not spans:
        raise FormatError("no cues with text: every cue is empty or markup only")
    return with_turns(spans)
