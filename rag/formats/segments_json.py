"""JSON transcripts of any common shape -> speaker segments with offsets into the file.

The turns are the list of objects, anywhere in the file, whose objects carry a text field
(turns.py lists the names looked for): Whisper's and WhisperX's `segments`, AssemblyAI's and
Deepgram's `utterances`, Deepgram's `paragraphs[].sentences[]` (the speaker read from the
paragraph around them), the Congressional Record's `content`, a bare list of
`{"speaker", "time", "message"}`, and so on. Where several lists qualify (AssemblyAI gives
`words` and `utterances`), the one that covers most of the words in the fewest rows is read,
preferring lists that name speakers and times.

The offsets of a segment are those of its text value's contents in the file (between the
quotes), whitespace trimmed, and a speaker's printed label at its start ("Mr. LOTT. Mr.
President, ...") left out when it repeats the speaker field:

    >>> raw = '{"segments": [{"start": 0, "end": 2.5, "text": " Hi there.", "speaker": "SPEAKER_00"}]}'
    >>> [seg] = parse_json_segments(raw)
    >>> raw[seg.start:seg.end], seg.speaker, seg.role, seg.turn, seg.t_start, seg.t_end
    ('Hi there.', 'SPEAKER_00', 'speaker', 0, 0.0, 2.5)

A value without escapes is then verbatim, `file_text[start:end] == text`. A value holding
escapes (`\\"`, `\\n`, `\\u00e9`) has them in its span, and its words are the span decoded:
`jsonscan.decode_fragment(file_text[start:end])`, which is what `read_span` returns.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from rag.errors import FormatError
from rag.formats.jsonscan import check_depth, decode_fragment, decode_mapped, string_spans, trim_escaped
from rag.formats.subtitles import BOM
from rag.formats.turns import SPEAKER_KEYS, Fields, Row, describe_fields, norm_key, pick_fields, time_unit, to_segments
from rag.records import Segment

_Path = tuple  # keys and list indices from the root
_SPEAKERS = frozenset(SPEAKER_KEYS)


def read_span(raw: str, start: int, end: int) -> str:
    """The words of a span of a JSON string's contents."""
    return decode_fragment(raw[start:end])


read_mapped = decode_mapped  # the same, with where each character is in the file (textmap.py)


def parse_json_segments(text: str, notes: list[str] | None = None) -> list[Segment]:
    """Segments of a JSON transcript, in the order of its turns. Repairs (a NaN time, an end
    before its start) are appended to `notes`."""
    notes = [] if notes is None else notes
    # json.loads rejects a BOM; a space in its place keeps every offset, and the line and
    # column json reports, unchanged.
    raw = " " + text[1:] if text.startswith(BOM) else text
    check_depth(raw)
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as e:
        raise FormatError(f"invalid JSON at line {e.lineno}, column {e.colno}: {e.msg}") from None
    except RecursionError:  # cannot happen after check_depth; kept so that no traceback can
        raise FormatError("JSON nested too deeply: not a transcript") from None

    groups: dict[tuple, list[tuple[_Path, dict, Any]]] = {}
    _collect(data, (), (), None, groups)
    best = _best_group(groups)
    if best is None:
        kind = type(data).__name__ if not isinstance(data, (dict, list)) else ("object" if isinstance(data, dict) else "list")
        raise FormatError(f"no list of turns in this JSON {kind}: looked for objects with the fields {describe_fields()}")
    items, fields = best

    wanted = {(*path, fields.text) for path, _, _ in items}
    spans = string_spans(raw, wanted)
    rows: list[Row] = []
    for path, item, inherited in items:
        where = _where(path)
        span = spans.get((*path, fields.text))
        value = item.get(fields.text)
        if span is None or not isinstance(value, str):
            continue
        start, end = trim_escaped(raw, *span)
        speaker = item.get(fields.speaker) if fields.speaker and fields.speaker in item else inherited
        start = _past_label(raw, start, end, speaker)
        line = raw.count("\n", 0, start) + 1
        rows.append(Row(f"{where} (line {line})", start, end, "", speaker,
                        item.get(fields.start) if fields.start else None, item.get(fields.end) if fields.end else None))
    if not any(r.start < r.end for r in rows):
        raise FormatError("no cues with text: the JSON's turns have no words")
    return to_segments(rows, notes, time_unit(rows, (fields.start, fields.end)))


def _collect(value: Any, path: _Path, shape: tuple, inherited: Any, groups: dict) -> None:
    """Every list of objects, grouped by its shape (its path with list indices as "*"), each
    object with the speaker of the nearest object around it that names one."""
    if isinstance(value, dict):
        own = next((v for k, v in value.items() if isinstance(k, str) and norm_key(k) in _SPEAKERS and v is not None), None)
        inherited = own if own is not None else inherited
        for k, v in value.items():
            if isinstance(v, (dict, list)):
                _collect(v, (*path, k), (*shape, k), inherited, groups)
    elif isinstance(value, list):
        objects = [(i, v) for i, v in enumerate(value) if isinstance(v, dict)]
        if objects and len(objects) * 2 >= len(value):
            groups.setdefault(shape, []).extend(((*path, i), v, inherited) for i, v in objects)
        for i, v in enumerate(value):
            if isinstance(v, (dict, list)):
                _collect(v, (*path, i), (*shape, "*"), inherited, groups)


def _best_group(groups: Mapping[tuple, list]) -> tuple[list, Fields] | None:
    scored = []
    for shape, items in groups.items():
        fields = pick_fields([item for _, item, _ in items])
        if fields is None:
            continue
        texts = [item.get(fields.text) for _, item, _ in items]
        chars = sum(len(t) for t in texts if isinstance(t, str) and t.strip())
        if not chars:
            continue
        named = bool(fields.speaker) or any(inh is not None for _, _, inh in items)
        scored.append((chars, named, bool(fields.start), len(items), shape, items, fields))
    if not scored:
        return None
    most = max(s[0] for s in scored)
    covering = [s for s in scored if s[0] >= 0.5 * most]
    chars, named, timed, n, shape, items, fields = min(covering, key=lambda s: (not s[1], not s[2], s[3], len(s[4])))
    return items, fields


def _past_label(raw: str, start: int, end: int, speaker: Any) -> int:
    """Where the words begin when the text opens with its speaker's printed label ("Mr. LOTT.
    Mr. President" under the speaker "Mr. LOTT")."""
    if not isinstance(speaker, str) or not speaker.strip():
        return start
    label = speaker.strip()
    if not raw.startswith(label, start) or "\\" in raw[start : start + len(label)]:
        return start
    after = start + len(label)
    if after < end and raw[after] in ".:":
        after += 1
        while after < end and (raw[after] in " \t" or raw.startswith(("\\n", "\\t"), after)):
            after += 2 if raw[after] == "\\" else 1
        if after < end:
            return after
    return start


def _where(path: _Path) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "the top level"
