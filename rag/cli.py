"""The `rag` command line (contract: ../shared/CONTRACT.md, version 1).

Exit codes: 0 success; 2 bad usage or bad input (one line on stderr naming what was
wrong); 1 anything else. A user's mistake never shows a traceback.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from evals.cli import add_eval_arguments, cmd_eval
from ui.serve import cmd_serve  # light: gradio loads only when the page starts

from .config import Config
from .errors import UserError
from .records import Corpus

EXAMPLES = {
    "passages": "rag passages --jsonl --corpus ~/podcasts",
    "index": "rag index --corpus ~/podcasts",
    "search": 'rag search "Who talked about funding?" -k 5 --json',
    "ask": 'rag ask "What did the mayor say about the harbour?" --json',
    "eval": "rag eval --report eval-report --min-answer-accuracy 0.4 --min-recall-at-5 0.6",
    "serve": "rag serve --port 7860",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 with usage; keep it to one line
        raise UserError(f"{self.prog}: {message}")


def _report_bad_files(corpus: Corpus) -> None:
    for bad in corpus.bad_files:
        print(f"skipped {bad.source}: {bad.reason}", file=sys.stderr)


def cmd_passages(args: argparse.Namespace, config: Config) -> int:
    from .index import check_corpus_dir
    from .ingest import load_corpus

    check_corpus_dir(Path(config.corpus))  # unreadable: one line naming it, not a traceback
    try:
        corpus = load_corpus(config.corpus, config)
    except PermissionError as e:  # a subfolder or the metadata file this process cannot read
        raise UserError(f"cannot read {e.filename or config.corpus} ({e.strerror}); check its permissions") from None
    _report_bad_files(corpus)
    out = sys.stdout
    for passage in corpus.passages:
        out.write(json.dumps(passage.to_json(), ensure_ascii=False) + "\n")
    return 0


def _open(config: Config, progress: bool = False):
    from .index import log_to_stderr, open_index

    index = open_index(config.corpus, config, progress=progress, log=log_to_stderr)
    for bad in index.bad_files:
        print(f"skipped {bad.source}: {bad.reason}", file=sys.stderr)
    return index


def cmd_index(args: argparse.Namespace, config: Config) -> int:
    index = _open(config, progress=True)
    if not index.report:
        print(f"index is up to date: {len(index.passages)} passages, {index.manifest.index_type}, model {index.manifest.model_id}",
              file=sys.stderr)
    return 0


def _filters(values: list[str] | None) -> list[str] | None:
    return [v for value in values or [] for v in value.split(",") if v.strip()] or None


def cmd_search(args: argparse.Namespace, config: Config) -> int:
    from .retrieve import Retriever, check_query

    query = check_query(_check_argument(args.question), config)  # before any model loads: fail fast
    if not 1 <= args.k <= config.max_k:
        raise UserError(f"-k must be between 1 and {config.max_k}, got {args.k}")
    retriever = Retriever(_open(config), config)
    hits = retriever.search(query, k=args.k, speakers=_filters(args.speaker), sources=_filters(args.source), mode=args.mode)
    if args.json:
        print(json.dumps({"query": query, "hits": [h.to_json() for h in hits]}, ensure_ascii=False))
        return 0
    for h in hits:
        p = h.passage
        when = f" @{_clock(p.t_start)}" if p.t_start is not None else ""
        print(f"[{h.rank}] {h.score:.2f}  {p.speaker} ({p.role}) - {p.title} [{p.source}:{p.start}-{p.end}{when}]")
        print(f"    {p.text}")
        for o in h.also_in:
            print(f"    also in {o.source}:{o.start}-{o.end}")
    return 0


def _answer_options(args: argparse.Namespace) -> dict:
    return {"answerer": args.answerer, "speakers": _filters(args.speaker), "sources": _filters(args.source)}


def cmd_ask(args: argparse.Namespace, config: Config) -> int:
    from .pipeline import Pipeline
    from .retrieve import check_query

    if args.question is not None:
        question = check_query(_check_argument(args.question), config)  # before any model loads: fail fast
        pipeline = Pipeline(config, index=_open(config))
        answer = pipeline.ask(question, **_answer_options(args))
        print(json.dumps(answer.to_json(), ensure_ascii=False) if args.json else render_answer(answer))
        return 0
    return _ask_batch(args, config)


def _ask_batch(args: argparse.Namespace, config: Config) -> int:
    """Questions on stdin, one per line (text or {"id", "question"}); one JSON answer per
    line, in order. A bad line gets an `error` object; it never stops the batch."""
    from .pipeline import Pipeline

    pipeline = Pipeline(config, index=_open(config))
    options = _answer_options(args)
    # Bytes in, bytes out, UTF-8 both ways whatever the locale: a line that is not UTF-8 is
    # that line's error, never the batch's end (sys.stdin would raise mid-iteration).
    out_bytes = sys.stdout.buffer
    for n, raw in enumerate(sys.stdin.buffer, start=1):
        qid, question, error = _batch_line(n, raw)
        if qid is None and question is None and error is None:  # a blank line
            continue
        try:
            if error:
                raise UserError(error)
            out = pipeline.ask(question, **options).to_json()
        except UserError as e:
            out = {"question": question, "error": str(e)}
        except Exception as e:  # noqa: BLE001 - one bad question must not end the batch
            out = {"question": question, "error": f"internal error: {type(e).__name__}: {e}"}
        if qid is not None:
            out = {"id": qid, **out}
        out_bytes.write(_json_line(out))
        out_bytes.flush()
    return 0


def _json_line(row: dict) -> bytes:
    """One line of strict JSON (no NaN), UTF-8; a value that cannot be written so becomes the
    line's error rather than the batch's end."""
    try:
        return (json.dumps(row, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")
    except (ValueError, UnicodeEncodeError) as e:
        keep = {k: row[k] for k in ("id",) if k in row and _json_safe(row[k])}
        return (json.dumps({**keep, "question": None, "error": f"internal error: the answer cannot be written as JSON ({e})"},
                           ensure_ascii=False) + "\n").encode("utf-8")


def _json_safe(value: object) -> bool:
    try:
        json.dumps(value, ensure_ascii=False, allow_nan=False).encode("utf-8")
        return True
    except (ValueError, TypeError, UnicodeEncodeError):
        return False


def _batch_line(n: int, raw: bytes) -> tuple[object, str | None, str | None]:
    """(id, question, error) of one stdin line (bytes): plain text or {"id": ..., "question": ...};
    (None, None, None) for a blank line."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        return None, None, f"line {n}: not UTF-8 (byte 0x{raw[e.start]:02x} at column {e.start + 1}); send UTF-8 text"
    line = line.removeprefix("\ufeff") if n == 1 else line  # a byte-order mark opening the input
    if not line.strip():
        return None, None, None
    if not line.lstrip().startswith("{"):
        return None, line.rstrip("\r\n"), None
    try:
        row = json.loads(line)
    except json.JSONDecodeError as e:
        return None, None, f"line {n}: not JSON ({e.msg} at column {e.colno})"
    except RecursionError:
        return None, None, f"line {n}: JSON nested too deeply"
    if not isinstance(row, dict):
        return None, None, f"line {n}: expected a JSON object"
    qid = row.get("id")
    if not _json_safe(qid):
        return None, None, f"line {n}: `id` cannot be echoed as JSON (an unpaired surrogate?)"
    question = row.get("question")
    if not isinstance(question, str):
        return qid, None, f"line {n}: `question` must be a string"
    if _SURROGATE.search(question):
        return qid, None, f"line {n}: `question` holds an unpaired surrogate (\\ud800-\\udfff); send UTF-8 text"
    return qid, question, None


