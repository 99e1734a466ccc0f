"""The people who speak in a source, from its metadata (`speakers = ["Full Name", ...]`):
short and misspelt voice names folded into them, unnamed voices given the one left.

The fixtures (tests/data/formats/programme) are invented talks with a workshop programme as
their metadata.toml, one quirk each, as the realworld captions show them (README "Corpus
metadata").
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rag.config import Config
from rag.errors import UserError
from rag.formats.timed import TIMED, cited_in
from rag.ingest import load_corpus
from rag.metadata import load_metadata
from rag.speakers import listed_as

PROGRAMME = Path(__file__).parent / "data" / "formats" / "programme"


def speakers(corpus, source: str) -> list[tuple[str, str]]:
    return [(p.speaker, p.text) for p in corpus.passages if p.source == source]


@pytest.fixture(scope="module")
def talks(tmp_path_factory):
    folder = tmp_path_factory.mktemp("programme")
    shutil.copytree(PROGRAMME, folder, dirs_exist_ok=True)
    return load_corpus(folder, Config())


@pytest.fixture(scope="module")
def bare(tmp_path_factory):
    """The same talks without the programme."""
    folder = tmp_path_factory.mktemp("bare")
    for f in PROGRAMME.glob("*.vtt"):
        shutil.copy(f, folder / f.name)
    return load_corpus(folder, Config())


def test_every_talk_ingests_and_every_passage_is_cited(talks):
    assert talks.bad_files == ()
    texts = {d.source: d.text for d in talks.documents}
    for p in talks.passages:
        assert cited_in(texts[p.source], p.start, p.end, p.text, TIMED[".vtt"]), p


def test_one_listed_speaker_says_the_untagged_cues_but_not_the_sounds(talks, bare):
    said = speakers(talks, "solo.vtt")
    assert {s for s, t in said if "(gentle music)" not in t} == {"Hedda Sorensen"}
    assert ("narrator", "(gentle music)") in said
    assert {s for s, _ in speakers(bare, "solo.vtt")} == {"narrator"}  # nothing says who, without it


def test_a_first_name_surname_or_variant_in_a_voice_tag_is_the_listed_full_name(talks, bare):
    assert {s for s, _ in speakers(talks, "variant.vtt")} == {"Nikolay Dragomirov"}
    assert {s for s, _ in speakers(bare, "variant.vtt")} == {"Nikolai", "Dragomirov"}


def test_of_two_listed_the_one_no_voice_names_is_the_unnamed_voice(talks, bare):
    said = speakers(talks, "pair.vtt")
    assert said[0][0] == "Oskar Lindqvist"  # "My name is Oskar Lindqvist" opens a sentence
    assert {s for s, t in said if "sensors sit" in t or "air quality" in t} == {"Priya Raman"}
    assert {s for s, t in speakers(bare, "pair.vtt") if "air quality" in t} == {"Voice 2"}


def test_a_misheard_self_introduction_takes_the_programme_spelling(talks, bare):
    assert {s for s, _ in speakers(talks, "misheard.vtt")} == {"Marta Kowalczyk"}
    assert {s for s, _ in speakers(bare, "misheard.vtt")} == {"Marta Kovalchik"}


def test_a_name_two_listed_people_share_means_neither(talks):
    said = speakers(talks, "namesakes.vtt")
    assert [s for s, _ in said] == ["James", "James Okoro", "James Whitlow"]


@pytest.mark.parametrize("name, listed, loose, expected", [
    ("Kelly", ["Kelly Davis"], False, "Kelly Davis"),
    ("DAVIS", ["Kelly Davis"], False, "Kelly Davis"),
    ("Hedda", ["Hedda Sorensen"], False, "Hedda Sorensen"),
    ("Joshua Lieberman", ["Josh Lieberman"], False, "Josh Lieberman"),  # a short form
    ("Jo", ["Joanna Baker"], False, None),  # too short to be a short form
    ("Nikolai", ["Nikolay Dragomirov", "Priya Raman"], False, "Nikolay Dragomirov"),
    ("Kelly Brown", ["Kelly Davis"], False, None),
    ("Kelly Brown", ["Kelly Davis"], True, "Kelly Davis"),
    ("Ed", ["Ed Gray", "Edna Gray"], False, "Ed Gray"),
    ("Gray", ["Ed Gray", "Edna Gray"], False, None),
    ("Voice 1", ["Anita Chen"], True, None),
    ("", ["Anita Chen"], True, None),
    ("Anita Chen", [], True, None),
])
def test_listed_as(name, listed, loose, expected):
    assert listed_as(name, listed, loose) == expected


def test_speakers_may_be_a_list_of_names_or_a_table_of_labels(tmp_path):
    (tmp_path / "metadata.toml").write_text(
        '[[sources]]\nfile = "a.vtt"\nspeakers = ["Hedda Sorensen", " "]\n\n'
        '[[sources]]\nfile = "b.json"\nspeakers = { SPEAKER_00 = "Dana Reyes" }\n', encoding="utf-8")
    meta = load_metadata(tmp_path)
    assert meta.source("a.vtt").speaking == ("Hedda Sorensen",) and meta.source("a.vtt").speakers == ()
    assert meta.source("b.json").speakers == (("SPEAKER_00", "Dana Reyes"),) and meta.source("b.json").speaking == ()
    (tmp_path / "metadata.toml").write_text('[[sources]]\nfile = "a.vtt"\nspeakers = [1, 2]\n', encoding="utf-8")
    with pytest.raises(UserError, match="speakers"):
        load_metadata(tmp_path)
    (tmp_path / "metadata.toml").write_text('[[sources]]\nfile = "a.vtt"\nspeakers = "Hedda"\n', encoding="utf-8")
    with pytest.raises(UserError, match="a list of names"):
        load_metadata(tmp_path)
