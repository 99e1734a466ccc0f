"""People named by their role: mined from how writers introduce them, resolved in questions."""

from __future__ import annotations

import pytest

from rag.roles import Roles, fold, role_of
from rag.speakers import SpeakerNames

TEXTS = [
    "Maria Lopez, the harbour master of North Bay Port Authority, said the wall would hold.",
    "Harbour Police Chief Tom Reyes told reporters the pier was closed.",
    "General Dana Okafor, who runs the council's flood committee, disagreed.",
    "These notes shall illustrate Sam Whitfield's view of the ferry.",  # no title: a verb
    "Sam Whitfield, is again fending off critics from his base in Kettle Cove.",  # a clause, not a description
    "The harbour master and the police chief met a general and a chief engineer.",
    "Sheikh Sam in Kettle Cove was not asked.",  # someone else who shares a first name
]
NAMES = SpeakerNames({"Maria Lopez": ("Lopez",), "Tom Reyes": ("Reyes",), "Dana Okafor": ("Okafor",), "Sam Whitfield": ("Whitfield",)})
SPEAKERS = {"Maria Lopez", "Tom Reyes", "Dana Okafor", "Sam Whitfield"}


@pytest.fixture(scope="module")
def roles():
    return Roles.mine(TEXTS, NAMES, SPEAKERS)


def test_roles_come_from_titles_and_appositions(roles):
    found = {(r.person, r.head) for r in roles.roles}
    assert ("Maria Lopez", fold("master")) in found
    assert ("Tom Reyes", fold("chief")) in found
    assert ("Dana Okafor", fold("general")) in found
    assert not any(r.person == "Sam Whitfield" for r in roles.roles)  # no verb, clause or other Sam made a role
    lopez = next(r for r in roles.roles if r.person == "Maria Lopez")
    assert {"nbpa", fold("north"), fold("harbour")} <= lopez.words  # the organisation, and its initials


@pytest.mark.parametrize(
    ("question", "resolved"),
    [
        ("What did the harbour master say about the wall?", "What did Maria Lopez say about the wall?"),
        ("What did the NBPA harbour master say?", "What did Maria Lopez say?"),  # her authority's initials
        ("What does the NPA master think?", "What does the NPA master think?"),  # not them
        ("According to the police chief, why was the pier closed?", "According to Tom Reyes, why was the pier closed?"),
        ("Why was the pier shut, in the chief's view?", "Why was the pier shut, in Tom Reyes's view?"),
        ("What did Lopez ask the general?", "What did Lopez ask Dana Okafor?"),
        ("Who is the general?", "Who is Dana Okafor?"),
        ("What is the general mood in the harbour?", "What is the general mood in the harbour?"),  # an adjective there
        ("What did the fire chief say?", "What did the fire chief say?"),  # a chief of something else
        ("What did the interviewer ask?", "What did the interviewer ask?"),
        ("What did the mayor say?", "What did the mayor say?"),  # no one's role
    ],
)
def test_a_role_in_a_question_names_the_one_speaker_who_holds_it(roles, question, resolved):
    assert roles.resolve(question) == resolved


def test_an_apposition_may_end_in_its_acronym_in_brackets():
    text = ("General Dana OKAFOR, Commander of the Armed Forces of the Harbour Defence League (HDLA), "
            "stated that the port would hold.")
    roles = Roles.mine([text], NAMES, SPEAKERS)
    command = [r for r in roles.roles if r.head == fold("Commander")]
    assert [r.person for r in command] == ["Dana Okafor"]
    assert {"hdl", "hdla", "harbour"} <= command[0].words
    assert roles.resolve("What did the HDLA commander say about the port?") == "What did Dana Okafor say about the port?"
    assert roles.resolve("What did the HDL commander say about the port?") == "What did Dana Okafor say about the port?"
    # a word the role does not hold still names no one
    assert roles.resolve("What did the navy commander say?") == "What did the navy commander say?"


def test_spokesman_spokeswoman_and_spokesperson_are_one_role():
    assert fold("spokesman") == fold("spokeswoman") == fold("spokesperson") == fold("Spokesperson’s")
    roles = Roles.mine(["Ali Rahimi, the spokesperson for the Valley Front, spoke."], SpeakerNames({}), {"Ali Rahimi"})
    assert roles.resolve("What did the Valley Front spokesman say?") == "What did Ali Rahimi say?"
    assert roles.resolve("What did the Taliban spokesman say?") == "What did the Taliban spokesman say?"