_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_argument(question: str) -> str:
    """A question given on the command line that is not valid UTF-8 arrives with surrogate
    escapes (PEP 383): refuse it here, naming it, rather than fail when printing."""
    if _SURROGATE.search(question):
        raise UserError("the question is not valid UTF-8 text; pass UTF-8")
    return question


def render_answer(answer) -> str:
    """An answer for a terminal: the text, then its sources (or the closest mentions)."""
    lines = [answer.text, ""]
    if answer.abstained:
        lines.append("Closest mentions:")
        for h in answer.hits[:5]:
            p = h.passage
            lines.append(f"  - {p.speaker} ({p.role}), {p.title} [{p.source}:{p.start}-{p.end}]: {p.text[:160]}")
        return "\n".join(lines)
    lines.append("Sources:")
    for c in answer.citations:
        p = c.passage
        when = f" @{_clock(p.t_start)}" if p.t_start is not None else ""
        where = ", ".join(x for x in (c.publication or p.title, c.date) if x)
        lines.append(f"  [{c.n}] {p.speaker} ({p.role}) - {where} [{p.source}:{c.start}-{c.end}{when}]")
        if c.url:
            lines.append(f"      {c.url}")
    return "\n".join(lines)


def _clock(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


COMMANDS: dict[str, tuple[Callable[[argparse.Namespace, Config], int], str]] = {
    "passages": (cmd_passages, "print the corpus as speaker-attributed passages, one JSON object a line"),
    "index": (cmd_index, "build or refresh the search index of a corpus"),
    "search": (cmd_search, "find the passages that answer a question"),
    "ask": (cmd_ask, "answer a question with citations (no question: read questions from stdin)"),
    "eval": (cmd_eval, "run the answer-grounding evaluation suite and write a report (evals/cli.py)"),
    "serve": (cmd_serve, "start the chat page (ui/serve.py): ask, read the sources, add transcripts"),
}


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (1-65535)")
    return port


def build_parser() -> argparse.ArgumentParser:
    epilog = "examples:\n" + "\n".join(f"  {EXAMPLES[name]}" for name in COMMANDS)
    parser = _Parser(
        prog="rag",
        description="Ask questions of interview and podcast transcripts; answers cite who said what, where.",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (_, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=f"{help_text}  (e.g. {EXAMPLES[name]})", description=help_text,
                           epilog=f"example:\n  {EXAMPLES[name]}", formatter_class=argparse.RawDescriptionHelpFormatter)
        p.add_argument("--corpus", type=Path, help="folder of transcripts (default: the project's seeds/)")
        if name == "passages":
            p.add_argument("--jsonl", action="store_true", help="one JSON object per line (the only output format)")
        if name == "search":
            p.add_argument("question", help="the question, in quotes")
            p.add_argument("-k", type=int, default=5, help="how many passages (default 5)")
            p.add_argument("--json", action="store_true", help="JSON output (the contract's format)")
            p.add_argument("--speaker", action="append", help="only passages by this speaker (repeatable)")
            p.add_argument("--source", action="append", help="only passages from this source file or title")
            p.add_argument("--mode", choices=("hybrid", "dense", "lexical"), help="retriever (default hybrid)")
        if name == "ask":
            p.add_argument("question", nargs="?", help="the question; without it, one question per line on stdin")
            p.add_argument("--json", action="store_true", help="JSON output (the contract's format)")
            p.add_argument("--answerer", choices=("extractive", "generative"), help="default: extractive")
            p.add_argument("--speaker", action="append", help="only passages by this speaker (repeatable)")
            p.add_argument("--source", action="append", help="only passages from this source file or title")
        if name in ("index", "search", "ask"):
            p.add_argument("--model", help="embedding model: 'default', a hub id or a folder")
        if name == "eval":
            add_eval_arguments(p)
        if name == "serve":
            p.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1: this machine only)")
            p.add_argument("--port", type=_port, default=7860, help="port, 1-65535 (default 7860)")
            p.add_argument("--share", action="store_true", help="also open a temporary public gradio.live link")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    # JSON out is UTF-8 whatever the locale (en_US.ISO-8859-1 would fail on the first "é"),
    # and a file name that is not UTF-8 is shown escaped, never a UnicodeEncodeError
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="backslashreplace")
    try:
        args = parser.parse_args(argv)
        if not args.command:
            parser.print_help()
            return 2
        config = Config.from_env(corpus=args.corpus, embedding_model=getattr(args, "model", None))
        handler = COMMANDS[args.command][0]
        return handler(args, config)
    except UserError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `rag passages --jsonl | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
