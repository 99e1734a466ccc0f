"""The reader: the packaged cross-encoder, its input, its training pairs and held-out split."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rag.read import Candidate, load_reader
from rag.read.pairs import held_out, molweni_pairs, squad_pairs
from rag.read.reader import MODEL_DIR


@pytest.fixture(scope="module")
def reader():
    return load_reader("default")


# Invented (question, a sentence that answers it, a sentence on the same topic that does not).
TRIPLES = [
    ("How much did the new ferry cost?", "The ferry cost the council four million pounds.",
     "The new ferry has been a topic of debate for years."),
    ("When did the harbour flood?", "The harbour flooded in March 2019, after three days of rain.",
     "Flooding at the harbour worries every fisherman I know."),
    ("Why did Lena leave the band?", "I left the band because the touring was ruining my health.",
     "The band was the most important thing in my life."),
    ("Where did Omar grow up?", "I grew up in a small village outside Tangier.",
     "Growing up, I always wanted to be a pilot."),
    ("Who founded the bakery?", "My grandmother founded the bakery in 1952.",
     "The bakery sells bread, cakes and coffee."),
    ("How many volunteers joined the search?", "About two hundred volunteers joined the search that night.",
     "The search went on for most of the night."),
    ("What is the name of her first novel?", "Her first novel was called The Salt Road.",
     "She wrote her first novel while working nights."),
    ("How long did the strike last?", "The strike lasted eleven weeks.",
     "Nobody expected the strike to become so bitter."),
    ("What does the mayor want to build?", "What the town needs, the mayor said, is a new sea wall.",
     "The mayor has been in office since the last election."),
    ("Which language did they speak at home?", "At home we spoke Portuguese, always.",
     "Home was a noisy place with six children."),
]


def test_candidate_shows_speaker_and_question():
    c = Candidate("It cost forty dollars.", "Ann Lee", "How much was it?")
    text = c.as_text()
    assert text.endswith("Ann Lee: It cost forty dollars.") and "How much was it?" in text
    assert Candidate("Plain words.").as_text() == "Plain words."


def test_the_model_ships_small_with_its_card():
    weights = MODEL_DIR / "reader.npz"
    assert weights.exists() and weights.stat().st_size < 30e6
    manifest = json.loads((MODEL_DIR / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] and all(len(f["sha256"]) == 64 for f in manifest["files"].values())
    assert "CC BY-SA 4.0" in (MODEL_DIR / "README.md").read_text(encoding="utf-8")


def test_scores_are_probabilities_one_per_candidate(reader):
    cands = [Candidate(a) for _, a, _ in TRIPLES] + [Candidate(b, "Someone") for _, _, b in TRIPLES]
    scores = reader.score("How much did the new ferry cost?", cands)
    assert scores.shape == (len(cands),) and np.all((scores >= 0) & (scores <= 1))
    assert reader.score("Anything?", []).shape == (0,)
    again = reader.score("How much did the new ferry cost?", cands)
    assert np.allclose(scores, again)


def test_an_answer_outscores_a_sentence_that_only_mentions_the_topic(reader):
    wins = 0
    for q, answer, mention in TRIPLES:
        a, m = reader.score(q, [Candidate(answer), Candidate(mention)])
        wins += a > m
    assert wins >= 0.8 * len(TRIPLES)


def test_an_answer_outscores_the_same_sentence_for_another_question(reader):
    """The score is about the question, not the sentence alone."""
    wins = 0
    for i, (q, answer, _) in enumerate(TRIPLES):
        other = TRIPLES[(i + 1) % len(TRIPLES)][0]
        own, foreign = reader.score(q, [Candidate(answer)])[0], reader.score(other, [Candidate(answer)])[0]
        wins += own > foreign
    assert wins >= 0.9 * len(TRIPLES)


def test_held_out_split_is_a_fixed_function_of_the_text():
    keys = [f"article {i}" for i in range(1000)]
    share = sum(map(held_out, keys)) / len(keys)
    assert 0.15 < share < 0.25
    assert [held_out(k) for k in keys] == [held_out(k) for k in keys]


def test_squad_pairs_label_the_sentence_holding_the_answer(tmp_path):
    ctx = "The ferry runs daily. It cost four million pounds. Locals love it."
    data = {"data": [{"title": t, "paragraphs": [{"context": ctx, "qas": [
        {"id": f"{t}1", "question": "How much did the ferry cost?", "is_impossible": False,
         "answers": [{"text": "four million pounds", "answer_start": ctx.index("four")}]},
        {"id": f"{t}2", "question": "Who built the ferry?", "is_impossible": True, "answers": [],
         "plausible_answers": [{"text": "Locals", "answer_start": ctx.index("Locals")}]}]}]}
        for t in (f"title {i}" for i in range(12))]}
    path = tmp_path / "squad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    train = list(squad_pairs(path, "train"))
    held = list(squad_pairs(path, "held_out"))
    assert train and held and not {p.group for p in train} & {p.group for p in held}
    for p in train + held:
        answerable = p.question.startswith("How much")
        assert (p.label == 1) == (answerable and p.candidate.text == "It cost four million pounds.")
    assert any(p.candidate.text == "Locals love it." and p.label == 0 for p in train)  # the trap is a negative


def test_molweni_pairs_carry_speakers_and_the_question_replied_to(tmp_path):
    edus = [{"speaker": "ann", "text": "how do i mount it ?"}, {"speaker": "bo", "text": "use the fstab file"},
            {"speaker": "cy", "text": "thanks"}]
    context = " ".join(f"{e['speaker']}: {e['text']}" for e in edus).lower()
    at = context.index("use the fstab")
    dialogues = [{"edus": edus, "context": context + " " * i, "qas": [
        {"id": f"q{i}", "question": "What should Ann use ?", "is_impossible": False,
         "answers": [{"text": "the fstab file", "answer_start": at + 4}]}]} for i in range(10)]
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"data": {"dialogues": dialogues}}), encoding="utf-8")
    pairs = list(molweni_pairs(path, "train")) + list(molweni_pairs(path, "held_out"))
    positives = [p for p in pairs if p.label]
    assert positives and all(p.candidate.speaker == "bo" and p.candidate.asked == "how do i mount it ?" for p in positives)
