"""Retrieval benchmark: build time, embedding throughput, search latency, HNSW recall.

    python bench/retrieval.py --passages 10000 --json
    python bench/retrieval.py --passages 100000 --index-type auto --json

The corpus is the seeds' real passages, reused and varied (each copy gets a sentence from
another passage, so BM25 sees distinct texts). Up to --embed-limit passages are embedded
for real; beyond that the vectors are synthesized as real passage vectors plus noise,
renormalised (the output says so), while the query path stays the real one: a whole
`Retriever.search` call (query embedding, FAISS, BM25, fusion, duplicate collapse).
The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rag.config import DEFAULT_CORPUS, Config  # noqa: E402
from rag.embed import load_embedder  # noqa: E402
from rag.index import Manifest, SearchIndex, build_faiss, choose_index_type, embedding_text  # noqa: E402
from rag.ingest import load_corpus  # noqa: E402
from rag.metadata import load_metadata  # noqa: E402
from rag.records import Passage  # noqa: E402
from rag.retrieve import Retriever  # noqa: E402

QUESTIONS = Path(__file__).resolve().parent.parent / "evals" / "cases" / "seeds.jsonl"


def varied_passages(base: list[Passage], n: int, rng: random.Random) -> list[Passage]:
    out = []
    for i in range(n):
        p = base[i % len(base)]
        if i < len(base):
            out.append(p)
            continue
        extra = base[rng.randrange(len(base))].text.split(". ")[0]
        text = f"{p.text} {extra}."
        out.append(Passage(f"{p.id}~{i}", p.source, p.title, p.speaker, p.role, text, p.start, p.end, p.turn, p.question))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--passages", type=int, default=10_000)
    ap.add_argument("--index-type", default="auto", choices=("auto", "flat", "hnsw"))
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--embed-limit", type=int, default=3000, help="embed at most this many for real")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    rng = random.Random(0)
    config = Config.from_env(index_type=args.index_type, embedding_batch_size=args.batch_size)

    base = list(load_corpus(DEFAULT_CORPUS).passages)
    passages = varied_passages(base, args.passages, rng)
    embedder = load_embedder(config.embedding_model, config.embedding_batch_size)
    embedder.encode_documents(["warm up"])

    n_real = min(len(passages), args.embed_limit)
    t0 = time.perf_counter()
    real = embedder.encode_documents([embedding_text(p) for p in passages[:n_real]])
    embed_s = time.perf_counter() - t0
    synthesized = n_real < len(passages)
    if synthesized:
        nprng = np.random.default_rng(0)
        rows = nprng.integers(0, n_real, size=len(passages) - n_real)
        noise = nprng.normal(0, 0.35 / np.sqrt(real.shape[1]), size=(len(rows), real.shape[1])).astype(np.float32)
        extra = real[rows] + noise
        extra /= np.linalg.norm(extra, axis=1, keepdims=True)
        vectors = np.vstack([real, extra]).astype(np.float32)
    else:
        vectors = real

    index_type = choose_index_type(len(passages), config)
    t0 = time.perf_counter()
    faiss_index = build_faiss(vectors, index_type, config)
    faiss_s = time.perf_counter() - t0
    manifest = Manifest(1, embedder.model_id, vectors.shape[1], index_type, "bench", {}, len(passages))
    index = SearchIndex(DEFAULT_CORPUS, passages, vectors, faiss_index, manifest, load_metadata(DEFAULT_CORPUS))
    t0 = time.perf_counter()
    retriever = Retriever(index, config, embedder)  # builds BM25
    bm25_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    retriever.warm()  # what the chat page builds at start: the speller, turn order, chance
    warm_s = time.perf_counter() - t0

    questions = [json.loads(line)["question"] for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    for q in questions[:10]:
        retriever.search(q, k=10)  # warm-up
    latencies = []
    for i in range(args.queries):
        t0 = time.perf_counter()
        retriever.search(questions[i % len(questions)], k=10)
        latencies.append((time.perf_counter() - t0) * 1000)

    # recall@10 of the index against exact search, on real query vectors
    import faiss

    qv = embedder.encode_queries(questions)
    _, approx = faiss_index.search(qv, 10)
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    _, truth = exact.search(qv, 10)
    recall = float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(approx, truth)]))

    q = statistics.quantiles(latencies, n=20)
    result = {
        "passages": len(passages),
        "index_type": index_type,
        "synthesized_vectors": synthesized,
        "real_embedded": n_real,
        "build_s": round(faiss_s + bm25_s, 2),
        "faiss_build_s": round(faiss_s, 2),
        "bm25_build_s": round(bm25_s, 2),
        "warm_s": round(warm_s, 2),
        "embed_passages_per_s": round(n_real / embed_s, 1),
        "batch_size": args.batch_size,
        "p50_ms": round(statistics.median(latencies), 2),
        "p95_ms": round(q[18], 2),
        "recall_at_10_vs_exact": round(recall, 4),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    if not args.json:
        for k, v in result.items():
            print(f"{k:>24}  {v}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
