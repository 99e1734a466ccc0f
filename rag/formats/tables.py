"""CSV and TSV transcripts with a header row: one turn per row, read as JSON turns are.

The header names the columns (turns.py lists the names recognised: `speaker`, `text`,
`start`, ...). A cell's span is its contents in the file, quotes excluded; a quoted cell
with doubled quotes (`"He said ""no"" twice"`) reads as its text with single ones
(`read_span`).

    >>> raw = "speaker,start,text\\nAnn,0:01,Hello there.\\nBo,0:04,\\"Hi, Ann.\\"\\n"
    >>> [(raw[s.start:s.end], s.speaker, s.t_start) for s in parse_table(raw, ",")]
    [('Hello there.', 'Ann', 1.0), ('Hi, Ann.', 'Bo', 4.0)]
"""

from __future__ import annotations

import re

from rag.errors import FormatError
from rag.formats.subtitles import BOM, trim_span
from rag.formats.textmap import Mapped
from rag.formats.turns import Row, describe_fields, pick_fields, time_unit, to_segments
from rag.records import Segment

MAX_ROWS = 2_000_000


def read_span(raw: str, start: int, end: int) -> str:
    """The text of a span of a cell's contents: doubled quotes read once."""
    return raw[start:end].replace('""', '"')


def read_mapped(raw: str, start: int, end: int) -> Mapped:
    """`read_span` with where each character is in the file: each doubled quote a decoded
    piece of its own, the rest verbatim."""
    m = Mapped(raw)
    pos = start
    while (at := raw.find('""', pos, end)) >= 0:
        m.verbatim(pos, at)
        m.decoded('"', at, at + 2)
        pos = at + 2
    m.verbatim(pos, end)
    return m


def _cells(raw: str, sep: str):
    """(row, [(start, end)]) per record: the contents' spans, RFC 4180 quoting."""
    cell = re.compile(rf'[ \t]*"((?:[^"]|"")*)"[ \t]*(?={re.escape(sep)}|\r?\n|\r|$)|([^{re.escape(sep)}\r\n"]*(?:"[^{re.escape(sep)}\r\n]*)?)')
    pos, n, row = (1 if raw.startswith(BOM) else 0), len(raw), 0
    while pos < n:
        spans = []
        while True:
            m = cell.match(raw, pos)
            if m is None:  # pragma: no cover - the pattern always matches (possibly empty)
                break
            spans.append(m.span(1) if m.group(1) is not None else m.span(2))
            pos = m.end()
            if raw.startswith(sep, pos):
                pos += len(sep)
                continue
            break
        row += 1
        if raw.startswith("\r\n", pos):
            pos += 2
        elif pos < n and raw[pos] in "\r\n":
            pos += 1
        elif pos < n:  # a stray quote: skip to the end of the line
            nxt = raw.find("\n", pos)
            pos = n if nxt < 0 else nxt + 1
        yield row, spans


def parse_table(text: str, sep: str, notes: list[str] | None = None) -> list[Segment]:
    notes = [] if notes is None else notes
    records = []
    for i, (row, spans) in enumerate(_cells(text, sep)):
        if i > MAX_ROWS:
            raise FormatError(f"over {MAX_ROWS} rows: not a transcript")
        if any(s < e for s, e in spans):
            records.append((row, spans))
    if len(records) < 2:
        raise FormatError("no rows under the header: a table transcript needs a header row and one row per turn")
    (_, head), body = records[0], records[1:]
    names = [read_span(text, s, e).strip() for s, e in head]
    dicts = [{name: read_span(text, *span) for name, span in zip(names, spans)} for _, spans in body]
    fields = pick_fields(dicts, text_ok=lambda v: isinstance(v, str) and bool(v.strip()))
    if fields is None:
        raise FormatError(f"no text column in the header ({', '.join(repr(n) for n in names[:8])}): looked for {describe_fields()}")
    column = {name: i for i, name in enumerate(names)}
    rows = []
    for (line, spans), values in zip(body, dicts):
        i = column[fields.text]
        if i >= len(spans):
            continue
        start, end = trim_span(text, *spans[i])
        rows.append(Row(f"row {line}", start, end, "", values.get(fields.speaker) if fields.speaker else None,
                        values.get(fields.start) if fields.start else None, values.get(fields.end) if fields.end else None))
    if not any(r.start < r.end for r in rows):
        raise FormatError("no cues with text: every row's text is empty")
    return to_segments(rows, notes, time_unit(rows, (fields.start, fields.end)))
