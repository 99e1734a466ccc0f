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
                    "table", "thead", "tbody", "tr", "th", "td", "ul", "li", "i", "h1"}, tags


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
    for html in (render.answer_html(answer), render.answer_html(abstained), render.user_html(evil),
                 render.error_html(evil), render.partial_html(evil)):
        assert_inert(html)
    assert "<a " not in render.answer_html(answer)  # a non-http(s) URL is no link at all


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
