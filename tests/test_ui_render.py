"""The chat page's HTML: everything from a transcript is inert text, quotes are marked
inside their passage, abstentions look different, timestamps read as m:ss."""

from __future__ import annotations

import re

import pytest

from rag.pipeline import SourceInfo, Upload
from rag.records import Answer, Citation, Hit, Passage
from ui import render

EVIL = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(2)">',
    "[click me](javascript:alert(3))",
    '"><svg onload=alert(4)>',
    "<iframe src=javascript:alert(5)></iframe>",
    "**bold** _it_ `code` <b>html</b> &amp; &lt;",
]


def passage(text: str, speaker: str = "Khalid Amiri", title: str = "The Last Leader", source: str = "a.txt",
            role: str = "interviewee", t_start: float | None = None, question: str = "") -> Passage:
    return Passage("p1", source, title, speaker, role, text, 100, 100 + len(text), 0, question, t_start, None)


def assert_inert(html: str) -> None:
    """No tag or attribute a browser would run; the only tags are the ones render writes."""
    low = html.lower()
    assert "<script" not in low and "<img" not in low and "<svg" not in low and "<iframe" not in low
    assert not re.search(r"<[^>]*\son\w+\s*=", low), "an event handler attribute got through"
    assert 'href="javascript' not in low and "href='javascript" not in low
    tags = set(re.findall(r"</?([a-z0-9]+)", low))
    assert tags <= {"div", "span", "sup", "mark", "blockquote", "br", "a", "details", "summary", "b", "p", "h3",
                    "table", "thead", "tbody", "tr", "th", "td", "ul", "li", "i", "h1", "button", "pre"}, tags
    for href in re.findall(r'href="([^"]*)"', low):  # links go to a web page, a card, the reader or ?q=
        assert href.startswith(("https://", "http://", "#rag-card-", "#show?", "#ask?", "?q=")), href


@pytest.mark.parametrize("evil", EVIL)
def test_card_escapes_transcript_speaker_title_and_file(evil):
    p = passage(f"He said {evil} and left.", speaker=f"Mallory {evil}", title=f"Title {evil}",
                source=f"{evil}.txt", question=f"Why {evil}?")
    html = render.card_html(p, 1, (8, 8 + len(evil)), publication=evil, date=evil, url="https://ok.org/" + evil)
    assert_inert(html)
    assert render.esc(evil) in html  # shown, as the characters it is


@pytest.mark.parametrize("evil", EVIL)
def test_answer_and_abstention_escape_everything(evil):
    p = passage(f"Quote {evil} end.", speaker=f"Spk {evil}")
    c = Citation.of(1, p, 0, len(p.text), publication=evil, date="2022", url="javascript:alert(9)")
    answer = Answer("q", f"Spk said: “Quote {evil} end.” [1]", False, (c,), (Hit(1, 0.9, p),))
    abstained = Answer("q", f"Not here {evil}", True, (), (Hit(1, 0.3, p),))
    note = render.filter_note_html([f"Spk {evil}"], f"only words said by {evil}", f"Why {evil}?", True)
    for html in (render.answer_html(answer), render.answer_html(abstained), render.user_html(evil),
                 render.error_html(evil), render.partial_html(evil), render.answer_html(answer, key="3"),
                 render.answer_html(abstained, filter_note=note), render.not_a_question_html(evil, evil), note):
        assert_inert(html)
    assert 'href="javascript' not in render.answer_html(answer).lower()  # a non-http(s) URL is no link at all


def test_sources_reader_and_upload_report_escape():
    evil = EVIL[1]
    info = SourceInfo(f"{evil}.txt", f"T {evil}", evil, evil, "javascript:alert(1)", ((f"S {evil}", 2), ("narrator", 1)), 3)
    assert_inert(render.sources_table_html([info]))
    assert_inert(render.transcript_html(info, [passage(f"x {evil}", speaker=f"S {evil}", source=info.source)]))
    report = render.upload_report_html([Upload(f"{evil}.txt", False, f"bad {evil}"),
                                        Upload(f"ok{evil}.txt", True, saved_as="ok_img_.txt", passages=3)])
    assert_inert(report)
    assert "not added" in report and "added, 3 passages" in report


def test_markdown_link_trick_stays_literal_text():
    html = render.text_html("[x](javascript:alert(1))")
    assert html == "[x](javascript:alert(1))"  # no <a>: the chat renders these strings with markdown off


