"""The raw side of a JSON file: nesting depth, where each string value lies, what a span decodes to.

`json.loads` gives the values; a citation needs where they are. `string_spans` walks the
file's tokens once and returns, for the JSON paths asked for, the offsets of each string's
contents (between its quotes). A string without escapes is then verbatim:

    >>> raw = '{"turns": [{"who": "Ann", "text": "Hi there."}]}'
    >>> spans = string_spans(raw, {("turns", 0, "text")})
    >>> s, e = spans["turns", 0, "text"]
    >>> raw[s:e]
    'Hi there.'

A string with escapes (`\\"`, `\\n`, `\\u00e9`) cannot be: its span holds the escapes, and
`decode_fragment` reads any slice of it as the text it stands for:

    >>> decode_fragment('Caf\\\\u00e9 \\\\"Noir\\\\"')
    'Café "Noir"'

`check_depth` refuses a file nested deeper than any transcript before `json.loads` sees it
(Python's parser recurses once per level: "[" * 100000 would end in a RecursionError).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Hashable

from rag.errors import FormatError
from rag.formats.textmap import Mapped

MAX_DEPTH = 64  # Deepgram's paragraphs sit 7 levels deep; no transcript needs 64

# A complete JSON string token. Scanning valid JSON from its start, consecutive matches
# are exactly its strings: outside strings JSON has no '"' characters.
STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\],:]', re.DOTALL)
_BRACKETS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[{]+|[\]}]+', re.DOTALL)
_ESCAPE = re.compile(r'\\(?:u([0-9a-fA-F]{4})(?:\\u([dD][c-fC-F][0-9a-fA-F]{2}))?|(["\\/bfnrt]))')
_SIMPLE = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def check_depth(raw: str, limit: int = MAX_DEPTH) -> None:
    """Raise FormatError if brackets nest deeper than `limit` (strings are skipped)."""
    depth = 0
    for m in _BRACKETS.finditer(raw):
        c = raw[m.start()]
        if c == '"':
            continue
        if c in "[{":
            depth += m.end() - m.start()
            if depth > limit:
                line = raw.count("\n", 0, m.start()) + 1
                raise FormatError(f"JSON nested over {limit} levels deep (line {line}): not a transcript")
        else:
            depth -= m.end() - m.start()


def string_spans(raw: str, wanted: Collection[tuple[Hashable, ...]]) -> dict[tuple, tuple[int, int]]:
    """Offsets of the contents of each string value whose path (keys and list indices from
    the root) is in `wanted`. For a key given twice in one object the last one counts, as in
    `json.loads`."""
    if not wanted:
        return {}
    prefixes = {path[:i] for path in wanted for i in range(len(path) + 1)}
    found: dict[tuple, tuple[int, int]] = {}
    # One frame per open container: [path, is_list, index or key, expecting_key]
    stack: list[list] = []
    skip = 0  # depth inside a container no wanted path goes through
    for m in _TOKEN.finditer(raw):
        tok = raw[m.start()]
        if skip:
            if tok in "[{":
                skip += 1
            elif tok in "]}":
                skip -= 1
            continue
        if tok == '"':
            if stack and not stack[-1][1] and stack[-1][3]:
                stack[-1][2] = _unquote(m.group())
                stack[-1][3] = False
                continue
            here = _here(stack)
            if here in wanted:
                found[here] = (m.start() + 1, m.end() - 1)
            continue
        if tok in "[{":
            here = _here(stack)
            if here not in prefixes:
                skip = 1
                continue
            stack.append([here, tok == "[", 0 if tok == "[" else None, tok == "{"])
        elif tok in "]}":
            if stack:
                stack.pop()
        elif tok == ",":
            if stack:
                frame = stack[-1]
                if frame[1]:
                    frame[2] += 1
                else:
                    frame[3] = True
        # ":" needs nothing: the key is already recorded
    return found


def _here(stack: list[list]) -> tuple:
    """The path of the value that comes next."""
    if not stack:
        return ()
    frame = stack[-1]
    return (*frame[0], frame[2])


def _unquote(token: str) -> str:
    body = token[1:-1]
    return decode_fragment(body) if "\\" in body else body


def decode_fragment(fragment: str) -> str:
    """The text a slice of a JSON string's contents stands for; an escape cut off at either
    end of the slice is left as written."""
    if "\\" not in fragment:
        return fragment
    return _ESCAPE.sub(_escaped, fragment)


def decode_mapped(raw: str, start: int, end: int) -> Mapped:
    """`decode_fragment(raw[start:end])` with where each character is in the file: the
    runs between escapes verbatim pieces, each escape a decoded piece of its own.

        >>> m = decode_mapped('"Caf\\\\u00e9 ok"', 1, 13)
        >>> m.text, m.pieces
        ('Café ok', [(0, 1, 3, 3), (3, 4, 1, 6), (4, 10, 3, 3)])
    """
    m = Mapped(raw)
    pos = start
    if "\\" in raw[start:end]:
        for esc in _ESCAPE.finditer(raw, start, end):
            m.verbatim(pos, esc.start())
            m.decoded(_escaped(esc), esc.start(), esc.end())
            pos = esc.end()
    m.verbatim(pos, end)
    return m


def _escaped(m: re.Match[str]) -> str:
    """What one escape stands for."""
    if m[3]:
        return _SIMPLE[m[3]]
    first = int(m[1], 16)
    if m[2]:
        second = int(m[2], 16)
        if 0xD800 <= first < 0xDC00:
            return chr(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
        return _lone(first) + _lone(second)
    return _lone(first)


def _lone(code: int) -> str:
    # a lone surrogate cannot be written as UTF-8: the replacement character stands in
    return "\ufffd" if 0xD800 <= code < 0xE000 else chr(code)


def trim_escaped(raw: str, start: int, end: int) -> tuple[int, int]:
    """Narrow a string's span past whitespace at either end, written or escaped (`\\n`)."""
    while start < end:
        if raw[start].isspace():
            start += 1
        elif raw.startswith(("\\n", "\\r", "\\t"), start):
            start += 2
        elif raw.startswith(("\\u0020", "\\u00a0", "\\u00A0"), start):
            start += 6
        else:
            break
    while end > start:
        if raw[end - 1].isspace():
            end -= 1
        elif raw[end - 2 : end] in ("\\n", "\\r", "\\t") and _escapes(raw, end - 2, start):
            end -= 2
        elif raw[end - 6 : end] in ("\\u0020", "\\u00a0", "\\u00A0") and _escapes(raw, end - 6, start):
            end -= 6
        else:
            break
    return start, end


def _escapes(raw: str, at: int, floor: int) -> bool:
    """Is the backslash at `at` an escape, not the second half of an escaped backslash?"""
    n = 0
    while at - 1 - n >= floor and raw[at - 1 - n] == "\\":
        n += 1
    return n % 2 == 0
