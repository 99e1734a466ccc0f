"""Ingestion of the real seeds: exact offsets, attribution, passage shape."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from rag.chunking import sentence_spans
from rag.ingest import load_corpus

from .conftest import DATA, SEEDS

LABELS = [json.loads(line) for line in (DATA / "attribution.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]


def test_seeds_are_the_shared_files_byte_for_byte():
    shared = SEEDS.parent.parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    for original in shared.iterdir():
        assert (SEEDS / original.name).read_bytes() == original.read_bytes(), original.name


def test_every_seed_is_ingested_and_none_is_skipped(seeds_corpus):
    assert len(seeds_corpus.documents) == 5
    assert seeds_corpus.bad_files == ()


def test_every_passage_is_a_verbatim_slice_of_its_file(seeds_corpus, seed_texts):
    assert len(seeds_corpus.passages) > 100
    for p in seeds_corpus.passages:
        assert seed_texts[p.source][p.start : p.end] == p.text, p.id
        assert p.text.strip() == p.text and p.text


def test_passages_are_in_document_order_and_do_not_overlap(seeds_corpus):
    by_source: dict[str, list] = {}
    for p in seeds_corpus.passages:
        by_source.setdefault(p.source, []).append(p)
    for passages in by_source.values():
        for a, b in zip(passages, passages[1:]):
            assert a.end <= b.start, (a.id, b.id)


def test_no_passage_ends_inside_a_sentence(seeds_corpus, seed_texts):
    """A passage ends where a sentence ends (or where its speaker's words end)."""
    for p in seeds_corpus.passages:
        text = seed_texts[p.source]
        para_start = text.rfind("\n", 0, p.start) + 1
        para_end = text.find("\n", p.end)
        para_end = len(text) if para_end < 0 else para_end
        ends = {e for _, e in sentence_spans(text, para_start, para_end)}
        tail = text[p.end : p.end + 3]
        # either a sentence boundary, or the end of this speaker's words (a quote mark,
        # an attribution, the end of the line follows)
        assert p.end in ends or not tail[:1].isalnum() or tail[:1] == "\n", (p.id, text[p.end - 30 : p.end + 30])


def test_passages_are_short_enough_to_take_in_at_a_glance(seeds_corpus):
    lengths = sorted(len(p.text) for p in seeds_corpus.passages)
    assert lengths[len(lengths) // 2] < 400
    # longer than the 500-char target only when one sentence is itself that long
    for p in seeds_corpus.passages:
        if len(p.text) > 500:
            assert len(sentence_spans(p.text, 0, len(p.text))) == 1, p.id


def test_speakers_and_roles_are_canonical(seeds_corpus):
    speakers = {p.speaker for p in seeds_corpus.passages}
    assert {"Khalid Amiri", "Faisal Saeed Al Mutaar", "Andrei Serenko", "Ali Nazary", "Ahmad Massoud"} <= speakers
    assert not speakers & {"Khalid", "Faisal", "SERENKO", "Nazari", "Nazary", "Andrey Serenko"}
    assert {p.role for p in seeds_corpus.passages} <= {"interviewer", "interviewee", "quoted", "narrator", "speaker"}


def test_an_answer_carries_the_question_it_replies_to_outside_its_text(seeds_corpus):
    answers = [p for p in seeds_corpus.passages if p.role == "interviewee"]
    assert answers and all(p.question for p in answers)
    target = next(p for p in answers if p.text.startswith("Only time will tell"))
    assert target.question.startswith("Would you ever consider leaving")
    assert all(p.question not in p.text for p in answers)
    # a question in two paragraphs (preamble, then the question) is carried whole
    massoud = next(p for p in answers if p.text.startswith("Absolutely. The thing is"))
    assert massoud.question.startswith("Your father, God rest his soul") and "Do you feel" in massoud.question


def test_interviews_alternate_between_interviewer_and_interviewee(seeds_corpus):
    for source in ("000_40e17a0aaa5d46fb.txt", "002_6831f9dcccccef0c.txt", "004_3131ce3db25c692d.txt"):
        roles = [p.role for p in seeds_corpus.passages if p.source == source and p.role in ("interviewer", "interviewee")]
        collapsed = [r for i, r in enumerate(roles) if i == 0 or roles[i - 1] != r]
        assert collapsed[0] == "interviewer"
        assert all(a != b for a, b in zip(collapsed, collapsed[1:]))
        assert collapsed.count("interviewer") >= 10


@pytest.mark.parametrize("label", LABELS, ids=[f"{x['source'][:3]}-{x['case']}-{i}" for i, x in enumerate(LABELS)])
def test_labelled_span_is_attributed_to_its_true_speaker(label, seeds_corpus, seed_texts):
    text = seed_texts[label["source"]]
    start = -1
    for _ in range(label["occurrence"] + 1):
        start = text.find(label["quote"], start + 1)
    assert start >= 0, "the label's quote is not in the file"
    end = start + len(label["quote"])
    covering = [p for p in seeds_corpus.passages if p.source == label["source"] and p.start < end and start < p.end]
    # uncovered text (an attribution line such as `Name, description`) is nobody's words
    got = {(p.speaker, p.role) for p in covering} or {("narrator", "narrator")}
    assert got == {(label["speaker"], label["role"])}


def test_the_labels_cover_every_seed_and_the_hard_cases():
    assert len(LABELS) >= 60
    assert {x["source"] for x in LABELS} == {p.name for p in SEEDS.glob("*.txt")}
    cases = {x["case"] for x in LABELS}
    assert {"labelled-turn", "pull-quote", "key-quotes-section", "spelling-variant", "he-added", "tweet",
            "question-without-question-mark", "interviewer-preamble", "quoted-inside-answer"} <= cases


def test_metadata_spelling_variants_fold_into_one_speaker(tmp_path):
    """Without the metadata, `Nazari` and `Nazary` are two people; with it, one."""
    source = "003_ecfc993b8a397a1a.txt"
    shutil.copy(SEEDS / source, tmp_path / source)
    bare = {p.speaker for p in load_corpus(tmp_path).passages}
    assert {"Nazary", "Nazari"} <= bare or {"Ali Nazari", "Nazary"} <= bare
    shutil.copy(SEEDS / "metadata.toml", tmp_path / "metadata.toml")
    with_metadata = {p.speaker for p in load_corpus(tmp_path).passages}
    assert "Ali Nazary" in with_metadata and not re.search("Nazar[iy]'", str(with_metadata - {"Ali Nazary"}))
    assert not any(s in with_metadata for s in ("Nazary", "Nazari", "Ali Nazari"))


def test_without_metadata_the_interview_roles_come_from_the_text(tmp_path):
    """A labelled interview nobody described: the one who asks is the interviewer, and
    `Khalid:` resolves to the full name the introduction gives."""
    source = "000_40e17a0aaa5d46fb.txt"
    shutil.copy(SEEDS / source, tmp_path / source)
    passages = load_corpus(tmp_path).passages
    roles = {(p.speaker, p.role) for p in passages if p.role in ("interviewer", "interviewee")}
    assert roles == {("Faisal", "interviewer"), ("Khalid Amiri", "interviewee")}