def test_url_only_when_http():
    assert render.safe_url("https://a.org/?q=1&x=2") == "https://a.org/?q=1&amp;x=2"
    assert render.safe_url("HTTP://A.ORG") == "HTTP://A.ORG"
    for bad in ("javascript:alert(1)", " data:text/html,x", "//evil.org", "/relative", "https://a b", "", None):
        assert render.safe_url(bad) == ""
    assert render.safe_url('https://a.org/"onmouseover=alert(1)') == "https://a.org/&quot;onmouseover=alert(1)"


def test_quote_is_highlighted_inside_its_passage():
    text = "We fought for years. What keeps me awake at night is our poor people. Only time will tell."
    p = passage(text)
    s = text.index("What keeps")
    e = text.index("people.") + len("people.")
    c = Citation.of(1, p, s, e, publication="The International Correspondent", date="2022-12-01")
    html = render.citation_card(c)
    assert "We fought for years. <mark>What keeps me awake at night is our poor people.</mark> Only time will tell." in html
    assert html.count("<mark>") == 1
    assert "Khalid Amiri" in html and "interviewee" in html
    assert "The International Correspondent" in html and "2022-12-01" in html and "The Last Leader" in html


def test_highlight_escapes_each_piece():
    assert render.highlight("a<b>c", 1, 4) == "a<mark>&lt;b&gt;</mark>c"
    assert render.highlight("abc", 2, 2) == "abc"  # an empty span marks nothing


def test_answer_markers_and_cards():
    p1, p2 = passage("First quote here."), passage("Second quote.", speaker="Ali Nazary", title="Newsweek piece")
    c1, c2 = Citation.of(1, p1, 0, 5), Citation.of(2, p2, 0, 6)
    answer = Answer("q", "Amiri: “First” [1]. Nazary: “Second” [2]. Not a marker: [7].", False, (c1, c2), ())
    html = render.answer_html(answer)
    assert '<sup class="rag-cite">[1]</sup>' in html and '<sup class="rag-cite">[2]</sup>' in html
    assert "[7]" in html and '<sup class="rag-cite">[7]' not in html
    linked = render.answer_html(answer, key="5")  # on the page: each [n] a link to its card
    assert '<a class="rag-cite" href="#rag-card-5-1"' in linked and 'id="rag-card-5-1"' in linked
    assert '<a class="rag-cite" href="#rag-card-5-2"' in linked and 'id="rag-card-5-2"' in linked
    assert "rag-card-5-7" not in linked
    assert html.index("Khalid Amiri") < html.index("Ali Nazary")  # cards in citation order
    assert "rag-abstain" not in html


def test_abstention_looks_different_and_shows_hits_without_highlight():
    hits = tuple(Hit(i + 1, 0.3, passage(f"Mention number {i}.", speaker=f"Person {i}")) for i in range(5))
    info = SourceInfo("a.txt", "The Last Leader", "The International Correspondent", "2022-12-01", "https://a.org", (), 5)
    html = render.answer_html(Answer("q", "The transcripts don't say.", True, (), hits), {"a.txt": info}.get)
    assert "rag-abstain" in html and "Not in the transcripts" in html and "rag-answer" not in html
    assert "<mark>" not in html and "rag-n" not in html  # no numbered, highlighted citations
    assert all(f"Mention number {i}." in html for i in range(5))
    assert html.index("Mention number 2.") < html.index("<details")  # the first three shown, the rest folded
    assert "The International Correspondent" in html and 'href="https://a.org"' in html


def test_timestamps_formatted():
    assert render.clock(None) == ""
    assert render.clock(0) == "0:00"
    assert render.clock(5.9) == "0:05"
    assert render.clock(754.2) == "12:34"
    assert render.clock(3600) == "1:00:00"
    assert render.clock(3725) == "1:02:05"
    card = render.card_html(passage("Hello.", t_start=754.2))
    assert "12:34" in card
    assert "rag-time" not in render.card_html(passage("Hello."))


def test_speaker_colour_is_stable():
    assert render.speaker_class("Khalid Amiri") == render.speaker_class("Khalid Amiri")
    assert render.speaker_class("narrator") == "spk-narrator"
    assert re.fullmatch(r"spk-[0-7]", render.speaker_class("Ali Nazary"))


def test_line_breaks_and_non_latin_survive():
    assert render.text_html("a\nb\r\nc") == "a<br>b<br>c"
    assert render.text_html("Khalid — «سلام» 🙂") == "Khalid — «سلام» 🙂"


