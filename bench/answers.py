"""Answer latency: extractive p50/p95 after warm-up; generative latency and tokens/s.

    python bench/answers.py [--questions N] [--generative 5] [--json]
    RAG_SENTENCE_CACHE=0 python bench/answers.py --generative 0   # no sentence vectors kept

Questions are evals/cases/seeds.jsonl's, asked on the seeds through Pipeline.ask (the
same call the chat page and `rag ask` make). Extractive figures: the first pass over the
questions (the sentence cache, rag/embed.py VectorCache, filling as a chat session's
would), then `repeat_*`: the same questions again, every sentence vector kept. The last
line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rag.pipeline import Pipeline  # noqa: E402

CASES = Path(__file__).resolve().parent.parent / "evals" / "cases" / "seeds.jsonl"


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * (len(values) - 1) + 0.5))]


def timed(pipeline: Pipeline, questions: list[str]) -> list[float]:
    latencies = []
    for q in questions:
        t0 = time.perf_counter()
        pipeline.ask(q)
        latencies.append((time.perf_counter() - t0) * 1000)
    return latencies


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--questions", type=int, default=None, help="the first N of the dev questions (default: all)")
    ap.add_argument("--generative", type=int, default=5, help="how many questions to ask the generator (0: skip)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    questions = [json.loads(line)["question"] for line in CASES.read_text(encoding="utf-8").splitlines() if line.strip()]
    questions = questions[: args.questions]

    t0 = time.perf_counter()
    pipeline = Pipeline()
    start_s = time.perf_counter() - t0
    for q in questions[:5]:
        pipeline.ask(q)  # warm-up
    latencies = timed(pipeline, questions)
    repeat = timed(pipeline, questions)
    result = {
        "questions": len(questions),
        "sentence_cache": pipeline.config.sentence_cache,
        "pipeline_start_s": round(start_s, 2),
        "extractive_p50_ms": round(statistics.median(latencies), 1),
        "extractive_p95_ms": round(pct(latencies, 0.95), 1),
        "extractive_max_ms": round(max(latencies), 1),
        "repeat_p50_ms": round(statistics.median(repeat), 1),
        "repeat_p95_ms": round(pct(repeat, 0.95), 1),
    }
    if args.generative:
        t0 = time.perf_counter()
        pipeline.generative._load()
        result["generator_load_s"] = round(time.perf_counter() - t0, 1)
        gen_ms, rates = [], []
        for q in questions[: args.generative]:
            tokens = []
            t0 = time.perf_counter()
            pipeline.ask(q, answerer="generative", on_token=tokens.append)
            seconds = time.perf_counter() - t0
            gen_ms.append(seconds * 1000)
            n = len(pipeline.generative._tokenizer("".join(tokens))["input_ids"])
            rates.append(n / seconds)
        result.update(generative_p50_ms=round(statistics.median(gen_ms)), generative_max_ms=round(max(gen_ms)),
                      generative_tokens_per_s=round(statistics.median(rates), 1))
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    if not args.json:
        for k, v in result.items():
            print(f"{k:>26}  {v}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
