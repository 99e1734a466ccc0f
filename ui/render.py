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
from urllib.parse import urlencode

from rag.pipeline import SourceInfo, Upload
from rag.records import Answer, Citation, Hit, Passage

# How many of an abstention's closest mentions show at once; the rest fold away.
SHOWN_MENTIONS = 3
SPEAKER_COLOURS = 8  # .spk-0 ... .spk-7 in CSS below
ASKED_CHARS = 200  # the question a passage replies to is context, not evidence: its end will do
COMPACT_CHARS = 320  # a longer passage shows, at first, only the sentences holding its quote


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


def title_and_url(title: str, url: str = "") -> tuple[str, str]:
    """A title as shown, and the source's URL: a title read from a first line that runs into
    a web address ("...global securityhttps://en.majalla.com/...") is cut before it, and the
    address serves as the link where the metadata gives none.

    Example: title_and_url("Peace talkshttps://a.org/x") -> ("Peace talks", "https://a.org/x")
    """
    m = re.search(r"https?://\S+", title or "")
    if not m:
        return title, url
    shown = title[: m.start()].rstrip(" -–—|:·(")
    return (shown or title), (url or m.group(0).rstrip(").,"))


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
    """Title (a link to the source where the metadata has a URL), publication, date, the
    time in the recording, and the file name."""
    shown, url = title_and_url(passage.title, url)
    title = esc(shown or passage.source)
    link = safe_url(url)
    if link:
        title = f'<a href="{link}" target="_blank" rel="noopener noreferrer nofollow">{title} &#8599;</a>'
    parts = [f'<span class="rag-title">{title}</span>']
    facts = ", ".join(esc(x) for x in (publication, date) if x)
    if facts:
        parts.append(facts)
    if passage.t_start is not None:
        parts.append(f'<span class="rag-time" title="where in the recording">&#9654; {clock(passage.t_start)}</span>')
    parts.append(f'<span class="rag-file">{esc(passage.source)}</span>')
    return " · ".join(parts)


def sentence_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The whole sentence(s) around text[start:end]: from the end of the sentence before to
    the end of the last one the span touches.

    Example: sentence_span("One. Two three four. Five.", 9, 14) -> (5, 20)
    """
    before = [m.end() for m in _SENTENCE_END.finditer(text, 0, max(0, start))]
    s = before[-1] if before else 0
    after = _SENTENCE_END.search(text, max(start, end - 1))
    e = after.end() if after else len(text)
    while s < start and text[s].isspace():
        s += 1
    return s, e


_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s|$)")


def _compact(text: str, quote: tuple[int, int] | None) -> tuple[str, bool]:
    """A card's first view: the passage when it is short, else the sentences holding the
    quote (or the opening sentences), marked "…" where cut. (html, whether it was cut)."""
    if len(text) <= COMPACT_CHARS:
        return (highlight(text, *quote) if quote else text_html(text)), False
    if quote and quote[0] < quote[1]:
        s, e = sentence_span(text, *quote)
        qs, qe = max(quote[0], s), min(quote[1], e)
        body = highlight(text[s:e].rstrip(), qs - s, qe - s)
    else:
        s, e = 0, sentence_span(text, 0, min(len(text), COMPACT_CHARS // 2))[1]
        body = text_html(text[s:e].rstrip())
    cut = s > 0 or e < len(text.rstrip())
    return ("… " if s > 0 else "") + body + (" …" if e < len(text.rstrip()) else ""), cut


def card_html(passage: Passage, n: int | None = None, quote: tuple[int, int] | None = None,
              publication: str = "", date: str = "", url: str = "", key: str = "",
              sentence: tuple[str, int, int] | None = None) -> str:
    """One source card: [n], who (role), the sentence holding the quoted words marked (the
    whole passage on expand), where, and a way into the transcript at that place.
    `sentence` is (text, quote start, quote end) where the quote's sentence runs beyond the
    passage in the transcript (a quote split around "he said"): shown whole, quote marked."""
    number = f'<span class="rag-n">[{n}]</span> ' if n is not None else ""
    compact, cut = _compact(passage.text, quote)
    if sentence is not None:
        compact, cut = highlight(*sentence), True
    whole = ""
    if cut:
        full = highlight(passage.text, *quote) if quote else text_html(passage.text)
        whole = (f'<details class="rag-whole"><summary>whole passage</summary>'
                 f'<blockquote class="rag-passage">{full}</blockquote></details>')
    asked = (f'<div class="rag-asked">in reply to: {text_html(shorten(passage.question, ASKED_CHARS))}</div>'
             if passage.question and passage.role != "interviewer" else "")
    if passage.lead_in and not passage.question and sentence is None:  # the writer's words that introduce the quote
        asked = f'<div class="rag-asked">{text_html(shorten(passage.lead_in, ASKED_CHARS))} …</div>'
    qs, qe = (passage.start + quote[0], passage.start + quote[1]) if quote else (passage.start, passage.start)
    # where to open the transcript, in the link itself: Gradio's sanitizer drops data-* attributes
    where = urlencode({"source": passage.source, "start": passage.start, "end": passage.end, "qs": qs, "qe": qe})
    show = f'<a class="rag-show" href="#show?{esc(where)}">show in transcript</a>'
    anchor = f' id="rag-card-{esc(key)}-{n}"' if key and n is not None else ""
    return (f'<div class="rag-card {speaker_class(passage.speaker)}"{anchor}>'
            f'<div class="rag-card-head">{number}{who_html(passage)}</div>'
            f'{asked}<blockquote class="rag-passage rag-compact">{compact}</blockquote>{whole}'
            f'<div class="rag-source">{source_line(passage, publication, date, url)} · {show}</div></div>')


def citation_card(c: Citation, key: str = "", sentence: tuple[str, int, int] | None = None) -> str:
    """A citation's card: its quote highlighted inside the passage it comes from."""
    offset = c.passage.start
    return card_html(c.passage, c.n, (c.start - offset, c.end - offset), c.publication, c.date, c.url, key, sentence)


