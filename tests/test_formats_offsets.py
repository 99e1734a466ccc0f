"""Citations stay verbatim in timed transcripts whose passages join cues (textmap.py).

A passage of captions or JSON turns joins a speaker's cues, so its `text` is not one slice of
the file; its `pieces` say where each run of it is. Properties, over random cues and
segments: every piece maps back to the file's own characters (or, for an escape, to what
they stand for), the characters in no piece are the single spaces between runs, and any
span inside one piece is cited as the file's exact characters. Then end to end: a question
asked of a small caption and JSON corpus gets quotes that are the file's characters.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from rag.config import Config
from rag.formats.jsonscan import decode_fragment
from rag.formats.subtitles import words_mapped, words_of
from rag.formats.tables import read_span
from rag.formats.textmap import Mapped, inside_one, normalised
from rag.ingest import ingest_document, read_document
from rag.metadata import Metadata
from rag.records import Citation, Passage
from rag.speakers import SpeakerNames

WORDS = ["We", "built", "it.", "Yes!", "the", "bridge,", "over", "water?", "<i>small</i>", "x<b>y</b>z", "café",
         '"quoted"', "back\\slash", "A.I.", "Dr.", "done…", "<c.yellow>tall</c>", "文字。"]


def read_cell(raw: str) -> str:
    return read_span(raw, 0, len(raw))


def check_passage(file_text: str, p: Passage, decode=None) -> None:
    """The properties every passage has (module docstring)."""
    if not p.pieces:
        assert file_text[p.start : p.end] == p.text
        return
    covered = 0
    for t, f, n, m in p.pieces:
        assert t >= covered and p.start <= f and f + m <= p.end
        assert p.text[covered:t] in ("", " "), (p.text, p.pieces)  # joins are single spaces
        if n == m and file_text[f : f + m] == p.text[t : t + n]:
            pass
        else:
            assert decode is not None and decode(file_text[f : f + m]) == p.text[t : t + n]
        covered = t + n
    assert covered == len(p.text)


def check_spans(file_text: str, p: Passage, data) -> None:
    """A random span inside one verbatim piece cites the file's exact characters."""
    verbatim = [(t, n) for t, f, n, m in p.pieces if n == m] if p.pieces else [(0, len(p.text))]
    if not verbatim:  # all escapes ("\u6587\u5b57"): no span of it is the file's characters
        return
    t, n = data.draw(st.sampled_from(verbatim))
    a = data.draw(st.integers(t, t + n - 1))
    b = data.draw(st.integers(a + 1, t + n))
    assert inside_one(p.pieces, a, b)
    c = Citation.of(1, p, a, b)
    assert file_text[c.start : c.end] == c.quote == p.text[a:b]
    assert p.start <= c.start < c.end <= p.end


def ingest(tmp: Path, name: str, text: str, max_chars: int = 120) -> tuple[str, list[Passage]]:
    path = tmp / name
    path.write_bytes(text.encode("utf-8"))
    doc = read_document(path, name, Metadata(), 10**7)
    return doc.text, ingest_document(doc, SpeakerNames({}), Config(passage_chars=max_chars))


line = st.lists(st.sampled_from(WORDS), min_size=1, max_size=5).map(" ".join)
cue = st.tuples(st.sampled_from(["", "", "<v Ann Lee>", "<v Bo>", "<v ->"]), st.lists(line, min_size=1, max_size=2),
                st.sampled_from(["\n", "\r\n"]))


@settings(max_examples=40, deadline=None)
@given(cues=st.lists(cue, min_size=1, max_size=12), data=st.data())
def test_caption_passages_map_back_to_their_file(tmp_path_factory, cues, data):
    out = ["WEBVTT", ""]
    for i, (voice, lines, _) in enumerate(cues):
        out += [str(i + 1), f"00:00:{i:02d}.000 --> 00:00:{i + 1:02d}.000", voice + lines[0], *lines[1:], ""]
    nl = cues[0][2]
    text, passages = ingest(tmp_path_factory.mktemp("vtt"), "talk.vtt", nl.join(out))
    assert passages
    for p in passages:
        check_passage(text, p)
        check_spans(text, p, data)


segment = st.tuples(st.sampled_from(["SPEAKER_00", "SPEAKER_01", "Ann Lee"]),
                    st.lists(st.sampled_from([*WORDS, "new\nline", "tab\there", "emoji 🙂"]), min_size=1, max_size=8).map(" ".join))


