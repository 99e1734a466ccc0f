"""HTML for the chat page: pure functions from the pipeline's records to safe HTML.

Example:
    >>> clock(754.2)
    '12:34'
    >>> highlight("We lost our rights.", 3, 7)
    'We <mark>lost</mark> our rights.'

Rule: every piece of text that comes from a transcript, a speaker's name, a title, a file
name or a user's question goes through `esc` (html.escape) before it meets markup, and a URL
becomes a link only when it starts with http:// or https://. Nothing else is interpolated
raw, so `<script>`, `<img onerror=...>` and markdown tricks (`[x](javascript:...)`) in a
transcript show as the characters they are. The chat renders these strings as HTML with
markdown off (ui/app.py), so markdown syntax in a quote is inert too.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable, Iterable, Sequence

from rag.pipeline import SourceInfo, Upload
from rag.records import Answer, Citation, Hit, Passage

# How many of an abstention's closest mentions show at once; the rest fold away.
SHOWN_MENTIONS = 3
SPEAKER_COLOURS = 8  # .spk-0 ... .spk-7 in CSS below
ASKED_CHARS = 200  # the question a passage replies to is context, not evidence: its end will do


def esc(text: object) -> str:
    """Text as inert HTML (quotes too, so it is safe inside attributes)."""
    return html.escape("" if text is None else str(text), quote=True)


def text_html(text: str) -> str:
    """Escaped text whose line breaks survive (the chat does not render markdown)."""
    return esc(text).replace("\r\n", "\n").replace("\n", "<br>")


def safe_url(url: str | None) -> str:
    """The URL, escaped, when it is http(s); otherwise "" (javascript:, data:, relative ...).

    Example: safe_url("https://a.org/?q=1&x=2") -> 'https://a.org/?q=1&amp;x=2'
    """
    url = (url or "").strip()
    if not re.match(r"(?i)^https?://[^\s]+$", url):
        return ""
    return esc(url)


def shorten(text: str, n: int) -> str:
    """At most n characters, cut at a word and marked with "…" (from the front, so the
    question itself, which ends a long preamble, stays)."""
    text = " ".join(text.split())
    if len(text) <= n:
        return text
    tail = text[-(n - 1):]
    return "…" + (tail.split(" ", 1)[1] if " " in tail else tail)


def clock(seconds: float | None) -> str:
    """Seconds as m:ss (h:mm:ss past an hour); "" when there is no timestamp."""
    if seconds is None or seconds < 0:
        return ""
    s = int(seconds)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def highlight(text: str, start: int, end: int) -> str:
    """text with text[start:end] inside <mark>, every piece escaped on its own."""
    start, end = max(0, start), min(len(text), end)
    if start >= end:
        return text_html(text)
    return f"{text_html(text[:start])}<mark>{text_html(text[start:end])}</mark>{text_html(text[end:])}"


def speaker_class(speaker: str) -> str:
    """A stable colour class per speaker, so one person looks the same on every card."""
    if speaker == "narrator":
        return "spk-narrator"
    return f"spk-{int(hashlib.md5(speaker.encode()).hexdigest(), 16) % SPEAKER_COLOURS}"


def who_html(passage: Passage) -> str:
    """Speaker in bold, then their role: who said it, at a glance."""
    if passage.speaker == "narrator":
        return '<span class="rag-who spk-narrator">Narrator</span> <span class="rag-role">the article\'s own words</span>'
    return (f'<span class="rag-who {speaker_class(passage.speaker)}">{esc(passage.speaker)}</span> '
            f'<span class="rag-role">{esc(passage.role)}</span>')


def source_line(passage: Passage, publication: str = "", date: str = "", url: str = "") -> str:
    """Title, publication, date, timestamp, a link when there is a URL, and the file name."""
    parts = [f'<span class="rag-title">{esc(passage.title or passage.source)}</span>']
    facts = ", ".join(esc(x) for x in (publication, date) if x)
    if facts:
        parts.append(facts)
    if passage.t_start is not None:
        parts.append(f'<span class="rag-time" title="where in the recording">&#9654; at {clock(passage.t_start)}</span>')
    link = safe_url(url)
    if link:
        parts.append(f'<a href="{link}" target="_blank" rel="noopener noreferrer nofollow">open the source &#8599;</a>')
    parts.append(f'<span class="rag-file">{esc(passage.source)}</span>')
    return " · ".join(parts)


def card_html(passage: Passage, n: int | None = None, quote: tuple[int, int] | None = None,
              publication: str = "", date: str = "", url: str = "") -> str:
    """One source card: [n], who (role), the passage with the quoted words marked, where."""
    number = f'<span class="rag-n">[{n}]</span> ' if n is not None else ""
    body = highlight(passage.text, *quote) if quote else text_html(passage.text)
    asked = (f'<div class="rag-asked">in reply to: {text_html(shorten(passage.question, ASKED_CHARS))}</div>'
             if passage.question and passage.role != "interviewer" else "")
    if passage.lead_in and not passage.question:  # the writer's words that introduce the quote
        asked = f'<div class="rag-asked">{text_html(shorten(passage.lead_in, ASKED_CHARS))} …</div>'
    return (f'<div class="rag-card {speaker_class(passage.speaker)}">'
            f'<div class="rag-card-head">{number}{who_html(passage)}</div>'
            f'{asked}<blockquote class="rag-passage">{body}</blockquote>'
            f'<div class="rag-source">{source_line(passage, publication, date, url)}</div></div>')


def citation_card(c: Citation) -> str:
    """A citation's card: its quote highlighted inside the passage it comes from."""
    offset = c.passage.start
    return card_html(c.passage, c.n, (c.start - offset, c.end - offset), c.publication, c.date, c.url)


