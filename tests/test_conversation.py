"""Follow-ups have no hidden state (issue 31): only the history passed in is consulted, an
empty one starts afresh, and a question that stands on its own is never rewritten."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.conversation import contextualize, stands_alone

from .conftest import ROOT

# dev questions that were answered right alone and wrong when asked second (7 of 81 before)
STANDALONE = [
    "What was the first condition the NRF set before it would stop fighting, according to Nazary?",
    "What did the Taliban tell Massoud when he tried to open talks with them?",
    "What did a Kalashnikov cost before and what does it cost now, according to Massoud?",
    "How long did the Taliban say they gave the Panjshir forces to settle things peacefully?",
    "The two Amiri interviews give his age differently — what ages do they say?",
    "Who called his father a freedom fighter and a true patriot, and said he is one too?",
]
# ... and follow-ups that must still lean on the conversation
FOLLOW_UPS = ["What did he say about China?", "Does he bring up the Saudis in that context?", "ok and what was the second one?",
              "Where had he been fighting right before that?", "And when did the rest of the country fall, according to it?",
              "Which ones did he name?", "did he say anything else got cut off?"]


def _dev_questions() -> list[str]:
    path = ROOT / "evals" / "cases" / "seeds.jsonl"
    return [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _history(question: str, answer: str = "") -> list[dict]:
    return [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]


def test_a_question_that_stands_alone_is_never_rewritten(retriever):
    names, speakers = retriever.names, set(retriever.speakers)
    for question in STANDALONE[:5]:
        assert stands_alone(question, names, speakers), question
    for question in STANDALONE:
        for before in _dev_questions()[:40]:
            assert contextualize(question, _history(before, "Ahmad Massoud says so. [1]"), names, speakers) == question
    for question in FOLLOW_UPS:
        assert not stands_alone(question, names, speakers), question


@given(st.lists(st.sampled_from(_dev_questions()), max_size=4), st.sampled_from(_dev_questions() + FOLLOW_UPS))
@settings(max_examples=200, deadline=None)
def test_no_history_means_no_rewrite_and_nothing_is_remembered(retriever, earlier, question):
    names, speakers = retriever.names, set(retriever.speakers)
    history = [m for q in earlier for m in _history(q)]
    first = contextualize(question, history, names, speakers)
    assert contextualize(question, [], names, speakers) == question
    assert contextualize(question, None, names, speakers) == question
    assert contextualize(question, history, names, speakers) == first  # the same inputs, the same query
    if stands_alone(question, names, speakers):
        assert first == question


@pytest.mark.slow
def test_the_api_with_an_empty_history_answers_as_a_fresh_start(tmp_path):
    from rag.config import DEFAULT_CORPUS, Config
    from rag.pipeline import Pipeline

    pipeline = Pipeline(Config.from_env(corpus=DEFAULT_CORPUS))
    question = "What does he say about China?"
    fresh = pipeline.ask(question, history=[])
    pipeline.ask("What's General Amiri's view of Russia's role in Afghanistan?")
    pipeline.ask(question, history=_history("What does Massoud say about Pakistan?", "Ahmad Massoud: ... [1]"))
    again = pipeline.ask(question, history=[])
    assert again.query == fresh.query == question and again.text == fresh.text
