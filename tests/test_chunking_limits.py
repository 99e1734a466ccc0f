"""A passage has a hard maximum length (issue 31): a sentence longer than it (a line with no
sentence end) is cut at spaces, and every piece is still a verbatim slice of the file."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rag.chunking import HARD_MAX_FACTOR, pack, sentence_spans, split_long

WORD = st.text(alphabet=st.characters(blacklist_categories=("Zs", "Cc", "Cs")), min_size=1, max_size=30)
SPACE = st.sampled_from([" ", "  ", "\n", "\t", " \n "])


@given(st.lists(st.tuples(WORD, SPACE), min_size=1, max_size=200), st.integers(20, 300))
@settings(max_examples=300, deadline=None)
def test_long_spans_are_cut_at_spaces_into_verbatim_pieces(pairs, hard_max):
    text = "".join(w + s for w, s in pairs).strip()
    pieces = split_long(text, [(0, len(text))], hard_max)
    assert all(0 <= s < e <= len(text) and e - s <= hard_max for s, e in pieces)
    assert all(not text[s].isspace() and not text[e - 1].isspace() for s, e in pieces)
    assert all(a[1] <= b[0] for a, b in zip(pieces, pieces[1:]))  # in order, no overlap
    # nothing but whitespace is lost between pieces
    kept = "".join(text[s:e] for s, e in pieces)
    assert kept == "".join(text.split()) or "".join(kept.split()) == "".join(text.split())
    # a word is cut only when it is longer than the limit itself
    for (s, e), (s2, _) in zip(pieces, pieces[1:]):
        if s2 == e:
            assert e - s == hard_max


@given(st.text(max_size=3000), st.integers(20, 600))
@settings(max_examples=200, deadline=None)
def test_pack_never_exceeds_the_hard_maximum(text, max_chars):
    if not text.strip():
        return
    spans = sentence_spans(text, 0, len(text))
    for s, e in pack(text, spans, max_chars):
        assert e - s <= HARD_MAX_FACTOR * max_chars
        assert text[s:e] == text[s:e].strip() or not text[s:e].strip()


def test_ordinary_sentences_are_packed_as_before():
    text = "One. Two two. Three three three."
    assert pack(text, sentence_spans(text, 0, len(text)), max_chars=15) == [(0, 13), (14, 32)]
