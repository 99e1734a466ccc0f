"""Quotations in fiction (tests/data/formats/dialogue.txt, an invented scene): attribution
beside the quote with fiction's verbs, inverted pronouns, described speakers, British single
quotes, a dialogue's unattributed replies taking turns; and the LitBank harness's own helpers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evals.formats import agrees_loosely, paragraphs_restored
from rag.config import Config
from rag.ingest import load_corpus

DIALOGUE = Path(__file__).parent / "data" / "formats" / "dialogue.txt"


@pytest.fixture(scope="module")
def said(tmp_path_factory):
    folder = tmp_path_factory.mktemp("prose")
    shutil.copy(DIALOGUE, folder / DIALOGUE.name)
    corpus = load_corpus(folder, Config())
    text = corpus.documents[0].text
    assert all(text[p.start : p.end] == p.text for p in corpus.passages)
    return {p.text: p.speaker for p in corpus.passages}


def test_fiction_attributions_beside_the_quote(said):
    assert said["Has the post come?"] == "Maud Finchley"  # asked Maud
    assert said["Not yet,"] == "Elias Crane"  # returned Elias Crane
    assert said["Mrs. Crane is in the garden,"] == "Elias Crane"  # said Mr. Crane: "Mr." ends no sentence
    assert said["She likes the rain."] == "Elias Crane"


def test_a_dialogue_takes_turns_where_nobody_is_named(said):
    assert said["Then I shall walk to the village."] == "Maud Finchley"
    assert said["In this weather? You will drown."] == "Elias Crane"
    assert said["I shall take the umbrella,"] == "Maud Finchley"  # "said she": whose turn it is


def test_the_one_spoken_to_answers(said):
    assert said["Maud, the carriage is here,"] == "Elias Crane"
    assert said["Tell them I am coming."] == "Maud Finchley"


def test_a_described_speaker_in_single_quotes(said):
    assert said["It is no use arguing with her,"] == "the housekeeper"
    assert said["She won’t listen."] == "the housekeeper"  # an apostrophe closes no quote
    assert "said she." not in said  # a bare attribution is no passage
    assert said["Is it raining still?"] == "a small boy"  # `a small boy asked`


def test_paragraphs_restored_keeps_every_offset():
    tokenised = "“ Oh !\nSingle , my dear ! ”\ncried his wife .\nHe left .\n‘ Quick ,\nnow ! ’\n“ Yes . ”"
    restored = paragraphs_restored(tokenised)
    assert len(restored) == len(tokenised)
    assert restored.split("\n") == ["“ Oh ! Single , my dear ! ” cried his wife .", "He left .",
                                    "‘ Quick , now ! ’", "“ Yes . ”"]
    # a speech of several paragraphs opens each: a new line opening a quote stays apart
    assert paragraphs_restored('" One .\n" Two . "') == '" One .\n" Two . "'


@pytest.mark.parametrize("said, gold, agree", [
    ("Mr. Bennet", "Mr Bennet", True),
    ("Mr. Bennet", "Mrs Bennet", False),  # not a husband for his wife
    ("Bennet", "Mrs Bennet", True),
    ("Katharine Hilbery", "Katherine", True),  # the annotator's spelling
    ("the parson", "Parson Tringham", True),
    ("narrator", "Tess", False),
    ("Tess", "Jack Durbeyfield", False),
])
def test_agrees_loosely(said, gold, agree):
    assert agrees_loosely(said, gold) is agree
