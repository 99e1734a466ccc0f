"""Retrieval: dense (FAISS) and lexical (BM25) search fused by reciprocal rank.

Example:
    retriever = Retriever(open_index("seeds"))
    hits = retriever.search("Who does Lopez blame for the flooding?", k=5, speakers=["Maria Lopez"])

Reciprocal rank fusion: score(p) = sum over retrievers of weight / (rrf_k + rank(p)).
It needs no score calibration between cosine and BM25, which live on different scales.
Near-identical passages (a quote reprinted in two sources, a pull quote repeating an
answer) collapse into one hit whose `also_in` keeps the others citable.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterable
from functools import cached_property, lru_cache
from pathlib import Path

import bm25s
import numpy as np

from .adapter import QueryAdapter, load_adapter
from .chunking import ends_sentence
from .config import Config
from .embed import Embedder, VectorCache, load_embedder
from .errors import UserError
from .index import SearchIndex, embedding_text
from .query import (AGE, QueryIntent, is_fragment, numbered_items, publication_words, reacting, read_query, roles_by_speaker,
                    speakers_by_source, without_people)
from .records import NARRATOR, Hit, Passage
from .roles import Roles
from .speakers import SpeakerNames
from .spelling import Speller
from .terms import STOPWORDS, stemmer, terms

# Questions about nothing a transcript is likely to hold (sport, cooking, the weather): how
# close their best passages come is how close chance comes (`Retriever.chance_similarity`),
# read as the cosine 9 in 10 of them stay below. On FriendsQA dev (answers asked of their
# own scene), used as the off-topic floor where it is below the fixed one: answered 0.795 ->
# 0.812, a quote holds a gold answer 0.480 -> 0.494; at 0.75 instead, 0.813 / 0.495; the
# seeds' answers and abstentions the same either way, with or without a source filter.
OFF_TOPIC_QUESTIONS = Path(__file__).resolve().parent / "data" / "offtopic_questions.txt"
CHANCE_QUANTILE = 0.9


@lru_cache(maxsize=1)
def _off_topic_questions() -> list[str]:
    lines = OFF_TOPIC_QUESTIONS.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def lexical_text(p: Passage) -> str:
    """What BM25 sees: the words, the speaker, the question they answer and the writer's
    lead-in to them."""
    return f"{p.speaker if p.speaker != 'narrator' else ''} {p.question} {p.lead_in} {p.text}"


def _tokenize(texts: list[str]):
    return bm25s.tokenize(texts, stopwords=sorted(STOPWORDS), stemmer=stemmer(), show_progress=False)


@lru_cache(maxsize=65536)
def _shingles(text: str) -> frozenset[tuple[str, ...]]:
    words = re.findall(r"\w+", text.casefold())
    return frozenset(tuple(words[i : i + 3]) for i in range(max(1, len(words) - 2)))


def near_duplicate(a: Passage, b: Passage, threshold: float = 0.8) -> bool:
    """Same words, give or take an ellipsis or a reworded edge: shared 3-word shingles
    over the smaller passage (so a pull quote inside a longer answer still counts)."""
    sa, sb = _shingles(a.text), _shingles(b.text)
    if min(len(sa), len(sb)) < 4:
        return a.text.casefold() == b.text.casefold()
    return len(sa & sb) / min(len(sa), len(sb)) >= threshold


class Retriever:
    """Search over a loaded index. Thread-safe for concurrent questions (read-only state)."""

    def __init__(self, index: SearchIndex, config: Config | None = None, embedder: Embedder | None = None,
                 vectors: VectorCache | None = None):
        self.index = index
        self.config = config or Config.from_env()
        self.embedder = (vectors.embedder if vectors is not None else embedder) or load_embedder(
            self.config.embedding_model, self.config.embedding_batch_size, self.config.embedding_backend)
        # questions' vectors: from the pipeline's cache where there is one (the answerer weighs
        # the same question against its sentences: embedded once)
        self._encode_queries = vectors.encode if vectors is not None else self.embedder.encode_queries
        self.passages = index.passages
        self.names = SpeakerNames(index.metadata.people)
        self._bm25 = bm25s.BM25()
        if self.passages:
            self._bm25.index(_tokenize([lexical_text(p) for p in self.passages]), show_progress=False)
        self.speakers = sorted({p.speaker for p in self.passages})
        self.sources = sorted({p.source for p in self.passages})
        self._titles = {}
        for p in self.passages:
            self._titles.setdefault(p.source, p.title)
        # per passage, the index of its speaker and source: filters become one vector op
        speaker_of, source_of = {s: i for i, s in enumerate(self.speakers)}, {s: i for i, s in enumerate(self.sources)}
        self._speaker_index, self._source_index = speaker_of, source_of
        self._speaker_set = frozenset(self.speakers) - {"narrator"}
        self._speaker_ids = np.array([speaker_of[p.speaker] for p in self.passages], dtype=np.int32)
        self._source_ids = np.array([source_of[p.source] for p in self.passages], dtype=np.int32)
        self._fragment = np.array([is_fragment(p) for p in self.passages], dtype=bool)
        self._interviewer = np.array([p.role == "interviewer" for p in self.passages], dtype=bool)
        self._askers = {p.speaker for p in self.passages if p.role == "interviewer"}
        # per source, its first passage that is a sentence (not a title): how it opens
        self._openings: dict[str, int] = {}
        for i, p in enumerate(self.passages):
            if p.source not in self._openings and not self._fragment[i] and ends_sentence(p.text):
                self._openings[p.source] = i
        # per speaker and source, their first passage that is no title: where they begin to speak
        self._first_words: dict[str, dict[str, int]] = {}
        for i, p in enumerate(self.passages):
            if p.speaker != NARRATOR and not self._fragment[i]:
                self._first_words.setdefault(p.speaker, {}).setdefault(p.source, i)
        self._interviewer_turns: dict[str, list[int]] = {}  # per source, in document order
        for i in np.flatnonzero(self._interviewer):
            self._interviewer_turns.setdefault(self.passages[i].source, []).append(int(i))
        meta = {s: index.metadata.source(s) for s in self.sources}
        self._source_words = publication_words({s: m.publication for s, m in meta.items()},
                                               {s: m.aliases for s, m in meta.items()})
        self._source_speakers = speakers_by_source(self.passages)
        # "the spokesperson", "the general": whom the writers introduce so, or the metadata calls so
        self.roles = Roles.mine([t for p in self.passages for t in (p.text, p.lead_in) if t], self.names,
                                set(self._speaker_set), declared=index.metadata.roles)
        self._speaker_roles = roles_by_speaker(self.passages)
        self._reranker = None
        self._adapter: QueryAdapter | None | bool = False  # False: not loaded yet
        self._lock = threading.Lock()
        self._chance: dict[tuple[frozenset, frozenset], float] = {}  # per filter

    @cached_property
    def speller(self) -> Speller:
        """Typos read as the corpus's words (rag/spelling.py): its words, speakers and titles."""
        return Speller([p.text for p in self.passages] + self.speakers + sorted(set(self._titles.values())))

    @cached_property
    def _position(self) -> dict[str, int]:
        return {p.id: i for i, p in enumerate(self.passages)}

    def preceding(self, passage: Passage) -> Passage | None:
        """The passage just before this one in its source (the turn a reply answers), or None."""
        i = self._position.get(passage.id, 0)
        before = self.passages[i - 1] if i > 0 else None
        return before if before is not None and before.source == passage.source and before.end <= passage.start else None

    # --- filters -------------------------------------------------------------------------
    def resolve_speakers(self, speakers: Iterable[str] | None) -> set[str] | None:
        if not speakers:
            return None
        found = set()
        for name in speakers:
            canonical = self.names.canonical(name.strip())
            match = [s for s in self.speakers if s.casefold() == canonical.casefold()]
            if not match:
                raise UserError(f"no speaker named {name!r} in this corpus; speakers: {', '.join(self.speakers)}")
            found.update(match)
        return found

    def resolve_sources(self, sources: Iterable[str] | None) -> set[str] | None:
        if not sources:
            return None
        found = set()
        for name in sources:
            match = [s for s in self.sources if s == name or s.startswith(name) or name.casefold() in self.title_of(s).casefold()]
            if not match:
                raise UserError(f"no source {name!r} in this corpus; sources: {', '.join(self.sources)}")
            found.update(match)
        return found

    @cached_property
    def _numbered(self) -> dict[str, np.ndarray]:
        """Per ordinal ("second"), the passages that number an item with it ("The second
        demand ..."). Read on the first question that asks for one (1M passages: seconds)."""
        numbered: dict[str, list[int]] = {}
        for i, p in enumerate(self.passages):
            for ordinal in numbered_items(f"{p.lead_in} {p.text}"):  # "The first condition calls for" + the quote
                numbered.setdefault(ordinal, []).append(i)
        return {o: np.array(ids, dtype=np.int64) for o, ids in numbered.items()}

    @property
    def source_speakers(self) -> dict[str, frozenset[str]]:
        """Per source, the speakers who talk in it."""
        return dict(self._source_speakers)

    @property
    def speaker_roles(self) -> dict[str, dict[str, str]]:
        """Per speaker, per source they speak in, the part they play there."""
        return {speaker: dict(roles) for speaker, roles in self._speaker_roles.items()}

    @property
    def publication_words(self) -> dict[str, frozenset[str]]:
        """Per source, the words that name its publication ("herald", "hn")."""
        return dict(self._source_words)

    def title_of(self, source: str) -> str:
        return self._titles.get(source, source)

    # --- search --------------------------------------------------------------------------
    def search(
        self,
        query: str,
        k: int = 5,
        speakers: Iterable[str] | None = None,
        sources: Iterable[str] | None = None,
        mode: str | None = None,
    ) -> list[Hit]:
        query = self.roles.resolve(check_query(query, self.config))
        if not 1 <= k <= self.config.max_k:
            raise UserError(f"k must be between 1 and {self.config.max_k}, got {k}")
        mode = mode or self.config.retrieval_mode
        if mode not in ("hybrid", "dense", "lexical"):
            raise UserError(f"unknown retrieval mode {mode!r}; use hybrid, dense or lexical")
        allowed = self._allowed(self.resolve_speakers(speakers), self.resolve_sources(sources))
        n = max(self.config.candidates, 4 * k)

        intent = self.intent(query)
        raw, searched = self._embed_query(query, intent) if mode in ("hybrid", "dense") else (None, None)
        # the adapter was learned on questions answered by statements; one about what was
        # asked looks for a question, and is searched as it is worded
        asks_for_a_question = intent.about_asking or bool(intent.ordinal)
        vector = self.adapt(searched) if searched is not None and not asks_for_a_question else searched
        dense = self._dense(vector, n, allowed) if vector is not None else {}
        lexical = self._lexical(query, n, allowed) if mode in ("hybrid", "lexical") else {}
        # found by the adapted question; how close, as hits report it: the question's own cosine
        cosine = dense if vector is raw else {i: float(self.index.vectors[i] @ raw[0]) for i in dense}
        structural = self._structural(intent, allowed, vector, n) if mode == "hybrid" else {}
        if intent.roster and mode == "hybrid":  # "who are the speakers": found by who they are, not by words
            return self._collapse_duplicates(self._roster(intent, allowed), cosine, lexical, k)
        fused = self._fuse(dense, lexical, mode, intent, structural)
        beside: dict[int, str] = {}
        if mode == "hybrid" and intent.about_asking and not intent.ordinal:
            fused, beside = self._with_exchanges(fused, allowed)
        elif mode == "hybrid" and (reacts := intent.reacts or self._reacting_here(query, sources)):
            fused, beside = self._with_replies(fused, allowed, reacts)
        elif mode == "hybrid" and ANSWER_WEIGHT:
            fused, beside = self._with_answers(fused, allowed)
        if self.config.reranker_model:
            fused = self._rerank(query, fused[: max(20, 2 * k)])
        return self._collapse_duplicates(fused, cosine, lexical, k, beside)

    def _embed_query(self, query: str, intent: QueryIntent) -> tuple[np.ndarray, np.ndarray]:
        """The question's vector, and the one it is searched by: for a question that names
        people, its vector plus (weighted) that of the question without their names
        (config `unnamed_query_weight`)."""
        weight = self.config.unnamed_query_weight
        unnamed = without_people(query, self.names, self._speaker_set) if weight > 0 and intent.people else ""
        if unnamed == query or not terms(unnamed):  # "Who is Okafor?" without the name asks nothing
            own = self._encode_queries([query])
            return own, own
        both = self._encode_queries([query, unnamed])
        mixed = both[:1] + weight * both[1:]
        return both[:1], (mixed / max(float(np.linalg.norm(mixed)), 1e-12)).astype(np.float32)

    def adapt(self, vectors: np.ndarray) -> np.ndarray:
        """Question vectors as dense search compares them with passages (rag/adapter.py)."""
        if self._adapter is False:
            with self._lock:
                if self._adapter is False:
                    self._adapter = load_adapter(self.config.query_adapter, self.config.embedding_model, self.embedder.dim)
        return self._adapter(vectors) if self._adapter is not None else vectors

    def _allowed(self, speakers: set[str] | None, sources: set[str] | None) -> np.ndarray | None:
        if speakers is None and sources is None:
            return None
        mask = np.ones(len(self.passages), dtype=bool)
        if speakers is not None:
            mask &= np.isin(self._speaker_ids, [self.speakers.index(s) for s in speakers])
        if sources is not None:
            mask &= np.isin(self._source_ids, [self.sources.index(s) for s in sources])
        if not mask.any():
            raise UserError("no passage matches both filters (that speaker is not in that source)")
        return mask

    def chance_similarity(self, speakers: Iterable[str] | None = None, sources: Iterable[str] | None = None) -> float:
        """How close a question about nothing in these passages comes to them: over the
        off-topic questions (rag/data/offtopic_questions.txt), each one's best cosine among
        the passages searched (all, or those the filters leave), at CHANCE_QUANTILE.

        Fewer and shorter passages lie further from any question: 0.24 over the seeds'
        371 passages, 0.16 to 0.22 within one of them, 0.17 among one speaker's turns.
        Computed when first asked (one matrix product over the passages searched), then
        kept per filter."""
        if not self.passages:
            return 1.0
        speakers, sources = self.resolve_speakers(speakers), self.resolve_sources(sources)
        key = (frozenset(speakers or ()), frozenset(sources or ()))
        chance = self._chance.get(key)
        if chance is None:
            allowed = self._allowed(speakers, sources)
            probes = self._encode_queries(_off_topic_questions())
            vectors = self.index.vectors if allowed is None else self.index.vectors[allowed]
            chance = float(np.quantile((vectors @ probes.T).max(axis=0), CHANCE_QUANTILE))
            with self._lock:
                if len(self._chance) >= 256:
                    self._chance.clear()
                self._chance[key] = chance
        return chance  # (kept in a local: another thread may clear the cache meanwhile)

    def warm(self) -> None:
        """Build now what the first question would otherwise wait for: the speller, the
        order of turns, and chance over all the passages (about 1 s each at 100k passages)."""
        self.speller, self._position  # noqa: B018 (cached on first access)
        self.chance_similarity()

    def _dense(self, q: np.ndarray, n: int, allowed: np.ndarray | None) -> dict[int, float]:
        if allowed is None:
            scores, ids = self.index.faiss_index.search(q, min(n, len(self.passages)))
            return {int(i): float(s) for i, s in zip(ids[0], scores[0]) if i >= 0}
        # A filter leaves a subset: score it exactly (cheap, and nothing is filtered away).
        rows = np.flatnonzero(allowed)
        scores = self.index.vectors[rows] @ q[0]
        top = _top(scores, n)
        return {int(rows[i]): float(scores[i]) for i in top}

    def _lexical(self, query: str, n: int, allowed: np.ndarray | None) -> dict[int, float]:
        tokens = _tokenize([query])
        if not tokens.vocab:  # only stopwords ("who is he?"): BM25 has nothing to say
            return {}
        # bm25s retrieves by its own vocabulary ids: map the query's tokens onto them
        words = [w for w, _ in sorted(tokens.vocab.items(), key=lambda kv: kv[1])]
        query_words = [[words[i] for i in ids] for ids in tokens.ids][0]
        scores = self._bm25.get_scores(query_words)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        top = _top(scores, n)
        return {int(i): float(scores[i]) for i in top if scores[i] > 0}

    def intent(self, query: str) -> QueryIntent:
        return read_query(query, self.names, self._speaker_set, self._source_words)

    def priors(self, intent: QueryIntent, ids: np.ndarray) -> np.ndarray:
        """For the passages `ids`, how much what the question names favours each (1: no
        opinion). Computed for the candidates only, so it costs the same at any corpus size."""
        c = self.config
        w = np.where(self._fragment[ids], c.fragment_weight, 1.0)
        speaker_ids, source_ids = self._speaker_ids[ids], self._source_ids[ids]
        if intent.people:
            people = [self._speaker_index[s] for s in intent.people]
            if intent.about_asking:  # "what was X asked": X's own words are not the answer, the asker's are
                people = [self._speaker_index[s] for s in intent.people if s in self._askers]
            if intent.describes:  # "who is X": what others say of X, not X's own words
                people = [self._speaker_index[s] for s in intent.people if s != intent.describes]
            w *= 1 + c.speaker_prior * np.isin(speaker_ids, people)
            theirs = [self._source_index[s] for s in self.sources if self._source_speakers[s] & set(intent.people)]
            w *= 1 + c.speaker_source_prior * np.isin(source_ids, theirs)
        if intent.sources:
            w *= 1 + c.source_prior * np.isin(source_ids, [self._source_index[s] for s in intent.sources])
        if intent.about_asking:
            w *= 1 + c.interviewer_prior * self._interviewer[ids]
        if intent.age and intent.people:  # "how old is X": where a writer gives X's age ("X, 52, ...")
            aged = [bool(AGE.search(self.passages[i].text)) and any(self.names.mentions(self.passages[i].text, p) for p in intent.people) for i in ids]
            w *= 1 + c.age_prior * np.array(aged, dtype=bool)
        if intent.enumerated:  # "the second demand": where an item is numbered so
            w *= 1 + c.enumeration_prior * np.isin(ids, self._numbered.get(intent.enumerated, ()))
        if intent.describes:  # "who is X": a sentence of someone else's about X, not X's words
            own = np.array([self.passages[i].speaker == intent.describes for i in ids], dtype=bool)
            about = np.array([not own[n] and self.names.mentions(self.passages[i].text, intent.describes) for n, i in enumerate(ids)], dtype=bool)
            w *= np.where(own, c.describe_own_weight, 1.0) * (1 + c.describe_prior * (about & ~self._fragment[ids]))
        return w

    def _structural(self, intent: QueryIntent, allowed: np.ndarray | None, vector: np.ndarray | None = None,
                    n: int = 0) -> dict[int, float]:
        """Passages found by where they stand, not by their words: for "what was the first
        (last) question", each source's first (last) interviewer turn; for "summarize ...",
        each source's opening; the sources of the people or publication the question names
        first. For "what was the second demand", the passages that number an item so, the
        closest to the question first (its words may not be theirs: "condition", "demand")."""
        named = set(intent.people)
        if intent.enumerated and vector is not None:
            rows = self._numbered.get(intent.enumerated, np.zeros(0, dtype=np.int64))
            if allowed is not None:
                rows = rows[allowed[rows]]
            scores = self.index.vectors[rows] @ vector[0]
            return {int(rows[i]): float(scores[i]) for i in _top(scores, n)}

        def order(source: str) -> tuple[int, int]:
            return (-(source in intent.sources), -len(self._source_speakers[source] & named))

        if intent.summary:  # "summarize the Herald piece": how each source opens
            openings = sorted(((s, i) for s, i in self._openings.items() if allowed is None or allowed[i]), key=lambda si: order(si[0]))
            return {i: float(len(openings) - r) for r, (_, i) in enumerate(openings)}
        if not intent.ordinal:
            return {}
        turns = {source: ids if allowed is None else [i for i in ids if allowed[i]] for source, ids in self._interviewer_turns.items()}
        turns = {source: ids for source, ids in turns.items() if ids}
        picked = [ids[0] if intent.ordinal == "first" else ids[-1] for _, ids in sorted(turns.items(), key=lambda kv: order(kv[0]))]
        return {i: float(len(picked) - r) for r, i in enumerate(picked)}

    def _roster(self, intent: QueryIntent, allowed: np.ndarray | None) -> list[tuple[int, float]]:
        """For "who are the speakers?": each speaker's first words, in the source where they
        say most (of the sources the question names, if it names any), the speakers who say
        most first."""
        said: Counter[tuple[str, str]] = Counter()  # characters spoken, per speaker and source
        for i, p in enumerate(self.passages):
            if allowed is None or allowed[i]:
                said[p.speaker, p.source] += len(p.text)
        picked = []
        for speaker, firsts in self._first_words.items():
            here = {source: i for source, i in firsts.items() if (speaker, source) in said
                    and (allowed is None or allowed[i]) and (not intent.sources or source in intent.sources)}
            if here:
                main = max(here, key=lambda source: (said[speaker, source], -here[source]))
                picked.append((sum(said[speaker, source] for source in here), here[main]))
        picked.sort(key=lambda x: (-x[0], x[1]))
        return [(i, 1.0 - r / (2 * len(picked))) for r, (_, i) in enumerate(picked)]

    def _with_exchanges(self, fused: list[tuple[int, float]], allowed: np.ndarray | None
                        ) -> tuple[list[tuple[int, float]], dict[int, str]]:
        """For "what did the interviewer ask when X said ...": the interviewer's turns just
        before and just after the best-matching answers, which share few words with the
        question (it describes the answer), found by where they stand; and, for each turn
        found so, the id of the answer beside it."""
        scores, beside = dict(fused), {}
        for i, score in fused[:EXCHANGE_TOP]:
            if self._interviewer[i]:
                continue
            for j in (i - 1, i + 1):
                if (0 <= j < len(self.passages) and self._interviewer[j] and self.passages[j].source == self.passages[i].source
                        and (allowed is None or allowed[j]) and EXCHANGE_WEIGHT * score > scores.get(j, 0.0)):
                    scores[j], beside[j] = EXCHANGE_WEIGHT * score, self.passages[i].id
        return sorted(scores.items(), key=lambda x: -x[1]), beside

    def _with_answers(self, fused: list[tuple[int, float]], allowed: np.ndarray | None
                      ) -> tuple[list[tuple[int, float]], dict[int, str]]:
        """For a question an interviewer asked in other words ("What made you write it?" for
        "Why did she write the book?"): the reply just after each of the best-matching
        interviewer turns that ask something, which rarely repeats the question's words; and,
        for each reply found so, the id of the turn it answers."""
        scores, beside = dict(fused), {}
        for i, score in fused[:EXCHANGE_TOP]:
            asked, j = self.passages[i], i + 1
            if not self._interviewer[i] or "?" not in asked.text or j >= len(self.passages):
                continue
            reply = self.passages[j]
            if (reply.source == asked.source and not self._interviewer[j] and reply.speaker != NARRATOR
                    and (allowed is None or allowed[j]) and j not in beside):
                scores[j], beside[j] = max(ANSWER_WEIGHT * score, scores.get(j, 0.0)), asked.id
        return sorted(scores.items(), key=lambda x: -x[1]), beside

    def _reacting_here(self, query: str, sources: Iterable[str] | None) -> str:
        """Whose reply a question asks for, a first name read among the speakers of the
        sources searched ("How did Phoebe react" in a scene where one Phoebe speaks)."""
        if not sources:
            return ""
        present = {s for source in self.resolve_sources(sources) for s in self._source_speakers.get(source, ())}
        return reacting(query, self.names, self._speaker_set, present)

    def _with_replies(self, fused: list[tuple[int, float]], allowed: np.ndarray | None, person: str
                      ) -> tuple[list[tuple[int, float]], dict[int, str]]:
        """For "how did X react when ...": X's turn just after each of the best-matching
        turns of someone else (past the rest of that turn and a stage direction), which holds
        X's reply and rarely the question's words ("I need to lie down."); and, for each
        reply found so, the id of the turn it answers."""
        scores, beside = dict(fused), {}
        for i, score in fused[:EXCHANGE_TOP]:
            said = self.passages[i]
            if said.speaker == person:
                continue
            for j in range(i + 1, min(i + 1 + REPLY_REACH, len(self.passages))):
                p = self.passages[j]
                if p.source != said.source or (p.speaker != said.speaker and p.speaker not in (person, NARRATOR)):
                    break  # another source, or a third person's turn
                if p.speaker == person:
                    if (allowed is None or allowed[j]) and REPLY_WEIGHT * score > scores.get(j, 0.0):
                        scores[j], beside[j] = REPLY_WEIGHT * score, said.id
                    break
        return sorted(scores.items(), key=lambda x: -x[1]), beside

    def _fuse(self, dense: dict[int, float], lexical: dict[int, float], mode: str,
              intent: QueryIntent | None = None, structural: dict[int, float] | None = None) -> list[tuple[int, float]]:
        c = self.config
        weights = {"dense": c.dense_weight if mode != "lexical" else 0.0, "lexical": c.lexical_weight if mode != "dense" else 0.0,
                   "structural": c.structural_weight if structural else 0.0}
        fused: dict[int, float] = {}
        for name, scores in (("dense", dense), ("lexical", lexical), ("structural", structural or {})):
            for rank, i in enumerate(sorted(scores, key=scores.get, reverse=True), start=1):
                fused[i] = fused.get(i, 0.0) + weights[name] / (c.rrf_k + rank)
        if not fused:
            return []
        ids = np.fromiter(fused, dtype=np.int64, count=len(fused))
        prior = self.priors(intent or QueryIntent(), ids)
        # scaled so that 1.0 is first for every retriever with the strongest prior of any candidate
        best = sum(weights.values()) / (c.rrf_k + 1) * float(prior.max())
        return sorted(((int(i), fused[int(i)] * w / best) for i, w in zip(ids, prior)), key=lambda x: -x[1])

    def _rerank(self, query: str, fused: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """The candidates in the cross-encoder's order. The i-th of them takes the i-th best
        fused score, so scores stay ordered and on the 0..1 scale the answerer weighs."""
        with self._lock:
            if self._reranker is None:
                from sentence_transformers import CrossEncoder

                try:
                    self._reranker = CrossEncoder(self.config.reranker_model, device="cpu")
                except Exception as e:  # noqa: BLE001
                    raise UserError(f"cannot load reranker {self.config.reranker_model!r}: {e}") from None
        if not fused:
            return fused
        # the passage as it is embedded: who speaks, the writer's lead-in, the words
        pairs = [(query, embedding_text(self.passages[i])) for i, _ in fused]
        scores = np.asarray(self._reranker.predict(pairs, show_progress_bar=False), dtype=np.float32)
        if scores.ndim != 1:
            raise UserError(f"reranker {self.config.reranker_model!r} gives {scores.shape[-1]} scores a pair; "
                            "a reranker gives one (a relevance cross-encoder)")
        order = np.argsort(-scores, kind="stable")
        by_rank = sorted((score for _, score in fused), reverse=True)
        return [(fused[j][0], by_rank[r]) for r, j in enumerate(order)]

    def _collapse_duplicates(self, fused, dense, lexical, k: int, beside: dict[int, str] | None = None) -> list[Hit]:
        kept: list[tuple[int, float, list[Passage]]] = []
        for i, score in fused:
            p = self.passages[i]
            for _, _, group in kept:
                if near_duplicate(group[0], p):
                    group.append(p)
                    break
            else:
                if len(kept) == k:
                    continue  # still look for duplicates of the kept hits further down
                kept.append((i, score, [p]))
        hits = []
        for rank, (i, score, group) in enumerate(kept, start=1):
            # cite the original (the interview answer) rather than its reprint (a pull quote)
            primary = min(group, key=lambda p: _ROLE_ORDER.get(p.role, 9))
            others = tuple(p for p in group if p is not primary)
            hits.append(Hit(rank, score, primary, dense.get(i), lexical.get(i), others, (beside or {}).get(i)))
        return hits


# "What did the interviewer ask when X said ...": the turns beside the EXCHANGE_TOP best
# answers are candidates at EXCHANGE_WEIGHT times the answer's score (above it: the asker's
# words are what is asked for). On the seeds' dev set, hybrid R@5 0.785 -> 0.796 and R@10
# 0.839 -> 0.850 (at 0.9 and 1.0: R@5 unchanged, R@10 0.850).
EXCHANGE_TOP = 5
EXCHANGE_WEIGHT = 1.2
# "How did X react when ...": X's next turn within REPLY_REACH passages of the EXCHANGE_TOP
# best turns of others, at REPLY_WEIGHT times that turn's score.
REPLY_REACH = 3
REPLY_WEIGHT = 1.0
# Any other question: the reply just after each of the EXCHANGE_TOP best interviewer turns
# that ask something, at ANSWER_WEIGHT times that turn's score (0 turns this off).
ANSWER_WEIGHT = 0.7
_ROLE_ORDER = {"interviewee": 0, "speaker": 1, "interviewer": 2, "quoted": 3, "narrator": 4}


def _top(scores: np.ndarray, n: int) -> np.ndarray:
    """Indices of the n best scores, best first (argpartition: linear, not n log n)."""
    if len(scores) <= n:
        return np.argsort(-scores)
    part = np.argpartition(-scores, n)[:n]
    return part[np.argsort(-scores[part])]


def check_query(query: object, config: Config) -> str:
    """A question a person could have typed, or a UserError saying what is wrong with it."""
    if not isinstance(query, str):
        raise UserError(f"the question must be text, got {type(query).__name__}")
    cleaned = "".join(ch for ch in query if ch.isprintable() or ch in "\n\t").strip()
    if not cleaned:
        raise UserError("the question is empty")
    if len(cleaned) > config.max_question_chars:
        raise UserError(f"the question is too long ({len(cleaned)} characters; the limit is {config.max_question_chars})")
    return cleaned
