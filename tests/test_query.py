"""Reading a question for who, where and what kind of passage it is after (rag/query.py),
and the soft priors retrieval makes of that."""

from __future__ import annotations

from dataclasses import replace

import pytest

from rag.config import Config
from rag.query import AGE, AGE_QUESTION, described, enumerated, guests_asked, is_fragment, numbered_items, people_in, publication_words, reacting, read_query, roster_asked, summary_asked, who_asks, without_people
from rag.records import Passage
from rag.retrieve import Retriever
from rag.speakers import SpeakerNames

# An invented corpus: nothing here is in the seeds.
NAMES = SpeakerNames({"Dana Okafor": ("Okafor", "Councillor Okafor")})
SPEAKERS = {"Dana Okafor", "Tom Reyes", "Tom Ng", "narrator"}
SOURCE_WORDS = publication_words({"a.txt": "The Harbour Times", "b.txt": "Radio North", "c.txt": "Harbour Daily",
                                  "d.txt": "Harbour Radio", "e.txt": "a summary of the Radio North interview"})


def _passage(text: str, speaker: str = "narrator", role: str = "narrator") -> Passage:
    return Passage("p1", "a.txt", "A title", speaker, role, text, 0, len(text))


def test_a_turn_said_together_does_not_take_a_first_name_from_the_one_who_carries_it():
    together = SPEAKERS | {"Dana Okafor and Tom Reyes", "Maria Lopez and Dana Okafor"}
    assert people_in("What did Dana say about the pier?", NAMES, together) == ["Dana Okafor"]
    assert people_in("Why is Reyes angry?", NAMES, together) == ["Tom Reyes"]
    assert people_in("What did Dana say?", SpeakerNames({}), SPEAKERS | {"Dana Okafor & Tom Ng"}) == ["Dana Okafor"]  # "&" too


@pytest.mark.parametrize("question, who", [
    ("How did Okafor react when Reyes sold the pier?", "Dana Okafor"),
    ("How does Tom Reyes respond to the council's offer?", "Tom Reyes"),
    ("What was Reyes's reaction to the news?", "Tom Reyes"),
    ("How did Okafor answer the phone?", "Dana Okafor"),
    ("How did Okafor react?", ""),  # to what, it does not say
    ("How did the council react to the sale?", ""),  # nobody who speaks
    ("How did Tom react to the sale?", ""),  # two Toms speak: Tom Reyes, Tom Ng
    ("What did Okafor say about the pier?", ""),
])
def test_whose_reply_a_question_asks_for(question, who):
    assert reacting(question, NAMES, SPEAKERS) == who


def test_a_first_name_two_speakers_carry_means_the_one_who_speaks_where_the_question_looks():
    assert reacting("How did Tom react to the sale?", NAMES, SPEAKERS, present={"Tom Ng", "Dana Okafor"}) == "Tom Ng"
    assert reacting("How did Tom react to the sale?", NAMES, SPEAKERS, present={"Tom Ng", "Tom Reyes"}) == ""


def test_people_by_metadata_alias_by_corpus_name_and_in_lower_case():
    assert people_in("What did Councillor Okafor say about the pier?", NAMES, SPEAKERS) == ["Dana Okafor"]
    assert people_in("what did okafor say about the pier", NAMES, SPEAKERS) == ["Dana Okafor"]
    # not in the metadata: found by a name word only one speaker carries ...
    assert people_in("Why is Reyes angry?", NAMES, SPEAKERS) == ["Tom Reyes"]
    # ... and not by one two speakers share
    assert people_in("Why is Tom angry?", NAMES, SPEAKERS) == []
    assert people_in("What did he say?", NAMES, SPEAKERS) == []
    assert people_in("what will happen to the pier", NAMES, SPEAKERS | {"Will Smith"}) == []
    assert people_in("What did Will Smith say?", NAMES, SPEAKERS | {"Will Smith"}) == ["Will Smith"]


def test_a_question_without_the_people_it_names():
    assert without_people("What did Councillor Okafor say about the pier?", NAMES, SPEAKERS) == "What did say about the pier?"
    assert without_people("what did dana okafor's union want", NAMES, SPEAKERS) == "what did union want"
    assert without_people("Did Okafor and Reyes agree on the pier?", NAMES, SPEAKERS) == "Did and agree on the pier?"
    # a first name two speakers share names no one; a question naming no one is left as it is
    assert without_people("Why is Tom angry?", NAMES, SPEAKERS) == "Why is Tom angry?"
    assert without_people("What is the pier worth?", NAMES, SPEAKERS) == "What is the pier worth?"
    assert without_people("Okafor?", NAMES, SPEAKERS) == "?"