def hit_card(hit: Hit, facts: SourceInfo | None = None) -> str:
    """A passage found but not quoted (an abstention's closest mentions): no highlight."""
    return card_html(hit.passage, None, None,
                     facts.publication if facts else "", facts.date if facts else "", facts.url if facts else "")


def answer_text_html(answer: Answer) -> str:
    """The answer's words, escaped, with each of its [n] markers set off as a citation."""
    numbers = {c.n for c in answer.citations}

    def marker(m: re.Match) -> str:
        n = int(m.group(1))
        return f'<sup class="rag-cite">[{n}]</sup>' if n in numbers else m.group(0)

    return re.sub(r"\[(\d+)\]", marker, text_html(answer.text))


def searched_html(answer: Answer) -> str:
    """What was searched, when a follow-up was rewritten ("he" -> the person meant)."""
    if not answer.query or answer.query.strip() == answer.question.strip():
        return ""
    return f'<div class="rag-searched">Searched for: {esc(answer.query)}</div>'


def answerer_note(answer: Answer) -> str:
    """Says how a generative answer was made, and why a streamed draft was replaced."""
    if answer.answerer.startswith("generative") and answer.answerer != "generative":
        return ('<div class="rag-searched">The written draft could not be checked against the transcripts, '
                'so their own words are shown instead.</div>')
    if answer.answerer == "generative":
        return ('<div class="rag-searched">Written by a language model from the passages below; each sentence '
                'was checked against the passage it cites.</div>')
    return ""


def answer_html(answer: Answer, facts: Callable[[str], SourceInfo | None] = lambda source: None) -> str:
    """A whole chat reply: the answer and its source cards, or an abstention banner and the
    closest mentions. `facts(source)` gives publication/date/URL for an uncited passage."""
    if answer.abstained:
        cards = [hit_card(h, facts(h.passage.source)) for h in answer.hits]
        shown, folded = cards[:SHOWN_MENTIONS], cards[SHOWN_MENTIONS:]
        more = (f'<details class="rag-more"><summary>{len(folded)} more</summary>{"".join(folded)}</details>'
                if folded else "")
        mentions = (f'<div class="rag-sub">Closest mentions (none of them answers it)</div>{"".join(shown)}{more}'
                    if cards else "")
        return (f'<div class="rag-abstain"><div class="rag-banner">Not in the transcripts</div>'
                f'<div class="rag-text">{text_html(answer.text)}</div>{searched_html(answer)}{mentions}</div>')
    cards = "".join(citation_card(c) for c in answer.citations)
    label = "Source" if len(answer.citations) == 1 else "Sources"
    return (f'<div class="rag-answer"><div class="rag-text">{answer_text_html(answer)}</div>'
            f'{answerer_note(answer)}{searched_html(answer)}'
            f'<div class="rag-sub">{label}: who said it, where</div>{cards}</div>')


