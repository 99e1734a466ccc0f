"""The typed records that flow between the pipeline's stages.

Each stage takes and returns these frozen dataclasses; JSON appears only at the edges
(the command line, the web page, the evals). Defined once, here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

from .formats.textmap import file_span

Role = Literal["interviewer", "interviewee", "quoted", "narrator", "speaker"]
ROLES: tuple[str, ...] = ("interviewer", "interviewee", "quoted", "narrator", "speaker")

NARRATOR = "narrator"


@dataclass(frozen=True)
class SourceMeta:
    """What is known about one transcript beyond its text (from the corpus metadata file).

    Every field is optional: a transcript the metadata does not mention gets an empty one.
    """

    file: str
    title: str = ""
    publication: str = ""
    aliases: tuple[str, ...] = ()  # other names of the publication: ("NYT",)
    date: str = ""
    url: str = ""
    interviewers: tuple[str, ...] = ()
    interviewees: tuple[str, ...] = ()
    # Labels that name a person in this source only: (("SPEAKER_00", "Dana Reyes"),)
    speakers: tuple[tuple[str, str], ...] = ()
    # The people who speak in this source, by full name (a programme's list of presenters):
    # a short or misspelt voice name that matches one is read as it, and a timed source with
    # one of them gives that name to its unnamed voices (ingest.to_passages)
    speaking: tuple[str, ...] = ()


@dataclass(frozen=True)
class Document:
    """One readable transcript: its decoded text and what the metadata says about it."""

    source: str  # file name relative to the corpus folder
    text: str  # the file decoded as UTF-8, exactly; offsets index into this
    meta: SourceMeta
    sha256: str = ""
    # .docx and .pdf: `text` is the text extracted from the file, and for a PDF `pages` holds
    # where each page after the first begins in it
    pages: tuple[int, ...] = ()


@dataclass(frozen=True)
class Segment:
    """A span of a document said by one speaker: what a format parser produces.

    `speaker` is the name as the document writes it (canonicalised later), or None when
    the words are nobody's quote. Segments of one conversational turn share `turn`.
    """

    start: int
    end: int
    speaker: str | None
    role: Role
    turn: int
    t_start: float | None = None
    t_end: float | None = None


@dataclass(frozen=True)
class Passage:
    """A passage a reader can take in at a glance, said by one speaker, cited by offsets.

    Invariant: `document.text[start:end] == text`, except in a timed transcript's passage
    that joins cues or decodes escapes: there `pieces` maps `text` back to the file
    (rag/formats/textmap.py: `(text_offset, file_offset, text_length, file_length)` per run,
    verbatim where the lengths agree), and `file_span` gives a span of `text` in the file.
    `pieces` is () wherever `text` is the file's slice. Retrieval context (the question an
    answer replies to) lives in `question`, never inside `text`.
    """

    id: str
    source: str
    title: str
    speaker: str
    role: Role
    text: str
    start: int
    end: int
    turn: int = 0
    question: str = ""
    t_start: float | None = None
    t_end: float | None = None
    lead_in: str = ""  # the writer's unfinished words that introduce a quote: "The first condition calls for"
    page: int | None = None  # a PDF's page (from 1) where the passage begins
    pieces: tuple[tuple[int, int, int, int], ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.pieces, tuple) or (self.pieces and not isinstance(self.pieces[0], tuple)):  # from JSON: lists
            object.__setattr__(self, "pieces", tuple(tuple(p) for p in self.pieces))

    def file_span(self, start: int, end: int) -> tuple[int, int]:
        """Where text[start:end] is in the file. Inside one verbatim piece (or anywhere in a
        passage without pieces) file_text[a:b] == text[start:end]; a span across pieces
        runs from its first character's place to the end of its last one's."""
        return file_span(self.pieces, start, end, self.start)

    @property
    def introduced(self) -> str:
        """The words as a reader meets them: after the writer's lead-in, when there is one
        ("He said the demands were" + "too high"). For judging what a passage supports."""
        return f"{self.lead_in} {self.text}" if self.lead_in else self.text

    def to_json(self) -> dict:
        """The contract's fields first, then the extras (timestamps, question context)."""
        return asdict(self)


