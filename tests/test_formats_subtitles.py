"""Tests for the WebVTT, SRT and Whisper/WhisperX JSON parsers.

The contract under test: text[seg.start:seg.end] is the spoken words verbatim (no label,
no voice tag), with speaker, role, turn and timestamps alongside.
"""

from __future__ import annotations

import doctest
import json
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.errors import FormatError
from rag.formats import segments_json, subtitles
from rag.formats.segments_json import parse_json_segments
from rag.formats.subtitles import parse_srt, parse_vtt

DATA = Path(__file__).parent / "data" / "formats"


def read(name: str) -> str:
    # newline="" keeps the file's own line endings: offsets index the text as stored.
    with open(DATA / name, encoding="utf-8", newline="") as f:
        return f.read()


def rows(text: str, segments) -> list[tuple]:
    """(words, speaker, role, turn, t_start, t_end) per segment, the words sliced from text."""
    return [(text[s.start : s.end], s.speaker, s.role, s.turn, s.t_start, s.t_end) for s in segments]


# --- expected results for the fixture files -------------------------------------------

VTT_EXPECTED = [
    ("Welcome back to the programme. Today I'm joined by Bob Smith.", "Alice", "speaker", 0, 1.0, 4.5),
    ("Thanks for having me, Alice.", "Bob Smith", "speaker", 1, 5.0, 8.25),
    ("It's been a <i>long</i> year\nfor all of us.", "Bob Smith", "speaker", 1, 8.5, 12.0),
    ("How did it start?", "Alice", "speaker", 2, 12.5, 15.0),
    ("With a phone call.", "Bob Smith", "speaker", 3, 12.5, 15.0),
    # cue 5 (<v Alice> with only spaces) is skipped
    ("What did <00:00:19.000>the caller say?", "Alice", "speaker", 4, 17.5, 21.0),
    ("[applause]", None, "narrator", 5, 62.0, 65.75),
]

SRT_EXPECTED = [
    ("Where were you on the night of the storm?", "INTERVIEWER", "speaker", 0, 1.0, 4.0),
    ("At home. The power went out\naround half past eleven.", "MARIA LOPEZ", "speaker", 1, 4.5, 9.0),
    # no prefix (the colon comes too late to be a label): Maria goes on
    (
        "My father always told us one thing at times like that: stay calm.",
        "MARIA LOPEZ",
        "speaker",
        1,
        9.5,
        12.0,
    ),
    ("Were you afraid?", "INTERVIEWER", "speaker", 2, 12.5, 14.0),
    ("Not really.", "MARIA LOPEZ", "speaker", 3, 14.5, 18.0),
    ("12:30 was when the roof gave way.", "MARIA LOPEZ", "speaker", 3, 18.5, 20.0),  # a time, not a label
    ("The station logged gusts of ninety knots.", "DR. O'NEIL-SMITH", "speaker", 4, 20.5, 23.0),
    # cue 8 (<i></i>) is markup only and skipped
    ("<i>Thank you both.</i>", "INTERVIEWER", "speaker", 5, 62.1, 3603.25),
]

WHISPERX_EXPECTED = [
    ("So tell me how the project got started.", "SPEAKER_00", "speaker", 0, 0.031, 3.512),
    ("It started in 2019, when the river flooded the lower town.", "SPEAKER_01", "speaker", 1, 4.102, 9.87),
    ("We had nothing, so we built it ourselves.", "SPEAKER_01", "speaker", 1, 10.2, 12.0),
    # the " " segment is skipped; escapes stay verbatim in the span
    ('Who is \\"we\\"?', "SPEAKER_00", "speaker", 2, 13.4, 15.25),
    ("Thank you.", None, "narrator", 3, 16.0, 17.5),
]

WHISPER_EXPECTED = [
    ("Welcome to Caf\\u00e9 Stories.", None, "narrator", 0, 0.0, 3.2),
    ("Today we talk about the old harbour.", None, "narrator", 0, 3.2, 7.84),
    ("And the people who built it.", None, "narrator", 0, 7.84, 10.5),
]

FIXTURES = [
    ("interview.vtt", parse_vtt, VTT_EXPECTED),
    ("interview.srt", parse_srt, SRT_EXPECTED),
    ("whisperx.json", parse_json_segments, WHISPERX_EXPECTED),
    ("whisper.json", parse_json_segments, WHISPER_EXPECTED),
]


