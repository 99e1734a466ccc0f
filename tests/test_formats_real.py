"""Transcripts as people have them: JSON of many shapes, tables, captions as captioners write
them, Word and PDF files, and bad input. Every fixture here is a small file written for the
quirk it reproduces (tests/data/formats); the realworld set is only run as a slice, by the harness."""

from __future__ import annotations

import io
import json
import math
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.config import Config
from rag.errors import FormatError
from rag.formats.segments_json import parse_json_segments
from rag.formats.subtitles import parse_vtt
from rag.formats.timed import TIMED, cited_in
from rag.ingest import load_corpus

DATA = Path(__file__).parent / "data" / "formats"
FIXTURES = ["rolling.vtt", "voices.vtt", "congress.json", "chat.json", "assemblyai.json", "deepgram.json", "otter.csv", "turns.tsv"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("real")
    for name in FIXTURES:
        shutil.copy(DATA / name, folder / name)
    return load_corpus(folder, Config())


def by(corpus, source):
    return [p for p in corpus.passages if p.source == source]


def test_every_fixture_ingests_and_every_passage_is_cited_in_its_span(corpus):
    assert corpus.bad_files == ()
    texts = {d.source: d.text for d in corpus.documents}
    assert set(texts) == set(FIXTURES)
    for p in corpus.passages:
        assert cited_in(texts[p.source], p.start, p.end, p.text, TIMED[Path(p.source).suffix]), p
        assert p.t_start is None or (math.isfinite(p.t_start) and math.isfinite(p.t_end) and p.t_start <= p.t_end)


def test_json_shapes_find_their_turns_speakers_and_times(corpus):
    chat = by(corpus, "chat.json")
    assert [(p.speaker, p.t_start) for p in chat] == [("Unknown", 0.0), ("Host", 30.0), ("Guest", 62.5)]
    assert chat[1].text == "Welcome to the show, we talk about cafés today."  # escapes decoded
    assert chat[2].text == 'Thank you. It is a "pleasure" to be here.'
    ai = by(corpus, "assemblyai.json")  # utterances, not words; times in milliseconds
    assert [(p.speaker, p.text, p.t_start, p.t_end) for p in ai] == [("A", "Good morning.", 0.25, 1.1),
                                                                      ("B", "Morning to you.", 1.9, 2.7)]
    dg = by(corpus, "deepgram.json")  # sentences take the speaker of their paragraph
    assert [(p.speaker, p.text) for p in dg] == [("Speaker 0", "Hello there."), ("Speaker 1", "Hi.")]


def test_a_printed_label_that_repeats_the_speaker_field_is_left_out(corpus):
    congress = by(corpus, "congress.json")
    first = congress[0]
    assert first.speaker.endswith("Halverson") and first.text.startswith("Mr. President, I rise")
    assert first.text.endswith("harbour bill.")
    assert any(p.text == "Without objection, it is so ordered." and "Presiding Officer" in p.speaker for p in congress)
    assert not any(p.text == "____" and p.speaker != "narrator" for p in congress)


def test_tables_read_header_columns(corpus):
    csv_ = by(corpus, "otter.csv")
    assert [(p.speaker, p.text, p.t_start, p.t_end) for p in csv_] == [
        ("Ann Lee", 'We met in spring, "finally".', 1.0, 4.0), ("Bo Park", "Yes we did.", 5.0, 7.0)]
    tsv = by(corpus, "turns.tsv")
    assert [(p.speaker, p.t_start) for p in tsv] == [("Ann Lee", 1.0), ("Bo Park", 2.5)]


def test_captions_voices_carry_forward_and_name_themselves(corpus):
    vtt = by(corpus, "voices.vtt")
    said = [(p.speaker, p.text) for p in vtt]
    # <v -> is an unnamed voice that introduces itself; untagged cues after it are hers
    assert said[0] == ("Tova Brandt", "Hello everyone, my name is Tova Brandt and I build bridges for a living. "
                                      "I am here with my colleague, Ike Mensah.")
    assert ("narrator", "(upbeat music)") in said  # a sound, nobody's
    assert ("Tova Brandt", "The first one was small.") in said
    # a first-name tag is the full name the transcript introduces; whoever introduces a
    # colleague is not the colleague
    assert [s for s, t in said if "Thanks, Tova" in t] == ["Ike Mensah"]
    assert [s for s, t in said if "my colleague" in t] == ["Tova Brandt"]
    small = next(p for p in vtt if p.text == "The first one was small.")
    assert small.t_start == small.t_end == 8.0  # the cue ended before it started: repaired


def test_rolling_captions_are_read_once(corpus):
    [p] = by(corpus, "rolling.vtt")
    assert p.text == "welcome to the show today we talk about bridges. They carry the town."
    assert (p.t_start, p.t_end) == (1.0, 9.0)


# --- property: a voice named once carries its cues ---------------------------------------

_names = st.sampled_from(["Ann", "Bo Park", "Dr Cy"])
_words = st.lists(st.sampled_from(["we", "built", "the", "bridge", "in", "spring.", "Then", "rain", "came"]), min_size=1, max_size=6).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_names, st.lists(_words, min_size=1, max_size=4)), min_size=1, max_size=6))
def test_property_voice_tags_on_the_first_cue_of_a_turn_carry_forward(turns):
    cues, expected, t = [], [], 0
    for name, lines in turns:
        for i, line in enumerate(lines):
            tag = f"<v {name}>" if i == 0 else ""
            cues.append(f"{t // 60:02d}:{t % 60:02d}.000 --> {(t + 1) // 60:02d}:{(t + 1) % 60:02d}.000\n{tag}{line}")
            expected.append(name)
            t += 1
    text = "WEBVTT\n\n" + "\n\n".join(cues) + "\n"
    assert [s.speaker for s in parse_vtt(text)] == expected


