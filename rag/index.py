"""The persisted index of a corpus: passages, their vectors, a FAISS index and a manifest.

    open_index(corpus_dir, config)  ->  SearchIndex   (built on first use, refreshed when stale)

Layout, in the cache folder (docs/how-it-works.md, "Where the index lives"):

    <cache>/<corpus-name>-<hash of its path>/
        CURRENT                 the name of the live generation (replaced atomically)
        gen-<id>/manifest.json  format version, model, dimension, index type, the sha256 of
                                every source file, of the code that made the passages, and
                                of every file below
        gen-<id>/passages.jsonl one passage a line, with the key of the text it embedded
        gen-<id>/vectors.npy    normalised float32 vectors, one row per passage
        gen-<id>/index.faiss    exact inner product, or HNSW for large corpora

A generation is written in full, then CURRENT is switched to it (write, then rename), so a
reader never sees half an index. A stale manifest (model, files or code changed) triggers
an update that embeds only passages whose embedded text is new. A checksum mismatch or an
unreadable file is reported and the index is rebuilt, never used.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import faiss
import numpy as np

from .config import Config
from .embed import Embedder, load_embedder
from .errors import UserError
from .ingest import load_corpus
from .metadata import Metadata, load_metadata
from .records import BadFile, Passage

FORMAT_VERSION = 1
CODE_DIR = Path(__file__).resolve().parent


def code_fingerprint() -> str:
    """Hash of the pipeline's source: passages made by other code are re-made."""
    h = hashlib.sha256()
    for path in sorted(CODE_DIR.rglob("*.py")):
        h.update(path.relative_to(CODE_DIR).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def embedding_text(p: Passage) -> str:
    """What a passage is embedded as: who speaks, then the words (`text` stays verbatim).

    Measured on evals/cases/seeds.jsonl (hybrid recall@5, MiniLM): "speaker: text" 0.645;
    adding the title and the question replied to 0.602 (every passage of a source shares
    its title, which drowns short passages); the question instead goes to BM25, where it
    helps (lexical recall@5 0.516 with it, 0.505 without). With RRF k=10: the title alone
    R@5 0.667 vs 0.656, R@10 0.753 vs 0.763, MRR 0.520 vs 0.530, a wash. With k=60: the
    question alone 0.559 vs 0.634; two vectors per passage (with and without it, max) 0.656.
    The writer's lead-in to a quote ("The first condition calls for"), after the speaker:
    dense R@5 0.591 -> 0.624, and with it in BM25 too hybrid 0.753 -> 0.774 (before the
    speaker: dense 0.613)."""
    if p.speaker == "narrator":
        return p.text
    return f"{p.speaker}: {p.lead_in} {p.text}" if p.lead_in else f"{p.speaker}: {p.text}"


def embed_key(model_id: str, text: str) -> str:
    return hashlib.sha256(f"{model_id}\n{text}".encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Manifest:
    format_version: int
    model_id: str
    dim: int
    index_type: str
    code: str
    sources: dict[str, str]  # file name -> sha256 (metadata.toml included)
    passages: int
    skipped: dict[str, str] = field(default_factory=dict)  # bad file -> reason
    checksums: dict[str, str] = field(default_factory=dict)  # artifact -> sha256
    created: float = 0.0


@dataclass
class SearchIndex:
    """A loaded index: passages in order, their vectors, and the FAISS index over them."""

    corpus_dir: Path
    passages: list[Passage]
    vectors: np.ndarray
    faiss_index: faiss.Index
    manifest: Manifest
    metadata: Metadata
    bad_files: tuple[BadFile, ...] = ()
    report: list[str] = field(default_factory=list)  # what opening it did, for the user
    generation: str = ""  # the gen-<id> folder it was read from or written to


def store_dir(corpus_dir: Path, config: Config) -> Path:
    corpus_dir = corpus_dir.resolve()
    digest = hashlib.sha256(str(corpus_dir).encode()).hexdigest()[:12]
    name = re.sub(r"[^\w.-]+", "_", corpus_dir.name)[:40] or "corpus"
    return Path(config.cache_dir).expanduser() / f"{name}-{digest}"


def source_hashes(corpus_dir: Path) -> dict[str, str]:
    """sha256 of every file that can change the passages (hidden files aside)."""
    hashes = {}
    for path in sorted(corpus_dir.rglob("*")):
        rel = path.relative_to(corpus_dir).as_posix()
        if any(part.startswith(".") for part in Path(rel).parts) or not path.is_file():
            continue
        try:
            hashes[rel] = file_sha256(path)
        except OSError:
            hashes[rel] = "unreadable"
    return hashes


def choose_index_type(n: int, config: Config) -> str:
    if config.index_type != "auto":
        return config.index_type
    return "hnsw" if n >= config.hnsw_threshold else "flat"


def build_faiss(vectors: np.ndarray, index_type: str, config: Config) -> faiss.Index:
    dim = vectors.shape[1]
    if index_type == "flat":
        index = faiss.IndexFlatIP(dim)
    elif index_type == "hnsw":
        index = faiss.IndexHNSWFlat(dim, config.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = config.hnsw_ef_construction
        index.hnsw.efSearch = config.hnsw_ef_search
    else:
        raise UserError(f"unknown index type {index_type!r}; use auto, flat or hnsw")
    if len(vectors):
        index.add(vectors)
    return index


class CorruptIndex(Exception):
    pass


ARTIFACTS = ("passages.jsonl", "vectors.npy", "index.faiss")
_GENERATION = re.compile(r"gen-[0-9a-f]{12}")


def _is_str_map(value: object) -> bool:
    return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())


def _int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# What each manifest field must be: JSON that parses but holds the wrong shape ("checksums":
# null, "passages": "12") is as corrupt as a truncated file, and is rebuilt the same way.
_MANIFEST_TYPES: dict[str, Callable[[object], bool]] = {
    "format_version": _int,
    "model_id": lambda v: isinstance(v, str),
    "dim": lambda v: _int(v) and v > 0,
    "index_type": lambda v: v in ("flat", "hnsw"),
    "code": lambda v: isinstance(v, str),
    "sources": _is_str_map,
    "passages": lambda v: _int(v) and v >= 0,
    "skipped": _is_str_map,
    "checksums": lambda v: _is_str_map(v) and set(v) == set(ARTIFACTS),
    "created": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
}


def parse_manifest(raw: object) -> Manifest:
    """A Manifest from parsed JSON, or CorruptIndex naming the first field of the wrong shape."""
    if not isinstance(raw, dict):
        raise CorruptIndex(f"manifest.json holds {type(raw).__name__}, not an object")
    if set(raw) != set(_MANIFEST_TYPES):
        odd = sorted(set(raw) ^ set(_MANIFEST_TYPES))
        raise CorruptIndex(f"manifest.json has the wrong fields ({', '.join(odd[:5])})")
    for name, ok in _MANIFEST_TYPES.items():
        if not ok(raw[name]):
            raise CorruptIndex(f"manifest.json: {name} has the wrong type or value ({str(raw[name])[:40]!r})")
    return Manifest(**raw)


def _read_generation(folder: Path) -> tuple[Manifest, list[Passage], list[str], np.ndarray, faiss.Index]:
    if not _GENERATION.fullmatch(folder.name):
        raise CorruptIndex(f"CURRENT names {folder.name[:40]!r}, not a generation")
    try:
        raw = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as e:
        raise CorruptIndex(f"manifest.json unreadable ({e})") from None
    manifest = parse_manifest(raw)
    if manifest.format_version != FORMAT_VERSION:
        raise CorruptIndex(f"format version {manifest.format_version}, expected {FORMAT_VERSION}")
    for name, digest in manifest.checksums.items():
        path = folder / name
        if not path.is_file():
            raise CorruptIndex(f"{name} is missing")
        if file_sha256(path) != digest:
            raise CorruptIndex(f"{name} is corrupt or truncated (checksum mismatch)")
    try:
        rows = [json.loads(line) for line in (folder / "passages.jsonl").read_text(encoding="utf-8").splitlines()]
        keys = [row.pop("embed_key") for row in rows]
        passages = [Passage(**row) for row in rows]
        vectors = np.load(folder / "vectors.npy", allow_pickle=False)
        index = faiss.read_index(str(folder / "index.faiss"))
    except Exception as e:  # noqa: BLE001 - any failure here means the files are bad
        raise CorruptIndex(f"cannot read the index files ({type(e).__name__}: {e})") from None
    if not (len(passages) == len(vectors) == index.ntotal == manifest.passages):
        raise CorruptIndex("passages, vectors and index disagree in length")
    if vectors.ndim != 2 or vectors.shape[1] != manifest.dim or index.d != manifest.dim:
        raise CorruptIndex("vectors and index disagree with the manifest's dimension")
    return manifest, passages, keys, vectors, index


def _write_generation(store: Path, manifest: Manifest, passages: list[Passage], keys: list[str],
                      vectors: np.ndarray, index: faiss.Index) -> str:
    """Write a complete generation beside the live one, then switch CURRENT to it."""
    store.mkdir(parents=True, exist_ok=True)
    gen = f"gen-{uuid.uuid4().hex[:12]}"
    folder = store / gen
    folder.mkdir()
    with open(folder / "passages.jsonl", "w", encoding="utf-8") as f:
        for p, key in zip(passages, keys):
            f.write(json.dumps({**p.to_json(), "embed_key": key}, ensure_ascii=False) + "\n")
    np.save(folder / "vectors.npy", vectors, allow_pickle=False)
    faiss.write_index(index, str(folder / "index.faiss"))
    checksums = {name: file_sha256(folder / name) for name in ARTIFACTS}
    manifest = Manifest(**{**asdict(manifest), "checksums": checksums, "created": time.time()})
    (folder / "manifest.json").write_text(json.dumps(asdict(manifest), indent=1), encoding="utf-8")
    for path in folder.iterdir():
        _fsync(path)
    if (store / "CURRENT").is_dir():  # a corrupt cache: CURRENT must be a file
        shutil.rmtree(store / "CURRENT", ignore_errors=True)
    tmp = store / f"CURRENT.{gen}.tmp"
    tmp.write_text(gen, encoding="utf-8")
    _fsync(tmp)
    os.replace(tmp, store / "CURRENT")
    for old in store.glob("gen-*"):  # older generations: nobody will open them again
        if old.name != gen:
            shutil.rmtree(old, ignore_errors=True)
    return gen


def _fsync(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


class _Lock:
    """One writer per index at a time (two `rag index` runs, or a server and a CLI)."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.file = open(path, "w")  # noqa: SIM115 - closed in __exit__

    def __enter__(self):
        fcntl.flock(self.file, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.file, fcntl.LOCK_UN)
        self.file.close()


def open_index(
    corpus_dir: Path | str | None = None,
    config: Config | None = None,
    embedder: Embedder | None = None,
    progress: bool = False,
    log: Callable[[str], None] | None = None,
) -> SearchIndex:
    """Load the corpus's index, building or refreshing it first when needed."""
    config = config or Config.from_env()
    corpus_dir = Path(corpus_dir) if corpus_dir is not None else Path(config.corpus)
    check_corpus_dir(corpus_dir)
    embedder = embedder or load_embedder(config.embedding_model, config.embedding_batch_size, config.embedding_backend)
    report: list[str] = []

    def say(message: str) -> None:
        report.append(message)
        if log:
            log(message)

    store = store_dir(corpus_dir, config)
    try:
        lock = _Lock(store.parent / f"{store.name}.lock")
    except OSError as e:
        raise UserError(f"cannot use the index folder {store} ({e.strerror or e}); set RAG_CACHE_DIR") from None
    with lock:
        try:
            return _open_locked(corpus_dir, store, config, embedder, progress, say, report)
        except OSError as e:
            # the corpus was checked readable above; what fails now is the cache (or the
            # corpus changed under us: name the file either way)
            where = getattr(e, "filename", None) or store
            raise UserError(f"cannot use {where} ({e.strerror or e}); check its permissions, or set RAG_CACHE_DIR"
                            " for the index folder") from None


def check_corpus_dir(corpus_dir: Path) -> None:
    """A folder of transcripts this process can list and read, or UserError saying which."""
    if not corpus_dir.is_dir():
        raise UserError(f"corpus folder not found: {corpus_dir}")
    try:
        with os.scandir(corpus_dir) as entries:
            next(entries, None)
    except OSError as e:
        raise UserError(f"cannot read the corpus folder {corpus_dir} ({e.strerror or e}); check its permissions") from None


def _read_current(current: Path) -> str:
    try:
        return current.read_text(encoding="utf-8").strip()
    except (OSError, ValueError) as e:
        raise CorruptIndex(f"CURRENT unreadable ({e})") from None


def load_generation(corpus_dir: Path | str, config: Config, gen: str | None = None) -> SearchIndex:
    """The index generation `gen` (default: the one CURRENT names) as it is on disk, checked
    but not compared with the corpus: how a server swaps in the generation a separate
    writer process has just built (Pipeline.add_files). Raises CorruptIndex."""
    corpus_dir = Path(corpus_dir)
    store = store_dir(corpus_dir, config)
    gen = gen or _read_current(store / "CURRENT")
    manifest, passages, _, vectors, index = _read_generation(store / gen)
    if manifest.index_type == "hnsw":
        index.hnsw.efSearch = config.hnsw_ef_search
    skipped = tuple(BadFile(k, v) for k, v in manifest.skipped.items())
    return SearchIndex(corpus_dir, passages, vectors, index, manifest, load_metadata(corpus_dir), skipped, [], gen)


def _open_locked(corpus_dir, store, config, embedder, progress, say, report) -> SearchIndex:
    sources = source_hashes(corpus_dir)
    code = code_fingerprint()
    metadata = load_metadata(corpus_dir)
    old, gen = None, ""
    current = store / "CURRENT"
    if current.exists():
        try:
            gen = _read_current(current)
            old = _read_generation(store / gen)
        except CorruptIndex as e:
            say(f"index at {store} is unusable: {e}; rebuilding it")
    manifest = old[0] if old else None
    fresh = (
        manifest is not None
        and manifest.model_id == embedder.model_id
        and manifest.sources == sources
        and manifest.code == code
        and (config.index_type == "auto" or manifest.index_type == config.index_type)
    )
    if fresh:
        _, passages, _, vectors, index = old
        if manifest.index_type == "hnsw":
            index.hnsw.efSearch = config.hnsw_ef_search
        skipped = tuple(BadFile(k, v) for k, v in manifest.skipped.items())
        return SearchIndex(corpus_dir, passages, vectors, index, manifest, metadata, skipped, report, gen)

    corpus = load_corpus(corpus_dir, config)
    passages = list(corpus.passages)
    keys = [embed_key(embedder.model_id, embedding_text(p)) for p in passages]
    reuse: dict[str, np.ndarray] = {}
    if old and manifest.model_id == embedder.model_id:
        reuse = {k: v for k, v in zip(old[2], old[3])}
    todo = [i for i, k in enumerate(keys) if k not in reuse]
    if old is None:
        say(f"building the index of {corpus_dir} ({len(passages)} passages)")
    else:
        changed = sorted({*sources} ^ {*manifest.sources} | {s for s in sources if manifest.sources.get(s) != sources[s]})
        why = "model changed" if manifest.model_id != embedder.model_id else (
            f"changed: {', '.join(changed[:5])}" + (" ..." if len(changed) > 5 else "") if changed else "code changed")
        say(f"updating the index ({why}); embedding {len(todo)} of {len(passages)} passages")
    if todo:
        new_vectors = embedder.encode_documents([embedding_text(passages[i]) for i in todo], progress=progress)
        dim = new_vectors.shape[1]
    else:  # nothing new to embed: the model need not even load
        new_vectors, dim = [], len(next(iter(reuse.values()))) if reuse else embedder.dim
    vectors = np.zeros((len(passages), dim), dtype=np.float32)
    fresh_rows = dict(zip(todo, new_vectors))
    for i, k in enumerate(keys):
        vectors[i] = fresh_rows[i] if i in fresh_rows else reuse[k]
    index_type = choose_index_type(len(passages), config)
    index = build_faiss(vectors, index_type, config)
    skipped = {b.source: b.reason for b in corpus.bad_files}
    manifest = Manifest(FORMAT_VERSION, embedder.model_id, dim, index_type, code, sources, len(passages), skipped)
    gen = _write_generation(store, manifest, passages, keys, vectors, index)
    say(f"index ready: {len(passages)} passages from {len(corpus.documents)} files, {index_type}, in {store}")
    return SearchIndex(corpus_dir, passages, vectors, index, manifest, metadata, corpus.bad_files, report, gen)


def log_to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
