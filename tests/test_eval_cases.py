"""The evaluation cases: the loader rejects malformed cases with their line number and the
reason; the development suite over the seeds is big and varied enough and verbatim."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from evals.cases import DEFAULT_CASES, TYPES, load_cases
from rag.errors import UserError

SOURCE = "000_40e17a0aaa5d46fb.txt"
QUOTE = "What I really like and the system I am advocating for is a federalist nation."


def case(**overrides) -> dict:
    row = {"id": "c1", "question": "What system does Amiri advocate?", "type": "fact",
           "expected_keywords": ["federalist"], "expected_speakers": ["Khalid Amiri"],
           "expected_sources": [SOURCE], "gold_quotes": [{"source": SOURCE, "quote": QUOTE}]}
    row.update(overrides)
    return row


def write(tmp_path, lines: list, name: str = "cases.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    return path


def rejected(path, texts=None) -> str:
    with pytest.raises(UserError) as e:
        load_cases(path, texts)
    return str(e.value)


def test_a_good_file_loads_and_finds_its_quotes(tmp_path, seed_texts):
    path = write(tmp_path, ["# a comment line", "", case(), case(id="c2")])
    cases = load_cases(path, seed_texts)
    assert [c.id for c in cases] == ["c1", "c2"]
    q = cases[0].gold_quotes[0]
    assert seed_texts[SOURCE][q.start : q.end] == QUOTE


def test_bad_json_names_its_line(tmp_path):
    message = rejected(write(tmp_path, [case(), '{"id": "c2", "question": ']))
    assert "cases.jsonl:2" in message and "not JSON" in message


@pytest.mark.parametrize("field", ["id", "question", "type"])
def test_a_missing_field_names_its_line(tmp_path, field):
    row = case(id="c2")
    del row[field]
    message = rejected(write(tmp_path, [case(), "", row]))
    assert "cases.jsonl:3" in message and f"`{field}`" in message


def test_unknown_type_is_rejected_with_the_choices(tmp_path):
    message = rejected(write(tmp_path, [case(type="trivia")]))
    assert "cases.jsonl:1" in message and "'trivia'" in message and "who-said" in message


def test_unknown_field_catches_a_typo(tmp_path):
    row = case()
    row["gold_quote"] = row.pop("gold_quotes")
    message = rejected(write(tmp_path, [row]))
    assert "cases.jsonl:1" in message and "gold_quote" in message


def test_a_gold_quote_that_is_not_verbatim_is_rejected(tmp_path, seed_texts):
    drifted = QUOTE.replace("federalist", "federal")
    message = rejected(write(tmp_path, [case(), case(id="c2", gold_quotes=[{"source": SOURCE, "quote": drifted}])]), seed_texts)
    assert "cases.jsonl:2" in message and "not verbatim" in message


def test_a_gold_quote_from_an_unknown_source_is_rejected(tmp_path, seed_texts):
    message = rejected(write(tmp_path, [case(gold_quotes=[{"source": "nope.txt", "quote": QUOTE}])]), seed_texts)
    assert "cases.jsonl:1" in message and "nope.txt" in message


def test_duplicate_ids_are_rejected_with_both_lines(tmp_path):
    message = rejected(write(tmp_path, [case(), case(id="c2"), case()]))
    assert "cases.jsonl:3" in message and "duplicate id 'c1'" in message and "cases.jsonl:1" in message


def test_answerable_cases_need_a_gold_quote_and_types_must_agree(tmp_path):
    assert "at least one gold quote" in rejected(write(tmp_path, [case(gold_quotes=[])]))
    assert "unanswerable" in rejected(write(tmp_path, [case(type="unanswerable", gold_quotes=[])]))
    ok = case(type="unanswerable", unanswerable=True, gold_quotes=[], expected_keywords=[])
    assert load_cases(write(tmp_path, [ok]))[0].unanswerable


def test_mistyped_values_are_rejected(tmp_path):
    assert "`expected_keywords`" in rejected(write(tmp_path, [case(expected_keywords="federalist")]))
    assert "`unanswerable`" in rejected(write(tmp_path, [case(unanswerable="no")]))
    assert "`history`" in rejected(write(tmp_path, [case(history=["hi"])]))
    assert "JSON object" in rejected(write(tmp_path, ["[1, 2]"]))
    assert "no cases" in rejected(write(tmp_path, ["# nothing but a comment"]))


def test_yaml_cases_load_and_errors_name_the_item_line(tmp_path, seed_texts):
    good = tmp_path / "cases.yaml"
    good.write_text(
        "- id: y1\n"
        "  question: What system does Amiri advocate?\n"
        "  type: fact\n"
        f"  gold_quotes:\n    - source: {SOURCE}\n      quote: {json.dumps(QUOTE)}\n"
        "- id: y2\n"
        "  question: Is anything unanswerable?\n"
        "  type: unanswerable\n"
        "  unanswerable: true\n",
        encoding="utf-8",
    )
    assert [c.id for c in load_cases(good, seed_texts)] == ["y1", "y2"]
    bad = tmp_path / "bad.yml"
    bad.write_text(good.read_text().replace("type: unanswerable", "type: riddle"), encoding="utf-8")
    message = rejected(bad, seed_texts)
    assert "bad.yml:7" in message and "'riddle'" in message


def test_a_repeated_quote_counts_wherever_it_occurs(seed_texts):
    from evals.cases import parse_case

    quote = "I do not believe that China is going to influence or invade Afghanistan the way the other powers did."
    source = "004_3131ce3db25c692d.txt"
    c = parse_case(case(gold_quotes=[{"source": source, "quote": quote}]), "t:1", seed_texts)
    spans = c.gold_quotes[0].spans
    assert len(spans) == 2 and all(seed_texts[source][s:e] == quote for s, e in spans)


def test_the_seed_suite_is_big_varied_and_verbatim(seed_texts):
    cases = load_cases(DEFAULT_CASES, seed_texts)
    assert len(cases) >= 80
    assert set(Counter(c.type for c in cases)) == set(TYPES)
    assert {s for c in cases for s in c.sources} == set(seed_texts)
    for c in cases:
        for q in c.gold_quotes:
            assert seed_texts[q.source][q.start : q.end] == q.quote
        if c.unanswerable:
            assert not c.expected_keywords, c.id
        else:
            assert c.expected_keywords and c.expected_speakers, c.id


def test_the_held_out_set_is_verbatim_and_asks_nothing_the_dev_set_asks(seed_texts):
    """evals/cases/seeds_test.jsonl: written blind (from the transcripts alone, never tuned
    on), for reporting; its quotes must stay verbatim as the seeds change."""
    held_out = load_cases(DEFAULT_CASES.with_name("seeds_test.jsonl"), seed_texts)
    assert len(held_out) >= 40
    assert {c.question.casefold() for c in held_out}.isdisjoint(c.question.casefold() for c in load_cases(DEFAULT_CASES, seed_texts))
    for c in held_out:
        for q in c.gold_quotes:
            assert seed_texts[q.source][q.start : q.end] == q.quote
        assert c.unanswerable or (c.expected_keywords and c.expected_speakers), c.id