def test_a_question_naming_people_is_searched_by_what_it_asks_too(seeds_index, retriever):
    import numpy as np

    query = "What does Khalid Amiri say keeps him awake at night?"
    intent = retriever.intent(query)
    unnamed = without_people(query, retriever.names, set(retriever.speakers))
    assert unnamed == "What does say keeps him awake at night?"
    own, searched = retriever._embed_query(query, intent)
    plain, nameless = retriever.embedder.encode_queries([query, unnamed])
    np.testing.assert_allclose(own[0], plain, atol=1e-5)
    assert abs(float(np.linalg.norm(searched)) - 1) < 1e-5
    assert float(searched[0] @ nameless) > float(plain @ nameless) + 0.05  # moved towards what is asked
    # hits still report the question's own cosine, which abstention is calibrated on
    row = {p.id: i for i, p in enumerate(seeds_index.passages)}
    for hit in retriever.search(query, k=5):
        if hit.dense is not None and not hit.also_in:  # (a reprint's cosine is the reprint's)
            assert abs(hit.dense - float(seeds_index.vectors[row[hit.passage.id]] @ plain)) < 1e-4
    # "Who is X?" without X asks nothing: searched as it is
    who_own, who_searched = retriever._embed_query("Who is Khalid Amiri?", retriever.intent("Who is Khalid Amiri?"))
    assert who_searched is who_own
    off = Retriever(seeds_index, replace(retriever.config, unnamed_query_weight=0.0), embedder=retriever.embedder)
    own_off, searched_off = off._embed_query(query, intent)
    assert searched_off is own_off


def test_a_long_question_is_read_in_linear_time_and_still_finds_names():
    names = SpeakerNames({"Dana Okafor": ("Okafor",)})
    question = ("what did the mayor say about the harbour and the pier and the boats " * 40)[:1990] + " okafor"
    assert people_in(question, names, SPEAKERS) == ["Dana Okafor"]
    # every lookup is a run of at most five words: about 5 per word, not n^2 / 2
    assert len(names._cache) <= 5 * len(question.split())


def test_a_publication_is_named_by_the_words_that_tell_it_apart():
    assert SOURCE_WORDS["a.txt"] == {"times"}  # "harbour" is in three of five names, "the" a stop word
    assert SOURCE_WORDS["e.txt"] == {"summary", "north"}  # "interview" names no source; "radio" is in three
    intent = read_query("What did the Times report about the storm?", NAMES, SPEAKERS, SOURCE_WORDS)
    assert intent.sources == ("a.txt",)
    assert read_query("What did Harbour people say?", NAMES, SPEAKERS, SOURCE_WORDS).sources == ()
    assert read_query("What did Okafor say in the interview?", NAMES, SPEAKERS, SOURCE_WORDS).sources == ()
    assert read_query("What does the summary say?", NAMES, SPEAKERS, SOURCE_WORDS).sources == ("e.txt",)


def test_a_publication_is_named_by_an_other_name_the_metadata_gives_it():
    words = publication_words({"a.txt": "The Harbour Times", "b.txt": "Radio North"}, {"a.txt": ("HT",)})
    assert words["a.txt"] == {"harbour", "times", "ht"}  # two letters count in a name given whole
    intent = read_query("What did the HT reporter ask?", NAMES, SPEAKERS, words)
    assert intent.sources == ("a.txt",)
    assert read_query("What did the reporter ask?", NAMES, SPEAKERS, words).sources == ()


def test_questions_about_what_was_asked():
    assert read_query("What did the interviewer ask Okafor first?", NAMES, SPEAKERS, SOURCE_WORDS).about_asking
    assert not read_query("What does Okafor want?", NAMES, SPEAKERS, SOURCE_WORDS).about_asking
    # the asker by role, whatever the verb
    for role in ("correspondent", "host", "reporter", "journalist", "presenter", "moderator"):
        assert read_query(f"What did the {role} suggest about the pier?", NAMES, SPEAKERS, SOURCE_WORDS).about_asking
    assert not read_query("What did the hosting council suggest?", NAMES, SPEAKERS, SOURCE_WORDS).about_asking


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("Key Themes", True),
        ("-On the fight for the harbour:", True),
        ('Councillor: "No new car park" (May 2024)', True),
        ("Related Posts:", True),
        ("Harbour: Last Days Of The Old Pier - Jul 2021 - Divers Searching The Wreck In North Bay", True),
        ("He said the demands discussed between the council and the harbour board were", False),
        ("The council voted on Tuesday.", False),
        ("It was late.”", False),
        ("A long line of the writer's words that goes on and on without ever coming to a full stop at all", False),
        ("The Last Harbour Master Dana Okafor and the Fight for a Working Waterfront", True),  # Title Case, function words lower
        ("Their views on the pier - part 2 - a speech to the council in the town hall", True),  # a page title's parts
        ("Councillor Okafor, often called the Harbour's Last Hope, is in North Bay. Photos courtesy of Dana Okafor", False),
    ],
)
def test_fragments_are_the_writers_headings_and_captions(text, fragment):
    assert is_fragment(_passage(text)) is fragment


