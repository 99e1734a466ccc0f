"""Rows of a transcript table (JSON records, CSV lines) -> speaker segments.

Transcription tools name their fields differently; the fields are recognised by name, case,
`_` and `-` ignored (`start_time` = `startTime` = `StartTime`), the first listed that most
rows carry winning:

    text      text, message, utterance, content, transcript, sentence, caption, body, words
    speaker   speaker, speaker_name, speaker_label, name, participant, username, user, author, ...
    start     start, start_time, time, timestamp, offset, ts, begin, from_time, start_ms, ...
    end       end, end_time, stop, to_time, end_ms, ...

Times are seconds (`12.5`, `"12.5"`), clock strings (`"00:01:02.500"`, `"1:02"`, `"00:01:02,5"`)
or milliseconds: in a field named so (`start_ms`, `startMs`), or whole numbers whose typical
step between rows is 200 or more (AssemblyAI's `"start": 250, "end": 26950`).

A time that is not finite, negative, or an end before its start is repaired (dropped, or
the end set to the start) and each repair is named in `notes`; a passage never carries one.

Example:
    >>> rows = [Row("[0]", 0, 5, "Hello", "Ann", "00:00:01.000", None),
    ...         Row("[1]", 6, 9, "Bye", "Bo", 2, 3)]
    >>> fields_times = [(s.speaker, s.t_start, s.t_end) for s in to_segments(rows, [])]
    >>> fields_times
    [('Ann', 1.0, 2.0), ('Bo', 2.0, 3.0)]
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rag.records import NARRATOR, Segment

TEXT_KEYS = ("text", "message", "utterance", "content", "transcript", "sentence", "caption", "body",
             "transcription", "words", "line", "dialogue", "dialog", "said")
SPEAKER_KEYS = ("speaker", "speakername", "speakerlabel", "name", "participant", "participantname",
                "username", "user", "author", "who", "spk", "speakerid", "character", "person", "voice", "from")
START_KEYS = ("start", "starttime", "time", "timestamp", "offset", "ts", "begin", "starttimestamp",
              "startseconds", "startsec", "startms", "startoffset", "fromtime", "timestart", "tstart")
END_KEYS = ("end", "endtime", "stop", "endtimestamp", "endseconds", "endsec", "endms", "endoffset", "totime",
            "timeend", "tend")
# name objects: {"speaker": {"name": "Ann"}}
_NAME_KEYS = ("name", "displayname", "label", "username", "fullname", "id")
# values that say no one in particular speaks: the words are the narrator's
_NOBODY = frozenset({"", "none", "null", "nil", "n/a", "na", "-"})
_CLOCK = re.compile(r"(?:(?:(\d+):)?(\d{1,2}):)?(\d{1,2}(?:[.,]\d+)?)")


def norm_key(key: str) -> str:
    """'Start_Time' -> 'starttime'."""
    return re.sub(r"[\W_]+", "", key).casefold()


@dataclass(frozen=True)
class Fields:
    """Which keys of the rows hold what (original spellings); None where none does."""

    text: str
    speaker: str | None = None
    start: str | None = None
    end: str | None = None


def describe_fields() -> str:
    return (f"text ({', '.join(TEXT_KEYS[:5])}), speaker ({', '.join(SPEAKER_KEYS[:5])}), "
            f"start ({', '.join(START_KEYS[:4])}), end ({', '.join(END_KEYS[:3])})")


def pick_fields(rows: Sequence[Mapping[str, Any]], text_ok=lambda v: isinstance(v, str)) -> Fields | None:
    """The fields of these rows (dicts), or None when no text field is carried by half of them."""
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        for key, value in row.items():
            if not isinstance(key, str):
                continue
            per = counts.setdefault(norm_key(key), {})
            if value is not None:
                per[key] = per.get(key, 0) + 1
    texts = {k: c for k, c in ((k, sum(1 for r in rows if text_ok(r.get(k)))) for k in _spellings(counts, TEXT_KEYS)) if c}
    half = max(1, len(rows) // 2)

    def first(names: Iterable[str], need: int) -> str | None:
        for n in names:
            for spelling, c in counts.get(n, {}).items():
                if c >= need:
                    return spelling
        return None

    text = next((k for k in _spellings(counts, TEXT_KEYS) if texts.get(k, 0) >= half), None)
    if text is None:
        return None
    rest = {norm_key(text)}
    quarter = max(1, len(rows) // 4)
    speaker = first((n for n in SPEAKER_KEYS if n not in rest), quarter)
    start = first((n for n in START_KEYS if n != norm_key(speaker or "")), quarter)
    end = first((n for n in END_KEYS if n not in {norm_key(start or "")}), quarter)
    return Fields(text, speaker, start, end)


def _spellings(counts: Mapping[str, Mapping[str, int]], names: Iterable[str]) -> list[str]:
    return [spelling for n in names for spelling in counts.get(n, {})]


@dataclass(frozen=True)
class Row:
    """One turn as read: where it is (for messages), its words' span in the file and their
    text, and its raw speaker and time values."""

    where: str
    start: int
    end: int
    text: str
    speaker: Any = None
    t_start: Any = None
    t_end: Any = None


def speaker_name(value: Any) -> str | None:
    """A speaker value as a label: "Ann" -> "Ann", 2 -> "Speaker 2", {"name": "Ann"} -> "Ann"."""
    if isinstance(value, Mapping):
        for key, v in value.items():
            if isinstance(key, str) and norm_key(key) in _NAME_KEYS and isinstance(v, (str, int)) and not isinstance(v, bool):
                return speaker_name(v)
        return None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return f"Speaker {value}"
    if isinstance(value, float) and value.is_integer():
        return f"Speaker {int(value)}"
    if isinstance(value, str):
        name = " ".join(value.split())
        if name.casefold() in _NOBODY:
            return None
        return name[:80]
    return None


def time_unit(rows: Sequence[Row], key_names: Sequence[str | None]) -> float:
    """1.0 for seconds, 0.001 for milliseconds (see the module's docstring)."""
    if any(k and ("ms" in norm_key(k)[-2:] or "milli" in norm_key(k)) for k in key_names):
        return 0.001
    starts = [r.t_start for r in rows if isinstance(r.t_start, (int, float)) and not isinstance(r.t_start, bool)]
    ends = [r.t_end for r in rows if isinstance(r.t_end, (int, float)) and not isinstance(r.t_end, bool)]
    numbers = starts + ends
    if not numbers or not all(isinstance(v, int) or (isinstance(v, float) and v.is_integer()) for v in numbers):
        return 1.0
    steps = [b - a for a, b in zip(starts, starts[1:]) if b > a]
    spans = [r.t_end - r.t_start for r in rows if isinstance(r.t_start, (int, float)) and isinstance(r.t_end, (int, float))
             and r.t_end > r.t_start]
    typical = statistics.median(steps or spans or [0])
    return 0.001 if typical >= 200 or max(numbers) >= 86_400 else 1.0


def seconds(value: Any, unit: float = 1.0) -> float | None:
    """A time value in seconds, None when absent; ValueError when unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a time")
    if isinstance(value, (int, float)):
        return _scaled(float(value), unit)
    if isinstance(value, str):
        v = value.strip().rstrip("s")
        m = _CLOCK.fullmatch(v)
        if m:
            h, mi, s = m.groups()
            return int(h or 0) * 3600 + int(mi or 0) * 60 + _scaled(float(s.replace(",", ".")), unit if not (h or mi) else 1.0)
        try:
            return _scaled(float(v), unit)
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not a time")


def _scaled(value: float, unit: float) -> float:
    # divided, not multiplied, so that 1900 ms is 1.9 exactly
    return value / round(1 / unit) if unit < 1 else value * unit


def to_segments(rows: Sequence[Row], notes: list[str], unit: float | None = None) -> list[Segment]:
    """Segments in row order (empty rows skipped), turns growing where the speaker changes;
    times repaired as the module says, a missing end taken from the next row's start."""
    unit = time_unit(rows, ()) if unit is None else unit
    times: list[tuple[float | None, float | None]] = []
    for row in rows:
        pair = []
        for label, value in (("start", row.t_start), ("end", row.t_end)):
            try:
                t = seconds(value, unit)
            except ValueError as e:
                notes.append(f"{row.where}: {label} {e}; dropped")
                t = None
            if t is not None and (not math.isfinite(t) or t < 0):
                notes.append(f"{row.where}: {label} time {value!r} is not a time in a recording; dropped")
                t = None
            pair.append(t)
        t0, t1 = pair
        if t0 is not None and t1 is not None and t1 < t0:
            notes.append(f"{row.where}: ends ({t1:g} s) before it starts ({t0:g} s); end set to its start")
            t1 = t0
        times.append((t0, t1))
    segments: list[Segment] = []
    turn, last = 0, object()
    for i, (row, (t0, t1)) in enumerate(zip(rows, times)):
        if t1 is None and t0 is not None:
            later = next((t for t, _ in times[i + 1 :] if t is not None), None)
            t1 = later if later is not None and later >= t0 else t0
        if row.start >= row.end:
            continue
        speaker = speaker_name(row.speaker)
        if segments and speaker != last:
            turn += 1
        last = speaker
        segments.append(Segment(row.start, row.end, speaker, "speaker" if speaker else NARRATOR, turn, t0, t1))
    return segments
