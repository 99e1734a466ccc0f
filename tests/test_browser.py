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


@pytest.fixture
def page(browser, ui_server):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.dialogs = []  # every alert/confirm/prompt that fires, dismissed
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.goto(ui_server.url)
    page.get_by_placeholder("Ask a question").wait_for()
    yield page
    page.close()


def screenshot(page, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=True)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / name)
    return path


def ask(page, question: str):
    """Type a question, press Enter, wait for the reply's cards; the last reply's locator."""
    replies = page.locator(".message-row .rag-answer, .message-row .rag-abstain, .message-row .rag-error")
    before = replies.count()
    box = page.get_by_placeholder("Ask a question")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(
        f"document.querySelectorAll('.message-row .rag-answer, .message-row .rag-abstain, "
        f".message-row .rag-error').length > {before}", timeout=60_000)
    return replies.last


def test_question_shows_answer_with_the_speaker_on_its_card(page, tmp_path):
    reply = ask(page, "What keeps Khalid Amiri awake at night?")
    assert reply.get_attribute("class") == "rag-answer"
    assert "[1]" in reply.locator(".rag-text").inner_text()
    first_card = reply.locator(".rag-card").first
    assert first_card.locator(".rag-who").inner_text() == "Khalid Amiri"
    assert "awake at night" in first_card.locator("mark").inner_text()
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
