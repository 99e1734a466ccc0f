"""The chat page: a Gradio app around one shared Pipeline.

    app = build_app(get_pipeline())
    launch(app, host="127.0.0.1", port=7860)

It only presents. Each callback is a few lines around a Pipeline method (`ask`, `sources`,
`passages_of`, `add_files`); the HTML comes from ui/render.py, which escapes everything
that comes from a transcript, a file name or a user.
"""

from __future__ import annotations

import logging
import queue
import threading
from pathlib import Path

import gradio as gr

from rag.errors import UserError
from rag.pipeline import ANSWERERS, Pipeline, SourceInfo

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
ANSWER_CONCURRENCY = 2
QUEUE_MAX_SIZE = 64


class _Facts:
    """The corpus as Pipeline.sources() lists it, kept per process and refreshed after an
    upload (listing walks every passage: once per upload, not once per question)."""

    def __init__(self, pipeline: Pipeline):
        self.pipeline = pipeline
        self._lock = threading.Lock()
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


def _speaker_choices(infos: list[SourceInfo]) -> list[tuple[str, str]]:
    counts: dict[str, int] = {}
    for info in infos:
        for speaker, n in info.speakers:
            if speaker != "narrator":
                counts[speaker] = counts.get(speaker, 0) + n
    return [("Anyone", ANYONE)] + [(s, s) for s in sorted(counts, key=lambda s: (-counts[s], s))]


def _source_choices(infos: list[SourceInfo]) -> list[tuple[str, str]]:
    return [("All transcripts", EVERYWHERE)] + [(_short(i.title or i.source), i.source) for i in infos]


def _reader_choices(infos: list[SourceInfo]) -> list[tuple[str, str]]:
    return [(_short(i.title or i.source, 90), i.source) for i in infos]


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


def build_app(pipeline: Pipeline) -> gr.Blocks:
    """The page for one shared pipeline (its models and index are loaded once, here)."""
    config = pipeline.config
    facts = _Facts(pipeline)
    infos = facts.infos
    show_answerer = bool(config.generator_model)
    # example questions come from the corpus's metadata.toml (`examples = [...]`), not from code
    examples_asked = list(pipeline.index.metadata.examples)[:4]

    # --- callbacks: thin wrappers around the pipeline ---------------------------------------
    def respond(message: str, chat: list, history: list, speaker: str, source: str, answerer: str):
        question = (message or "").strip()
        if not question:
            yield chat, message, history
            return
        chat = list(chat or []) + [_message("user", render.user_html(question)),
                                   _message("assistant", render.pending_html(
                                       "Searching the transcripts…" if answerer != "generative" else
                                       "Searching the transcripts, then writing an answer (the first one "
                                       "loads the model: allow half a minute)…"))]
        yield chat, "", history
        try:
            stream = _ask_streaming(pipeline, question, history=history or None, answerer=answerer or None,
                                    speakers=[speaker] if speaker else None, sources=[source] if source else None)
            for kind, value in stream:
                if kind == "partial":
                    chat[-1] = _message("assistant", render.partial_html(value))
                    yield chat, "", history
                else:
                    answer = value
        except Exception as e:  # noqa: BLE001 - shown as a message, never a traceback
            chat[-1] = _message("assistant", render.error_html(_failure(e, question, answerer)))
            yield chat, "", history
            return
        chat[-1] = _message("assistant", render.answer_html(answer, facts.get))
        history = list(history or []) + [{"role": "user", "content": question},
                                         {"role": "assistant", "content": answer.text}]
        yield chat, "", history

    def new_conversation():
        return [], "", []

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

    def read_transcript(source: str | None):
        info = facts.get(source) if source else None
        return render.transcript_html(info, pipeline.passages_of(source) if info else [])

    def add_transcripts(paths: list[str] | None, progress=gr.Progress()):  # noqa: B008 - Gradio's idiom
        if not paths:
            return ("", *corpus_views(), None)
        progress(0.1, desc=f"checking {len(paths)} file(s)")
        files = [(Path(p).name, Path(p).read_bytes()) for p in paths]
        results = pipeline.add_files(files, progress=lambda msg: progress(0.5, desc=msg))
        if any(r.ok for r in results):
            facts.refresh()
        return (render.upload_report_html(results), *corpus_views(), None)

    # --- layout ---------------------------------------------------------------------------
    with gr.Blocks(title="Ask the transcripts", analytics_enabled=False) as app:
        header = gr.HTML(render.header_html(len(infos), sum(i.passages for i in infos)))
        history = gr.State([])  # the conversation as plain text, for follow-up questions
        with gr.Tab("Ask"), gr.Row():
            with gr.Column(scale=4):
                # Messages are HTML built by ui/render.py with everything escaped; markdown
                # is off so that `[x](javascript:...)` or `**` in a quote stays literal, and
                # Gradio's sanitizer stays on as a second line of defence.
                chat = gr.Chatbot(label="Answers, with who said it and where", render_markdown=False,
                                  sanitize_html=True, allow_tags=False, layout="panel", elem_id="rag-chat",
                                  # a long answer (three quotes and their cards) scrolled to its end hides
                                  # its first words: SHOW_QUESTION scrolls to the question instead
                                  autoscroll=False,
                                  # grows with the conversation instead of a fixed box with white space under a short answer
                                  min_height=540, max_height=820,
                                  show_label=False,
                                  feedback_options=None, buttons=["copy"],
                                  placeholder=PLACEHOLDER)
                box = gr.Textbox(placeholder="Ask a question about the transcripts"
                                 + (f", e.g. {examples_asked[0]}" if examples_asked else ""), show_label=False,
                                 submit_btn="Ask", lines=1, max_lines=4, autofocus=True)
                gr.Markdown("Try one:", elem_classes="rag-try", visible=bool(examples_asked))
                with gr.Row(elem_classes="rag-examples"):
                    examples = [gr.Button(q, size="sm", variant="secondary") for q in examples_asked]
            with gr.Column(scale=1, min_width=240):
                gr.Markdown("**Narrow the search**")
                speaker = gr.Dropdown(_speaker_choices(infos), value=ANYONE, label="Only words said by")
                source = gr.Dropdown(_source_choices(infos), value=EVERYWHERE, label="Only this transcript")
                answerer = gr.Radio(
                    [("Quotes only (extractive)", "extractive"), ("Written answer (generative)", "generative")],
                    value=config.answerer if config.answerer in ANSWERERS else "extractive",
                    label="Answer style", visible=show_answerer,
                    info="Generative answers are written by a small language model and can be wrong; "
                         "the cards show what was actually said.")
                clear = gr.Button("New conversation", variant="secondary")
        with gr.Tab("Sources"):
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
        ask_inputs = [box, chat, history, speaker, source, answerer]
        box.submit(respond, ask_inputs, [chat, box, history], api_name="chat",
                   concurrency_limit=ANSWER_CONCURRENCY, concurrency_id="answer")
        for button, question in zip(examples, examples_asked):
            button.click(lambda q=question: q, None, box, api_name=False, queue=False).then(
                respond, ask_inputs, [chat, box, history], api_name=False, concurrency_id="answer")
        clear.click(new_conversation, None, [chat, box, history], api_name=False)
        chat.clear(new_conversation, None, [chat, box, history], api_name=False)
        views = [speaker, source, table, pick, header]
        app.load(on_load, None, views, api_name=False)
        pick.change(read_transcript, pick, reader, api_name="read_transcript")
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
                      css=render.CSS, theme=gr.themes.Soft(), max_file_size=f"{int(max_file_mb * 2)}mb",
                      footer_links=["api"], **kwargs)
