"""Timed formats through the whole ingestion: speakers, roles, timestamps, exact offsets."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rag.config import Config
from rag.formats.timed import TIMED, cited_in
from rag.index import open_index
from rag.ingest import load_corpus
from rag.retrieve import Retriever

from .conftest import DATA

METADATA = """
[people."Maria Lopez"]
aliases = ["MARIA LOPEZ", "Maria"]

[[sources]]
file = "whisperx.json"
title = "How the garden project started"
interviewers = ["Dana Reyes"]
interviewees = ["Sam Okafor"]
speakers = { SPEAKER_00 = "Dana Reyes", SPEAKER_01 = "Sam Okafor" }

[[sources]]
file = "interview.srt"
interviewers = ["INTERVIEWER"]
interviewees = ["Maria Lopez"]
"""


def test_vtt_srt_and_json_round_trip_through_ingestion(tmp_path):
    for name in ("interview.vtt", "interview.srt", "whisperx.json", "whisper.json"):
        shutil.copy(DATA / "formats" / name, tmp_path / name)
    (tmp_path / "metadata.toml").write_text(METADATA, encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert corpus.bad_files == ()
    texts = {d.source: d.text for d in corpus.documents}
    by_source: dict[str, list] = {}
    for p in corpus.passages:
        # verbatim, or a timed format's words from the span's first cue to its last (README)
        assert cited_in(texts[p.source], p.start, p.end, p.text, TIMED[Path(p.source).suffix])
        by_source.setdefault(p.source, []).append(p)

    vtt = by_source["interview.vtt"]
    assert {p.speaker for p in vtt} >= {"Alice", "Bob Smith"}
    assert vtt[0].text == "Welcome back to the programme. Today I'm joined by Bob Smith."
    assert (vtt[0].t_start, vtt[0].t_end) == (1.0, 4.5)
    assert all(p.t_start is not None and p.t_end >= p.t_start for p in vtt)

    srt = by_source["interview.srt"]
    assert srt[0].speaker == "Interviewer" and srt[0].role == "interviewer"
    maria = [p for p in srt if p.speaker == "Maria Lopez"]
    assert maria and all(p.role == "interviewee" for p in maria)
    assert maria[0].question == "Where were you on the night of the storm?"
    assert maria[0].t_start == 4.5
    # a cue without a label continues the last speaker
    assert any("My father always told us" in p.text and p.speaker == "Maria Lopez" for p in srt)

    wx = by_source["whisperx.json"]
    # diarization left some segments without a speaker: those stay nobody's (narrator)
    assert {p.speaker for p in wx} == {"Dana Reyes", "Sam Okafor", "narrator"}
    assert wx[0].title == "How the garden project started"
    assert all(p.role in ("interviewer", "interviewee") for p in wx if p.speaker != "narrator")
    assert [p.t_start for p in wx] == sorted(p.t_start for p in wx)

    plain = by_source["whisper.json"]
    assert {p.speaker for p in plain} == {"narrator"} and all(p.t_start is not None for p in plain)


SCRIPT = """# The coffee house, scene 3
Chandler Bing: How about Joey... Pepponi?
Joey Tribbiani: No, still too ethnic. My agent thinks I should have a name that's more neutral.
#NOTE#: (The waitress brings their coffee.)
Chandler Bing: Joey... Switzerland?
Gunther Central: Anything else?
(Joey visibly thinks and writes it down.)
Joey Tribbiani: Joseph. Joseph Stalin.
Chandler Bing: Might wanna try Joseph.
"""


def test_a_script_with_stage_directions_and_one_line_characters(tmp_path):
    (tmp_path / "scene.txt").write_text(SCRIPT, encoding="utf-8")
    passages = load_corpus(tmp_path).passages
    said = {p.text: p.speaker for p in passages}
    assert said["(The waitress brings their coffee.)"] == "narrator"  # a transcriber's note, nobody's line
    assert said["(Joey visibly thinks and writes it down.)"] == "narrator"
    assert said["Anything else?"] == "Gunther Central"  # one line is still his line
    assert said["Joey... Switzerland?"] == "Chandler Bing"
    assert said["Joseph. Joseph Stalin."] == "Joey Tribbiani"
    for p in passages:
        assert SCRIPT[p.start : p.end] == p.text


GREETED = """Tess: Come in.
Ryan: I'm back, and I brought soup.
Tess: Hey Ryan, what's up? Thanks Ryan, that's kind.
Ryan: You look lovely.
Bonnie: That's Bonnie's coat. Bye Ryan!
Ryan: Bye.
Bonnie: Hi Bonnie, I said to myself.
Tess: Interviewed by Sam Okafor for the radio. Okafor asked about the harbour.
Okafor: Is the harbour safe?
Tess: Bill Hart wrote the harbour bill.
Hart: It passed in May.
Hart: Narrowly.
Marketing: We need a brand.
Tess: The Marketing Expert says so, and an expert should know.
Marketing: Exactly.
Tess: Maria de Souza runs the port.
Souza: Twice a day.
Souza: In summer.
"""


def test_a_greeting_before_a_first_name_does_not_become_the_speakers_name(tmp_path):
    # "Hey Ryan" is a capitalised run ending in the label "Ryan", as "Sam Okafor" ends in
    # "Okafor"; only the second is a full name.
    (tmp_path / "scene.txt").write_text(GREETED, encoding="utf-8")
    said = {p.text: p.speaker for p in load_corpus(tmp_path).passages}
    assert said["You look lovely."] == "Ryan"
    assert said["That's Bonnie's coat. Bye Ryan!"] == said["Hi Bonnie, I said to myself."] == "Bonnie"
    assert said["Is the harbour safe?"] == "Sam Okafor"
    assert said["It passed in May."] == "Bill Hart"  # though the document writes "bill" too
    assert said["Exactly."] == "Marketing"  # not "Marketing Expert": "an expert" is a word here
    assert said["Twice a day."] == "Maria de Souza"  # a particle is no function word here


def test_a_first_name_takes_no_word_the_document_writes_in_lower_case_in_any_form(tmp_path):
    (tmp_path / "meeting.txt").write_text(
        "Marketing: We need a brand.\n"
        "Project Manager: Ask Marketing Experts. An expert knows.\n"
        "Marketing: Exactly.\n"
        "Project Manager: Then we are done.\n", encoding="utf-8")
    said = {p.text: p.speaker for p in load_corpus(tmp_path).passages}
    assert said["Exactly."] == "Marketing"  # not "Marketing Experts": "an expert" is a word here too


HANSARD = """House of Commons, sitting of 3 June

