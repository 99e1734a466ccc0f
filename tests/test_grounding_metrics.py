"""Grounding metrics on hand-made answers over real seed passages, with the real offline
judge: ALCE citation recall/precision, quote exactness, and a judge that can say no."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace

import pytest

from evals.grounding import answer_sentences, check_quotes, ground
from rag.records import Answer, Citation

from .conftest import DATA


@pytest.fixture(scope="session")
def judge():
    from rag.embed import load_embedder
    from rag.support import LexicalEmbeddingJudge

    return LexicalEmbeddingJudge(load_embedder())


def passage_with(corpus, words: str, speaker: str | None = None):
    found = [p for p in corpus.passages if words in p.text and (speaker is None or p.speaker == speaker)]
    assert found, words
    return found[0]


def cite(n: int, passage, words: str) -> Citation:
    start = passage.text.index(words)
    return Citation.of(n, passage, start, start + len(words))


def answer(text: str, *citations: Citation) -> Answer:
    return Answer("q", text, False, tuple(citations), ())


@pytest.fixture(scope="module")
def seeds(seeds_corpus):
    c = seeds_corpus
    federal = passage_with(c, "What I really like and the system I am advocating for is a federalist nation.")
    corruption = passage_with(c, "There was corruption to its maximum level.", "Khalid Amiri")
    kalashnikov = passage_with(c, "we were buying one Kalashnikov")
    rwanda = passage_with(c, "I hope Afghanistan can turn its fortunes around like Rwanda.")
    return {"federal": federal, "corruption": corruption, "kalashnikov": kalashnikov, "rwanda": rwanda}


def test_a_fully_supported_answer_scores_one_and_one(seeds, judge):
    f, k = seeds["federal"], seeds["kalashnikov"]
    c1 = cite(1, f, "What I really like and the system I am advocating for is a federalist nation.")
    c2 = cite(2, k, "For example, we were buying one Kalashnikov to defend ourselves for 80,000 Afghanis, now the cost is 200,000 because there are more buyers.")
    a = answer(f"Khalid Amiri, in The International Correspondent: “{c1.quote}” [1] Ahmad Massoud, in Al Majalla: “{c2.quote}” [2]", c1, c2)
    g = ground(a, judge)
    assert (g.citation_recall, g.citation_precision) == (1.0, 1.0)
    restated = answer("Amiri advocates a federalist nation [1]. Massoud says a Kalashnikov now costs 200,000 Afghanis [2].", c1, c2)
    g = ground(restated, judge)
    assert (g.citation_recall, g.citation_precision) == (1.0, 1.0)


def test_a_quote_is_judged_with_the_writers_lead_in_its_card_shows(seeds_corpus, judge):
    too_high = next(p for p in seeds_corpus.passages if p.text == "too high")
    c = cite(1, too_high, "too high")
    claim = f"Qari Saeed Khosty, in Newsweek: {too_high.lead_in} “too high” [1]"
    assert ground(answer(claim, c), judge).citation_recall == 1.0
    # without its lead-in, "too high" supports nothing about demands
    bare = replace(c, passage=replace(too_high, lead_in=""))
    assert ground(answer(claim, bare), judge).citation_recall == 0.0


def test_an_invented_figure_lowers_citation_recall(seeds, judge):
    k = seeds["kalashnikov"]
    c1 = cite(1, k, "For example, we were buying one Kalashnikov to defend ourselves for 80,000 Afghanis")
    honest = answer("Massoud says a Kalashnikov once cost 80,000 Afghanis [1].", c1)
    invented = answer("Massoud says a Kalashnikov once cost 80,000 Afghanis [1]. "
                      "He says the resistance has 45,000 fighters in 17 provinces [1].", c1)
    assert ground(honest, judge).citation_recall == 1.0
    g = ground(invented, judge)
    assert g.citation_recall == 0.5
    assert [s.supported for s in g.sentences] == [True, False]
    assert g.citation_precision == 0.5  # the unsupported sentence's citation is not precise either


def test_an_uncited_sentence_counts_as_unsupported(seeds, judge):
    c1 = cite(1, seeds["federal"], "What I really like and the system I am advocating for is a federalist nation.")
    g = ground(answer("Amiri advocates a federalist nation [1]. Everyone agrees with him.", c1), judge)
    assert g.citation_recall == 0.5 and g.citation_precision == 1.0


def test_an_irrelevant_citation_lowers_precision_not_recall(seeds, judge):
    f, r = seeds["federal"], seeds["rwanda"]
    c1 = cite(1, f, "What I really like and the system I am advocating for is a federalist nation.")
    c2 = cite(2, r, "I hope Afghanistan can turn its fortunes around like Rwanda.")
    g = ground(answer("Amiri says the system he is advocating for is a federalist nation [1][2].", c1, c2), judge)
    assert g.citation_recall == 1.0
    assert g.citation_precision == 0.5
    assert g.sentences[0].precise == (True, False)


def test_two_citations_that_are_each_needed_are_both_precise(seeds, judge):
    f, k = seeds["federal"], seeds["kalashnikov"]
    c1 = cite(1, f, "What I really like and the system I am advocating for is a federalist nation.")
    c2 = cite(2, k, "now the cost is 200,000 because there are more buyers.")
    text = "Amiri wants a federalist nation, and Massoud says a Kalashnikov now costs 200,000 [1][2]."
    g = ground(answer(text, c1, c2), judge)
    assert g.citation_recall == 1.0 and g.sentences[0].precise == (True, True)


def test_a_citation_to_nothing_is_unsupported(seeds, judge):
    c1 = cite(1, seeds["federal"], "What I really like and the system I am advocating for is a federalist nation.")
    g = ground(answer("Amiri advocates a federalist nation [3].", c1), judge)
    assert g.citation_recall == 0.0 and g.unknown_refs == (3,)


def test_abstentions_make_no_claims(judge):
    g = ground(Answer("q", "The transcripts don't say.", True, (), ()), judge)
    assert g.citation_recall is None and g.citation_precision is None


def test_the_judge_says_no_to_an_obviously_unsupported_claim(seeds, judge):
    evidence = "Ahmad Massoud: " + seeds["kalashnikov"].text
    assert not judge.supports("Massoud says he runs a bakery in Paris and sells croissants.", evidence)
    assert not judge.supports("Massoud says a Kalashnikov now costs 900,000 Afghanis.", evidence)
    assert judge.supports("Massoud says a Kalashnikov now costs 200,000 Afghanis.", evidence)
    assert judge.score("a bakery in Paris", evidence) < judge.threshold <= judge.score(seeds["kalashnikov"].text, evidence)


def test_quote_exactness_catches_a_tampered_quote(seeds, seed_texts):
    f = seeds["federal"]
    good = cite(1, f, "What I really like and the system I am advocating for is a federalist nation.")
    assert check_quotes(answer("x [1]", good), seed_texts).exact == 1
    tampered = replace(good, quote=good.quote.replace("federalist", "federal"))
    check = check_quotes(answer("x [1]", tampered), seed_texts)
    assert (check.exact, check.total) == (0, 1) and "not verbatim" in check.problems[0]
    moved = replace(good, start=f.end + 10, end=f.end + 10 + len(good.quote),
                    quote=seed_texts[f.source][f.end + 10 : f.end + 10 + len(good.quote)])
    check = check_quotes(answer("x [1]", moved), seed_texts)
    assert check.exact == 0 and "outside its passage" in check.problems[0]


def test_answer_sentences_keep_quotations_whole_and_markers_with_their_sentence():
    text = ("Khalid Amiri, in NG: “No. The Taliban have achieved nothing.” [1] a blog summary reports: “He is hopeful.” [2] "
            "The sources differ. Amiri wants federalism [1]. [3] He also blames corruption [2, 4].")
    got = [(s.text, s.refs) for s in answer_sentences(text)]
    assert got == [
        ("Khalid Amiri, in NG: “No. The Taliban have achieved nothing.”", (1,)),
        ("a blog summary reports: “He is hopeful.”", (2,)),
        ("The sources differ.", ()),
        ("Amiri wants federalism.", (1, 3)),
        ("He also blames corruption.", (2, 4)),
    ]


def test_the_labelled_support_pairs_are_real_and_the_judge_is_calibrated_on_them(seed_texts, judge):
    from evals.judges import calibrate, load_pairs

    pairs = load_pairs(DATA / "support_pairs.jsonl")
    assert len(pairs) >= 80
    kinds = Counter((p.supported, p.kind) for p in pairs)
    assert {k for s, k in kinds if s} == {"verbatim", "restatement"}
    assert {k for s, k in kinds if not s} == {"other-claim", "wrong-figure", "wrong-speaker", "negated"}
    for p in pairs:
        assert p.evidence in seed_texts[p.source], p.id
    assert len({p.id for p in pairs}) == len(pairs)
    report = calibrate(judge, pairs)
    at_default = report["at_current_default"]
    # the default threshold is the calibrated one (README "Grounding"), and it is a real measure
    assert abs(report["chosen"]["threshold"] - judge.threshold) <= 0.03
    assert at_default["accuracy"] >= 0.78 and at_default["tn"] > 0 and at_default["tp"] > 0
    assert report["by_kind"]["verbatim"]["accuracy"] == 1.0


def test_support_pairs_file_is_one_json_object_a_line():
    for line in (DATA / "support_pairs.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        assert set(row) == {"id", "claim", "supported", "kind", "source", "speaker", "publication", "evidence"}


def test_an_nli_judge_loads_lazily_and_fails_clearly():
    from evals.judges import NLIJudge, make_judge
    from rag.errors import UserError

    judge = make_judge("no-such-org/no-such-nli-model")  # nothing loads yet
    assert isinstance(judge, NLIJudge) and judge._loaded is None
    with pytest.raises(UserError, match="cannot load NLI judge 'no-such-org/no-such-nli-model'"):
        judge.supports("a claim", "some evidence")