def user_html(question: str) -> str:
    return text_html(question)


def pending_html(what: str = "Searching the transcripts…") -> str:
    return f'<div class="rag-pending">{esc(what)}</div>'


def partial_html(text: str) -> str:
    """A generated answer while it is being written."""
    return f'<div class="rag-answer"><div class="rag-text">{text_html(text)}<span class="rag-cursor">▍</span></div></div>'


def error_html(message: str) -> str:
    return f'<div class="rag-error">{text_html(message)}</div>'


# --- the Sources tab ------------------------------------------------------------------------
def speakers_text(info: SourceInfo) -> str:
    """"Dana Okafor (30), Tom Reyes (15)" - people first, narration last."""
    people = [f"{esc(s)} ({n})" for s, n in info.speakers if s != "narrator"]
    narration = [f"narration ({n})" for s, n in info.speakers if s == "narrator"]
    return ", ".join(people + narration)


def sources_table_html(infos: Sequence[SourceInfo]) -> str:
    if not infos:
        return '<p class="rag-muted">No transcripts yet: add some below.</p>'
    rows = []
    for i in infos:
        link = safe_url(i.url)
        title = esc(i.title or i.source)
        if link:
            title = f'<a href="{link}" target="_blank" rel="noopener noreferrer nofollow">{title}</a>'
        rows.append(f"<tr><td>{title}<div class='rag-file'>{esc(i.source)}</div></td><td>{esc(i.publication)}</td>"
                    f"<td>{esc(i.date)}</td><td>{speakers_text(i)}</td><td class='rag-num'>{i.passages}</td></tr>")
    total = sum(i.passages for i in infos)
    return (f'<table class="rag-sources"><thead><tr><th>Title</th><th>Publication</th><th>Date</th>'
            f'<th>Speakers (passages)</th><th>Passages</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
            f'<p class="rag-muted">{len(infos)} transcripts, {total} passages.</p>')


def transcript_html(info: SourceInfo | None, passages: Iterable[Passage]) -> str:
    """A transcript to read: each passage a paragraph, its speaker in bold."""
    if info is None:
        return '<p class="rag-muted">Choose a transcript to read it here.</p>'
    facts = ", ".join(esc(x) for x in (info.publication, info.date) if x)
    link = safe_url(info.url)
    head = (f'<h3>{esc(info.title or info.source)}</h3><p class="rag-muted">{facts}'
            f'{" · " if facts else ""}<span class="rag-file">{esc(info.source)}</span>'
            + (f' · <a href="{link}" target="_blank" rel="noopener noreferrer nofollow">open the source &#8599;</a>' if link else "")
            + "</p>")
    paragraphs = []
    for p in passages:
        when = f'<span class="rag-time">{clock(p.t_start)}</span> ' if p.t_start is not None else ""
        name = "Narrator" if p.speaker == "narrator" else esc(p.speaker)
        role = "" if p.speaker == "narrator" else f' <span class="rag-role">{esc(p.role)}</span>'
        paragraphs.append(f'<p class="rag-line {speaker_class(p.speaker)}">{when}<b class="rag-who {speaker_class(p.speaker)}">'
                          f'{name}</b>{role}<br>{text_html(p.text)}</p>')
    return f'<div class="rag-transcript">{head}{"".join(paragraphs)}</div>'


def upload_report_html(results: Sequence[Upload]) -> str:
    """One line per uploaded file: added with N passages, or refused and why."""
    if not results:
        return ""
    lines = []
    for r in results:
        if r.ok:
            renamed = f" (saved as {esc(r.saved_as)})" if r.saved_as and r.saved_as != r.name else ""
            lines.append(f'<li class="rag-ok">&#10003; <b>{esc(r.name)}</b>{renamed}: added, {r.passages} '
                         f'passage{"s" if r.passages != 1 else ""}, searchable now</li>')
        else:
            lines.append(f'<li class="rag-refused">&#10007; <b>{esc(r.name)}</b>: not added: {esc(r.reason)}</li>')
    return f'<ul class="rag-uploads">{"".join(lines)}</ul>'


