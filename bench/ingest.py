"""Ingestion benchmark: passages, their length distribution, and time, on a corpus.

    python bench/ingest.py [--corpus DIR] [--repeat 5] [--scale 20]

--scale N also times a corpus of N copies of every file (real text, larger volume).
Prints a table, then one JSON object as the last line.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rag.config import DEFAULT_CORPUS  # noqa: E402
from rag.ingest import load_corpus  # noqa: E402


def timed(folder: Path, repeat: int) -> tuple[float, object]:
    best, corpus = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        corpus = load_corpus(folder)
        best = min(best, time.perf_counter() - t0)
    return best, corpus


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--scale", type=int, default=20)
    args = ap.parse_args()

    load_corpus(args.corpus)  # warm imports
    seconds, corpus = timed(args.corpus, args.repeat)
    lengths = sorted(len(p.text) for p in corpus.passages)
    words = sorted(len(p.text.split()) for p in corpus.passages)
    chars = sum(len(d.text) for d in corpus.documents)
    q = statistics.quantiles(lengths, n=20)
    result = {
        "corpus": str(args.corpus),
        "files": len(corpus.documents),
        "chars": chars,
        "passages": len(lengths),
        "chars_min": lengths[0],
        "chars_p50": int(statistics.median(lengths)),
        "chars_p95": int(q[18]),
        "chars_max": lengths[-1],
        "words_p50": int(statistics.median(words)),
        "ingest_s": round(seconds, 4),
        "chars_per_s": int(chars / seconds),
        "by_role": dict(Counter(p.role for p in corpus.passages)),
    }
    if args.scale > 1:
        with tempfile.TemporaryDirectory() as tmp:
            for doc in corpus.documents:
                for i in range(args.scale):
                    shutil.copy(Path(args.corpus) / doc.source, Path(tmp) / f"{i:04d}_{doc.source}")
            big_s, big = timed(Path(tmp), 1)
        result.update(scaled_files=len(big.documents), scaled_passages=len(big.passages),
                      scaled_ingest_s=round(big_s, 3), scaled_chars_per_s=int(chars * args.scale / big_s))
    for key, value in result.items():
        print(f"{key:>20}  {value}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