def test_generative_answers_say_how_they_were_made():
    p = passage("First quote here.")
    c = Citation.of(1, p, 0, 5)
    written = render.answer_html(Answer("q", "He said it [1].", False, (c,), (), answerer="generative"))
    replaced = render.answer_html(Answer("q", "“First” [1]", False, (c,), (), answerer="generative→extractive"))
    assert "language model" in written and "could not be checked" in replaced
    assert "language model" not in render.answer_html(Answer("q", "“First” [1]", False, (c,), ()))


def test_long_question_context_keeps_its_end():
    long = "Your father was a hero. " * 20 + "Do you feel some countries are not listening?"
    html = render.card_html(passage("Yes.", question=long))
    assert "…" in html and "Do you feel some countries are not listening?" in html
    assert len(render.shorten(long, 200)) <= 200
    assert render.shorten("short one", 200) == "short one"


def test_sentence_span_covers_whole_sentences():
    text = "One. Two three four. Five."
    assert render.sentence_span(text, 9, 14) == (5, 20)
    assert render.sentence_span(text, 0, 2) == (0, 4)
    assert render.sentence_span(text, 22, 24) == (21, 26)
    assert render.sentence_span("no stop at all", 3, 5) == (0, 14)


def test_a_long_card_is_compact_with_the_whole_passage_on_expand():
    text = ("We fought for years and years in the valleys. " * 5 + "What keeps me awake at night is our poor people. "
            + "Only time will tell what happens next in the north. " * 3).strip()
    assert len(text) > render.COMPACT_CHARS
    s = text.index("What keeps")
    e = text.index("poor people") + len("poor")  # the quote stops mid-sentence
    html = render.citation_card(Citation.of(1, passage(text), s, e))
    compact = html.split('<details class="rag-whole">')[0]
    assert "… <mark>What keeps me awake at night is our poor</mark> people. …" in compact  # the whole sentence
    assert "valleys" not in compact and "north" not in compact
    whole = html.split('<details class="rag-whole">')[1]
    assert "<summary>whole passage</summary>" in whole and "valleys" in whole and "north" in whole
    short = render.citation_card(Citation.of(1, passage("Short passage. Quote."), 15, 21))
    assert "rag-whole" not in short and "Short passage. <mark>Quote.</mark>" in short


def test_show_in_transcript_link_carries_where_the_quote_is():
    from urllib.parse import parse_qs

    p = passage("We lost our rights & more.", source='a "b" & c.txt')
    html = render.citation_card(Citation.of(2, p, 3, 7))
    href = re.search(r'class="rag-show" href="#show\?([^"]*)"', html).group(1)
    where = {k: v[0] for k, v in parse_qs(render.html.unescape(href)).items()}
    assert where == {"source": 'a "b" & c.txt', "start": "100", "end": str(100 + len(p.text)), "qs": "103", "qe": "107"}


def test_transcript_reader_marks_the_passage_and_its_quote():
    info = SourceInfo("a.txt", "The Last Leader", "", "", "", (("Khalid Amiri", 2),), 2)
    first = Passage("p1", "a.txt", "T", "Faisal Saeed Al Mutaar", "interviewer", "Why?", 0, 4)
    second = Passage("p2", "a.txt", "T", "Khalid Amiri", "interviewee", "Because we lost.", 10, 26)
    html = render.transcript_html(info, [first, second], focus=(10, 26, 21, 25))
    assert html.count('id="rag-here"') == 1 and "Because we <mark>lost</mark>." in html
    assert html.index("Faisal Saeed Al Mutaar") < html.index("rag-here")  # the turn before, its speaker marked
    assert "rag-here" not in render.transcript_html(info, [first, second])


def test_copied_text_is_clean_and_lists_the_sources():
    p = Passage("p1", "a.txt", "The Last Leader", "Khalid Amiri", "interviewee",
                "What keeps me <awake> at night is our poor people.", 100, 150, t_start=754.0)
    c = Citation.of(1, p, 0, len(p.text), publication="The International Correspondent", date="2022-12-01",
                    url="https://example.org/x")
    answer = Answer("What keeps him awake?", "Amiri: “What keeps me <awake> at night is our poor people.” [1]", False, (c,), ())
    text = render.answer_text(answer)
    assert text.startswith("Amiri: “What keeps me <awake>") and text.splitlines()[0].endswith("[1]")
    assert ("[1] Khalid Amiri (interviewee), The Last Leader, The International Correspondent, 2022-12-01, at 12:34"
            in text)
    assert "“What keeps me <awake> at night is our poor people.”" in text and "https://example.org/x" in text
    assert "<mark" not in text and "<div" not in text and "&lt;" not in text
    html = render.answer_html(answer, key="1")  # the page carries it, escaped, for the Copy button
    assert f'<pre class="rag-plain">{render.esc(text)}</pre>' in html
    md = render.conversation_markdown([answer, Answer("Who won?", "The transcripts don't say.", True, (), ())])
    assert md.startswith("# ") and "## What keeps him awake?" in md and "## Who won?" in md
    assert "1. Khalid Amiri (interviewee), The Last Leader" in md and "> What keeps me <awake>" in md
    assert "*Not in the transcripts.*" in md