def test_a_speakers_short_words_are_never_a_fragment():
    assert not is_fragment(_passage("No way", "Dana Okafor", "interviewee"))


def _top_sources(retriever: Retriever, query: str, k: int = 5) -> list[str]:
    return [h.passage.source for h in retriever.search(query, k=k)]


def test_naming_a_publication_favours_its_passages(seeds_index, retriever):
    # the seeds' metadata names a publication per source; the question names one of them
    query = "What did the Nezavisimaya Gazeta interview say about Russia?"
    without = Retriever(seeds_index, replace(Config.from_env(), source_prior=0.0), embedder=retriever.embedder)
    named = {s for s in retriever.sources if "Nezavisimaya" in seeds_index.metadata.source(s).publication}
    assert retriever.intent(query).sources == tuple(sorted(named))
    share = sum(s in named for s in _top_sources(retriever, query))
    assert share >= sum(s in named for s in _top_sources(without, query))
    assert share == 5


def test_headings_rank_below_what_they_announce(seeds_index, retriever):
    query = "What are the key quotes of Khalid Amiri in the interview?"
    without = Retriever(seeds_index, replace(Config.from_env(), fragment_weight=1.0), embedder=retriever.embedder)
    rank = lambda r: next((h.rank for h in r.search(query, k=10) if is_fragment(h.passage)), 99)  # noqa: E731
    assert rank(retriever) > rank(without)


def test_priors_keep_scores_between_0_and_1(retriever):
    hits = retriever.search("What did Amiri tell the interviewer about Russia?", k=8)
    assert all(0 < h.score <= 1.0 for h in hits)
    assert all(a.score >= b.score for a, b in zip(hits, hits[1:]))


def test_a_follow_up_keeps_the_person_and_what_that_refers_to():
    from rag.conversation import contextualize

    history = [{"role": "user", "content": "How did Dana Okafor leave the city?"},
               {"role": "assistant", "content": "Dana Okafor, in The Harbour Times: “By boat.” [1]"}]
    query = contextualize("Where was she working right before that?", history, NAMES, SPEAKERS)
    assert query == "How did Dana Okafor leave the city? Where was Dana Okafor working right before that?"
    query = contextualize("Which ones did she name?", history, NAMES, SPEAKERS)
    assert query.startswith("How did Dana Okafor leave the city?") and "Dana Okafor name" in query
    # a question that stands on its own after the pronoun is resolved is left alone
    history = [{"role": "user", "content": "What does Dana Okafor think of the ferry?"}]
    assert contextualize("What did she say about the new bridge at the harbour?", history, NAMES, SPEAKERS) == \
        "What did Dana Okafor say about the new bridge at the harbour?"


def test_a_short_question_that_stands_alone_is_not_pasted_after_the_previous_one():
    from rag.conversation import contextualize

    history = [{"role": "user", "content": "Who is Dana Okafor?"},
               {"role": "assistant", "content": "The Harbour Times reports: “Dana Okafor, 52, runs the board.” [1]"}]
    for question in ("Who interviewed Tom Reyes?", "Who is Priya Shah?", "Summarize the Radio North piece", "What does Tom Reyes want?"):
        assert contextualize(question, history, NAMES, SPEAKERS) == question
    # ... while one that leans on the conversation still gets it
    assert contextualize("Since when?", history, NAMES, SPEAKERS) == "Who is Dana Okafor? Since when?"
    history = [{"role": "user", "content": "What does Dana Okafor think of the ferry?"}]
    assert contextualize("Who is she?", history, NAMES, SPEAKERS) == "Who is Dana Okafor?"


