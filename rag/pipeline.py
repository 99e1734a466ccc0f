"""The Python API the chat page and the evals call: `ask(question, history=...) -> Answer`.

Example:
    from rag import ask
    answer = ask("What does Lopez want instead of a new car park?")
    print(answer.text); [print(c.n, c.speaker, c.quote) for c in answer.citations]

A Pipeline holds what is expensive (the index, BM25, the models) and is created once per
corpus and settings, then shared: every call after the first costs one search.
"""

from __future__ import annotations

import contextvars
import json
import pickle
import re
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from .answer import READER_COMBINER, ExtractiveAnswerer, passages_df
from .read import load_reader
from .config import Config
from .conversation import contextualize
from .embed import VectorCache, load_embedder
from .errors import UserError
from .index import CorruptIndex, SearchIndex, load_generation, open_index
from .records import Answer
from .retrieve import Retriever, check_query

ANSWERERS = ("extractive", "generative")


@dataclass(frozen=True)
class Upload:
    """What happened to one uploaded file: added (as `saved_as`) or refused (`reason`)."""

    name: str
    ok: bool
    reason: str = ""
    saved_as: str = ""
    passages: int = 0


@dataclass(frozen=True)
class SourceInfo:
    source: str
    title: str
    publication: str
    date: str
    url: str
    speakers: tuple[tuple[str, int], ...]  # (speaker, passages), most first
    passages: int


