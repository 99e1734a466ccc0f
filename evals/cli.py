"""`rag eval`: run the answer-grounding suite on a corpus, write a report, enforce thresholds.

    rag eval                                              # the seeds and their 135 cases
    rag eval --cases my-cases.jsonl --corpus ~/podcasts --report out/
    rag eval --min-answer-accuracy 0.4 --min-recall-at-5 0.6 --min-citation-precision 0.7
    rag eval --compare old/report.json eval-report/report.json

Writes into --report DIR (default ./eval-report/): report.json (summary and one row per
case), report.md (overall, per type, per source, worst cases with their answers),
accuracy_by_type.png and recall_at_k.png. Exit codes: 0 all thresholds met, 1 a threshold
given on the command line was missed (each one is printed), 2 bad usage or bad input.
The same command runs without `rag` as `python -m evals.cli`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from rag.config import DEFAULT_CORPUS, Config
from rag.errors import UserError

from .cases import DEFAULT_CASES
from .gates import GATES

EXAMPLE = "rag eval --report eval-report --min-answer-accuracy 0.4 --min-recall-at-5 0.6"


def add_eval_arguments(parser: argparse.ArgumentParser) -> None:
    """The `rag eval` options (the caller adds --corpus, as for every rag command)."""
    parser.add_argument("--cases", type=Path, help="case file, JSONL or YAML (default: evals/cases/seeds.jsonl, for the seeds)")
    parser.add_argument("--answerer", choices=("extractive", "generative"), help="which answerer to evaluate (default: the configured one)")
    parser.add_argument("--report", type=Path, default=Path("eval-report"), metavar="DIR",
                        help="folder for report.json, report.md and the charts (default ./eval-report/)")
    parser.add_argument("--judge", default="default", metavar="NAME",
                        help="support judge: 'default' (offline lexical+embedding) or an NLI model's hub id or folder")
    parser.add_argument("--judge-threshold", type=float, metavar="X", help="the judge's support threshold (default: its calibrated one)")
    parser.add_argument("--limit", type=int, metavar="N", help="only the first N cases (a quick look)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("A.json", "B.json"),
                        help="compare two reports case by case (nothing is run)")
    parser.add_argument("--from-feedback", type=Path, metavar="FEEDBACK.jsonl",
                        help="print a case file made from the chat page's thumbs (feedback.jsonl in the cache "
                             "folder; evals/feedback.py): nothing is run")
    gates = parser.add_argument_group("thresholds (exit 1 when one is missed)")
    for option, (key, kind) in GATES.items():
        gates.add_argument(f"--{option.replace('_', '-')}", type=float, metavar="X",
                           help=f"{'at least' if kind == 'min' else 'at most'} this {key}")


def _cases_path(args: argparse.Namespace, config: Config) -> Path:
    if args.cases is not None:
        return args.cases
    if Path(config.corpus).resolve() != DEFAULT_CORPUS.resolve():
        raise UserError(f"--cases is required for a corpus other than the seeds ({config.corpus}); "
                        "the format is in evals/cases.py")
    return DEFAULT_CASES


def cmd_eval(args: argparse.Namespace, config: Config) -> int:
    from .compare import compare, load_report

    if args.compare:
        a, b = (load_report(p) for p in args.compare)
        sys.stdout.write(compare(a, b, str(args.compare[0]), str(args.compare[1])))
        return 0
    if args.from_feedback:
        from .feedback import cases_from_feedback

        try:
            lines = args.from_feedback.read_text(encoding="utf-8").splitlines()
        except OSError as e:
            raise UserError(f"--from-feedback {args.from_feedback}: {e.strerror}") from None
        sys.stdout.write("".join(line + "\n" for line in cases_from_feedback(lines)))
        return 0
    if args.limit is not None and args.limit < 1:
        raise UserError(f"--limit must be at least 1, got {args.limit}")
    if args.judge_threshold is not None and not 0 <= args.judge_threshold <= 1:
        raise UserError(f"--judge-threshold must be between 0 and 1, got {args.judge_threshold}")
    cases_path = _cases_path(args, config)

    from rag.index import log_to_stderr
    from rag.pipeline import Pipeline

    from .answers import corpus_texts
    from .cases import load_cases
    from .gates import check_gates
    from .judges import make_judge
    from .report import write_report
    from .suite import run_suite

    pipeline = Pipeline(config, log=log_to_stderr)
    texts = corpus_texts(pipeline)
    cases = load_cases(cases_path, texts)[: args.limit]
    judge = make_judge(args.judge, pipeline.retriever.embedder, args.judge_threshold)
    report = run_suite(pipeline, cases, judge, texts, answerer=args.answerer or config.answerer,
                       progress=not args.no_progress, meta={"cases_file": str(cases_path)})
    gates = {option: getattr(args, option) for option in GATES if getattr(args, option, None) is not None}
    failures = check_gates(report["summary"], gates)
    paths = write_report(report, args.report, failures if gates else None)
    print_summary(report)
    print(f"report: {', '.join(str(p) for p in paths)}", file=sys.stderr)
    for failure in failures:
        print(f"threshold missed: {failure}", file=sys.stderr)
    return 1 if failures else 0


def print_summary(report: dict) -> None:
    s = report["summary"]
    keys = ["answer_accuracy", "keyword_accuracy", "answer_speaker_accuracy", "cited_speaker_accuracy", "citation_recall",
            "citation_precision", "quote_exactness", "abstention_precision", "abstention_recall", "false_abstention",
            "recall@1", "recall@5", "recall@10", "mrr", "latency_p50_s", "latency_p95_s"]
    for key in keys:
        if key in s:
            value = s[key]
            print(f"{key:24} {'–' if value is None else f'{value:.3f}'}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.cli", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, help="folder of transcripts (default: the project's seeds/)")
    add_eval_arguments(parser)
    try:
        args = parser.parse_args(argv)
        return cmd_eval(args, Config.from_env(corpus=args.corpus))
    except UserError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
