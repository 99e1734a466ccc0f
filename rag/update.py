"""Adding files to a corpus and rebuilding its index, in a process of its own.

    python -m rag.update < job.pickle       (what Pipeline.add_files and Pipeline.refresh run)

Why a process: re-indexing is CPU work (parsing every transcript, embedding the new
passages). In the server's own process it held the lock questions wait on, and even without
the lock it would hold the GIL; a 744 KB upload made a question wait 33 s. Here it runs at a
lower priority (nice 10), so questions keep the cores they need, and the server only reads
the finished generation from disk and swaps it in (rag/pipeline.py).

The job (a pickled dict from the parent, which is the same program): the Config, the corpus
folder, the staged uploads [(path, name)], the index's current passage count. For each staged
file, one JSON line on stdout: {"name", "ok", "reason", "saved_as", "passages"}. A file that
passes every check is moved into the corpus (os.replace: whole or not at all); a file that
fails leaves nothing there. Then the index is refreshed, and the last line is
{"generation": "gen-...", "passages": N}. When the refresh fails, the files this job moved in
are taken out again and the last line is {"error": "..."}: the corpus is as it was.
Progress (the index's log and its embedding bar) goes to stderr.
"""

from __future__ import annotations

import json
import os
import pickle
import sys
from pathlib import Path

from .config import Config
from .errors import FormatError, UserError
from .ingest import SUPPORTED, ingest_document, read_document
from .metadata import load_metadata
from .speakers import SpeakerNames


def corpus_bytes(corpus: Path) -> int:
    """Total size of the corpus's files (hidden ones, such as staged uploads, aside)."""
    total = 0
    for root, dirs, files in os.walk(corpus):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.startswith("."):
                try:
                    total += os.stat(os.path.join(root, name)).st_size
                except OSError:
                    pass
    return total


def free_path(folder: Path, name: str) -> Path:
    """folder/name, or folder/name-2 ... when a file of that name exists."""
    path = folder / name
    stem, suffix, n = path.stem, path.suffix, 2
    while path.exists():
        path = folder / f"{stem}-{n}{suffix}"
        n += 1
    return path


def check_file(path: Path, name: str, corpus: Path, config: Config, names: SpeakerNames, metadata) -> int:
    """The passages the file makes, or FormatError saying why it cannot be used."""
    limit_bytes = int(config.max_file_mb * 1e6)
    size = path.stat().st_size
    if size > limit_bytes:
        raise FormatError(f"too large ({size / 1e6:.1f} MB; the limit is {config.max_file_mb:g} MB, RAG_MAX_FILE_MB)")
    if Path(name).suffix.lower() not in SUPPORTED:
        raise FormatError(f"unsupported file type {Path(name).suffix or '(none)'!r}; supported: {', '.join(SUPPORTED)}")
    try:
        doc = read_document(path, name, metadata, limit_bytes)
        found = ingest_document(doc, names, config)
    except FormatError:
        raise
    except RecursionError:
        raise FormatError("nested too deeply to read") from None
    except Exception as e:  # noqa: BLE001 - whatever a hostile file makes a parser do, it is refused
        raise FormatError(f"could not be read ({type(e).__name__}: {str(e)[:120]})") from None
    if not found:
        raise FormatError("no text found in it")
    return len(found)


def run(job: dict, out=sys.stdout) -> int:
    config: Config = job["config"]
    corpus = Path(job["corpus"])
    staged: list[tuple[str, str]] = job.get("staged", [])
    passages_now: int = job.get("passages", 0)

    def emit(row: dict) -> None:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        out.flush()

    moved: list[Path] = []
    if staged:
        metadata = load_metadata(corpus)
        names = SpeakerNames(metadata.people)
        size_now = corpus_bytes(corpus)
        for path_s, name in staged:
            path = Path(path_s)
            row = {"name": name, "ok": False, "reason": "", "saved_as": "", "passages": 0}
            try:
                n = check_file(path, name, corpus, config, names, metadata)
                size = path.stat().st_size
                if config.max_corpus_mb and size_now + size > config.max_corpus_mb * 1e6:
                    raise FormatError(f"the corpus would exceed its size cap ({(size_now + size) / 1e6:.1f} MB; "
                                      f"the cap is {config.max_corpus_mb:g} MB, RAG_MAX_CORPUS_MB)")
                if config.max_passages and passages_now + n > config.max_passages:
                    raise FormatError(f"the corpus would exceed its passage cap ({passages_now + n:,} passages; "
                                      f"the cap is {config.max_passages:,}, RAG_MAX_PASSAGES)")
                target = free_path(corpus, name)
                os.replace(path, target)  # appears whole or not at all
                moved.append(target)
                size_now += size
                passages_now += n
                row.update(ok=True, saved_as=target.name, passages=n)
            except FormatError as e:
                row["reason"] = str(e)
            except OSError as e:
                row["reason"] = f"could not be saved ({e.strerror or e})"
            emit(row)
        if not moved:
            return 0
    from .index import log_to_stderr, open_index

    try:
        index = open_index(corpus, config, progress=True, log=log_to_stderr)
    except Exception as e:  # noqa: BLE001 - the corpus goes back to what it was, and the parent says why
        for target in moved:
            target.unlink(missing_ok=True)
        message = str(e) if isinstance(e, UserError) else f"{type(e).__name__}: {e}"
        emit({"error": message})
        return 1
    emit({"generation": index.generation, "passages": len(index.passages)})
    return 0


def main() -> int:
    try:
        os.nice(10)  # questions first: this process takes what CPU they leave
    except OSError:
        pass
    job = pickle.loads(sys.stdin.buffer.read())  # noqa: S301 - written by our own parent process
    return run(job)


if __name__ == "__main__":
    sys.exit(main())
