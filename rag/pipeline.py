"""The Python API the chat page and the evals call: `ask(question, history=...) -> Answer`.

Example:
    from rag import ask
    answer = ask("What does Lopez want instead of a new car park?")
    print(answer.text); [print(c.n, c.speaker, c.quote) for c in answer.citations]

A Pipeline holds what is expensive (the index, BM25, the models) and is created once per
corpus and settings, then shared: every call after the first costs one search.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from .answer import ExtractiveAnswerer, passages_df
from .config import Config
from .conversation import contextualize
from .embed import VectorCache, load_embedder
from .errors import FormatError, UserError
from .index import SearchIndex, open_index
from .ingest import ingest_document, read_document
from .records import Answer
from .retrieve import Retriever, check_query
from .speakers import SpeakerNames

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
        self._lock = threading.RLock()
        self._generative = None
        self._warm = False  # warm() again after each index swap
        # questions' and sentences' vectors, kept across index swaps
        c = self.config
        self._vectors = VectorCache(load_embedder(c.embedding_model, c.embedding_batch_size, c.embedding_backend), c.sentence_cache)
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

    def _load(self, index: SearchIndex) -> None:
        """Swap in a (new) index and everything built on it, all at once."""
        retriever = Retriever(index, self.config, vectors=self._vectors)
        speakers = {p.speaker for p in index.passages if p.speaker != "narrator"}
        extractive = ExtractiveAnswerer(
            index.metadata, passages_df(index.passages), len(index.passages), speakers,
            threshold=self.config.abstain_threshold, names=retriever.names,
            min_similarity=self.config.abstain_min_similarity, embedder=retriever.embedder,
            source_words=retriever.publication_words, source_speakers=retriever.source_speakers,
            speaker_roles=retriever.speaker_roles, vectors=self._vectors, preceding=retriever.preceding,
            roles=retriever.roles,
        )
        with self._lock:
            self.index, self.retriever, self.extractive = index, retriever, extractive
            if self._generative is not None:
                self._generative.fallback = extractive
        if self._warm:
            self.warm()

    # --- the corpus ----------------------------------------------------------------------
    def sources(self) -> list[SourceInfo]:
        by_source: dict[str, list] = {}
        for p in self.index.passages:
            by_source.setdefault(p.source, []).append(p)
        out = []
        for source, passages in by_source.items():
            meta = self.index.metadata.source(source)
            counts = Counter(p.speaker for p in passages)
            out.append(SourceInfo(source, passages[0].title, meta.publication, meta.date, meta.url,
                                  tuple(counts.most_common()), len(passages)))
        return out

    def passages_of(self, source: str) -> list:
        return [p for p in self.index.passages if p.source == source]

    def add_files(self, files: Sequence[tuple[str, bytes]], progress=None) -> list[Upload]:
        """Validate uploaded files, save the good ones into the corpus folder, and refresh the
        index so they are searchable at once. A bad file is refused with its reason; it never
        stops the others, and nothing half-written is left behind."""
        limit_bytes = int(self.config.max_file_mb * 1e6)
        results: list[Upload] = []
        if len(files) > self.config.max_upload_files:
            return [Upload(name, False, f"too many files at once (the limit is {self.config.max_upload_files})") for name, _ in files]
        corpus = Path(self.config.corpus)
        saved: list[tuple[str, Path]] = []
        with self._lock:
            for raw_name, data in files:
                name = safe_file_name(raw_name)
                if not name:
                    results.append(Upload(raw_name, False, "the file has no usable name"))
                    continue
                with tempfile.TemporaryDirectory() as tmp:
                    probe = Path(tmp) / name
                    probe.write_bytes(data[: limit_bytes + 1])
                    try:
                        if len(data) > limit_bytes:
                            raise FormatError(f"too large ({len(data) / 1e6:.1f} MB; the limit is {self.config.max_file_mb:.0f} MB)")
                        doc = read_document(probe, name, self.index.metadata, limit_bytes)
                        found = ingest_document(doc, SpeakerNames(self.index.metadata.people), self.config)
                        if not found:
                            raise FormatError("no text found in it")
                    except FormatError as e:
                        results.append(Upload(raw_name, False, str(e)))
                        continue
                target = _free_path(corpus, name)
                tmp_target = target.with_name(f".{target.name}.part")
                tmp_target.write_bytes(data)
                os.replace(tmp_target, target)  # appears whole or not at all
                saved.append((raw_name, target))
                results.append(Upload(raw_name, True, saved_as=target.name, passages=len(found)))
            if saved:
                if progress:
                    progress(f"indexing {len(saved)} new file(s)")
                self._load(open_index(corpus, self.config, log=self.log))
        return results

    @property
    def generative(self):
        with self._lock:
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


def safe_file_name(name: str) -> str:
    """The base name only, in safe characters: no paths, no hidden files, no tricks."""
    base = Path(str(name).replace("\\", "/")).name
    base = re.sub(r"[^\w.\- ]+", "_", base).strip(" .")
    return base[:120]


def _free_path(folder: Path, name: str) -> Path:
    """folder/name, or folder/name-2 ... when a file of that name exists."""
    path = folder / name
    stem, suffix, n = path.stem, path.suffix, 2
    while path.exists():
        path = folder / f"{stem}-{n}{suffix}"
        n += 1
    return path


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