@settings(max_examples=40, deadline=None)
@given(segments=st.lists(segment, min_size=1, max_size=10), ascii_only=st.booleans(), data=st.data())
def test_json_passages_map_back_to_their_file_escapes_decoded(tmp_path_factory, segments, ascii_only, data):
    rows = [{"speaker": who, "start": i * 2.0, "end": i * 2.0 + 1.5, "text": " " + said} for i, (who, said) in enumerate(segments)]
    raw = json.dumps({"segments": rows}, ensure_ascii=ascii_only, indent=1)
    text, passages = ingest(tmp_path_factory.mktemp("json"), "episode.json", raw)
    for p in passages:
        check_passage(text, p, decode_fragment)
        check_spans(text, p, data)


@settings(max_examples=25, deadline=None)
@given(segments=st.lists(segment, min_size=1, max_size=8), data=st.data())
def test_table_passages_map_back_to_their_file_doubled_quotes_read_once(tmp_path_factory, segments, data):
    cells = ['"' + said.replace("\n", " ").replace('"', '""') + '"' for _, said in segments]
    raw = "speaker,start,text\n" + "".join(f"{who},{i},{c}\n" for i, ((who, _), c) in enumerate(zip(segments, cells)))
    text, passages = ingest(tmp_path_factory.mktemp("csv"), "turns.csv", raw)
    for p in passages:
        check_passage(text, p, read_cell)
        check_spans(text, p, data)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab <i>/\n\t\u00a0\u3000."), max_size=30))
def test_caption_words_and_their_map_agree(s):
    m = words_mapped(s, 0, len(s))
    assert " ".join(m.text.split()) == words_of(s, 0, len(s))
    if m.pieces:  # as a passage: from its first word to its last
        a, b = m.pieces[0][1], m.pieces[-1][1] + m.pieces[-1][3]
        check_passage(s, Passage("x", "x", "", "", "speaker", m.text, a, b, pieces=normalised(m.pieces, m.text, a)))
    rebuilt = Mapped(s)
    rebuilt.extend(m)
    assert (rebuilt.text, rebuilt.pieces) == (m.text, m.pieces)


def test_a_span_across_cues_runs_from_its_first_word_to_its_last():
    vtt = "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Ann>We built\n\n00:02.000 --> 00:03.000\nthe <i>bridge</i>.\n"
    with tempfile.TemporaryDirectory() as d:
        text, [p] = ingest(Path(d), "a.vtt", vtt)
    assert p.text == "We built the bridge."
    c = Citation.of(1, p, 3, 16)  # "built the bri"
    assert text[c.start : c.start + 5] == "built" and text[c.end - 3 : c.end] == "bri"
    assert not inside_one(p.pieces, 3, 16)


CAPTIONS = """WEBVTT

00:00:01.000 --> 00:00:04.000
<v Mara Quist>The ferry to the island runs twice a day

00:00:04.000 --> 00:00:07.000
in winter, and the <i>harbour</i> closes at nine.

00:00:07.000 --> 00:00:10.000
We asked the council for a third crossing.

00:00:10.000 --> 00:00:13.000
<v Jon Ekberg>The council said the budget
has no room for a third crossing this year.
"""


def test_asked_questions_cite_the_files_exact_characters(tmp_path):
    from rag.pipeline import Pipeline

    (tmp_path / "talk.vtt").write_text(CAPTIONS, encoding="utf-8")
    turns = [{"speaker": "Lena Sato", "start": 0, "end": 5, "text": "Our bakery opens at six and sells rye bread."},
             {"speaker": "Lena Sato", "start": 5, "end": 9, "text": "The \"sourdough\" sells out by noon."},
             {"speaker": "Omar Diallo", "start": 9, "end": 12, "text": "I deliver the flour\u00a0every Monday."}]
    (tmp_path / "bakery.json").write_text(json.dumps({"segments": turns}), encoding="utf-8")
    files = {p.name: p.read_text(encoding="utf-8") for p in tmp_path.iterdir()}
    # the answerer without the learned reader: only how quotes are cited is under test
    pipeline = Pipeline(Config.from_env(corpus=tmp_path, reader_model="none"))
    cited = joined = 0
    for question in ("When does the harbour close in winter?", "What did the council say about a third crossing?",
                     "When does the sourdough sell out?", "Who delivers the flour?", "How often does the ferry run?"):
        answer = pipeline.ask(question)
        for c in answer.citations:
            p, text = c.passage, files[c.passage.source]
            a = p.text.find(c.quote)
            assert a >= 0 and p.start <= c.start < c.end <= p.end
            if inside_one(p.pieces, a, a + len(c.quote)):
                assert text[c.start : c.end] == c.quote, (question, c)
                cited += 1
                joined += bool(p.pieces)
    assert cited and joined  # some quotes came from passages that join cues
    # the index cache keeps each passage's map: opened again, the passages are the same
    from rag.index import open_index

    again = open_index(tmp_path)
    assert again.generation == pipeline.index.generation
    assert again.passages == pipeline.index.passages and any(p.pieces for p in again.passages)
