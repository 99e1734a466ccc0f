"""Parse Whisper / WhisperX JSON transcripts into speaker segments with exact offsets.

Accepts an object with a `segments` list (Whisper and WhisperX output) or a bare list
of segments; each segment has `start`, `end` (seconds), `text`, and optionally
`speaker` (WhisperX diarization) and `words` (ignored). The offsets of a segment point
at its `text` value in the raw file, between the quotes, with surrounding whitespace
trimmed (Whisper texts start with a space).

Example:
    >>> raw = '{"segments": [{"start": 0, "end": 2.5, "text": " Hi there.", "speaker": "SPEAKER_00"}]}'
    >>> [seg] = parse_json_segments(raw)
    >>> raw[seg.start:seg.end], seg.speaker, seg.role, seg.turn, seg.t_start, seg.t_end
    ('Hi there.', 'SPEAKER_00', 'speaker', 0, 0.0, 2.5)

The span is always the verbatim file text: a value holding JSON escapes (`\\"`, `\\n`,
`\\u00e9`) yields a span with those escapes still in it (`Caf\\u00e9`), and an escaped
whitespace at either end (`\\n`) is not trimmed. `json.loads('"' + span + '"')` decodes it.
"""

from __future__ import annotations

import json
import re
from itertools import pairwise
from typing import Any

from rag.errors import FormatError
from rag.formats.subtitles import BOM, Span, trim_span, with_turns
from rag.records import Segment

# A complete JSON string token. Scanning a valid JSON text from its start, consecutive
# matches are exactly its strings: outside strings JSON has no '"' characters.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_COLON = re.compile(r"\s*:\s*")


def parse_json_segments(text: str) -> list[Segment]:
    """Segments of a Whisper / WhisperX JSON file, in the order of its `segments` list."""
    # json.loads rejects a BOM; a space in its place keeps every offset, and the line and
    # column json reports, unchanged.
    raw = " " + text[1:] if text.startswith(BOM) else text
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as e:
        raise FormatError(f"invalid JSON at line {e.lineno}, column {e.colno}: {e.msg}") from None

    if isinstance(data, dict):
        segments, path, depth = data.get("segments"), "segments", 3  # {"segments": [{"text"
        if not isinstance(segments, list):
            raise FormatError("no 'segments' list in the JSON object (expected Whisper or WhisperX output)")
    elif isinstance(data, list):
        segments, path, depth = data, "", 2  # [{"text"
    else:
        raise FormatError(
            f"expected a JSON object with a 'segments' list, or a list of segments; got {type(data).__name__}"
        )

    # Segments are matched to the "text" values at their nesting depth in document order;
    # comparing the decoded token with the parsed text guards against any mismatch.
    tokens = iter(_text_values(raw, depth))
    spans: list[Span] = []
    for i, seg in enumerate(segments):
        where = f"{path}[{i}]"
        if not isinstance(seg, dict) or not isinstance(seg.get("text"), str):
            raise FormatError(f"{where}: expected an object with a string 'text'")
        token = next((t for t in tokens if json.loads(t.group()) == seg["text"]), None)
        if token is None:
            raise FormatError(f"{where}: cannot find its 'text' value in the file")
        line = raw.count("\n", 0, token.start()) + 1
        where += f" (line {line})"
        t_start, t_end = _number(seg, "start", where), _number(seg, "end", where)
        speaker = seg.get("speaker") if isinstance(seg.get("speaker"), str) else None
        start, end = trim_span(raw, token.start() + 1, token.end() - 1)
        if start < end:
            spans.append((start, end, speaker or None, t_start, t_end))
    if not spans:
        raise FormatError("no cues with text: the JSON has no segment with words")
    return with_turns(spans)


def _text_values(raw: str, depth: int) -> list[re.Match[str]]:
    """String tokens that are the value of a "text" key nested `depth` brackets deep.

    The depth check skips Whisper's top-level "text" (the whole transcript) and any
    "text" inside `words` entries.
    """
    strings = list(_STRING.finditer(raw))
    values, level, pos = [], 0, 0
    for key, value in pairwise(strings):
        gap = raw[pos : key.start()]  # only punctuation, numbers, true/false/null
        level += gap.count("{") + gap.count("[") - gap.count("}") - gap.count("]")
        pos = key.end()
        if key.group() == '"text"' and level == depth and _COLON.fullmatch(raw, key.end(), value.start()):
            values.append(value)
    return values


def _number(seg: dict[str, Any], key: str, where: str) -> float:
    value = seg.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise FormatError(f"{where}: {key!r} must be a number of seconds, got {value!r}")
    return float(value)