def test_and_the_second_one_asks_the_previous_question_again_for_the_second():
    from rag.conversation import contextualize

    history = [{"role": "user", "content": "What was the first promise Okafor made to the fishermen?"},
               {"role": "assistant", "content": "Dana Okafor: “A new pier.” [1]"}]
    assert contextualize("ok and what was the second one?", history, NAMES, SPEAKERS) == \
        "What was the second promise Okafor made to the fishermen?"
    assert contextualize("And the last?", history, NAMES, SPEAKERS) == "What was the last promise Okafor made to the fishermen?"
    # the same ordinal, or a long question of its own, is not a rewrite of the previous one
    assert contextualize("What was the first thing?", history, NAMES, SPEAKERS).startswith("What was the first promise")
    long_one = "What was the second storm of the winter that hit the harbour?"
    assert "second promise" not in contextualize(long_one, history, NAMES, SPEAKERS)


def test_what_an_interviewer_asked_favours_that_interviewers_turns(retriever, seeds_index):
    askers = sorted({p.speaker for p in seeds_index.passages if p.role == "interviewer"})
    asker = askers[0]
    surname = asker.split()[-1]
    hits = retriever.search(f"What did {surname} ask about the future?", k=5)
    assert retriever.intent(f"What did {surname} ask about the future?").people[0] == asker
    assert hits[0].passage.speaker == asker and hits[0].passage.role == "interviewer"


def test_a_role_word_names_no_publication():
    words = publication_words({"a.txt": "The Foreign Correspondent", "b.txt": "Radio North", "c.txt": "Harbour Daily"})
    assert words["a.txt"] == {"foreign"}


@pytest.mark.parametrize(
    ("question", "person"),
    [
        ("Who is Dana Okafor?", "Dana Okafor"),
        ("who is councillor okafor", "Dana Okafor"),  # an alias, typed in lower case
        ("Who's Tom Reyes?", "Tom Reyes"),  # a speaker the metadata doesn't know
        ("Tell me about Okafor.", "Dana Okafor"),
        ("Who is Priya Shah?", "Priya Shah"),  # a full name the corpus may never mention
        ("Who is Okafor fighting?", ""),  # not a question about her
        ("who is fighting the council", ""),
        ("Who said the pier would close?", ""),
        ("What is Okafor's job?", "Dana Okafor"),  # what someone does says who they are
        ("what was tom reyes' role", "Tom Reyes"),
        ("What does Okafor do?", "Dana Okafor"),
        ("What does Okafor do about the pier?", ""),  # a question about the pier
        ("What is the harbour's role?", ""),  # no person
    ],
)
def test_who_is_x_names_the_person_asked_about(question, person):
    assert described(question, NAMES, SPEAKERS) == person
    assert read_query(question, NAMES, SPEAKERS, SOURCE_WORDS).describes == person


def test_a_text_mentions_a_person_by_any_name_they_alone_carry():
    names = SpeakerNames({"Dana Okafor": ("Councillor Okafor",), "Ann Lee": (), "Ann Marie Lee": ()})
    assert names.mentions("Councillor Okafor opened the meeting.", "Dana Okafor")
    assert names.mentions("OKAFOR, 52, runs the harbour board", "Dana Okafor")  # a surname only she has
    assert not names.mentions("Lee said no.", "Ann Lee")  # two Lees: the surname alone is not hers
    assert names.mentions("Ann Lee said no.", "Ann Lee")
    assert names.mentions("Reyes's ferry sails at noon.", "Tom Reyes")  # unknown to the metadata: by surname
    assert not names.mentions("Marie Lee spoke.", "Priya Lee")  # ... unless it belongs to a known name
    assert not names.mentions("The harbour board met.", "Dana Okafor")


@pytest.mark.parametrize(
    ("text", "introduces"),
    [
        ("Dana Okafor, who chairs the harbour board, spoke first.", True),
        ("This piece quotes Councillor Okafor, the harbour board's chair.", True),
        ("OKAFOR, 52, runs the harbour board", True),
        ("Okafor is a ferry captain by trade.", True),
        ("Okafor argued that the pier was safe.", False),  # named, not introduced
        ("The chair, who spoke first, said no.", False),  # not named
    ],
)
def test_a_text_introduces_a_person_where_it_says_who_they_are(text, introduces):
    names = SpeakerNames({"Dana Okafor": ("Councillor Okafor",)})
    assert names.introduces(text, "Dana Okafor") is introduces


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("Who interviewed Dana Okafor?", True),
        ("who is interviewing her", True),
        ("Who was the host?", True),
        ("Who hosted the Radio North show?", True),
        ("Who was the interviewer in the Herald piece?", True),
        ("Who was interviewed by the Herald?", False),  # the one who answers
        ("Who said the pier would close?", False),
        ("What did the interviewer ask first?", False),  # what, not who
    ],
)
def test_questions_about_who_asked_the_questions(question, asks):
    assert who_asks(question) is asks
    if asks:  # each interview's first question names its asker
        intent = read_query(question, NAMES, SPEAKERS, SOURCE_WORDS)
        assert intent.about_asking and intent.ordinal == "first"


