"""The Python API the chat page and the evals call: `ask(question, history=...) -> Answer`.

Example:
    from rag import ask
    answer = ask("What does Amiri want instead of a strong president?")
    print(answer.text); [print(c.n, c.speaker, c.quote) for c in answer.citations]

A Pipeline holds what is expensive (the index, BM25, the models) and is created once per
corpus and settings, then shared: every call after the first costs one search.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from .answer import ExtractiveAnswerer, passages_df
from .config import Config
from .conversation import contextualize
from .errors import UserError
from .index import SearchIndex, open_index
from .records import Answer
from .retrieve import Retriever, check_query

ANSWERERS = ("extractive", "generative")


class Pipeline:
    def __init__(self, config: Config | None = None, index: SearchIndex | None = None, log=None):
        self.config = config or Config.from_env()
        self.index = index or open_index(self.config.corpus, self.config, log=log)
        self.retriever = Retriever(self.index, self.config)
        speakers = {p.speaker for p in self.index.passages if p.speaker != "narrator"}
        self.extractive = ExtractiveAnswerer(
            self.index.metadata, passages_df(self.index.passages), len(self.index.passages), speakers,
            threshold=self.config.abstain_threshold,
        )
        self._generative = None
        self._lock = threading.Lock()

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
        query = contextualize(question, history, self.retriever.names, set(self.retriever.speakers))
        hits = self.retriever.search(query, k=k or self.config.answer_hits, speakers=speakers, sources=sources)
        if answerer == "generative":
            return self.generative.answer(question, query, hits, on_token=on_token)
        return self.extractive.answer(question, query, hits)


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