@pytest.mark.parametrize("name, parse, expected", FIXTURES, ids=[f[0] for f in FIXTURES])
def test_fixture_files(name, parse, expected):
    text = read(name)
    assert rows(text, parse(text)) == expected


@pytest.mark.parametrize("name, parse, expected", FIXTURES, ids=[f[0] for f in FIXTURES])
@pytest.mark.parametrize("variant", ["crlf", "bom", "bom+crlf"])
def test_crlf_and_bom_variants(name, parse, expected, variant):
    text = read(name)
    if "crlf" in variant:
        text = text.replace("\n", "\r\n")
    if "bom" in variant:
        text = "\ufeff" + text
    newline = "\r\n" if "crlf" in variant else "\n"
    want = [(words.replace("\n", newline), *rest) for words, *rest in expected]
    assert rows(text, parse(text)) == want


def test_json_spans_point_into_the_segments_not_the_top_level_text():
    # Whisper puts the whole transcript in a top-level "text" first; spans must skip it.
    text = read("whisper.json")
    segments_at = text.index('"segments"')
    assert all(s.start > segments_at for s in parse_json_segments(text))


def test_json_nested_text_keys_and_single_segment_are_not_confused():
    # The top-level "text" equals the only segment's text, and a word entry uses "text".
    raw = json.dumps(
        {
            "text": " Yes.",
            "segments": [
                {"words": [{"text": " Yes.", "start": 0, "end": 1}], "text": " Yes.", "start": 0, "end": 1}
            ],
        }
    )
    [seg] = parse_json_segments(raw)
    assert raw[seg.start : seg.end] == "Yes."
    assert raw[seg.start - 10 : seg.start] == '"text": " '  # the segment's own key, after its words
    assert seg.start > raw.index("]")


def test_json_top_level_list_and_integer_times():
    raw = (
        '[{"start": 1, "end": 2, "text": "One.", "speaker": "A"},\n'
        ' {"start": 2, "end": 3, "text": " Two.", "speaker": "B"}]'
    )
    assert rows(raw, parse_json_segments(raw)) == [
        ("One.", "A", "speaker", 0, 1.0, 2.0),
        ("Two.", "B", "speaker", 1, 2.0, 3.0),
    ]


# --- WebVTT details ---------------------------------------------------------------------


def vtt(*cues: str, header: str = "WEBVTT") -> str:
    return (
        header
        + "\n\n"
        + "\n\n".join(f"00:00:0{i}.000 --> 00:00:0{i}.500\n{c}" for i, c in enumerate(cues))
        + "\n"
    )


@pytest.mark.parametrize(
    "payload, words, speaker",
    [
        ("<v Alice>Hello there</v>", "Hello there", "Alice"),
        ("<v.loud Bob Smith>Hi", "Hi", "Bob Smith"),
        ("<v.a.b   Bob>  Hi  </v>", "Hi", "Bob"),
        ("<c.yellow><v Ann>Quiet now</v></c>", "Quiet now", "Ann"),
        ("ALICE: Hello there", "Hello there", "ALICE"),  # NAME: prefix without a voice tag
        ("<v SPEAKER_00>okay", "okay", "SPEAKER_00"),
        ("Just words", "Just words", None),
        ("<i>Just</i> words", "<i>Just</i> words", None),
    ],
)
def test_vtt_cue_payloads(payload, words, speaker):
    text = vtt(payload)
    [seg] = parse_vtt(text)
    assert (text[seg.start : seg.end], seg.speaker) == (words, speaker)
    assert seg.role == ("speaker" if speaker else "narrator")


def test_vtt_several_voices_in_one_cue_give_one_segment_each():
    text = vtt("<v A>hi</v> <v B>ho</v>", "<v B>again</v>")
    assert [(text[s.start : s.end], s.speaker, s.turn) for s in parse_vtt(text)] == [
        ("hi", "A", 0),
        ("ho", "B", 1),
        ("again", "B", 1),
    ]


def test_vtt_header_variants_and_cue_under_header():
    assert parse_vtt(vtt("Hi", header="WEBVTT\tTitle"))
    text = "WEBVTT\n00:01.000 --> 00:02.000\n<v A>Straight under the header\n"
    [seg] = parse_vtt(text)
    assert text[seg.start : seg.end] == "Straight under the header"


