"""The chat page in a real browser (Debian's chromium, driven by Playwright): a question
gets an answer whose card names the right speaker, and a planted malicious transcript shows
its markup as text and runs nothing. Screenshots go to the test's tmp folder and to
/tmp/ui-screenshots/ for a person to look at."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path("/tmp/ui-screenshots")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
REPLY = ".rag-answer .rag-card, .rag-abstain .rag-card, .rag-error"
ANY_REPLY = ".message-row .rag-answer, .message-row .rag-abstain, .message-row .rag-error, .message-row .rag-unclear"

EVIL_NAME = '<img src=x onerror=alert("name")>.txt'
EVIL_TEXT = """Mallory Evil on <script>alert("title")</script>

Host Person: Tell us about the zebra password <img src=x onerror=alert(2)>?

Mallory Evil: The zebra password is [click me](javascript:alert(3)) and **bold** <b>html</b> <script>alert(1)</script> <img src=x onerror=alert(4)> <svg onload=alert(5)>.

Host Person: Anything else about zebras?

Mallory Evil: Zebras sleep standing up <iframe src="javascript:alert(6)"></iframe>.
"""

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get install -y chromium"),
]


@pytest.fixture(scope="module")
def browser():
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def open_page(browser, url: str, width: int = 1400, height: int = 1000):
    context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url.rstrip("/").split("/?")[0])
    page = context.new_page()
    page.dialogs = []  # every alert/confirm/prompt that fires, dismissed
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.goto(url)
    page.get_by_placeholder("Ask a question").wait_for()
    page.wait_for_timeout(500)  # the page's load events (the corpus lists, ?q=)
    return page


@pytest.fixture
def page(browser, ui_server):
    page = open_page(browser, ui_server.url)
    yield page
    page.context.close()


def screenshot(page, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=True)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / name)
    return path


def ask(page, question: str):
    """Type a question, press Enter, wait for the reply's cards; the last reply's locator."""
    replies = page.locator(ANY_REPLY)
    before = replies.count()
    box = page.get_by_placeholder("Ask a question")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(f"document.querySelectorAll({ANY_REPLY!r}).length > {before}", timeout=120_000)
    return replies.last


def test_question_shows_answer_with_the_speaker_on_its_card(page, tmp_path):
    reply = ask(page, "What keeps Khalid Amiri awake at night?")
    assert reply.get_attribute("class") == "rag-answer"
    assert "[1]" in reply.locator(".rag-text").inner_text()
    first_card = reply.locator(".rag-card").first
    assert first_card.locator(".rag-who").inner_text() == "Khalid Amiri"
    assert "awake at night" in first_card.locator(".rag-compact mark").inner_text()
    assert page.get_by_placeholder("Ask a question").input_value() == ""
    shot = screenshot(page, tmp_path, "answer.png")
    assert shot.stat().st_size > 10_000

    reply = ask(page, "What is Khalid Amiri's favourite football team?")
    assert reply.get_attribute("class") == "rag-abstain"
    assert "not in the transcripts" in reply.inner_text().lower()  # (CSS sets the banner in capitals)
    assert reply.locator("mark").count() == 0
    screenshot(page, tmp_path, "abstention.png")


def test_a_long_answer_is_shown_from_its_first_words(page, tmp_path):
    # three questions with three-quote answers: far taller than the chat panel
    for question in ("What does Amiri say about China?", "What did Massoud say about the Doha conference?",
                     "What does Nazary say about federalism and democracy?"):
        reply = ask(page, question)
    page.wait_for_timeout(500)  # the scroll runs on the next animation frame
    seen = page.evaluate("""() => {
        const wrap = document.querySelector('#rag-chat .panel-wrap, #rag-chat .bubble-wrap').getBoundingClientRect();
        const rows = document.querySelectorAll('#rag-chat .message-row.user-row');
        const asked = rows[rows.length - 1].getBoundingClientRect();
        const text = [...document.querySelectorAll('#rag-chat .rag-answer .rag-text')].pop().getBoundingClientRect();
        return {wrapTop: wrap.top, wrapBottom: wrap.bottom, asked: asked.top, text: text.top,
                scrolled: document.querySelector('#rag-chat .panel-wrap, #rag-chat .bubble-wrap').scrollTop};
    }""")
    assert seen["scrolled"] > 0  # the earlier answers went up out of view ...
    # ... and the latest question and the first words of its answer are in view
    assert seen["wrapTop"] <= seen["asked"] < seen["text"] < seen["wrapBottom"]
    assert "[1]" in reply.locator(".rag-text").inner_text()
    screenshot(page, tmp_path, "long-answer.png")


def test_sources_tab_lists_and_shows_a_transcript(page, tmp_path):
    page.get_by_role("tab", name="Sources").click()
    table = page.locator(".rag-sources")
    table.wait_for()
    assert "Al Majalla" in table.inner_text() and "Ahmad Massoud (95)" in table.inner_text()
    page.get_by_label("Read a transcript").click()
    page.get_by_role("option", name="The Last Leader", exact=False).first.click()
    page.locator(".rag-transcript h3").wait_for()
    names = page.locator(".rag-transcript b.rag-who").all_inner_texts()
    assert {"Khalid Amiri", "Faisal Saeed Al Mutaar"} <= set(names)
    screenshot(page, tmp_path, "sources.png")


def test_planted_malicious_transcript_renders_inert(page, tmp_path):
    page.get_by_role("tab", name="Sources").click()
    page.locator("input[type=file]").set_input_files(
        [{"name": EVIL_NAME, "mimeType": "text/plain", "buffer": EVIL_TEXT.encode()}])
    report = page.locator(".rag-uploads")
    report.wait_for(timeout=60_000)
    # Gradio drops the name's angle brackets when it receives the file; the rest is shown as text.
    assert "added" in report.inner_text() and "onerror=alert(" in report.inner_text()

    page.get_by_role("tab", name="Ask").click()
    question = "What is the zebra password according to Mallory Evil? <img src=x onerror=alert('q')>"
    reply = ask(page, question)
    assert page.locator(".message-row.user-row .md").last.inner_text() == question  # the question, as typed
    text = reply.inner_text()
    assert "<script>alert(1)</script>" in text
    assert "[click me](javascript:alert(3))" in text and "**bold** <b>html</b>" in text
    screenshot(page, tmp_path, "malicious-answer.png")

    page.get_by_role("tab", name="Sources").click()
    assert '<script>alert("title")</script>' in page.locator(".rag-sources").inner_text()
    page.get_by_label("Read a transcript").click()
    page.get_by_role("option", name="Mallory Evil", exact=False).first.click()
    page.locator(".rag-transcript h3").wait_for()
    transcript = page.locator(".rag-transcript").inner_text()
    assert '<iframe src="javascript:alert(6)"></iframe>' in transcript
    page.wait_for_timeout(1500)  # time for an onerror/onload handler to fire, if one got through
    screenshot(page, tmp_path, "malicious-transcript.png")

    assert page.dialogs == []
    planted = page.evaluate("""() => {
        // Everything rendered from transcripts, file names and questions (Gradio's own icons aside).
        const scope = document.querySelectorAll('.rag-answer, .rag-abstain, .rag-transcript, .rag-uploads, '
                                                + '.rag-sources, .message-row.user-row .md');
        let bad = 0;
        for (const el of scope) bad += el.querySelectorAll(
            'script, iframe, svg, img[onerror], [onload], [onerror], a[href^="javascript"]').length;
        return bad;
    }""")
    assert planted == 0


def panel_box(page) -> dict:
    return page.evaluate("""() => {
        const r = document.querySelector('#rag-chat .panel-wrap, #rag-chat .bubble-wrap').getBoundingClientRect();
        return {top: r.top, bottom: r.bottom};
    }""")


def test_citation_marker_scrolls_to_its_card(page, tmp_path):
    reply = ask(page, "What does Amiri say about China?")
    markers = reply.locator("a.rag-cite")
    n = markers.count()
    assert n >= 2 and reply.locator(".rag-card").count() == n
    card = reply.locator(".rag-card").nth(n - 1)
    panel = panel_box(page)
    assert card.bounding_box()["y"] > panel["bottom"]  # below the panel's fold: not in view
    markers.nth(n - 1).click()
    page.wait_for_timeout(1200)  # a smooth scroll
    box = card.bounding_box()
    assert panel_box(page) == panel  # the panel scrolled, not the page
    assert panel["top"] <= box["y"] and box["y"] + 80 < panel["bottom"], (box, panel)  # card n in view
    screenshot(page, tmp_path, "citation-click.png")


def test_show_in_transcript_opens_the_reader_at_the_quote(page, tmp_path):
    reply = ask(page, "What keeps Khalid Amiri awake at night?")
    card = reply.locator(".rag-card").first
    quote = card.locator(".rag-compact mark").inner_text()
    card.locator("a.rag-show").click()
    here = page.locator("#rag-here")
    here.wait_for(timeout=15_000)
    page.wait_for_timeout(600)  # scrolled into view on the next frame
    assert page.get_by_role("tab", name="Sources").get_attribute("aria-selected") == "true"
    assert here.locator("mark").inner_text() == quote
    assert "Khalid Amiri" in here.locator("b.rag-who").inner_text()
    box = here.bounding_box()
    assert 0 <= box["y"] < 1000 and box["y"] + box["height"] > 0  # in the window
    # the turns around it, each with its speaker marked
    names = page.locator(".rag-transcript b.rag-who").all_inner_texts()
    assert "Faisal Saeed Al Mutaar" in names
    screenshot(page, tmp_path, "show-in-transcript.png")


def test_copy_gives_clean_text_and_export_follows_the_contract(page, ui_server, tmp_path):
    import json
    import re

    ask(page, "What keeps Khalid Amiri awake at night?")
    reply = ask(page, "What does Amiri say about China?")
    reply.locator("button.rag-copy").click()
    page.wait_for_timeout(300)
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert "<" not in copied and "&lt;" not in copied and "&amp;" not in copied
    first, _, sources = copied.partition("\n\nSources:\n")
    assert "[1]" in first and sources.startswith("[1] Khalid Amiri (interviewee), ")
    assert "Nezavisimaya Gazeta" in sources and "“" in sources

    page.locator("#rag-export-json:not([disabled])").wait_for()
    with page.expect_download() as download:
        page.locator("#rag-export-json").click()
    answers = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert [a["question"] for a in answers] == ["What keeps Khalid Amiri awake at night?", "What does Amiri say about China?"]
    for a in answers:  # the contract's `rag ask --json` object
        assert {"question", "answer", "abstained", "citations", "hits"} <= set(a)
        assert set(map(int, re.findall(r"\[(\d+)\]", a["answer"]))) <= {c["n"] for c in a["citations"]}
        for c in a["citations"]:
            assert {"n", "passage_id", "source", "speaker", "quote", "start", "end"} <= set(c)
            text = (ui_server.corpus / c["source"]).read_text(encoding="utf-8")
            assert text[c["start"]:c["end"]] == c["quote"]
    with page.expect_download() as download:
        page.locator("#rag-export-md").click()
    md = Path(download.value.path()).read_text(encoding="utf-8")
    assert "## What does Amiri say about China?" in md and "1. Khalid Amiri (interviewee)" in md


def test_phone_width_has_the_question_box_on_the_first_screen(browser, ui_server, tmp_path):
    page = open_page(browser, ui_server.url, 390, 844)
    try:
        page.wait_for_timeout(800)
        box = page.get_by_placeholder("Ask a question").bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= 844, box  # in the viewport, unscrolled
        assert not page.get_by_role("combobox", name="Only words said by").is_visible()  # the filters folded away
        screenshot(page, tmp_path, "phone-start.png")
        reply = ask(page, "What keeps Khalid Amiri awake at night?")
        assert reply.locator(".rag-card").count() >= 1
        box = page.get_by_placeholder("Ask a question").bounding_box()
        assert box["y"] + box["height"] <= 844, box
        page.screenshot(path=str(tmp_path / "phone-answer.png"))  # the viewport, as a phone shows it
        SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(tmp_path / "phone-answer.png", SHOTS / "phone-answer.png")
    finally:
        page.context.close()


def test_desktop_layout_uses_the_window_height(page, tmp_path):
    ask(page, "What does Amiri say about China?")
    panel = panel_box(page)
    assert panel["bottom"] - panel["top"] > 600  # a 1000 px window: not the old ~540 px box
    box = page.get_by_placeholder("Ask a question").bounding_box()
    assert box["y"] + box["height"] <= 1000  # the box still on screen
    page.screenshot(path=str(tmp_path / "desktop-answer.png"))
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(tmp_path / "desktop-answer.png", SHOTS / "desktop-answer.png")


def test_a_filter_hiding_the_person_asked_about_says_so_and_clears(page, tmp_path):
    page.get_by_role("combobox", name="Only words said by").click()
    page.get_by_role("option", name="Ali Nazary", exact=True).click()
    reply = ask(page, "What keeps Khalid Amiri awake at night?")
    note = reply.locator(".rag-filtered")
    assert "hides Khalid Amiri" in note.inner_text() and "Ali Nazary" in note.inner_text()
    screenshot(page, tmp_path, "filter-hides.png")
    before = page.locator(ANY_REPLY).count()
    note.locator("a.rag-clear").click()
    page.wait_for_function(f"document.querySelectorAll({ANY_REPLY!r}).length > {before}", timeout=120_000)
    again = page.locator(ANY_REPLY).last
    assert again.locator(".rag-filtered").count() == 0
    assert again.locator(".rag-card .rag-who").first.inner_text() == "Khalid Amiri"
    assert page.get_by_role("combobox", name="Only words said by").input_value() == "Anyone"


def test_gibberish_after_a_question_gets_no_citations(page, tmp_path):
    ask(page, "What does Khalid Amiri think about Russia?")
    reply = ask(page, "asdfgh qwerty")
    assert "couldn't make out a question" in reply.inner_text()
    assert reply.locator(".rag-card, .rag-cite").count() == 0
    screenshot(page, tmp_path, "gibberish.png")


def test_a_link_with_q_asks_the_question(browser, ui_server):
    from urllib.parse import quote

    page = open_page(browser, ui_server.url + "?q=" + quote("What keeps Khalid Amiri awake at night?"))
    try:
        page.wait_for_function(f"document.querySelectorAll({ANY_REPLY!r}).length > 0", timeout=60_000)
        reply = page.locator(ANY_REPLY).last
        assert reply.locator(".rag-card .rag-who").first.inner_text() == "Khalid Amiri"
        assert page.locator(".message-row.user-row").first.inner_text().strip() == "What keeps Khalid Amiri awake at night?"
        assert page.locator(".message-row.user-row").count() == 1  # asked once
    finally:
        page.context.close()


def test_stop_cancels_an_answer_and_retry_asks_again(browser, tmp_path):
    """A slow answer (a pipeline whose ask takes 30 s) is stopped; retry asks it again."""
    import socket
    import threading

    from rag.config import Config
    from rag.pipeline import Pipeline
    from ui.app import build_app, launch

    class Slow(Pipeline):
        def ask(self, question, **kwargs):
            if self.slow.is_set():
                threading.Event().wait(30)
            return super().ask(question, **kwargs)

    (tmp_path / "talk.txt").write_text("Ann Lee: Bees matter because they pollinate the orchards.\nBo Park: Why?\n"
                                       "Ann Lee: Without bees the apple trees bear no fruit.\nBo Park: Ok.\n",
                                       encoding="utf-8")
    pipeline = Slow(Config.from_env(corpus=tmp_path, cache_dir=tmp_path / "cache"))
    pipeline.slow = threading.Event()
    pipeline.slow.set()
    app = build_app(pipeline)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    launch(app, host="127.0.0.1", port=port, prevent_thread_lock=True, quiet=True)
    page = open_page(browser, f"http://127.0.0.1:{port}/")
    try:
        box = page.get_by_placeholder("Ask a question")
        box.fill("Why do bees matter to Ann Lee?")
        box.press("Enter")
        stop = page.locator("#rag-box button.stop-button, #rag-box button:has-text('Stop')").first
        stop.wait_for(timeout=10_000)
        stop.click()
        page.wait_for_function("document.querySelector('#rag-chat .rag-error')", timeout=15_000)
        assert "Stopped" in page.locator("#rag-chat .rag-error").inner_text()
        page.locator("#rag-box button:has-text('Ask')").wait_for(timeout=10_000)
        pipeline.slow.clear()
        page.get_by_role("button", name="Retry").first.click()
        page.wait_for_function("document.querySelector('#rag-chat .rag-answer .rag-card')", timeout=60_000)
        assert page.locator(".message-row.user-row").count() == 1  # the same question, answered in place
        assert "Ann Lee" in page.locator("#rag-chat .rag-answer .rag-who").first.inner_text()
    finally:
        page.context.close()
        app.close()


def test_thumbs_append_to_the_feedback_file(page, ui_server):
    import json

    feedback = Path(ui_server.pipeline.config.cache_dir) / "feedback.jsonl"
    before = feedback.read_text(encoding="utf-8").splitlines() if feedback.exists() else []
    ask(page, "What keeps Khalid Amiri awake at night?")
    page.locator(".message-row.bot-row").last.get_by_role("button", name="Like", exact=True).click()
    for _ in range(50):
        lines = feedback.read_text(encoding="utf-8").splitlines() if feedback.exists() else []
        if len(lines) > len(before):
            break
        page.wait_for_timeout(100)
    record = json.loads(lines[-1])
    assert record["verdict"] == "up" and record["question"] == "What keeps Khalid Amiri awake at night?"
    assert record["answer"]["citations"][0]["speaker"] == "Khalid Amiri"
