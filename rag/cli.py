"""The `rag` command line (contract: ../shared/CONTRACT.md, version 1).

Exit codes: 0 success; 2 bad usage or bad input (one line on stderr naming what was
wrong); 1 anything else. A user's mistake never shows a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from .config import Config
from .errors import UserError
from .records import Corpus

EXAMPLES = {
    "passages": "rag passages --jsonl --corpus ~/podcasts",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 with usage; keep it to one line
        raise UserError(f"{self.prog}: {message}")


def _report_bad_files(corpus: Corpus) -> None:
    for bad in corpus.bad_files:
        print(f"skipped {bad.source}: {bad.reason}", file=sys.stderr)


def cmd_passages(args: argparse.Namespace, config: Config) -> int:
    from .ingest import load_corpus

    corpus = load_corpus(config.corpus, config)
    _report_bad_files(corpus)
    out = sys.stdout
    for passage in corpus.passages:
        out.write(json.dumps(passage.to_json(), ensure_ascii=False) + "\n")
    return 0


COMMANDS: dict[str, tuple[Callable[[argparse.Namespace, Config], int], str]] = {
    "passages": (cmd_passages, "print the corpus as speaker-attributed passages, one JSON object a line"),
}


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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not args.command:
            parser.print_help()
            return 2
        config = Config.from_env(corpus=args.corpus)
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
