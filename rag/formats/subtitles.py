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
from rag.records import NARRATOR, Segment

BOM = "\ufeff"

# One line without its break. Only \r\n, \r and \n end a line: str.splitlines would also
# split on \x0c, \u2028 and friends, which subtitle files treat as ordinary characters.
_LINE = re.compile(r"([^\r\n]*)(?:\r\n|\r|\n|\Z)")

# 00:01:02.500 or 01:02.500 (hours optional, as WebVTT allows). Both formats accept
# '.' or ',' before the milliseconds: hand-made files mix them up often enough.
_TIME = r"(?:(\d+):)?(\d{2}):(\d{2})[.,](\d{3})"
# Anything after the end time is a cue setting ("align:start") or SRT coordinates.
_TIMING = re.compile(rf"[ \t]*{_TIME}[ \t]*-->[ \t]*{_TIME}(?:[ \t].*)?")

# A speaker label: 1-4 words of letters, digits, . ' ’ - _ before the first colon of a
# cue's first line, followed by whitespace or the line's end. The word cap keeps out
# sentences with a colon late in them; "followed by whitespace" keeps out "12:30" and
# "http://". _label() adds the 40-character cap and requires a letter.
_LABEL = re.compile(r"[ \t]*([\w.'’-]+(?:[ \t]+[\w.'’-]+){0,3})[ \t]*:(?=\s|$)")
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


def parse_vtt(text: str) -> list[Segment]:
    """Segments of a WebVTT file: one per cue, or one per voice where a cue has several."""
    pos = 1 if text.startswith(BOM) else 0
    first = _LINE.match(text, pos)[1]
    if not re.fullmatch(r"WEBVTT(?:[ \t].*)?", first):
        raise FormatError(f"line 1: missing the 'WEBVTT' header (found {first[:40]!r})")
    header, *blocks = _blocks(text, pos)
    # A cue written straight under the header, with no blank line between, still counts.
    if any("-->" in text[ln.start : ln.end] for ln in header[1:]):
        blocks.insert(0, header[1:])
    # Comments, style sheets and region definitions carry no spoken words.
    blocks = [b for b in blocks if not _NOT_A_CUE.match(text, b[0].start, b[0].end)]

    pieces: list[tuple[int, int, str | None, float, float]] = []
    prefixed = False
    for cue in _cues(text, blocks, VTT_EXAMPLE):
        voices = _voices(text, cue)
        if voices:
            pieces += [(a, b, name, cue.t_start, cue.t_end) for a, b, name in voices]
        else:
            name, start = _label(text, cue.start, cue.first_end)
            prefixed = prefixed or name is not None
            pieces.append((start, cue.end, name, cue.t_start, cue.t_end))
    return _segments(text, pieces, inherit=prefixed)


def parse_srt(text: str) -> list[Segment]:
    """Segments of a SubRip file: one per cue, the speaker taken from a `NAME:` prefix.

    In a file that uses prefixes, a cue without one continues the previous speaker (a
    long answer spread over several cues names its speaker only once).
    """
    pos = 1 if text.startswith(BOM) else 0
    pieces: list[tuple[int, int, str | None, float, float]] = []
    prefixed = False
    for cue in _cues(text, _blocks(text, pos), SRT_EXAMPLE):
        name, start = _label(text, cue.start, cue.first_end)
        prefixed = prefixed or name is not None
        pieces.append((start, cue.end, name, cue.t_start, cue.t_end))
    return _segments(text, pieces, inherit=prefixed)


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


def _cues(text: str, blocks: list[list[_Line]], example: str) -> list[_Cue]:
    """The timed text of each cue block; a block without a parsable timing line is an error."""
    cues = []
    for block in blocks:
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
        lines = block[at + 1 :]
        if lines:
            cues.append(_Cue(lines[0].start, lines[0].end, lines[-1].end, t_start, t_end))
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
    # Whole milliseconds divided once, so 62.5 comes out exactly as 62500 / 1000.
    return (((int(h or 0) * 60 + int(m)) * 60 + int(s)) * 1000 + int(ms)) / 1000


def _label(text: str, start: int, line_end: int) -> tuple[str | None, int]:
    """The `NAME:` prefix of a cue's first line (or None), and where the words begin."""
    m = _LABEL.match(text, start, line_end)
    # Every word capitalised ("Alice", "DR. SMITH", "SPEAKER_00", "Speaker 2"): a sentence
    # with a colon in it ("The answer was simple: no") is words, not a label.
    words = m[1].split() if m else []
    if m and len(m[1]) <= _LABEL_MAX and any(c.isalpha() for c in m[1]) and all(w[0].isupper() or w[0].isdigit() for w in words):
        return m[1], m.end()
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
        name = (tag[1] or "").strip() or None
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
        if _TAG.sub("", text[start:end]).strip():
            spans.append((start, end, speaker, t_start, t_end))
    if not spans:
        raise FormatError("no cues with text: every cue is empty or markup only")
    return with_turns(spans)