@pytest.mark.parametrize(
    ("question", "summary"),
    [
        ("Summarize the Herald piece", True),
        ("summarise the interview with Okafor please", True),
        ("What is the Radio North podcast about?", True),
        ("Can you give me an overview of the transcripts?", True),
        ("sum up the episode", True),
        ("What is the council about to decide?", False),
        ("Summarize the discussion about the pier", False),  # a topic: searched by its words
        ("Summarize what Okafor said about the ferry", False),
        ("What did the article say about the pier?", False),
    ],
)
def test_questions_asking_what_a_source_is_about(question, summary):
    assert summary_asked(question) is summary
    assert read_query(question, NAMES, SPEAKERS, SOURCE_WORDS).summary is summary


@pytest.mark.parametrize(
    ("question", "roster"),
    [
        ("Who are the speakers?", True),
        ("who are the people in these transcripts", True),
        ("Who is quoted in the Harbour Times piece?", True),
        ("Who was interviewed?", True),
        ("List all the speakers please", True),
        ("Which people speak in the Radio North interview?", True),
        ("Who are the people fighting the flood?", False),
        ("Who speaks about the ferry?", False),
        ("Who was interviewed about the pier?", False),
        ("Who interviewed Okafor?", False),  # the interviewer: who_asks
        ("Who is the guest?", True),
        ("who was today's guest on Radio North", True),
        ("Who is the guest of honour at the dinner?", False),
    ],
)
def test_questions_asking_who_speaks(question, roster):
    assert roster_asked(question, SOURCE_WORDS) is roster
    assert read_query(question, NAMES, SPEAKERS, SOURCE_WORDS).roster is roster
    asks_for_guests = roster and any(w in question.lower() for w in ("guest", "interviewee", "interviewed"))
    assert guests_asked(question) is asks_for_guests


def test_without_publications_a_capitalised_word_may_name_one():
    assert roster_asked("Who is quoted in the Gazette?")
    assert not roster_asked("Who is quoted in the Gazette?", SOURCE_WORDS)
    assert not roster_asked("Who is quoted on the ferry?")


@pytest.mark.parametrize(
    ("question", "age"),
    [("How old is Dana Okafor?", True), ("What is Okafor's age?", True), ("what ages do the two pieces give", True),
     ("How old is the pier?", True), ("What did Okafor say about the old pier?", False), ("In what age group are the voters?", False)],
)
def test_questions_asking_an_age(question, age):
    assert bool(AGE_QUESTION.search(question)) is age
    assert read_query(question, NAMES, SPEAKERS, SOURCE_WORDS).age is age


@pytest.mark.parametrize(
    ("text", "gives"),
    [("Dana Okafor, 52, runs the board.", True), ("the 52-year-old councillor", True), ("she is 52 years old", True),
     ("Okafor, aged 52, said", True), ("In 2021, 52 boats sank.", False), ("Okafor has 52 boats.", False)],
)
def test_how_a_writer_gives_an_age(text, gives):
    assert bool(AGE.search(text)) is gives


@pytest.mark.parametrize(
    "question, ordinal",
    [
        ("What was the second demand?", "second"),
        ("what's his third point", "third"),
        ("And what was the final reason he gave?", "last"),
        ("What was the first question?", ""),  # found by its place among the questions asked
        ("What did he say the first time?", ""),
        ("What is the last year of the war he mentions?", ""),
        ("Has the movement mellowed since its first stint in power?", ""),  # no item asked for
    ],
)
def test_a_question_that_asks_for_a_numbered_item(question, ordinal):
    assert enumerated(question) == ordinal


def test_the_ordinals_a_text_numbers_items_with():
    assert numbered_items("Secondly, the pier. The third\ndemand is the road. First, a wall.") == {"first", "second", "third"}
    assert numbered_items("Finally, we left. The last reason was money.") == {"last"}
    # an ordinal that numbers no item: a time, a rank in a race, a unit
    assert numbered_items("The first time we met, last year, she came second; one second later ...") == set()