def test_filter_note_says_who_is_hidden_and_offers_to_clear():
    note = render.filter_note_html(["Khalid Amiri"], "only words said by Ali Nazary", "What keeps Amiri awake?", True)
    assert "hides Khalid Amiri" in note and "only words said by Ali Nazary" in note
    assert 'class="rag-clear" href="#ask?q=What+keeps+Amiri+awake%3F"' in note
    assert render.filter_note_html([], "x", "q", True) == ""
    hidden = render.answer_html(Answer("q", "Khalid Amiri is not quoted on this.", True, (), ()), filter_note=note)
    assert "Hidden by a filter" in hidden and "Not in the transcripts" not in hidden
    assert "not quoted" not in hidden.split('<pre class="rag-plain">')[0]  # what the filter made false, unsaid
    text = render.filter_note_text(["Khalid Amiri"], "only words said by Ali Nazary", True)
    copied = render.answer_text(Answer("q", "Khalid Amiri is not quoted on this.", True, (), ()), filter_text=text)
    assert copied.startswith("The filter (only words said by Ali Nazary) hides Khalid Amiri") and "not quoted" not in copied


def test_not_a_question_has_no_citations():
    html = render.not_a_question_html("asdfgh qwerty", "Who is Tom?")
    assert "I couldn't make out a question" in html and "rag-card" not in html and "rag-cite" not in html


def test_a_title_running_into_its_url_is_cut_and_the_url_becomes_the_link():
    glued = "Ahmad Massoud: Ignoring the Taliban threat jeopardises global securityhttps://en.majalla.com/node/1/x"
    assert render.title_and_url(glued) == ("Ahmad Massoud: Ignoring the Taliban threat jeopardises global security",
                                           "https://en.majalla.com/node/1/x")
    assert render.title_and_url(glued, "https://meta.org") [1] == "https://meta.org"  # the metadata's URL wins
    assert render.title_and_url("Plain title") == ("Plain title", "")
    info = SourceInfo("m.txt", glued, "Al Majalla", "", "", (("Ahmad Massoud", 3),), 3)
    for html in (render.sources_table_html([info]), render.transcript_html(info, []),
                 render.card_html(passage("Quote.", title=glued))):
        assert "securityhttps" not in html and 'href="https://en.majalla.com/node/1/x"' in html


def test_a_quote_split_around_its_attribution_shows_its_whole_sentence():
    text = ('Khosty argued the goals were lofty. He said the demands were "too high" and "above" what '
            'could be compromised.\n\n"God willing," he added, "a solution will come soon."\n')
    s = text.index("too high")
    split = Passage("p1", "a.txt", "T", "Qari Saeed Khosty", "quoted", "too high", s, s + 8)
    c = Citation.of(1, split, 0, 8)
    sentence = render.quoted_sentence(text, c)
    assert sentence == ('He said the demands were "too high" and "above" what could be compromised.', 26, 34)
    html = render.citation_card(c, sentence=sentence)
    assert 'He said the demands were "too high" and "above" what could be compromised.' in render.html.unescape(
        re.sub(r"<[^>]+>", "", html))
    assert "<mark>too high</mark>" in html
    g = text.index("God willing,")
    whole = Passage("p2", "a.txt", "T", "Qari Saeed Khosty", "quoted", "a solution will come soon.",
                    text.index("a solution"), text.index("a solution") + 26)
    assert render.quoted_sentence(text, Citation.of(2, whole, 0, 26))[0].startswith('"God willing," he added')
    inside = Passage("p3", "a.txt", "T", "N", "narrator", text[:35], 0, 35)  # the sentence inside its passage
    assert render.quoted_sentence(text, Citation.of(3, inside, 0, 10)) is None
    assert g > 0
