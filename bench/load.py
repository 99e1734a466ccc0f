"""Load test of a running chat page: many users asking at once, through gradio_client.

    rag serve &                                   # start the server yourself; this starts nothing
    python bench/load.py --users 20 --questions 3 [--url http://127.0.0.1:7860]

Each of --users threads connects its own client (its own session), waits until all are
connected, then asks --questions questions from evals/cases/seeds.jsonl one after another,
timing each from request to final answer. Only loopback servers are accepted: this is a
benchmark of your own machine, not a tool to load someone else's. Prints a summary, then
one JSON object as the last line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ui.serve import is_loopback

CASES = ROOT / "evals" / "cases" / "seeds.jsonl"


def questions(path: Path = CASES) -> list[str]:
    return [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default="http://127.0.0.1:7860")
    ap.add_argument("--users", type=int, default=20, help="simultaneous users (threads), default 20")
    ap.add_argument("--questions", type=int, default=3, help="questions each user asks, default 3")
    ap.add_argument("--answerer", default="extractive", choices=("extractive", "generative"))
    args = ap.parse_args()
    host = urlparse(args.url).hostname or ""
    if not is_loopback(host):
        print(f"error: {args.url} is not on this machine; load-test only a server on 127.0.0.1/localhost", file=sys.stderr)
        return 2
    if args.users < 1 or args.questions < 1:
        print("error: --users and --questions must be at least 1", file=sys.stderr)
        return 2

    from gradio_client import Client

    pool = questions()
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(args.users)

    def user(i: int) -> None:
        try:
            client = Client(args.url, verbose=False)
        except Exception as e:  # noqa: BLE001 - counted and reported, like any failure
            with lock:
                errors.append(f"user {i} could not connect: {e}")
            start.abort()
            return
        try:
            start.wait()
        except threading.BrokenBarrierError:
            return
        for j in range(args.questions):
            question = pool[(i * args.questions + j) % len(pool)]
            t0 = time.perf_counter()
            try:
                chat, _ = client.predict(question, [], "", "", args.answerer, api_name="/chat")
                reply = "".join(part.get("text", "") for part in chat[-1]["content"])
                if "rag-error" in reply or not ("rag-answer" in reply or "rag-abstain" in reply):
                    raise RuntimeError(f"no answer for {question!r}")
            except Exception as e:  # noqa: BLE001
                with lock:
                    errors.append(f"user {i}: {type(e).__name__}: {e}")
                continue
            with lock:
                latencies.append(time.perf_counter() - t0)

    threads = [threading.Thread(target=user, args=(i,)) for i in range(args.users)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0

    for e in errors[:5]:
        print(e, file=sys.stderr)
    result = {
        "url": args.url, "users": args.users, "questions_per_user": args.questions,
        "answered": len(latencies), "errors": len(errors),
        "p50_s": round(percentile(latencies, 50), 3) if latencies else None,
        "p95_s": round(percentile(latencies, 95), 3) if latencies else None,
        "max_s": round(max(latencies), 3) if latencies else None,
        "mean_s": round(statistics.mean(latencies), 3) if latencies else None,
        "wall_s": round(wall, 2),
        "answers_per_s": round(len(latencies) / wall, 2) if wall else None,
    }
    print(f"{args.users} users x {args.questions} questions: {len(latencies)} answered, {len(errors)} errors; "
          f"latency p50 {result['p50_s']} s, p95 {result['p95_s']} s, max {result['max_s']} s; "
          f"{result['answers_per_s']} answers/s over {result['wall_s']} s")
    print(json.dumps(result))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