# --- bad input ---------------------------------------------------------------------------

def test_json_times_that_are_no_times_are_repaired_and_named():
    raw = ('[{"speaker": "A", "start": NaN, "end": 2, "text": "One."},\n'
           ' {"speaker": "B", "start": 5, "end": 3, "text": "Two."},\n'
           ' {"speaker": "A", "start": -1, "end": Infinity, "text": "Three."}]')
    notes: list[str] = []
    segments = parse_json_segments(raw, notes)
    for s in segments:
        assert s.t_start is None or math.isfinite(s.t_start)
        assert s.t_end is None or math.isfinite(s.t_end)
    assert segments[1].t_end == segments[1].t_start == 5.0
    assert any("[0]" in n and "start" in n for n in notes) and any("[1]" in n and "before it starts" in n for n in notes)


def test_json_bomb_and_shapeless_json_are_refused_with_a_reason(tmp_path):
    (tmp_path / "bomb.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    (tmp_path / "config.json").write_text(json.dumps({"theme": "dark", "sizes": [1, 2]}), encoding="utf-8")
    (tmp_path / "ok.json").write_text(json.dumps([{"speaker": "A", "text": "Fine."}]), encoding="utf-8")
    corpus = load_corpus(tmp_path, Config())
    reasons = {b.source: b.reason for b in corpus.bad_files}
    assert "nested over" in reasons["bomb.json"]
    assert "no list of turns" in reasons["config.json"] and "speaker" in reasons["config.json"]
    assert [p.text for p in corpus.passages] == ["Fine."]


def _docx(paragraphs: list[tuple[str, str]]) -> bytes:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    for label, words in paragraphs:
        para = document.add_paragraph()
        para.add_run(f"{label}:").bold = True
        para.add_run(f" {words}")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _pdf(pages: list[str]) -> bytes:
    """A minimal PDF with one text line per page (Helvetica); "" gives a page with no text."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", None, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for text in pages:
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET" if text else ""
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {len(objects)} 0 R "
                       "/Resources << /Font << /F1 3 0 R >> >> >>")
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out, offsets = "%PDF-1.4\n", []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{body}\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n" + "".join(f"{o:010d} 00000 n \n" for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    return out.encode("latin-1")


def test_word_and_pdf_transcripts(tmp_path):
    (tmp_path / "interview.docx").write_bytes(_docx([("Ann Lee", "How did the bridge start?"),
                                                     ("Bo Park", "With one rope."), ("Ann Lee", "And then?"),
                                                     ("Bo Park", "Two ropes.")]))
    (tmp_path / "hearing.pdf").write_bytes(_pdf(["Bridge hearing", "Ann Lee: Was the bridge safe?", "Bo Park: It was safe.",
                                                 "Ann Lee: Thank you.", "Bo Park: You are welcome."]))
    (tmp_path / "scan.pdf").write_bytes(_pdf(["", ""]))
    (tmp_path / "locked.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    corpus = load_corpus(tmp_path, Config())
    reasons = {b.source: b.reason for b in corpus.bad_files}
    assert reasons["scan.pdf"].startswith("no text found: scanned PDF?")
    assert "encrypted" in reasons["locked.docx"]
    texts = {d.source: d.text for d in corpus.documents}
    for p in corpus.passages:
        assert texts[p.source][p.start : p.end] == p.text  # offsets index the extracted text
    word = [(p.speaker, p.text) for p in corpus.passages if p.source == "interview.docx"]
    assert ("Bo Park", "With one rope.") in word and ("Ann Lee", "How did the bridge start?") in word
    pdf = [(p.speaker, p.text, p.page) for p in corpus.passages if p.source == "hearing.pdf"]
    assert ("Bo Park", "It was safe.", 3) in pdf and ("Ann Lee", "Thank you.", 4) in pdf


def test_an_encrypted_pdf_is_refused(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(_pdf(["Ann Lee: Hello."]))))
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    (tmp_path / "locked.pdf").write_bytes(out.getvalue())
    (tmp_path / "ok.txt").write_text("Ann: Hi.\nBo: Hello.\nAnn: Bye.\n", encoding="utf-8")
    corpus = load_corpus(tmp_path, Config())
    assert "encrypted PDF" in {b.source: b.reason for b in corpus.bad_files}["locked.pdf"]


# --- the harness, on a slice of the realworld set ---------------------------------------

def test_format_coverage_harness_on_a_slice(capsys):
    from evals import formats

    if not formats.ROOT.is_dir():
        pytest.skip(f"no realworld set at {formats.ROOT}")
    summary = formats.main(["--max-files", "1", "--folder", "podcasts-md", "--folder", "hearings-json",
                            "--folder", "captions-vtt"])
    for r in summary["folders"]:
        assert r["ingested"] >= 1 and r["cited_share"] == 1.0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["folders"]


def test_an_unnamed_voice_after_a_named_one_is_the_unnamed_voice_before_it():
    vtt = ("WEBVTT\n\n00:01.000 --> 00:02.000\n<v ->Here is a clip.\n\n00:02.000 --> 00:03.000\n<v Alexa>It is noon.\n\n"
           "00:03.000 --> 00:04.000\n<v ->Thanks, Alexa.\n\n00:04.000 --> 00:05.000\n<v ->A new voice.\n")
    assert [s.speaker for s in parse_vtt(vtt)] == ["Voice 1", "Alexa", "Voice 1", "Voice 2"]


def test_a_handle_with_a_sigil_is_a_label(tmp_path):
    (tmp_path / "show.md").write_text("**$STDOUT:** I rap about code.\n\n**Jerod Santo:** Why rap?\n\n"
                                      "**$STDOUT:** It is my thing.\n\n**Jerod Santo:** Fair.\n", encoding="utf-8")
    said = [(p.speaker, p.text) for p in load_corpus(tmp_path, Config()).passages]
    assert said[0] == ("$STDOUT", "I rap about code.") and said[2] == ("$STDOUT", "It is my thing.")
