"""Property: any labelled-turn transcript survives the round trip through ingestion."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from rag.chunking import pack, sentence_spans
from rag.formats.text import parse_text
from rag.records import SourceMeta
from rag.speakers import HONORIFICS, PRONOUNS, SpeakerNames, display_name, name_key

word = st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=9)
name_word = st.builds(lambda w: w.capitalize(), st.text(alphabet=string.ascii_lowercase, min_size=3, max_size=8))
name = st.lists(name_word, min_size=1, max_size=3).map(" ".join).filter(
    lambda n: not set(name_key(n).split()) & (PRONOUNS | HONORIFICS)
)
sentence = st.builds(
    lambda first, rest, end: " ".join([first.capitalize(), *rest]) + end,
    word,
    st.lists(st.one_of(word, st.sampled_from(["“quoted”", "it’s", "café", "日本", "—", "42", "a: b"])), max_size=12),
    st.sampled_from([".", "?", "!", "…"]),
)
turn_text = st.lists(sentence, min_size=1, max_size=6).map(" ".join)


@st.composite
def transcript(draw):
    speakers = draw(st.lists(name, min_size=2, max_size=4, unique_by=name_key))
    # Speakers sharing a word ("Ann", "Ann Lee") are rightly taken for one person.
    tokens = [set(name_key(s).split()) for s in speakers]
    assume(all(not (a & b) for i, a in enumerate(tokens) for b in tokens[i + 1 :]))
    order = draw(st.lists(st.sampled_from(speakers), min_size=0, max_size=8))
    turns = [(s, draw(turn_text)) for s in speakers + speakers + order]  # every label recurs
    return draw(st.text(alphabet=string.ascii_letters + " ", min_size=1, max_size=40).filter(str.strip)), turns


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(transcript())
def test_labelled_turns_round_trip(doc):
    title, turns = doc
    lines, spans = [title.strip()], []
    offset = len(lines[0]) + 1
    for speaker, text in turns:
        label = f"{speaker}: "
        spans.append((speaker, offset + len(label), offset + len(label) + len(text)))
        lines.append(label + text)
        offset += len(label) + len(text) + 1
    file_text = "\n".join(lines) + "\n"

    segments = [s for s in parse_text(file_text, SourceMeta("x.txt"), SpeakerNames({})) if s.speaker]
    assert [(display_name(sp), s, e) for sp, s, e in spans] == [
        (display_name(seg.speaker), seg.start, seg.end) for seg in segments
    ]
    for seg in segments:  # and chunking keeps every character of the turn, in order
        chunks = pack(file_text, sentence_spans(file_text, seg.start, seg.end), 120)
        assert chunks[0][0] == seg.start and chunks[-1][1] == seg.end
        assert all(a[1] <= b[0] for a, b in zip(chunks, chunks[1:]))
        assert file_text[seg.start : seg.end].startswith(file_text[chunks[0][0] : chunks[0][1]])