def test_vtt_prefixes_carry_the_speaker_forward():
    text = vtt("ALICE: First.", "Second.", "BOB: Third.")
    assert [(s.speaker, s.turn) for s in parse_vtt(text)] == [("ALICE", 0), ("ALICE", 0), ("BOB", 1)]


def test_vtt_without_labels_is_narration_in_one_turn():
    text = vtt("One.", "Two.")
    assert [(s.speaker, s.role, s.turn) for s in parse_vtt(text)] == [(None, "narrator", 0)] * 2


def test_vtt_cr_only_line_endings():
    text = vtt("<v A>one\nline two</v>").replace("\n", "\r")
    [seg] = parse_vtt(text)
    assert text[seg.start : seg.end] == "one\rline two"


# --- SRT details ------------------------------------------------------------------------


def srt(*cues: str) -> str:
    return "\n\n".join(f"{i + 1}\n00:00:0{i},000 --> 00:00:0{i},500\n{c}" for i, c in enumerate(cues)) + "\n"


@pytest.mark.parametrize(
    "first_line, speaker",
    [
        ("ALICE: Hello", "ALICE"),
        ("Bob Smith: Hello", "Bob Smith"),
        ("Dr. Jane O'Neil-Smith: Hello", "Dr. Jane O'Neil-Smith"),
        ("SPEAKER_00: Hello", "SPEAKER_00"),
        ("José:Hello", None),  # no space after the colon: not a label
        ("12:30 Hello", None),  # a time
        ("12: Hello", None),  # digits only, no letter
        ("See https://example.org: Hello", None),
        ("The one thing I remember: Hello", None),  # five words
        ("Abcdefghijklmnopqrstu Abcdefghijklmnopqrstu: Hello", None),  # over 40 characters
    ],
)
def test_srt_speaker_label_rule(first_line, speaker):
    [seg] = parse_srt(srt(first_line))
    assert seg.speaker == speaker


def test_srt_label_alone_on_its_line_and_unlabelled_file():
    text = srt("ALICE:\nHello there")
    [seg] = parse_srt(text)
    assert (text[seg.start : seg.end], seg.speaker) == ("Hello there", "ALICE")
    assert [s.speaker for s in parse_srt(srt("One.", "Two."))] == [None, None]


def test_srt_cues_before_the_first_label_have_no_speaker():
    assert [(s.speaker, s.turn) for s in parse_srt(srt("Intro.", "ANN: Hi.", "More."))] == [
        (None, 0),
        ("ANN", 1),
        ("ANN", 1),
    ]


def test_srt_without_cue_numbers_and_with_period_milliseconds():
    text = "00:00:01.000 --> 00:00:02,000\nHi.\n"
    [seg] = parse_srt(text)
    assert (text[seg.start : seg.end], seg.t_start, seg.t_end) == ("Hi.", 1.0, 2.0)


# --- malformed input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "parse, text, message",
    [
        (parse_vtt, "WEBVTTX\n\n00:01.000 --> 00:02.000\nHi\n", r"line 1: missing the 'WEBVTT' header"),
        (parse_vtt, "", r"missing the 'WEBVTT' header"),
        (
            parse_vtt,
            "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHi\n\n00:00:03 --> 00:00:04.000\nHo\n",
            r"line 6: cannot parse the timing line '00:00:03 --> 00:00:04.000'",
        ),
        (parse_vtt, "WEBVTT\n\n00:01.000 --> 00:72.000\nHi\n", r"line 3: cannot parse the timing line"),
        (parse_vtt, "WEBVTT\n\nid\nHi there\n", r"line 3: expected a cue timing line"),
        (parse_vtt, "WEBVTT\n", r"no cues with text"),
        (
            parse_vtt,
            "WEBVTT\n\n00:01.000 --> 00:02.000\n<v A> </v>\n\n00:02.000 --> 00:03.000\n<b></b>\n",
            r"no cues with text",
        ),
        (parse_srt, "1\n00:00:01,000 -> 00:00:02,000\nHi\n", r"line 2: cannot parse the timing line"),
        (
            parse_srt,
            "1\n00:00:01,000 --> 00:00:02,000\nHi\n\n2\n00:00:03,000 --> soon\nHo\n",
            r"line 6: cannot parse the timing line",
        ),
        (
            parse_srt,
            "Dear diary,\nToday was long.\n",
            r"line 1: expected a cue timing line like '00:01:02,500 --> 00:01:05,000'",
        ),
        (parse_srt, "\n\n", r"no cues with text"),
        (parse_srt, "1\n00:00:01,000 --> 00:00:02,000\n", r"no cues with text"),
        (
            parse_json_segments,
            '{"segments": [\n  {"start": 0, "end": 1, "text": "a"},\n]}',
            r"invalid JSON at line 3, column 1",
        ),
        (parse_json_segments, "", r"invalid JSON at line 1, column 1"),
        (parse_json_segments, '[{"start": 0, "end": 1, "text": "   "}]', r"no list of turns|no cues with text"),
        # JSON of no transcript shape: the message names the fields looked for
        (parse_json_segments, '{"text": "hello"}', r"no list of turns in this JSON object: looked for .*speaker"),
        (parse_json_segments, '{"segments": {"text": "hello"}}', r"no list of turns"),
        (parse_json_segments, '"just a string"', r"no list of turns in this JSON str"),
        (parse_json_segments, '{"segments": [{"start": 0, "end": 1}]}', r"no list of turns.*text \(text, message"),
        (parse_json_segments, '[{"start": 0, "end": 1, "text": 5}]', r"no list of turns"),
        (parse_json_segments, "[1, 2]", r"no list of turns in this JSON list"),
        (parse_json_segments, '{"segments": []}', r"no list of turns"),
        (parse_json_segments, "[" * 100_000 + "]" * 100_000, r"nested over 64 levels deep"),
    ],
)
def test_malformed_input_raises_format_error(parse, text, message):
    with pytest.raises(FormatError, match=message):
        parse(text)


