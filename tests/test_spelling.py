"""Typos in questions are read as the corpus's words; English words and near ties are not."""

from __future__ import annotations

import pytest

from rag.pipeline import Pipeline
from rag.spelling import Speller

TEXTS = [
    "Dana Okafor: The harbour needs a new pier before the storms.",
    "Tom Reyes: The restaurant by the harbour closed in March.",
    "Dana Okafor: We bake bread and we bare the costs.",
    "Chandler Bing",
]


@pytest.fixture(scope="module")
def speller():
    return Speller(TEXTS)


@pytest.mark.parametrize("asked, read", [
    ("What did Okafr say about the harbor?", "What did Okafor say about the harbor?"),  # "harbor": English knows it
    ("When did the resturant close?", "When did the restaurant close?"),  # two letters off, a long word
    ("What did chandlr say?", "What did Chandler say?"),  # a name, as the corpus writes it
    ("Why does Okafor need a new peir?", "Why does Okafor need a new pier?"),  # two letters swapped: one typo
    ("What did they say about the weather?", "What did they say about the weather?"),  # English, never said: kept
    ("What does bame mean?", "What does bame mean?"),  # "bake" or "bare": no guess
    ("Who is Xqzvtl?", "Who is Xqzvtl?"),  # nothing close
    ("", ""),
])
def test_only_unknown_words_one_typo_from_a_corpus_word_are_corrected(speller, asked, read):
    assert speller.correct(asked) == read


def test_short_words_and_words_the_corpus_uses_stay(speller):
    assert speller.correct("Did Tom Reyes bak it?") == "Did Tom Reyes bak it?"  # under four letters
    assert speller.correct_word("Okafor") is None
    assert Speller([]).correct("What did Okafr say?") == "What did Okafr say?"


@pytest.fixture(scope="module")
def pipeline(seeds_index):
    return Pipeline(index=seeds_index)


def test_a_question_with_a_typo_is_answered_and_shows_what_was_searched(pipeline):
    answer = pipeline.ask("What keeps Khalid Amiry awke at night?")
    assert answer.query == "What keeps Khalid Amiri awake at night?"
    assert answer.question == "What keeps Khalid Amiry awke at night?"
    assert not answer.abstained and "poor people" in answer.text
    assert answer.citations[0].passage.speaker == "Khalid Amiri"


def test_an_english_word_the_transcripts_never_use_still_abstains(pipeline):
    answer = pipeline.ask("What is Khalid Amiri's favourite football team?")
    assert answer.query == "What is Khalid Amiri's favourite football team?"
    assert answer.abstained