The Acting Chair (Ms. Dana Okafor): The honourable member for Port Ellis.
Mr. Tom Reyes (Port Ellis, Lib.): Madam Chair, the harbour wall is failing and the fishermen know it.
Ms. Maria Lopez (Eastside, NDP): Will the minister fund the repairs this year?
Mr. Tom Reyes (Port Ellis, Lib.): We will table the budget next week.
Grad B:
Ms. Maria Lopez (Eastside, NDP): That is not an answer.
Grad B:
The Acting Chair (Mr. Sam Whitfield): Order, order.
The Acting Chair (Mr. Sam Whitfield (Harbourside, Ind.)): The member's time has expired.
Right Hon. Ruth Adeyemi (Northgate, Lib.): Thank you.
"""


def test_labels_with_a_description_in_brackets_and_empty_turns(tmp_path):
    (tmp_path / "sitting.txt").write_text(HANSARD, encoding="utf-8")
    said = {p.text: p.speaker for p in load_corpus(tmp_path).passages}
    assert said["Madam Chair, the harbour wall is failing and the fishermen know it."] == "Tom Reyes"
    assert said["The honourable member for Port Ellis."] == "Dana Okafor"  # the chair named in brackets
    assert said["Order, order."] == "Sam Whitfield"  # another acting chair: another person
    assert said["The member's time has expired."] == "Sam Whitfield"  # brackets inside the brackets
    assert said["Thank you."] == "Ruth Adeyemi"  # "Right Hon." is a title, not her name
    assert said["Will the minister fund the repairs this year?"] == "Maria Lopez"
    assert said["That is not an answer."] == "Maria Lopez"
    assert not any("Grad B" in text for text in said)  # a recurring label with no words: an empty turn
    # "The Chair (...)" moderates a sitting; no member of it is interviewed
    assert {p.role for p in load_corpus(tmp_path).passages if p.speaker != "narrator"} == {"speaker"}


def test_a_continuation_that_merely_starts_and_ends_with_brackets_stays_the_speakers(tmp_path):
    script = ("Ann Lee: We opened the hives in May.\nBo Park: And?\n"
              "Ann Lee: Half were empty.\n(laughs) Not funny, I know (really).\nBo Park: Right.\n")
    (tmp_path / "bees.txt").write_text(script, encoding="utf-8")
    said = {p.text: p.speaker for p in load_corpus(tmp_path).passages}
    assert any("Not funny" in text and who == "Ann Lee" for text, who in said.items())


def test_a_heading_is_no_lead_in_to_the_turn_below_it_but_a_stage_direction_is(tmp_path):
    # "# Harbour hearing part_2" ends in a lower-case word, as the writer's "Okafor said the
    # town" does before a quote, but it is a heading; "(Ann looks away)" says how the next
    # words are said.
    script = ("# Harbour hearing part_2\nAnn Lee: We opened the hives in May.\nBo Park: And?\n"
              "(Ann looks away)\nAnn Lee: Half were empty.\nBo Park: Oh.\n")
    (tmp_path / "bees.txt").write_text(script, encoding="utf-8")
    passages = load_corpus(tmp_path).passages
    assert {p.speaker for p in passages} == {"Ann Lee", "Bo Park", "narrator"}
    assert {p.text: p.lead_in for p in passages if p.lead_in} == {"Half were empty.": "(Ann looks away)"}


def test_a_line_said_together_is_theirs_not_a_continuation_of_the_turn_before(tmp_path):
    script = ("Ann Lee: We opened the hives in May.\nBo Park: And?\nAnn Lee: Half were empty.\n"
              "Ann Lee and Bo Park: Oh no.\nBo Park: Right.\nAnn, Bo & Cy Moss: Bees!\n")
    (tmp_path / "bees.txt").write_text(script, encoding="utf-8")
    said = {p.text: p.speaker for p in load_corpus(tmp_path).passages}
    assert said["Half were empty."] == "Ann Lee"
    assert said["Oh no."] == "Ann Lee and Bo Park"
    assert said["Bees!"] == "Ann Lee and Bo Park and Cy Moss"


def test_a_line_said_together_does_not_hide_who_interviews_whom(tmp_path):
    script = ("Ann Lee: Where did the bees go?\nBo Park: South, to the orchards.\nAnn Lee: Why there?\n"
              "Bo Park: The blossom came early.\nAnn Lee and Bo Park: Thank you!\n")
    (tmp_path / "bees.txt").write_text(script, encoding="utf-8")
    roles = {p.speaker: p.role for p in load_corpus(tmp_path).passages}
    assert roles == {"Ann Lee": "interviewer", "Bo Park": "interviewee", "Ann Lee and Bo Park": "speaker"}


@pytest.mark.parametrize(
    "host, guest",
    [
        ("Host (Dana Lee)", "Marco Ricci"),  # the part, and the person in brackets
        ("Dana Lee (host)", "Marco Ricci (guest)"),  # the person, and the part in brackets
        ("MODERATOR (Dana Lee)", "Marco Ricci"),
    ],
)
def test_a_label_that_names_the_host_says_who_asks_and_who_answers(tmp_path, host, guest):
    panel = (f"{host}: Tonight, the new bridge. With me are Ruth Adeyemi and Marco Ricci.\n"
             "Ruth Adeyemi: Thank you, Dana.\n"
             f"{host}: Marco, is the old bridge unsafe?\n"
             f"{guest}: No. It is expensive to keep, not unsafe.\n"
             "Ruth Adeyemi: And the council cannot borrow twice.\n")
    (tmp_path / "panel.txt").write_text(panel, encoding="utf-8")
    roles = {p.speaker: p.role for p in load_corpus(tmp_path).passages}
    # three people: no one's share of questions could have told it
    assert roles == {"Dana Lee": "interviewer", "Ruth Adeyemi": "interviewee", "Marco Ricci": "interviewee"}


def test_a_quote_after_another_persons_name_is_not_the_last_speakers(tmp_path):
    article = ("Port Ellis votes to close the north pier\n\n"
               '"We have no choice. The pilings are rotten," said Mayor Helen Park, who cast the deciding vote.\n\n'
               "Fishermen's association chair Joe Tanaka called the decision \"a death sentence for small boats.\"\n\n"
               "Tanaka's brother Ken Tanaka thought it \"the end of the harbour as we know it.\"\n\n"
               'The so-called "harbour war" began in May.\n')
    (tmp_path / "herald.txt").write_text(article, encoding="utf-8")
    said = {p.text: p.speaker for p in load_corpus(tmp_path).passages}
    assert said["We have no choice. The pilings are rotten,"] == "Helen Park"  # "Mayor" is her title
    assert said["a death sentence for small boats."] == "Joe Tanaka"  # "called" attributes
    # a verb that attributes nothing ("thought it") after another person's name: not the last speaker's
    assert {speaker for text, speaker in said.items() if "end of the harbour" in text} <= {"narrator", "Ken Tanaka"}
    assert all(speaker == "narrator" for text, speaker in said.items() if "harbour war" in text)  # "so-called" says nothing


def test_a_short_scene_of_three_people_one_speaking_twice_is_a_conversation(tmp_path):
    script = "# Scene 4\nCy Moss: Where have you been?\nDee Hart: Out.\nCy Moss: Mazel tov!\nEd Finch: Hi.\n"
    (tmp_path / "scene.txt").write_text(script, encoding="utf-8")
    said = {p.text: p.speaker for p in load_corpus(tmp_path).passages}
    assert said["Where have you been?"] == "Cy Moss" and said["Out."] == "Dee Hart" and said["Hi."] == "Ed Finch"


def test_a_quote_the_writer_introduces_carries_the_introduction_as_context(tmp_path):
    # An invented article: quotes inside the writer's sentences, a heading, a colon lead-in.
    (tmp_path / "harbour.txt").write_text(
        "Storm Season On The Harbour\n\n"
        'Dana Okafor said the town "will rebuild the pier," but only on two conditions.\n\n'
        'The first condition calls for "a sea wall that the whole town pays for." '
        'Okafor said it had been "promised for years."\n\n'
        "On the ferry timetable:\n"
        '"We run every hour in summer," said Tom Reyes.\n\n'
        'Reyes said the council "should pay for a new pier." Reyes told Radio North "the pier is gone."\n',
        encoding="utf-8",
    )
    passages = load_corpus(tmp_path).passages
    by_text = {p.text: p for p in passages}
    wall = next(p for t, p in by_text.items() if t.startswith("a sea wall"))
    assert wall.speaker == "Dana Okafor" and wall.lead_in == "The first condition calls for"
    assert by_text["We run every hour in summer,"].lead_in == "On the ferry timetable:"
    # an attribution that begins the quote's sentence stays; a bare one ("X told Radio North") does not
    assert by_text["should pay for a new pier."].lead_in == "Reyes said the council"
    assert by_text["the pier is gone."].lead_in == "" and "Reyes told Radio North" not in by_text
    # the writer's full sentences and headings introduce nothing
    assert all(not p.lead_in for p in passages if p.role == "narrator")
    assert all(p.lead_in != "Storm Season On The Harbour" for p in passages)
    for p in passages:  # context never leaks into the verbatim text
        assert p.lead_in not in p.text or not p.lead_in
    # ... and it is what makes the quote findable: the question's words are only in the lead-in
    retriever = Retriever(open_index(tmp_path, Config.from_env()))
    for mode in ("lexical", "dense"):
        found = [h.passage for h in retriever.search("What is the first condition?", k=2, mode=mode)]
        assert wall in found


def test_a_markdown_heading_on_the_first_line_is_the_title_without_its_marks(tmp_path):
    (tmp_path / "harbour.txt").write_text("# Storm Season\nDana Okafor: The pier is gone.\nTom Reyes: We will rebuild it.\n",
                                          encoding="utf-8")
    (tmp_path / "plain.txt").write_text("#1 on the harbour list\nDana Okafor: Boats first.\n", encoding="utf-8")
    passages = load_corpus(tmp_path).passages
    titles = {p.source: p.title for p in passages}
    assert titles == {"harbour.txt": "Storm Season", "plain.txt": "#1 on the harbour list"}
    text = (tmp_path / "harbour.txt").read_text(encoding="utf-8")
    assert all(text[p.start : p.end] == p.text for p in passages if p.source == "harbour.txt")  # verbatim still


def test_a_first_line_someone_says_is_no_title(tmp_path):
    (tmp_path / "ferry-talk.txt").write_text("Maria Lopez: Welcome back to the show.\nDana Okafor: Thank you for having me.\n"
                                             "Maria Lopez: How is the ferry?\nDana Okafor: It runs twice a week.\n", encoding="utf-8")
    (tmp_path / "article.txt").write_text("Storm Season On The Harbour\n\nThe pier is gone, the council says.\n", encoding="utf-8")
    titles = {p.source: p.title for p in load_corpus(tmp_path).passages}
    assert titles == {"ferry-talk.txt": "ferry-talk", "article.txt": "Storm Season On The Harbour"}


def test_a_stage_direction_on_the_first_line_is_no_title(tmp_path):
    (tmp_path / "bakery.txt").write_text("[Scene: the bakery on Elm Street. Ana is icing a cake.]\n"
                                         "Ana: Hand me the blue frosting.\nTomas: It looks green to me.\n", encoding="utf-8")
    (tmp_path / "pier.txt").write_text("(Recorded at the pier, morning)\nDana Okafor: The pier is gone.\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("[Draft] Storm notes\n\nThe pier is gone, the council says.\n", encoding="utf-8")
    passages = load_corpus(tmp_path).passages
    titles = {p.source: p.title for p in passages}
    assert titles == {"bakery.txt": "bakery", "pier.txt": "pier", "notes.txt": "[Draft] Storm notes"}
    assert any(p.text.startswith("[Scene: the bakery") for p in passages)  # still searchable, still quoted


def test_a_titled_label_answering_the_full_name_it_would_be_read_as_is_someone_else(tmp_path):
    (tmp_path / "visit.txt").write_text(
        "Phoebe Buffay: Hi. Is Frank home?\n"
        "Mrs. Buffay: How do you know Frank?\n"
        "Phoebe Buffay: From a long time ago.\n"
        "Mrs. Buffay: He went out for groceries four years ago.\n", encoding="utf-8")
    (tmp_path / "hearing.txt").write_text(
        "The committee heard Dana Okafor, the harbour master, on Tuesday.\n\n"
        "Tom Reyes: Thank you for coming.\n"
        "Ms. Okafor: The pier will not survive another winter.\n"
        "Tom Reyes: What would it cost?\n"
        "Ms. Okafor: Twelve million.\n", encoding="utf-8")
    passages = load_corpus(tmp_path).passages
    speakers = {source: [p.speaker for p in passages if p.source == source and p.speaker != "narrator"]
                for source in ("visit.txt", "hearing.txt")}
    assert speakers["visit.txt"] == ["Phoebe Buffay", "Mrs. Buffay", "Phoebe Buffay", "Mrs. Buffay"]
    assert speakers["hearing.txt"] == ["Tom Reyes", "Dana Okafor", "Tom Reyes", "Dana Okafor"]  # one person, as before


def test_the_metadata_can_say_a_titled_label_is_the_full_name(tmp_path):
    (tmp_path / "visit.txt").write_text("Phoebe Buffay: Hi.\nMrs. Buffay: Hello.\nPhoebe Buffay: Is Frank home?\n"
                                        "Mrs. Buffay: No.\n", encoding="utf-8")
    (tmp_path / "metadata.toml").write_text('[people."Phoebe Buffay"]\naliases = ["Mrs. Buffay"]\n', encoding="utf-8")
    assert {p.speaker for p in load_corpus(tmp_path).passages} == {"Phoebe Buffay"}


def test_a_name_english_does_not_know_is_a_label_said_once(tmp_path):
    (tmp_path / "office.txt").write_text(
        "Gerston: Could these margaritas be any stronger?\n"
        "Santos: Hello, Mr. Bing.\n"
        "Petrie: Loved your Stevie Wonder last night.\n"
        "Chandler Bing: Thanks. About the weekly numbers.\n"
        "Santos: Sure.\n"
        "Gerston: No problem.\n"
        "Chandler Bing: Good.\n"
        "O'Brien: Is the meeting still on?\n"
        "Santos: It is.\n"
        "Janitor: Excuse me, I need to mop here.\n"
        "Chandler Bing: Of course.\n"
        "Casting Director No. 1: That's fine, thank you.\n"
        "Santos: Next.\n"
        "Audience Member: Can we go home now?\n"
        "Speaker 3: One more question, please.\n"
        "Gerston: Soon.\n"
        "Guys: No no no.\n"
        "Chandler Bing: Who is it?\n"
        "Intercom: It's me, Carl.\n"
        "Fireman: Everybody out, now.\n"
        "Santos: Is it a drill?\n"
        "Dressmaker: Hold still, please.\n"
        "Part 2: the numbers again.\n"
        "Update: the numbers were late.\n", encoding="utf-8")
    passages = load_corpus(tmp_path).passages
    said = {p.text: p.speaker for p in passages}
    assert said["Loved your Stevie Wonder last night."] == "Petrie"  # not Santos's turn going on
    assert said["Is the meeting still on?"] == "O'Brien"
    assert said["Excuse me, I need to mop here."] == "Janitor"  # an English word that names a role
    assert said["That's fine, thank you."] == "Casting Director No. 1"  # a numbered role
    assert said["Can we go home now?"] == "Audience Member"  # a role of two words
    assert said["One more question, please."] == "Speaker 3"  # a diarizer's numbered speaker
    assert said["No no no."] == "Guys"  # a group: not Gerston's turn going on
    assert said["It's me, Carl."] == "Intercom"  # a voice through a device, not Chandler asking
    assert said["Everybody out, now."] == "Fireman" and said["Hold still, please."] == "Dressmaker"  # trades
    assert not any(p.speaker == "Part 2" for p in passages)  # a numbered part of the text is no one
    assert not any(p.speaker == "Update" for p in passages)  # an English word said once is no one


_TURNS = [("Ann Lee", "Welcome back to the harbour show.", 1.0), ("Bo Ray", "Thanks, what is the plan?", 9.0),
          ("Ann Lee", "The plan is to sail at dawn.", 75.0), ("Bo Ray", "Then I will bring the charts.", 3723.5)]
_CLOCKS = ["0:01", "0:09", "1:15", "1:02:03.5"]


@pytest.mark.parametrize("tool, turn", [
    ("descript", "[{clock}] {who}: {words}\n"),
    ("leading", "{clock} {who}: {words}\n"),
    ("dashed", "{clock} - {who}: {words}\n"),
    ("in the label", "{who} ({clock}): {words}\n"),
    ("bracketed label", "{who} [{clock}]: {words}\n"),
    ("rev", "{who} ({clock}):\n{words}\n\n"),
    ("otter", "{who}  {clock}\n{words}\n\n"),
    ("header after the time", "[{clock}] {who}\n{words}\n\n"),
])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_timestamped_text_transcript_gives_speakers_words_and_times(tmp_path, tool, turn, newline):
    text = "".join(turn.format(clock=c, who=w, words=t) for c, (w, t, _) in zip(_CLOCKS, _TURNS)).replace("\n", newline)
    (tmp_path / "show.txt").write_bytes(text.encode("utf-8"))
    passages = load_corpus(tmp_path).passages
    assert [(p.speaker, p.text, p.t_start) for p in passages] == _TURNS, text
    assert all(text[p.start : p.end] == p.text for p in passages)
    assert {p.title for p in passages} == {"show"}  # a header or a time is no title


def test_times_alone_on_their_lines_time_the_lines_after(tmp_path):
    (tmp_path / "video.txt").write_text("0:01\nhello and welcome\n0:05\ntoday we sail\n", encoding="utf-8")
    passages = load_corpus(tmp_path).passages
    assert [(p.text, p.t_start) for p in passages] == [("hello and welcome", 1.0), ("today we sail", 5.0)]


def test_one_time_opening_a_line_of_an_article_is_left_alone(tmp_path):
    text = "Harbour news\n10:30 was when the ferry finally left.\nThe mayor was not on it.\n"
    (tmp_path / "news.txt").write_text(text, encoding="utf-8")
    passages = load_corpus(tmp_path).passages
    assert any(p.text.startswith("10:30 was when") for p in passages)
    assert all(p.t_start is None for p in passages)


def test_an_otter_export_keeps_its_title_paragraphs_and_footer_apart(tmp_path):
    (tmp_path / "ep3.txt").write_text(
        "Harbour podcast episode 3\n\n"
        "Ann Lee  0:01\nWelcome back to the harbour show.\n\nThe ferry has been late all winter.\n\n"
        "Bo Ray  0:20\nThanks for having me. What is the plan?\n\n"
        "Ann Lee  1:15\nThe plan is to sail at dawn.\n\n"
        "Bo Ray  1:40\nThen I will bring the charts.\n\n"
        "Transcribed by https://otter.ai\n", encoding="utf-8")
    said = [(p.speaker, p.text, p.t_start) for p in load_corpus(tmp_path).passages]
    assert said[0][:2] == ("narrator", "Harbour podcast episode 3")
    assert ("Ann Lee", "The ferry has been late all winter.", 1.0) in said  # her turn's second paragraph
    assert said[-2][:2] == ("Bo Ray", "Then I will bring the charts.")
    assert said[-1][:2] == ("narrator", "Transcribed by https://otter.ai")  # the tool's, not Bo Ray's


@pytest.mark.parametrize("label", ["**{who}:** ", "**{who}**: ", "__{who}:__ ", "*{who}:* ", "_{who}_: "])
def test_a_markdown_label_in_emphasis_is_a_label(tmp_path, label):
    text = "# Harbour talk\n\n" + "".join(label.format(who=w) + t + "\n\n" for w, t, _ in _TURNS)
    (tmp_path / "talk.md").write_text(text, encoding="utf-8")
    passages = [p for p in load_corpus(tmp_path).passages if p.speaker != "narrator"]
    assert [(p.speaker, p.text) for p in passages] == [(w, t) for w, t, _ in _TURNS], text
    assert all(text[p.start : p.end] == p.text for p in passages)


def test_emphasis_that_is_no_label_stays_in_the_words(tmp_path):
    text = ("Ann Lee: The **new** pier is late.\nBo Ray: *Again*: that is the third time.\n"
            "Ann Lee: Yes.\nBo Ray: The council meets today.\n")
    (tmp_path / "talk.md").write_text(text, encoding="utf-8")
    said = [(p.speaker, p.text) for p in load_corpus(tmp_path).passages]
    assert ("Ann Lee", "The **new** pier is late.") in said and ("Bo Ray", "*Again*: that is the third time.") in said