def test_module_examples_hold():
    for module in (subtitles, segments_json):
        assert doctest.testmod(module).failed == 0


# --- property: rendered cues parse back --------------------------------------------------

names = (
    st.lists(  # label words are capitalised: "Alice", "BOB", "Dr Who"
        st.tuples(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", max_size=8)).map("".join),
        min_size=1,
        max_size=4,
    )
    .map(" ".join)
    .filter(lambda name: len(name) <= 40)
)
words = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="<>"), min_size=1, max_size=40
).filter(lambda t: t.strip() and "-->" not in t)
cue_lists = st.lists(
    st.tuples(names, words, st.integers(1, 5000), st.integers(1, 5000)), min_size=1, max_size=8
)


def timestamp(ms: int, sep: str) -> str:
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}{sep}{ms % 1000:03d}"


def timed(cues):
    """Cues with increasing times: each gap and duration is drawn in milliseconds."""
    now, out = 0, []
    for speaker, text, gap, duration in cues:
        out.append((speaker, text, now + gap, now + gap + duration))
        now += gap + duration
    return out


def expected_turns(speakers):
    turns = [0]
    for before, after in pairwise(speakers):
        turns.append(turns[-1] + (before != after))
    return turns


def check_round_trip(text, segments, cues):
    assert [text[s.start : s.end] for s in segments] == [c[1].strip() for c in cues]
    assert [s.speaker for s in segments] == [c[0] for c in cues]
    assert [(s.t_start, s.t_end) for s in segments] == [(c[2] / 1000, c[3] / 1000) for c in cues]
    assert [s.turn for s in segments] == expected_turns([c[0] for c in cues])


@settings(max_examples=200, deadline=None)
@given(cue_lists)
def test_property_vtt_round_trip(cues):
    cues = timed(cues)
    body = "".join(
        f"\n{i}\n{timestamp(t0, '.')} --> {timestamp(t1, '.')}\n<v {who}>{said}</v>\n"
        for i, (who, said, t0, t1) in enumerate(cues)
    )
    text = "WEBVTT\n" + body
    check_round_trip(text, parse_vtt(text), cues)


@settings(max_examples=200, deadline=None)
@given(cue_lists)
def test_property_srt_round_trip(cues):
    cues = timed(cues)
    text = "".join(
        f"{i + 1}\n{timestamp(t0, ',')} --> {timestamp(t1, ',')}\n{who}: {said}\n\n"
        for i, (who, said, t0, t1) in enumerate(cues)
    )
    check_round_trip(text, parse_srt(text), cues)


def test_a_sentence_with_a_colon_is_not_a_speaker_label():
    text = "1\n00:00:01,000 --> 00:00:02,000\nThe answer was simple: no.\n\n"
    (segment,) = parse_srt(text)
    assert segment.speaker is None and text[segment.start : segment.end] == "The answer was simple: no."
