"""Load test of a running chat page: many users asking at once, through gradio_client,
optionally while one more user uploads a large transcript.

    rag serve --corpus /tmp/load-corpus &         # start the server yourself; this starts nothing
    python bench/load.py --users 20 --questions 3 [--url http://127.0.0.1:7860]
    python bench/load.py --users 20 --upload-kb 1000 --corpus /tmp/load-corpus

Without --upload-kb: each of --users threads connects its own client (its own session),
waits until all are connected, then asks --questions questions from evals/cases/seeds.jsonl
one after another, timing each from request to final answer.

With --upload-kb N: the users ask continuously (a pause of --think seconds, drawn uniformly,
between one answer and the next question, as a reader takes in an answer; the first question
after a pause of up to the longest) for --baseline seconds, then one more client uploads a fresh transcript of about N KB (made here from the
seeds' sentences, shuffled, so none of its passages is already embedded) through the page's
/add_transcripts, and the users go on asking until the upload returns. Reported: latency
p50/p95/max of the questions asked before the upload and of those asked during it, errors,
the upload's own time and result. With --corpus (the folder the server serves), every
passage an answer shows is checked against the transcript it names: its words must be in
that file, verbatim.

Only loopback servers are accepted: this is a benchmark of your own machine, not a tool to
load someone else's. Prints a summary, then one JSON object as the last line.
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ui.serve import is_loopback

CASES = ROOT / "evals" / "cases" / "seeds.jsonl"
SEEDS = ROOT / "seeds"


def questions(path: Path = CASES) -> list[str]:
    return [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))]


def make_transcript(kb: int, seed: int) -> str:
    """About kb KB of a labelled interview (Host / Guest turns of the seeds' sentences,
    shuffled): every passage new, so the upload embeds all of it."""
    rng = random.Random(seed)
    sentences = [s.strip() for path in sorted(SEEDS.glob("*.txt"))
                 for s in re.split(r"(?<=[.!?])\s+", path.read_text(encoding="utf-8")) if 40 <= len(s.strip()) <= 300]
    out, size, turn = [f"Load test interview {seed}\n\n"], 0, 0
    while size < kb * 1000:
        speaker = "Host" if turn % 2 == 0 else "Guest"
        words = " ".join(rng.choice(sentences).replace("\n", " ") for _ in range(rng.randint(1, 4)))
        line = f"{speaker}: {words} ({seed}-{turn})\n\n"
        out.append(line)
        size += len(line.encode("utf-8"))
        turn += 1
    return "".join(out)


_SHOW = re.compile(r'href="#show\?([^"]+)"')
_CARD = re.compile(r'<blockquote class="rag-passage">(.*?)</blockquote>\s*<div class="rag-source">(.*?)</div></div>', re.S)
_FILE = re.compile(r'<span class="rag-file">(.*?)</span>')


def shown_passages(reply: str) -> list[tuple[str, int | None, int | None, str]]:
    """(source file, start, end, words) of every card in an answer's HTML: the offsets from the
    card's "show in transcript" link where it has one, else the passage's words."""
    out = []
    for query in _SHOW.findall(reply):
        where = parse_qs(html.unescape(query))
        try:
            out.append((where["source"][0], int(where["start"][0]), int(where["end"][0]), ""))
        except (KeyError, ValueError, IndexError):
            out.append(("", None, None, ""))
    if out:
        return out
    for body, source in _CARD.findall(reply):
        name = _FILE.search(source)
        text = html.unescape(re.sub(r"</?mark>", "", body).replace("<br>", "\n"))
        out.append((html.unescape(name.group(1)) if name else "", None, None, text))
    return out


class Checker:
    """Is each passage an answer shows in the transcript it names, word for word?"""

    def __init__(self, corpus: Path | None):
        self.corpus = corpus
        self._texts: dict[str, str | None] = {}
        self._lock = threading.Lock()

    def text(self, source: str) -> str | None:
        with self._lock:
            if source not in self._texts:
                path = self.corpus / source
                try:
                    self._texts[source] = path.read_bytes().decode("utf-8")  # offsets count a "\r" too
                except (OSError, UnicodeDecodeError):
                    self._texts[source] = None
            return self._texts[source]

    def problems(self, reply: str) -> list[str]:
        if self.corpus is None:
            return []
        bad = []
        for source, start, end, words in shown_passages(reply):
            text = self.text(source)
            if text is None:
                bad.append(f"cites {source!r}, which is not in the corpus")
            elif start is not None and not (0 <= start < end <= len(text) and text[start:end].strip()):
                bad.append(f"cites {source!r} at {start}-{end}, which is no passage of it")
            elif words and words not in text.replace("\r\n", "\n"):
                bad.append(f"cites words not in {source!r}: {words[:60]!r}")
        return bad


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default="http://127.0.0.1:7860")
    ap.add_argument("--users", type=int, default=20, help="simultaneous users (threads), default 20")
    ap.add_argument("--questions", type=int, default=3, help="questions each user asks (without --upload-kb), default 3")
    ap.add_argument("--answerer", default="extractive", choices=("extractive", "generative"))
    ap.add_argument("--upload-kb", type=int, default=0, help="upload a transcript of about this many KB while the users ask")
    ap.add_argument("--baseline", type=float, default=30.0, help="seconds of asking before the upload (default 30)")
    ap.add_argument("--think", type=float, nargs=2, default=(5.0, 15.0), metavar=("MIN", "MAX"),
                    help="seconds between an answer and a user's next question, with --upload-kb (default 5 15)")
    ap.add_argument("--corpus", type=Path, help="the folder the server serves: check every passage shown against it")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    host = urlparse(args.url).hostname or ""
    if not is_loopback(host):
        print(f"error: {args.url} is not on this machine; load-test only a server on 127.0.0.1/localhost", file=sys.stderr)
        return 2
    if args.users < 1 or args.questions < 1 or args.upload_kb < 0 or args.baseline < 0 or not 0 <= args.think[0] <= args.think[1]:
        print("error: --users and --questions must be at least 1; --upload-kb, --baseline and --think not negative",
              file=sys.stderr)
        return 2
    if args.corpus is not None and not args.corpus.is_dir():
        print(f"error: --corpus {args.corpus} is not a folder", file=sys.stderr)
        return 2

    from gradio_client import Client, handle_file

    pool = questions()
    rng = random.Random(args.seed)
    rng.shuffle(pool)
    timed: list[tuple[float, float]] = []  # (asked at, latency)
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(args.users + (1 if args.upload_kb else 0))
    checker = Checker(args.corpus)
    upload: dict = {}
    stop = threading.Event()

    def ask(client, question: str) -> None:
        t0 = time.perf_counter()
        try:
            chat, _ = client.predict(question, [], "", "", args.answerer, api_name="/chat")
            reply = "".join(part.get("text", "") for part in chat[-1]["content"]) if isinstance(chat[-1]["content"], list) \
                else str(chat[-1]["content"])
            if "rag-error" in reply or not ("rag-answer" in reply or "rag-abstain" in reply):
                raise RuntimeError(f"no answer for {question!r}")
            if bad := checker.problems(reply):
                raise RuntimeError(f"{question!r}: {bad[0]}")
        except Exception as e:  # noqa: BLE001 - counted and reported, like any failure
            with lock:
                errors.append(f"{type(e).__name__}: {e}")
            return
        with lock:
            timed.append((t0, time.perf_counter() - t0))

    def user(i: int) -> None:
        try:
            client = Client(args.url, verbose=False)
        except Exception as e:  # noqa: BLE001
            with lock:
                errors.append(f"user {i} could not connect: {e}")
            start.abort()
            return
        try:
            start.wait()
        except threading.BrokenBarrierError:
            return
        mine = random.Random(args.seed * 1000 + i)
        if args.upload_kb:  # users arrive spread over one pause, not all in the same instant
            stop.wait(mine.uniform(0, args.think[1]))
        j = 0
        while True:
            if not args.upload_kb and j >= args.questions:
                return
            if args.upload_kb and stop.is_set():
                return
            ask(client, pool[(i * 7 + j) % len(pool)])
            j += 1
            if args.upload_kb:
                stop.wait(mine.uniform(*args.think))

    def uploader() -> None:
        text = make_transcript(args.upload_kb, args.seed)
        folder = Path(tempfile.mkdtemp(prefix="rag-load-"))
        path = folder / f"load-test-{args.seed}-{int(time.time())}.txt"
        path.write_text(text, encoding="utf-8")
        try:
            client = Client(args.url, verbose=False)
            start.wait()
        except Exception as e:  # noqa: BLE001
            upload["error"] = f"could not connect: {e}"
            start.abort()
            stop.set()
            return
        stop.wait(args.baseline)
        upload["bytes"] = len(text.encode("utf-8"))
        upload["start"] = time.perf_counter()
        try:
            result = client.predict([handle_file(str(path))], api_name="/add_transcripts")
            upload["report"] = re.sub(r"<[^>]+>", " ", str(result[0] if isinstance(result, (list, tuple)) else result))
            upload["report"] = " ".join(html.unescape(upload["report"]).split())[:300]
        except Exception as e:  # noqa: BLE001
            upload["error"] = f"{type(e).__name__}: {e}"
        upload["end"] = time.perf_counter()
        stop.set()

    threads = [threading.Thread(target=user, args=(i,)) for i in range(args.users)]
    if args.upload_kb:
        threads.append(threading.Thread(target=uploader))
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0

    def stats(latencies: list[float]) -> dict:
        return {"answered": len(latencies),
                "p50_s": round(percentile(latencies, 50), 3) if latencies else None,
                "p95_s": round(percentile(latencies, 95), 3) if latencies else None,
                "max_s": round(max(latencies), 3) if latencies else None,
                "mean_s": round(statistics.mean(latencies), 3) if latencies else None}

    for e in errors[:5]:
        print(e, file=sys.stderr)
    latencies = [lat for _, lat in timed]
    result = {"url": args.url, "users": args.users, "errors": len(errors), "checked_citations": args.corpus is not None,
              **stats(latencies), "wall_s": round(wall, 2),
              "answers_per_s": round(len(latencies) / wall, 2) if wall else None}
    if args.upload_kb:
        during = [lat for at, lat in timed if "start" in upload and upload["start"] <= at <= upload.get("end", at)]
        before = [lat for at, lat in timed if "start" not in upload or at < upload["start"]]
        result.update(
            think_s=list(args.think), before_upload=stats(before), during_upload=stats(during),
            upload={"kb": round(upload.get("bytes", 0) / 1000), "seconds": round(upload["end"] - upload["start"], 1)
                    if "end" in upload else None, "report": upload.get("report"), "error": upload.get("error")})
        d, b = result["during_upload"], result["before_upload"]
        print(f"{args.users} users, think {args.think[0]:g}-{args.think[1]:g} s; before the upload: {b['answered']} answered, "
              f"p50 {b['p50_s']} s, p95 {b['p95_s']} s, max {b['max_s']} s; during the {result['upload']['kb']} KB upload "
              f"({result['upload']['seconds']} s): {d['answered']} answered, p50 {d['p50_s']} s, p95 {d['p95_s']} s, "
              f"max {d['max_s']} s; {len(errors)} errors; upload: {upload.get('error') or upload.get('report')}")
    else:
        result["questions_per_user"] = args.questions
        print(f"{args.users} users x {args.questions} questions: {len(latencies)} answered, {len(errors)} errors; "
              f"latency p50 {result['p50_s']} s, p95 {result['p95_s']} s, max {result['max_s']} s; "
              f"{result['answers_per_s']} answers/s over {result['wall_s']} s")
    print(json.dumps(result))
    return 1 if errors or upload.get("error") else 0


if __name__ == "__main__":
    sys.exit(main())