@dataclass(frozen=True)
class Hit:
    """A passage found for a question. `score` is the fused score scaled to 0..1 (1: first
    for every retriever); `dense`/`lexical` are the raw cosine and BM25 scores. `also_in`
    holds near-identical passages (the same quote reprinted elsewhere), still citable.
    `beside` is the id of the answer an interviewer's turn was found next to ("what did she
    ask when he said ..."), or of the turn a reply answers ("how did he react when she
    said ...")."""

    rank: int
    score: float
    passage: Passage
    dense: float | None = None
    lexical: float | None = None
    also_in: tuple[Passage, ...] = ()
    beside: str | None = None

    def to_json(self) -> dict:
        p = self.passage
        return {
            "rank": self.rank,
            "score": round(self.score, 4),
            "passage_id": p.id,
            "source": p.source,
            "speaker": p.speaker,
            "text": p.text,
            "start": p.start,
            "end": p.end,
            "role": p.role,
            "title": p.title,
            "t_start": p.t_start,
            "t_end": p.t_end,
            "dense": None if self.dense is None else round(self.dense, 4),
            "lexical": None if self.lexical is None else round(self.lexical, 4),
            "also_in": [
                {"passage_id": o.id, "source": o.source, "speaker": o.speaker, "start": o.start, "end": o.end}
                for o in self.also_in
            ],
        }


@dataclass(frozen=True)
class Citation:
    """Citation [n]: the exact words `quote`, at `start:end` of the source file, inside
    `passage`. Made only by `Citation.of`, so the quote is verbatim by construction:
    `file_text[start:end] == quote` wherever the quote lies in one verbatim piece of its
    passage (always, in a passage whose text is its file's slice); a quote across a timed
    passage's cues runs from its first word's place in the file to its last word's end."""

    n: int
    passage: Passage
    quote: str
    start: int
    end: int
    publication: str = ""
    date: str = ""
    url: str = ""

    @classmethod
    def of(cls, n: int, passage: Passage, start: int, end: int, **source_facts: str) -> Citation:
        """Cite passage.text[start:end] (offsets relative to the passage)."""
        if not 0 <= start < end <= len(passage.text):
            raise ValueError(f"quote span {start}:{end} is outside passage {passage.id} (length {len(passage.text)})")
        return cls(n, passage, passage.text[start:end], *passage.file_span(start, end), **source_facts)

    def to_json(self) -> dict:
        p = self.passage
        return {
            "n": self.n,
            "passage_id": p.id,
            "source": p.source,
            "speaker": p.speaker,
            "quote": self.quote,
            "start": self.start,
            "end": self.end,
            "role": p.role,
            "title": p.title,
            "publication": self.publication,
            "date": self.date,
            "url": self.url,
            "t_start": p.t_start,
            "t_end": p.t_end,
        }


@dataclass(frozen=True)
class Answer:
    """An answer whose every [n] is a Citation; `hits` are the passages it was built from,
    best first. When `abstained`, the text says the transcripts don't answer and `hits`
    are the closest mentions."""

    question: str
    text: str
    abstained: bool
    citations: tuple[Citation, ...]
    hits: tuple[Hit, ...]
    answerer: str = "extractive"
    query: str = ""  # what was searched (a follow-up rewritten with its context)
    confidence: float = 0.0

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "answer": self.text,
            "abstained": self.abstained,
            "citations": [c.to_json() for c in self.citations],
            "hits": [h.to_json() for h in self.hits],
            "answerer": self.answerer,
            "query": self.query,
            "confidence": round(self.confidence, 4),
        }


@dataclass(frozen=True)
class BadFile:
    """A corpus file that could not be ingested, and why (shown to the user as is)."""

    source: str
    reason: str


@dataclass(frozen=True)
class Corpus:
    """The result of ingesting a folder: passages in document order, and what was skipped."""

    root: str
    documents: tuple[Document, ...]
    passages: tuple[Passage, ...]
    bad_files: tuple[BadFile, ...] = field(default_factory=tuple)