def quoted_sentence(file_text: str, c: Citation, limit: int = 600) -> tuple[str, int, int] | None:
    """(sentence, quote start, quote end) when the sentence holding a citation's quote runs
    beyond its passage in the transcript ("...were "too high" and "above" what could be
    compromised"), else None. Whitespace runs are read as one space.

    Example: quoted_sentence('He said it was "too high" today.', c) with c quoting "too high"
    -> ('He said it was "too high" today.', 16, 24)
    """
    if file_text[c.start:c.end] != c.quote:
        return None
    s, e = sentence_span(file_text, c.start, c.end)
    s = max(s, file_text.rfind("\n\n", 0, c.start) + 1)  # a sentence never spans paragraphs
    blank = file_text.find("\n\n", c.end)
    e = min(e, blank) if blank != -1 else e
    if (s >= c.passage.start and e <= c.passage.end) or e - s > limit:
        return None
    s = max(s, c.start - limit // 2)
    text = file_text[s:e].strip()
    s += len(file_text[s:e]) - len(file_text[s:e].lstrip())
    return text, c.start - s, c.end - s


def hit_card(hit: Hit, facts: SourceInfo | None = None) -> str:
    """A passage found but not quoted (an abstention's closest mentions): no highlight."""
    return card_html(hit.passage, None, None,
                     facts.publication if facts else "", facts.date if facts else "", facts.url if facts else "")


def answer_text_html(answer: Answer, key: str = "") -> str:
    """The answer's words, escaped, with each of its [n] markers a link to its card."""
    numbers = {c.n for c in answer.citations}

    def marker(m: re.Match) -> str:
        n = int(m.group(1))
        if n not in numbers:
            return m.group(0)
        if not key:
            return f'<sup class="rag-cite">[{n}]</sup>'
        return f'<a class="rag-cite" href="#rag-card-{esc(key)}-{n}" title="go to source {n}">[{n}]</a>'

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


def filter_note_text(hidden: Sequence[str], what: str, abstained: bool) -> str:
    """The words of filter_note_html, as text (for Copy): "The filter (...) hides X: ..."."""
    if not hidden:
        return ""
    said = ("so their own words were not searched and this answer cannot say what they said"
            if abstained else "so the answer below leaves out their own words")
    return f"The filter ({what}) hides {' and '.join(hidden)}: {said}."


def filter_note_html(hidden: Sequence[str], what: str, question: str, abstained: bool) -> str:
    """Says that a filter hides the person asked about, and offers to ask again without it.
    `what` names the filter ("only words said by Ali Nazary")."""
    if not hidden:
        return ""
    return (f'<div class="rag-filtered">{esc(filter_note_text(hidden, what, abstained))} '
            f'<a class="rag-clear" href="#ask?{esc(urlencode({"q": question}))}">Clear the filters and ask again</a></div>')


def tools_html(answer: Answer, facts: Callable[[str], SourceInfo | None] = lambda source: None,
               filter_text: str = "") -> str:
    """Copy (clean text, no markup) and a link that asks the question again."""
    return (f'<div class="rag-tools"><button type="button" class="rag-copy" title="copy the answer and its sources as text">'
            f'Copy</button><a class="rag-link" href="?{esc(urlencode({"q": answer.question}))}" '
            f'title="copy a link that asks this question">Link</a></div>'
            f'<pre class="rag-plain">{esc(answer_text(answer, facts, filter_text))}</pre>')  # CSS hides it


def answer_html(answer: Answer, facts: Callable[[str], SourceInfo | None] = lambda source: None,
                key: str = "", filter_note: str = "",
                sentence: Callable[[Citation], tuple[str, int, int] | None] = lambda c: None,
                filter_text: str = "") -> str:
    """A whole chat reply: the answer and its source cards, or an abstention banner and the
    closest mentions. `facts(source)` gives publication/date/URL for an uncited passage.
    `key` makes the cards' anchors unique on the page (one per message); `filter_note` is
    filter_note_html's warning, shown first (`filter_text`, filter_note_text's, the same for
    Copy); `sentence(c)` is quoted_sentence's for c."""
    if answer.abstained:
        cards = [hit_card(h, facts(h.passage.source)) for h in answer.hits]
        shown, folded = cards[:SHOWN_MENTIONS], cards[SHOWN_MENTIONS:]
        more = (f'<details class="rag-more"><summary>{len(folded)} more</summary>{"".join(folded)}</details>'
                if folded else "")
        mentions = (f'<div class="rag-sub">Closest mentions (none of them answers it)</div>{"".join(shown)}{more}'
                    if cards else "")
        # under a filter that hid the person asked about, "X is not quoted on this" is false:
        # the note says what happened instead
        banner = "Hidden by a filter" if filter_note else "Not in the transcripts"
        said = "" if filter_note else f'<div class="rag-text">{text_html(answer.text)}</div>'
        return (f'<div class="rag-abstain">{filter_note}<div class="rag-banner">{banner}</div>'
                f'{said}{searched_html(answer)}{mentions}'
                f'{tools_html(answer, facts, filter_text)}</div>')
    cards = "".join(citation_card(c, key, sentence(c)) for c in answer.citations)
    label = "Source" if len(answer.citations) == 1 else "Sources"
    return (f'<div class="rag-answer">{filter_note}<div class="rag-text">{answer_text_html(answer, key)}</div>'
            f'{answerer_note(answer)}{searched_html(answer)}'
            f'<div class="rag-sub">{label}: who said it, where</div>{cards}{tools_html(answer, facts, filter_text)}</div>')


def not_a_question_html(question: str, example: str = "") -> str:
    """For a message with no word the transcripts or English know ("asdfgh qwerty")."""
    hint = f", e.g. “{esc(example)}”" if example else ""
    return ('<div class="rag-unclear"><div class="rag-text">I couldn\'t make out a question in '
            f'“{esc(shorten(question, 80))}”. Ask about someone or something in the transcripts{hint}.</div></div>')


# --- the same answers as text: the clipboard and the exports ---------------------------------
def where_text(c: Citation | Passage, publication: str = "", date: str = "") -> str:
    """"Khalid Amiri (interviewee), The Last Leader, The International Correspondent, 2022-12-01, at 12:34"."""
    p = c.passage if isinstance(c, Citation) else c
    who = "Narrator" if p.speaker == "narrator" else f"{p.speaker} ({p.role})"
    parts = [who, title_and_url(p.title)[0] or p.source, publication, date, f"at {clock(p.t_start)}" if p.t_start is not None else ""]
    return ", ".join(x for x in parts if x)


def answer_text(answer: Answer, facts: Callable[[str], SourceInfo | None] = lambda source: None,
                filter_text: str = "") -> str:
    """The answer as plain text: its words with [n], then the numbered sources (speaker,
    title, publication, date, timestamp, quote, URL). What Copy puts on the clipboard.
    `filter_text` (a filter hid the person asked about) comes first, and replaces an
    abstention's words, which the filter made false."""
    lines = [answer.text.strip()]
    if filter_text:
        lines = [filter_text] if answer.abstained else [filter_text, ""] + lines
    if answer.citations:
        lines += ["", "Sources:"]
        for c in answer.citations:
            lines.append(f"[{c.n}] {where_text(c, c.publication, c.date)}")
            lines.append(f"    “{' '.join(c.quote.split())}”")
            if safe_url(c.url):
                lines.append(f"    {c.url.strip()}")
    elif answer.abstained and answer.hits:
        lines += ["", "Closest mentions (none of them answers it):"]
        for h in answer.hits[:SHOWN_MENTIONS]:
            info = facts(h.passage.source)
            lines.append(f"- {where_text(h.passage, info.publication if info else '', info.date if info else '')}")
    return "\n".join(lines)


def conversation_markdown(answers: Sequence[Answer], title: str = "Ask the transcripts") -> str:
    """A conversation as Markdown: each question, its answer with [n], its numbered sources."""
    out = [f"# {title}", ""]
    for a in answers:
        out += [f"## {' '.join(a.question.split())}", "", a.text.strip(), ""]
        if a.abstained:
            out += ["*Not in the transcripts.*", ""]
        for c in a.citations:
            where = where_text(c, c.publication, c.date)
            link = f" <{c.url.strip()}>" if safe_url(c.url) else ""
            out.append(f"{c.n}. {where}{link}  ")
            out.append(f"   > {' '.join(c.quote.split())}")
        if a.citations:
            out.append("")
    return "\n".join(out).rstrip() + "\n"


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
        shown, url = title_and_url(i.title, i.url)
        link = safe_url(url)
        title = esc(shown or i.source)
        if link:
            title = f'<a href="{link}" target="_blank" rel="noopener noreferrer nofollow">{title}</a>'
        rows.append(f"<tr><td>{title}<div class='rag-file'>{esc(i.source)}</div></td><td>{esc(i.publication)}</td>"
                    f"<td>{esc(i.date)}</td><td>{speakers_text(i)}</td><td class='rag-num'>{i.passages}</td></tr>")
    total = sum(i.passages for i in infos)
    return (f'<table class="rag-sources"><thead><tr><th>Title</th><th>Publication</th><th>Date</th>'
            f'<th>Speakers (passages)</th><th>Passages</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
            f'<p class="rag-muted">{len(infos)} transcripts, {total} passages.</p>')


def transcript_html(info: SourceInfo | None, passages: Iterable[Passage],
                    focus: tuple[int, int, int, int] | None = None) -> str:
    """A transcript to read: each passage a paragraph, its speaker in bold. `focus` is
    (passage start, passage end, quote start, quote end) in file offsets: that passage is
    marked (id "rag-here", for scrolling to it) with the quote highlighted inside it."""
    if info is None:
        return '<p class="rag-muted">Choose a transcript to read it here.</p>'
    facts = ", ".join(esc(x) for x in (info.publication, info.date) if x)
    shown, url = title_and_url(info.title, info.url)
    link = safe_url(url)
    head = (f'<h3>{esc(shown or info.source)}</h3><p class="rag-muted">{facts}'
            f'{" · " if facts else ""}<span class="rag-file">{esc(info.source)}</span>'
            + (f' · <a href="{link}" target="_blank" rel="noopener noreferrer nofollow">open the source &#8599;</a>' if link else "")
            + "</p>")
    paragraphs = []
    for p in passages:
        when = f'<span class="rag-time">{clock(p.t_start)}</span> ' if p.t_start is not None else ""
        name = "Narrator" if p.speaker == "narrator" else esc(p.speaker)
        role = "" if p.speaker == "narrator" else f' <span class="rag-role">{esc(p.role)}</span>'
        here = focus is not None and (p.start, p.end) == focus[:2]
        body = highlight(p.text, focus[2] - p.start, focus[3] - p.start) if here else text_html(p.text)
        mark = ' rag-here" id="rag-here' if here else ""
        paragraphs.append(f'<p class="rag-line {speaker_class(p.speaker)}{mark}">{when}<b class="rag-who {speaker_class(p.speaker)}">'
                          f'{name}</b>{role}<br>{body}</p>')
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
.rag-cite { color: var(--color-accent) !important; font-weight: 600; font-size: .8em; vertical-align: super;
            line-height: 0; text-decoration: none !important; cursor: pointer; padding: 0 .1em; }
.rag-cite:hover { text-decoration: underline !important; }
.rag-card.rag-flash { box-shadow: 0 0 0 3px var(--color-accent); transition: box-shadow .3s; }
.rag-card { scroll-margin-top: 8px; }
.rag-whole summary, .rag-more summary { cursor: pointer; font-size: .82em; color: var(--body-text-color-subdued); }
.rag-whole[open] + .rag-source { margin-top: .2em; }
.rag-whole[open] summary { margin-bottom: .2em; }
.rag-tools button, .rag-tools a, a.rag-clear {
  font: inherit; font-size: .82em; cursor: pointer; border: 1px solid var(--border-color-primary); border-radius: 6px;
  padding: .05em .5em; background: var(--background-fill-secondary); color: var(--body-text-color); }
a.rag-show { color: var(--color-accent); white-space: nowrap; }
.rag-tools a, a.rag-clear { text-decoration: none !important; }
.rag-plain { display: none !important; }
.rag-tools { display: flex; gap: .4em; margin-top: .6em; }
.rag-filtered { border: 1px solid #f59e0b; background: #fffbeb; color: #78350f; border-radius: 8px;
                padding: .45em .7em; margin-bottom: .5em; font-size: .92em; }
.rag-filtered a.rag-clear { margin-left: .3em; white-space: nowrap; }
.rag-unclear .rag-text { color: var(--body-text-color-subdued); }
.rag-here { background: #fef9c3; border-radius: 4px; }
.rag-here mark { background: #fde68a; color: #1f2937; }
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
.spk-0 { --spk: #2563eb; } .spk-1 { --spk: #c2410c; } .spk-2 { --spk: #15803d; } .spk-3 { --spk: #7c3aed; }
.spk-4 { --spk: #be185d; } .spk-5 { --spk: #0e7490; } .spk-6 { --spk: #a16207; } .spk-7 { --spk: #4d7c0f; }
.spk-narrator { --spk: #6b7280; }
/* The chat panel takes the window's height, less the header, the tabs and the question box. */
#rag-chat { height: calc(100vh - 330px) !important; min-height: 340px; max-height: none !important; }
#rag-chat .scroll-down-button-container { display: none; } /* it covered card text; [n] and the cards scroll instead */
.rag-examples { gap: .4em; align-items: center; }
.rag-try { flex: 0 0 auto !important; min-width: 0 !important; }
.rag-export-label p { margin: .6em 0 0 0; }
@media (max-width: 700px) {
  .rag-header p { display: none; }
  .rag-header h1 { font-size: 1.25em; }
  #rag-chat { height: calc(100vh - 270px) !important; min-height: 280px; }
  .rag-examples { display: none !important; }
}
"""