def header_html(n_sources: int, n_passages: int) -> str:
    return ('<div class="rag-header"><h1>Ask the transcripts</h1>'
            '<p>Every answer quotes the transcripts word for word and says <b>who</b> said it and '
            f'<b>where</b>. Searching {n_sources} transcripts ({n_passages} passages); see or add them in '
            'the <i>Sources</i> tab.</p></div>')


CSS = """
.rag-header h1 { margin: 0 0 .2em 0; font-size: 1.6em; }
.rag-header p { margin: 0; color: var(--body-text-color-subdued); }
.rag-text { line-height: 1.55; }
.rag-cite { color: var(--color-accent); font-weight: 600; }
.rag-sub { margin: .9em 0 .4em; font-size: .8em; text-transform: uppercase; letter-spacing: .04em;
           color: var(--body-text-color-subdued); }
.rag-card { border: 1px solid var(--border-color-primary); border-left: 5px solid var(--spk, #999);
            border-radius: 8px; padding: .55em .8em; margin: .45em 0; background: var(--background-fill-primary); }
.rag-card-head { font-size: 1.02em; }
.rag-n { font-weight: 700; color: var(--color-accent); }
.rag-who { font-weight: 700; color: var(--spk, inherit); }
.rag-role { font-size: .8em; color: var(--body-text-color-subdued); border: 1px solid var(--border-color-primary);
            border-radius: 4px; padding: 0 .35em; }
.rag-asked { font-size: .85em; color: var(--body-text-color-subdued); margin-top: .3em; }
blockquote.rag-passage { margin: .35em 0; padding: 0; border: 0; font-style: normal; line-height: 1.5; }
.rag-passage mark { background: #fde68a; color: #1f2937; padding: 0 .1em; border-radius: 2px; }
.rag-source { font-size: .82em; color: var(--body-text-color-subdued); }
.rag-title { font-style: italic; }
.rag-file { font-family: var(--font-mono); font-size: .85em; color: var(--body-text-color-subdued); }
.rag-time { font-family: var(--font-mono); }
.rag-abstain { border: 1px dashed var(--border-color-primary); border-radius: 8px; padding: .6em .8em;
               background: var(--background-fill-secondary); color: var(--body-text-color-subdued); }
.rag-banner { display: inline-block; font-weight: 700; font-size: .85em; text-transform: uppercase;
              letter-spacing: .04em; padding: .1em .5em; border-radius: 4px; background: #e5e7eb; color: #374151;
              margin-bottom: .4em; }
.rag-abstain .rag-card { opacity: .85; }
.rag-searched { font-size: .8em; color: var(--body-text-color-subdued); margin-top: .3em; }
.rag-pending { color: var(--body-text-color-subdued); font-style: italic; }
.rag-error { color: #b91c1c; }
.rag-cursor { opacity: .6; }
.rag-muted { color: var(--body-text-color-subdued); font-size: .9em; }
.rag-sources { width: 100%; border-collapse: collapse; font-size: .92em; border: none !important; }
.rag-sources tr { border: none !important; }
.rag-sources th, .rag-sources td { text-align: left; vertical-align: top; padding: .4em .5em; border: none !important;
                                   border-bottom: 1px solid var(--border-color-primary) !important; }
.rag-num { text-align: right !important; }
.rag-transcript { max-height: 640px; overflow-y: auto; padding-right: .5em; }
.rag-line { margin: .2em 0 .8em; padding-left: .6em; border-left: 3px solid var(--spk, #999); }
.rag-uploads { list-style: none; padding-left: 0; }
.rag-ok { color: #15803d; } .rag-refused { color: #b91c1c; }
.rag-more summary { cursor: pointer; font-size: .85em; }
.spk-0 { --spk: #2563eb; } .spk-1 { --spk: #c2410c; } .spk-2 { --spk: #15803d; } .spk-3 { --spk: #7c3aed; }
.spk-4 { --spk: #be185d; } .spk-5 { --spk: #0e7490; } .spk-6 { --spk: #a16207; } .spk-7 { --spk: #4d7c0f; }
.spk-narrator { --spk: #6b7280; }
"""
