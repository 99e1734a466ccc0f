"""Timestamps in plain-text transcripts, as the usual tools write them:

    [00:01:02] Ann Lee: Welcome back.         (Descript, many podcast sites)
    00:01:02 Ann Lee: Welcome back.
    Ann Lee (00:01): Welcome back.            (Rev: also "Ann Lee (00:00:01):" above the words)
    Ann Lee [00:01:02]: Welcome back.
    Ann Lee  0:01                             (Otter: the name and time above the words)
    0:01                                      (YouTube: a time on its own line)

`unstamp` blanks each stamp (the same number of characters, so every offset still counts
the file's own characters) and turns a header line ("Ann Lee  0:01") into a label ("Ann
Lee:"), so that the text parser sees plain labelled turns; `timed` then gives each segment
the time of the last stamp at or before it. A document with fewer than two stamps is left
as it is: "10:30" opening one line of an article is no timeline.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace

from ..records import Segment

_TIME = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
_STAMP = rf"\[{_TIME}\]|\({_TIME}\)|{_TIME}"
STAMP = re.compile(_STAMP)


@dataclass(frozen=True)
class Stamp:
    at: int  # offset where the stamp's line starts
    seconds: float


def seconds(stamp: str) -> float:
    """ "[01:02:03.5]" -> 3723.5"""
    parts = stamp.strip("[]()").replace(",", ".").split(":")
    total = 0.0
    for part in parts:
        total = total * 60 + float(part)
    return total


def unstamp(text: str, label: str) -> tuple[str, list[Stamp]]:
    """The text with its line stamps blanked, and the stamps; `label` is the regex of a
    speaker's name as the text parser reads labels."""
    # (rule, what becomes of it): a header's name becomes a label, "Ann Lee:", and the rest
    # blank; "all" blanks what the rule matched, "stamp" only the time
    rules = [
        # a time alone on its line
        (re.compile(rf"^[ \t]*(?P<stamp>{_STAMP})[ \t\r]*$", re.M), "all"),
        # a time and a name alone on a line, above the words: "[00:01] Ann Lee", "Ann Lee  0:01",
        # "Ann Lee (00:01):"
        (re.compile(rf"^[ \t]*(?P<stamp>{_STAMP})[ \t]+(?P<name>{label})[ \t]*:?[ \t\r]*$", re.M), "header"),
        (re.compile(rf"^(?P<name>{label})[ \t]+(?P<stamp>{_STAMP})[ \t]*:?[ \t\r]*$", re.M), "header"),
        # a time in the label: "Ann Lee (00:01): words", "Ann Lee [00:01:02]: words"
        (re.compile(rf"^(?P<name>{label})[ \t]*(?P<stamp>\[{_TIME}\]|\({_TIME}\))(?=[ \t]*:)", re.M), "stamp"),
        # a time opening the line: "[00:01:02] Ann Lee: words", "00:01 - words"
        (re.compile(rf"^[ \t]*(?P<stamp>{_STAMP})(?:[ \t]+[-–—|][ \t]+|[ \t]+)(?=\S)", re.M), "all"),
    ]
    edits: dict[int, tuple[int, int, str]] = {}  # by line: (start, end, replacement)
    stamps: dict[int, Stamp] = {}
    for rule, blank in rules:
        for m in rule.finditer(text):
            line = text.rfind("\n", 0, m.start()) + 1
            if line in stamps:  # one stamp a line, read by the first rule that fits
                continue
            stamps[line] = Stamp(line, seconds(m.group("stamp")))
            s, e = m.span("stamp") if blank == "stamp" else m.span()
            edits[line] = (s, e, (m.group("name") + ":").ljust(e - s) if blank == "header" else " " * (e - s))
    if len(stamps) < 2:
        return text, []
    parts, done = [], 0
    for s, e, replacement in sorted(edits.values()):
        parts += [text[done:s], replacement]
        done = e
    parts.append(text[done:])
    return "".join(parts), sorted(stamps.values(), key=lambda s: s.at)


def timed(segments: list[Segment], stamps: list[Stamp]) -> list[Segment]:
    """Each segment with the time of the last stamp at or before it."""
    if not stamps:
        return segments
    starts = [s.at for s in stamps]
    out = []
    for seg in segments:
        i = bisect.bisect_right(starts, seg.start) - 1
        out.append(replace(seg, t_start=stamps[i].seconds) if i >= 0 and seg.t_start is None else seg)
    return out
