"""The public-benchmark evaluation (evals/external.py) on a miniature benchmark folder laid
out as ../shared/benchmarks/<name>/ is: its turn mapping, retrieval and answer scores."""

from __future__ import annotations

import json

import pytest

from evals.external import main, run
from rag.config import Config

SCENE = """# Harbour s01_e01_c01
Dana Okafor: Someone steals the lobster pots every winter.
Tom Reyes: The council should pay for a new pier.
Dana Okafor: The ferry starts again next spring.
Tom Reyes: I tied every boat to the old mill wall.
"""


@pytest.fixture(scope="module")
def bench_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("benchmarks")
    folder = root / "friendsqa"
    (folder / "transcripts").mkdir(parents=True)
    (folder / "transcripts" / "s01_e01_c01.txt").write_text(SCENE, encoding="utf-8")
    rows = [  # turn i is line i after the title
        {"id": "q1", "doc_id": "s01_e01_c01", "split": "dev", "question": "What gets stolen every winter?",
         "answers": ["the lobster pots"], "evidence_turns": [0]},
        {"id": "q2", "doc_id": "s01_e01_c01", "split": "dev", "question": "When does the ferry start again?",
         "answers": ["next spring"], "evidence_turns": [2]},
        {"id": "q3", "doc_id": "s01_e01_c01", "split": "dev", "question": "Who should pay for a new pier?",
         "answers": ["The council"], "evidence_turns": [1]},
        {"id": "q5", "doc_id": "s01_e01_c01", "split": "dev", "question": "Who tied the boats to the old mill wall?",
         "answers": ["Tom"], "evidence_turns": [3]},  # the speaker's name: the answer's lead holds it, no quote does
        {"id": "q4", "doc_id": "s01_e01_c01", "split": "test", "question": "Where were the boats tied?",
         "answers": ["to the old mill wall"], "evidence_turns": [3]},
    ]
    (folder / "questions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return root


def test_retrieval_and_answers_are_scored_on_the_split_only(bench_root, tmp_path):
    config = Config.from_env(cache_dir=tmp_path / "cache")
    result = run("friendsqa", "dev", bench_root, config, None, None, modes=("hybrid",), progress=False, answers=True)
    assert result["questions_scored"] == 4  # the test question is not scored
    assert result["mapping"]["turns_in_a_passage"] == result["mapping"]["turns"] == 4
    assert result["scores"]["corpus"]["hybrid"]["recall@5"] == 1.0  # four passages: every gold turn is in the top 5
    answers = result["answers"]
    assert answers["questions"] == 4 and answers["answered"] == 1.0
    assert answers["cites_gold_turn"] == 1.0, answers["missed_examples"]
    assert answers["quote_holds_answer"] == 0.75, answers["missed_examples"]  # "Tom" is in no quote
    assert answers["answer_holds_answer"] == 1.0  # "Tom Reyes ..." leads the answer to the who-question


def test_answers_need_short_answer_spans(bench_root, capsys):
    assert main(["--benchmark", "qmsum", "--root", str(bench_root), "--answers"]) == 2
    assert "QMSum" in capsys.readouterr().err