def test_a_role_two_speakers_hold_names_neither():
    roles = Roles.mine(["Tom Reyes, a councillor, and Dana Okafor, a councillor, voted."], NAMES, SPEAKERS)
    assert roles.resolve("What did the councillor say?") == "What did the councillor say?"


def test_the_metadata_may_declare_roles():
    roles = Roles.mine([], NAMES, SPEAKERS, declared={"Tom Reyes": ["ferry captain"], "Nobody Here": ["mayor"]})
    assert roles.resolve("What did the ferry captain say?") == "What did Tom Reyes say?"
    assert roles.resolve("What did the mayor say?") == "What did the mayor say?"  # not a speaker
    assert role_of("X", "who runs the ferry") is not None  # a phrase is parsed; mining decides if it is a role


def test_metadata_roles_are_read_and_must_be_strings(tmp_path):
    from rag.errors import UserError
    from rag.metadata import load_metadata

    (tmp_path / "metadata.toml").write_text('[people."Tom Reyes"]\naliases = ["Reyes"]\nroles = ["ferry captain"]\n', encoding="utf-8")
    assert load_metadata(tmp_path).roles == {"Tom Reyes": ("ferry captain",)}
    (tmp_path / "metadata.toml").write_text('[people."Tom Reyes"]\nroles = [3]\n', encoding="utf-8")
    with pytest.raises(UserError, match="roles"):
        load_metadata(tmp_path)


def test_a_question_naming_a_seed_speaker_by_role_is_answered_with_their_words(seeds_index):
    """On the real seeds: Newsweek introduces "Ali Nazari, the spokesperson for the National
    Resistance Front ..."; Nezavisimaya Gazeta "General Khalid AMIRI"."""
    from rag.pipeline import Pipeline

    pipeline = Pipeline(index=seeds_index)
    answer = pipeline.ask("What did the NRF spokesman say about the Taliban?")
    assert answer.query == "What did Ali Nazary say about the Taliban?"
    assert not answer.abstained and answer.citations[0].passage.speaker == "Ali Nazary", answer.text
    asked = pipeline.ask("What did Serenko ask the general about Moscow?")
    assert asked.query == "What did Serenko ask Khalid Amiri about Moscow?"
    assert asked.citations[0].passage.speaker == "Andrei Serenko"
    # a spokesman the transcripts never introduce is nobody's name, and no one's words answer
    unheld = pipeline.ask("What did the Taliban spokesman say?")
    assert unheld.query == "What did the Taliban spokesman say?"
    assert unheld.abstained and "they quote no Taliban spokesman" in unheld.text and not unheld.citations, unheld.text
    # "Pentagon Press Secretary John Kirby": his own words, not the sentence that introduces him
    kirby = pipeline.ask("What did the Pentagon spokesman say?")
    assert kirby.query == "What did John Kirby say?"
    assert kirby.citations[0].passage.speaker == "John Kirby", kirby.text


def test_a_role_nobody_holds_as_named_is_unheld_and_a_press_secretary_is_a_spokesperson():
    roles = Roles.mine(["Ali Rahimi, the spokesperson for the Valley Front, spoke.",
                        "Harbour Press Secretary Tom Reyes told reporters the pier was closed.",
                        "General Dana Okafor disagreed."], NAMES, {"Ali Rahimi", "Tom Reyes", "Dana Okafor"})
    assert roles.resolve("What did the harbour spokesman say?") == "What did Tom Reyes say?"
    asked, held = roles.unheld("What did the Taliban's spokesman say about the pier?")
    assert asked == "Taliban spokesman" and held.person in {"Ali Rahimi", "Tom Reyes"}
    assert roles.unheld("What did the Valley Front spokesman say?") is None  # held as named
    assert roles.unheld("What did the new spokesman say?") is None  # no name rules anyone out
    assert roles.unheld("What did the Harbour general say?") is None  # a bare title may be anyone's
    assert roles.unheld("What did the Taliban mayor say?") is None  # a role nobody here holds at all
