"""Properties every answer keeps, over many questions (the seeds' dev cases), with the reader.

Not one phrasing pinned to one output: the contract (quotes verbatim, every [n] cited, the
cited speaker the passage's), abstention when the answer is taken out of the corpus, and
the same evidence for paraphrases of one question.
"""

from __future__ import annotations

import re
import shutil

import pytest

from evals.cases import load_cases
from rag.config import Config
from rag.pipeline import Pipeline

from .conftest import SEEDS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cases(texts):
    return [c for c in load_cases(texts=texts) if not c.history]


@pytest.fixture(scope="module")
def answers(pipeline, cases):
    return {c.id: pipeline.ask(c.question) for c in cases}


def test_every_answer_keeps_the_contract(answers, texts):
    assert len(answers) > 100
    for answer in answers.values():
        markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
        assert markers == {c.n for c in answer.citations}, answer.text  # every [n] cited, every citation used
        retrieved = {h.passage.id for h in answer.hits} | {p.id for h in answer.hits for p in h.also_in}
        for c in answer.citations:
            assert texts[c.passage.source][c.start : c.end] == c.quote  # verbatim
            assert c.passage.start <= c.start < c.end <= c.passage.end  # inside its passage
            assert c.passage.id in retrieved and c.quote in answer.text
        if answer.abstained:
            assert not answer.citations and "don't say" in answer.text


def test_the_speaker_named_is_the_cited_passages(answers):
    """Each quote is introduced by the name of whoever said it (or the publication, for a
    writer's words), and never by anyone else's."""
    for answer in answers.values():
        for c in answer.citations:
            quote_at = answer.text.index(f"“{c.quote}” [{c.n}]")
            lead = answer.text[:quote_at].rsplit("”", 1)[-1]
            speaker = c.passage.speaker
            if speaker == "narrator":
                assert "reports" in lead, (lead, answer.text)
            else:
                surname = speaker.split()[-1]
                assert surname in lead or lead.strip().startswith("It also"), (lead, speaker)


def test_answerable_questions_are_answered_and_unanswerable_ones_abstain_mostly(answers, cases):
    answerable = [answers[c.id] for c in cases if not c.unanswerable]
    unanswerable = [answers[c.id] for c in cases if c.unanswerable]
    assert sum(a.abstained for a in answerable) / len(answerable) <= 0.10
    assert sum(a.abstained for a in unanswerable) / len(unanswerable) >= 0.60


def test_abstains_when_the_answer_is_taken_out_of_the_corpus(cases, texts, tmp_path_factory):
    """For answerable questions, remove every transcript holding a gold quote: the rest of the
    corpus no longer answers, and the answer must say so for most of them."""
    groups: dict[frozenset[str], list] = {}
    for c in cases:
        if c.unanswerable or not c.gold_quotes:
            continue
        holding = frozenset(s for s, t in texts.items() for g in c.gold_quotes if g.quote in t)
        if holding and len(holding) < len(texts):
            groups.setdefault(holding, []).append(c)
    asked = abstained = 0
    for removed, group in sorted(groups.items(), key=lambda kv: -len(kv[1]))[:3]:
        folder = tmp_path_factory.mktemp("without")
        for f in SEEDS.iterdir():
            if f.name not in removed:
                shutil.copy(f, folder / f.name)
        pipeline = Pipeline(Config.from_env(corpus=folder))
        for c in group[:15]:
            asked += 1
            abstained += pipeline.ask(c.question).abstained
    assert asked >= 20
    # Measured (stop 28): 12 of 45, with the reader and without it. Some of these the rest of
    # the corpus still answers in other words (a blog summary retells an interview), but most
    # are answered with a sentence that only mentions the topic: the weakness issue 30 names.
    # A floor against regressions, not the goal.
    assert abstained / asked >= 0.2, (abstained, asked)


PARAPHRASES = [
    ("What kind of government system is Amiri pushing for in Afghanistan?",
     "What system of government does Amiri advocate for Afghanistan?"),
    ("Why does Massoud think Vienna is a better venue than Doha for Afghan talks?",
     "Why does Massoud prefer Vienna to Doha as a place for Afghan talks?"),
    ("How many Afghans are below the poverty line, according to General Amiri?",
     "According to General Amiri, how many Afghans live below the poverty line?"),
    ("What would Massoud do if a foreign country invaded Afghanistan?",
     "If a foreign power invaded Afghanistan, what would Massoud do?"),
    ("What does Massoud say the Pakistani Taliban (TTP) want now?",
     "According to Massoud, what do the Pakistani Taliban want now?"),
    ("Who tweeted that the Taliban had blocked humanitarian access to Panjshir?",
     "Who said on Twitter that the Taliban blocked humanitarian access to Panjshir?"),
    ("Which Taliban leaders did Massoud reach out to before the fighting began?",
     "Before the fighting started, which Taliban leaders did Massoud contact?"),
    ("When was Ahmad Shah Massoud killed?", "In what year was Ahmad Shah Massoud killed?"),
]


def test_paraphrases_get_the_same_evidence(pipeline):
    same = 0
    for a, b in PARAPHRASES:
        x, y = pipeline.ask(a), pipeline.ask(b)
        cited_x = {(c.passage.source, c.passage.start) for c in x.citations}
        cited_y = {(c.passage.source, c.passage.start) for c in y.citations}
        same += x.abstained == y.abstained and (x.abstained or bool(cited_x & cited_y))
    # measured (stop 28): 5 of 8, with the reader and without it; a floor, not the goal
    assert same >= 5, same