class Pipeline:
    def __init__(self, config: Config | None = None, index: SearchIndex | None = None, log=None):
        self.config = config or Config.from_env()
        self.log = log
        self._lock = threading.Lock()  # held only to read or swap the live index (never for long)
        self._generative_lock = threading.Lock()
        self._writers = WriterQueue(self.config.max_pending_uploads)
        self._rate = RateLimit(self.config.max_uploads_per_minute)
        self._generative = None
        self._warm = False  # warm() again after each index swap
        # questions' and sentences' vectors, kept across index swaps
        c = self.config
        self._vectors = VectorCache(load_embedder(c.embedding_model, c.embedding_batch_size, c.embedding_backend), c.sentence_cache)
        self._reader = None if c.reader_model == "none" else load_reader(  # loads on first use; the packaged reader's features come from the default embedder
            c.reader_model, self._vectors if c.embedding_model in ("", "default") else None)
        self._load(index or open_index(self.config.corpus, self.config, log=log))

    def warm(self, background: bool = True) -> threading.Thread | None:
        """Build, before the first question, what it would otherwise wait for (the speller,
        chance over the corpus); again after every index swap. The chat page calls it at
        start. In the background, a failure is logged, never raised: questions then build
        the same things when they need them."""
        self._warm = True
        retriever = self.retriever
        if not background:
            retriever.warm()
            return None

        def run() -> None:
            try:
                retriever.warm()
            except Exception as e:  # noqa: BLE001 (the first question rebuilds what failed, and says why)
                print(f"warming up failed: {e}", file=sys.stderr)

        thread = threading.Thread(target=run, name="rag-warm", daemon=True)
        thread.start()
        return thread

    def _load(self, index: SearchIndex, warm_first: bool = False) -> None:
        """Swap in a (new) index and everything built on it, all at once. Everything is built
        before the lock is taken; with warm_first (after an upload, when questions are being
        asked) the new retriever is warmed before it goes live, so no question waits for it."""
        retriever = Retriever(index, self.config, vectors=self._vectors)
        speakers = {p.speaker for p in index.passages if p.speaker != "narrator"}
        extractive = ExtractiveAnswerer(
            index.metadata, passages_df(index.passages), len(index.passages), speakers,
            threshold=self.config.abstain_threshold, names=retriever.names,
            min_similarity=self.config.abstain_min_similarity, embedder=retriever.embedder,
            source_words=retriever.publication_words, source_speakers=retriever.source_speakers,
            speaker_roles=retriever.speaker_roles, vectors=self._vectors, preceding=retriever.preceding,
            roles=retriever.roles, reader=self._reader, reader_threshold=self.config.reader_threshold,
            combiner=READER_COMBINER, rules=self.config.answer_rules or self._reader is None,
        )
        warmed = False
        if warm_first and self._warm:
            try:
                retriever.warm()
                warmed = True
            except Exception as e:  # noqa: BLE001 (the first question rebuilds what failed)
                print(f"warming up failed: {e}", file=sys.stderr)
        with self._lock:
            self.index, self.retriever, self.extractive = index, retriever, extractive
            if self._generative is not None:
                self._generative.fallback = extractive
        if self._warm and not warmed:
            self.warm()

    # --- the corpus ----------------------------------------------------------------------
    def sources(self) -> list[SourceInfo]:
        index = self.index  # one generation throughout, even if an upload swaps it meanwhile
        by_source: dict[str, list] = {}
        for p in index.passages:
            by_source.setdefault(p.source, []).append(p)
        out = []
        for source, passages in by_source.items():
            meta = index.metadata.source(source)
            counts = Counter(p.speaker for p in passages)
            out.append(SourceInfo(source, passages[0].title, meta.publication, meta.date, meta.url,
                                  tuple(counts.most_common()), len(passages)))
        return out

    def passages_of(self, source: str) -> list:
        return [p for p in self.index.passages if p.source == source]

    def add_files(self, files: Sequence[tuple[str, bytes]], progress=None, session: str | None = None) -> list[Upload]:
        """Validate uploaded files, save the good ones into the corpus folder, and refresh the
        index so they are searchable when this returns. A bad file is refused with its reason;
        it never stops the others, and leaves nothing on disk.

        Questions never wait for this: the new index generation is built by a separate,
        lower-priority process (rag/update.py) while questions are answered from the current
        one, then swapped in at once. One upload is indexed at a time; the others wait in a
        first-come queue of at most `max_pending_uploads`. `session` (the page's session) is
        held to `max_uploads_per_minute` files. `progress(message)` hears each stage."""
        say = progress or (lambda message: None)
        c = self.config
        if len(files) > c.max_upload_files:
            return [Upload(name, False, f"too many files at once (the limit is {c.max_upload_files}, RAG_MAX_UPLOAD_FILES)")
                    for name, _ in files]
        if session is not None and (wait := self._rate.take(session, len(files))):
            return [Upload(name, False, f"too many uploads from this session (the cap is {c.max_uploads_per_minute} files "
                                        f"a minute, RAG_MAX_UPLOADS_PER_MINUTE); try again in {wait:.0f} s")
                    for name, _ in files]
        limit_bytes = int(c.max_file_mb * 1e6)
        results: dict[int, Upload] = {}
        wanted: list[tuple[int, str, bytes]] = []
        for i, (raw_name, data) in enumerate(files):
            name = safe_file_name(raw_name)
            if not name:
                results[i] = Upload(raw_name, False, "the file has no usable name")
            elif len(data) > limit_bytes:
                results[i] = Upload(raw_name, False, f"too large ({len(data) / 1e6:.1f} MB; the limit is "
                                                     f"{c.max_file_mb:g} MB, RAG_MAX_FILE_MB)")
            else:
                wanted.append((i, name, data))
        if wanted:
            try:
                with self._writers.turn(lambda ahead: say(f"waiting for {ahead} upload(s) ahead of this one")):
                    for i, upload in self._write(wanted, files, say):
                        results[i] = upload
            except UploadsBusy as e:
                for i, _, _ in wanted:
                    results[i] = Upload(files[i][0], False, str(e))
        return [results[i] for i in range(len(files))]

    def _write(self, wanted, files, say):
        """Stage the files beside the corpus (hidden), let rag/update.py check them, move the
        good ones in and build the next generation, then swap it in. Runs as the one writer."""
        corpus = Path(self.config.corpus)
        staging = corpus / f".upload-{uuid.uuid4().hex[:12]}"
        for stale in corpus.glob(".upload-*"):  # left by a server killed mid-upload (hidden: never indexed)
            try:
                if stale.is_dir() and time.time() - stale.stat().st_mtime > 3600:
                    shutil.rmtree(stale, ignore_errors=True)
            except OSError:
                pass
        try:
            staging.mkdir()
            staged = []
            for n, (i, name, data) in enumerate(wanted):
                path = staging / f"{n}-{name}"
                path.write_bytes(data)
                staged.append((str(path), name))
            say(f"checking {len(wanted)} file(s)")
            rows, last = self._run_writer(staged, say)
        except OSError as e:
            reason = f"could not be saved ({e.strerror or e})"
            return [(i, Upload(files[i][0], False, reason)) for i, _, _ in wanted]
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        out = []
        failed = last.get("error") if last is not None else "the index writer stopped without a result"
        for (i, _, _), row in zip(wanted, rows + [{}] * (len(wanted) - len(rows))):
            if row.get("ok") and not failed:
                out.append((i, Upload(files[i][0], True, saved_as=row["saved_as"], passages=row["passages"])))
            elif row.get("ok") or not row:
                if row.get("saved_as"):  # the writer died before it could take the file out again
                    (corpus / row["saved_as"]).unlink(missing_ok=True)
                out.append((i, Upload(files[i][0], False, f"not added: the index could not be updated ({failed})")))
            else:
                out.append((i, Upload(files[i][0], False, row["reason"])))
        if any(u.ok for _, u in out):
            say("loading the new index")
            self._load(self._generation(last["generation"]), warm_first=True)
            say(f"searchable now: {sum(u.ok for _, u in out)} file(s) added")
        return out

    def refresh(self, progress=None) -> SearchIndex:
        """Bring the index up to date with the corpus folder (files added or changed by hand),
        the way an upload does: built apart, swapped in at once, questions never waiting."""
        say = progress or (lambda message: None)
        with self._writers.turn(lambda ahead: say(f"waiting for {ahead} upload(s) ahead of this one")):
            _, last = self._run_writer([], say)
            if not last or "error" in last:
                raise UserError(f"cannot refresh the index: {(last or {}).get('error', 'the writer stopped')}")
            self._load(self._generation(last["generation"]), warm_first=True)
        return self.index

    def _generation(self, gen: str) -> SearchIndex:
        """The generation the writer built; if another process (a `rag index` beside the
        server) has replaced it meanwhile, whatever is current, refreshed here if need be."""
        try:
            return load_generation(Path(self.config.corpus), self.config, gen)
        except CorruptIndex:
            return open_index(self.config.corpus, self.config, log=self.log)

    def _run_writer(self, staged: list[tuple[str, str]], say) -> tuple[list[dict], dict | None]:
        """Run rag/update.py on the staged files; its per-file rows and its last line."""
        job = {"config": self.config, "corpus": str(self.config.corpus), "staged": staged,
               "passages": len(self.index.passages)}
        proc = subprocess.Popen([sys.executable, "-m", "rag.update"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, cwd=str(Path(__file__).resolve().parent.parent))

        def relay() -> None:  # the writer's log and embedding bar, line by line, to the caller
            buffer = b""
            while chunk := proc.stderr.read1(4096):
                buffer += chunk
                *lines, buffer = re.split(rb"[\r\n]", buffer)
                for line in lines:
                    text = line.decode("utf-8", "replace").strip()
                    if text:
                        if self.log and not text.startswith("Batches"):
                            self.log(text)
                        say(_progress_line(text))

        # in the caller's context: the page's progress callback finds its event there (contextvars)
        reader = threading.Thread(target=contextvars.copy_context().run, args=(relay,), name="rag-writer-log", daemon=True)
        reader.start()
        timeout = self.config.writer_timeout_s or None
        try:
            out, _ = proc.communicate(pickle.dumps(job), timeout=timeout)
            late = None
        except subprocess.TimeoutExpired:  # a file that sends a parser into a spin must not hold the queue
            proc.kill()
            out, _ = proc.communicate()
            late = {"error": f"indexing took over {timeout:g} s (RAG_WRITER_TIMEOUT_S)"}
        reader.join(timeout=5)
        rows = [json.loads(line) for line in out.decode("utf-8").splitlines() if line.strip()]
        last = rows.pop() if rows and ("generation" in rows[-1] or "error" in rows[-1]) else None
        if late is not None:
            return rows, late
        if last is None and staged and len(rows) == len(staged) and not any(r.get("ok") for r in rows):
            last = {}  # every file refused: nothing to index, nothing failed
        return rows, last

    @property
    def generative(self):
        with self._generative_lock:  # loading it never holds up the readers' lock
            if self._generative is None:
                from .generate import GenerativeAnswerer

                self._generative = GenerativeAnswerer(self.config, self.extractive)
        return self._generative

    def ask(
        self,
        question: str,
        history: Sequence[dict] | None = None,
        answerer: str | None = None,
        speakers: Sequence[str] | None = None,
        sources: Sequence[str] | None = None,
        k: int | None = None,
        on_token=None,
    ) -> Answer:
        question = check_query(question, self.config)
        answerer = answerer or self.config.answerer
        if answerer not in ANSWERERS:
            raise UserError(f"unknown answerer {answerer!r}; use {' or '.join(ANSWERERS)}")
        with self._lock:  # one consistent snapshot, even while an upload swaps the index
            retriever, extractive = self.retriever, self.extractive
        # "What did he say ..." after a question about Okafor; "the harbour master" -> who that is
        # "What did Chander say?": a typo of a word the transcripts use (rag/spelling.py)
        query = retriever.speller.correct(question)
        query = retriever.roles.resolve(contextualize(query, history, retriever.names, set(retriever.speakers)))
        k = k or self.config.answer_hits
        if retriever.intent(query).roster:  # "who are the speakers": every one of them, each cited
            k = min(max(k, len(retriever.speakers)), self.config.max_k)
        hits = retriever.search(query, k=k, speakers=speakers, sources=sources)
        chance = partial(retriever.chance_similarity, speakers, sources)  # computed only where needed
        if answerer == "generative":
            return self.generative.answer(question, query, hits, on_token=on_token, chance=chance)
        return extractive.answer(question, query, hits, chance=chance)


def safe_file_name(name: str, limit: int = 120) -> str:
    """The base name only, in safe characters: no paths, no hidden files, no tricks; at most
    `limit` characters, the extension kept (a long name is cut in its stem)."""
    base = Path(str(name).replace("\\", "/")).name
    base = re.sub(r"[^\w.\- ]+", "_", base).strip(" .")
    if len(base) <= limit:
        return base
    stem, dot, suffix = base.rpartition(".")
    if not dot or not stem or len(suffix) > 16:  # no real extension: plain cut
        return base[:limit].strip(" .")
    return stem[: limit - len(suffix) - 1].rstrip(" .") + "." + suffix


class UploadsBusy(Exception):
    """The writer queue is full: the upload is refused, with the cap named."""


class WriterQueue:
    """One writer at a time, first come first served, and at most `limit` waiting.

    Example:
        queue = WriterQueue(limit=8)
        with queue.turn(lambda ahead: print(f"{ahead} ahead")):
            ...  # the only writer now
    """

    def __init__(self, limit: int):
        self.limit = limit
        self._cond = threading.Condition()
        self._next = 0  # the next ticket handed out
        self._serving = 0  # the ticket whose turn it is

    @contextmanager
    def turn(self, waiting=None):
        with self._cond:
            if self._next - self._serving > self.limit:  # one writing, `limit` waiting
                raise UploadsBusy(f"too many uploads waiting ({self._next - self._serving}; the cap is {self.limit}, "
                                  "RAG_MAX_PENDING_UPLOADS); try again in a minute")
            ticket = self._next
            self._next += 1
            told = None
            while self._serving != ticket:
                if waiting and told != ticket - self._serving:
                    told = ticket - self._serving
                    waiting(told)
                self._cond.wait(timeout=1.0)
        try:
            yield
        finally:
            with self._cond:
                self._serving += 1
                self._cond.notify_all()


class RateLimit:
    """At most `per_minute` items per key in any sliding minute (0: no limit)."""

    def __init__(self, per_minute: int, clock=time.monotonic):
        self.per_minute = per_minute
        self.clock = clock
        self._lock = threading.Lock()
        self._seen: dict[str, deque] = {}

    def take(self, key: str, n: int = 1) -> float:
        """Count n items for key, or (if that would pass the limit) count nothing and return
        the seconds until there is room; 0.0 when taken."""
        if not self.per_minute:
            return 0.0
        now = self.clock()
        with self._lock:
            seen = self._seen.setdefault(key, deque())
            while seen and seen[0] <= now - 60:
                seen.popleft()
            if len(seen) + n > self.per_minute:
                if n > self.per_minute or not seen:
                    return 60.0
                return max(1.0, seen[min(len(seen) - 1, len(seen) + n - self.per_minute - 1)] + 60 - now)
            seen.extend([now] * n)
            if len(self._seen) > 10_000:  # forget idle sessions
                for k in [k for k, v in self._seen.items() if not v or v[-1] <= now - 60]:
                    del self._seen[k]
            return 0.0


def _progress_line(text: str) -> str:
    """The writer's log line as a user reads it: tqdm's bar as "embedding: 45%"."""
    m = re.match(r"Batches:\s*(\d+)%", text)
    return f"embedding the new passages: {m.group(1)}%" if m else text


_PIPELINES: dict[tuple, Pipeline] = {}
_PIPELINES_LOCK = threading.Lock()


def get_pipeline(corpus: Path | str | None = None, config: Config | None = None, log=None) -> Pipeline:
    """The shared pipeline for a corpus (built on first use)."""
    config = config or Config.from_env()
    if corpus is not None:
        config = Config.from_env(**{**config.__dict__, "corpus": Path(corpus)})
    key = (str(Path(config.corpus).resolve()), config)
    with _PIPELINES_LOCK:
        if key not in _PIPELINES:
            _PIPELINES[key] = Pipeline(config, log=log)
        return _PIPELINES[key]


def ask(question: str, history: Sequence[dict] | None = None, corpus: Path | str | None = None, **kwargs) -> Answer:
    """Answer a question from the transcripts, citing who said what and where."""
    return get_pipeline(corpus).ask(question, history=history, **kwargs)
