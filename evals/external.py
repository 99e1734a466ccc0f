"""Retrieval on public transcript-QA benchmarks nobody here wrote: FriendsQA and QMSum.

    python -m evals.external --benchmark friendsqa --split dev
    python -m evals.external --benchmark qmsum --split dev --max-docs 20
    python -m evals.external --benchmark friendsqa --split dev --answers   # the answers too

Each benchmark folder (../shared/benchmarks/<name>/, see its SOURCE.md) holds
`transcripts/<doc>.txt` (a `# title` line, then one `Speaker: text` line per turn: line i
after the title is turn i) and `questions.jsonl` (gold turns per question). The
transcripts folder is ingested and indexed like any corpus (rag.index.open_index, cached);
each passage is mapped back to the turn(s) its character span covers, and the output first
says how well that worked (every turn in a passage, passages inside one turn, the
speaker label kept). Then, from one run, dense-only, BM25-only and hybrid retrieval are
scored side by side: recall@1/5/10 (a gold turn among the top k passages) and MRR, both

- corpus-level: all documents indexed together (FriendsQA: all 249 scenes, both splits),
- within-document: the search restricted to the question's own document (the Retriever's
  `sources` filter); many FriendsQA questions ("Where are they?") only make sense there.

Gold: FriendsQA scores `evidence_turns` (questions where it is non-empty; speaker-name
answers point at the speaker's first turn, SOURCE.md), QMSum `gold_turns` (long topic
spans: a hit is any passage inside one). QMSum's 129k turns are too many to embed here:
only the documents of the split's questions are indexed, at most --max-docs of them (a
seeded shuffle picks which), and the output says so. Nothing is tuned on test.
"""

from __future__ import annotations

import argparse
import bisect
import json
import random
import re
import shutil
import sys
import time
from collections import Counter
from dataclasses import dataclass
from math import comb
from pathlib import Path

from tqdm import tqdm

from rag.config import Config
from rag.errors import UserError
from rag.index import open_index
from rag.records import NARRATOR, Passage
from rag.retrieve import Retriever
from rag.speakers import name_key

from .retrieval import MODE_NAMES, MODES, rank_metrics

BENCHMARKS = Path(__file__).resolve().parent.parent.parent / "shared" / "benchmarks"
KS = (1, 5, 10)
SPECIAL_LABELS = {"#NOTE#": NARRATOR}  # FriendsQA stage directions are nobody's words


@dataclass(frozen=True)
class Question:
    id: str
    doc: str  # the transcript's file name
    question: str
    gold: frozenset[int]  # turn ids
    answers: tuple[str, ...] = ()  # FriendsQA's answer spans ("humping the lamp")


class TurnMap:
    """Character offsets of one transcript -> turn ids (line i after the title is turn i)."""

    def __init__(self, text: str):
        self.text = text
        self.starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset) - 1

    def turns(self, start: int, end: int) -> range:
        """The turn ids a span covers (the title line, -1, excluded)."""
        first, last = self.line(start), self.line(max(start, end - 1))
        return range(max(first, 1) - 1, last)

    def label(self, turn: int) -> str:
        line = self.text[self.starts[turn + 1]:].split("\n", 1)[0]
        return line.split(": ", 1)[0] if ": " in line else line.rstrip(":")

    def words(self, turn: int) -> str:
        line = self.text[self.starts[turn + 1]:].split("\n", 1)[0]
        return line.split(": ", 1)[1] if ": " in line else ""

    @property
    def n_turns(self) -> int:
        lines = self.text.split("\n")
        return len(lines) - 1 - (lines[-1] == "")


class _Retriever(Retriever):
    """The project's Retriever, with titles looked up once (resolve_sources asks for the
    title of every source on every filtered search; with 249 sources that dominates)."""

    def title_of(self, source: str) -> str:
        if not hasattr(self, "_titles"):
            self._titles = {}
            for p in self.passages:
                self._titles.setdefault(p.source, p.title)
        return self._titles.get(source, source)


def load_questions(folder: Path, benchmark: str, split: str) -> tuple[list[Question], int]:
    """The split's questions that have gold turns, and how many questions the split has."""
    rows = [json.loads(line) for line in (folder / "questions.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if r["split"] == split]
    if not rows:
        raise UserError(f"no {split!r} questions in {folder}/questions.jsonl")
    field = "evidence_turns" if benchmark == "friendsqa" else "gold_turns"
    out = [Question(r["id"], f"{r['doc_id']}.txt", r["question"], frozenset(r[field]),
                    tuple(a for a in r.get("answers", ()) if isinstance(a, str) and a.strip()) if benchmark == "friendsqa" else ())
           for r in rows if r.get(field)]
    return out, len(rows)


def corpus_folder(folder: Path, benchmark: str, questions: list[Question], split: str, max_docs: int | None,
                  cache: Path) -> tuple[Path, list[str]]:
    """The folder to index. FriendsQA: every scene. QMSum: a copy of (a capped set of) the
    split's documents, in the cache, so that its index stays separate."""
    transcripts = folder / "transcripts"
    if benchmark == "friendsqa" and not max_docs:
        return transcripts, sorted(p.name for p in transcripts.glob("*.txt"))
    docs = sorted({q.doc for q in questions})
    if max_docs and len(docs) > max_docs:
        random.Random(0).shuffle(docs)
        docs = sorted(docs[:max_docs])
    target = cache / "benchmarks" / f"{benchmark}-{split}-{len(docs)}docs"
    if target.is_dir() and sorted(p.name for p in target.glob("*.txt")) != docs:
        shutil.rmtree(target)
    target.mkdir(parents=True, exist_ok=True)
    for doc in docs:
        if not (target / doc).exists():
            shutil.copyfile(transcripts / doc, target / doc)
    return target, docs


def mapping_report(passages: list[Passage], maps: dict[str, TurnMap]) -> dict:
    """How faithfully ingestion kept the benchmark's turns."""
    turns_total = sum(m.n_turns for m in maps.values())
    empty = sum(1 for m in maps.values() for t in range(m.n_turns) if not m.words(t).strip())
    covered, multi, same, labelled = set(), 0, 0, 0
    mismatches: Counter[str] = Counter()
    for p in passages:
        turns = maps[p.source].turns(p.start, p.end)
        if len(turns) > 1:
            multi += 1
        covered.update((p.source, t) for t in turns)
        if len(turns) == 1:
            label = maps[p.source].label(turns[0])
            labelled += 1
            said_by = {name_key(SPECIAL_LABELS.get(label, label))}  # "Dr X" is X
            # "X (Riding, Party)", "The Chair (Ms. Y)", "The Chair (Ms. Y (Riding, Party))"
            if bracketed := re.fullmatch(r"(.*?)\s*\(((?:[^()]|\([^()]*\))*)\)", label):
                said_by |= {name_key(bracketed.group(1)), name_key(re.sub(r"\s*\([^()]*\)", "", bracketed.group(2)))}
            if name_key(p.speaker) in said_by:
                same += 1
            else:
                mismatches[f"{label} -> {p.speaker}"] += 1
    return {
        "turns": turns_total,
        "empty_turns": empty,
        "turns_in_a_passage": len(covered),
        "passages": len(passages),
        "title_passages": sum(1 for p in passages if not maps[p.source].turns(p.start, p.end)),
        "passages_spanning_turns": multi,
        "speaker_label_kept": round(same / max(1, labelled), 4),
        "label_mismatches": dict(mismatches.most_common(10)),
    }


def random_baseline(passages: list[Passage], maps: dict[str, TurnMap], questions: list[Question]) -> dict:
    """Expected within-document recall@k and MRR of a random ranking of the document's
    passages (a within-document number means little without it: a scene has ~22)."""
    by_doc: dict[str, list[set[int]]] = {}
    for p in passages:
        by_doc.setdefault(p.source, []).append(set(maps[p.source].turns(p.start, p.end)))
    recall = {k: 0.0 for k in KS}
    mrr = 0.0
    for q in questions:
        n = len(by_doc.get(q.doc, []))
        g = sum(bool(t & q.gold) for t in by_doc.get(q.doc, []))
        if not n or not g:
            continue
        for k in KS:
            recall[k] += 1 - comb(n - g, min(k, n)) / comb(n, min(k, n))
        mrr += sum(comb(n - r, g - 1) / comb(n, g) / r for r in range(1, n - g + 2))
    m = max(1, len(questions))
    return {**{f"recall@{k}": round(v / m, 4) for k, v in recall.items()}, "mrr": round(mrr / m, 4)}


def evaluate(retriever: Retriever, questions: list[Question], maps: dict[str, TurnMap], modes, within: bool,
             progress: bool = True) -> dict:
    """{scope: {mode: metrics}} for corpus-level and (optionally) within-document search."""
    scopes = ["corpus"] + (["within"] if within else [])
    firsts = {(s, m): [] for s in scopes for m in modes}
    turns_of = {}
    for q in tqdm(questions, desc="questions", unit="q", file=sys.stderr, disable=not progress, dynamic_ncols=True):
        for scope in scopes:
            for mode in modes:
                hits = retriever.search(q.question, k=max(KS), mode=mode, sources=[q.doc] if scope == "within" else None)
                first = None
                for i, h in enumerate(hits):
                    for p in (h.passage, *h.also_in):
                        if p.source != q.doc:
                            continue
                        key = (p.source, p.start, p.end)
                        if key not in turns_of:
                            turns_of[key] = set(maps[p.source].turns(p.start, p.end))
                        if turns_of[key] & q.gold:
                            first = i
                            break
                    if first is not None:
                        break
                firsts[(scope, mode)].append(first)
    return {s: {m: rank_metrics(firsts[(s, m)], KS) for m in modes} for s in scopes}


_CITATION_MARK = re.compile(r"\[\d+\]")


def _plain(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def answer_scores(pipeline, questions: list[Question], maps: dict[str, TurnMap], progress: bool = True) -> dict:
    """The extractive answerer on FriendsQA, each question asked of its own scene (`sources`
    filter): how often it answers, how often what it quotes holds one of the gold answer
    spans (words compared case- and punctuation-blind), how often the whole answer does (its
    lead too: "who" is answered by the speaker's name, which no quote holds), and how often
    it cites a gold turn. FriendsQA's answers are short spans in the scene's words, so a
    quote can hold them; QMSum's are written summaries, which no quote holds."""
    answered = holds = answer_holds = cites = 0
    examples = []
    for q in tqdm(questions, desc="answers", unit="q", file=sys.stderr, disable=not progress, dynamic_ncols=True):
        try:
            a = pipeline.ask(q.question, sources=[q.doc])
        except UserError:  # a question the pipeline refuses (empty, too long) counts as unanswered
            continue
        if a.abstained:
            continue
        answered += 1
        quoted = _plain(" ".join(c.quote for c in a.citations))
        held = any(_plain(g) and f" {_plain(g)} " in f" {quoted} " for g in q.answers)
        holds += held
        said = f" {_plain(_CITATION_MARK.sub(' ', a.text))} "
        answer_holds += held or any(_plain(g) and f" {_plain(g)} " in said for g in q.answers)
        cites += any(set(maps[c.passage.source].turns(c.passage.start, c.passage.end)) & q.gold
                     for c in a.citations if c.passage.source == q.doc)
        if not held and len(examples) < 5:
            examples.append({"question": q.question, "gold": list(q.answers[:2]), "answer": a.text[:200]})
    n = max(1, len(questions))
    return {"questions": len(questions), "answered": round(answered / n, 4), "quote_holds_answer": round(holds / n, 4),
            "answer_holds_answer": round(answer_holds / n, 4),
            "cites_gold_turn": round(cites / n, 4), "abstained": round(1 - answered / n, 4), "missed_examples": examples}


def print_tables(result: dict) -> None:
    m = result["mapping"]
    print(f"## {result['benchmark']} {result['split']}: {result['questions_scored']} questions scored "
          f"(of {result['questions_in_split']}; {result['gold_field']} non-empty)")
    print(f"corpus: {result['documents_indexed']} documents, {m['passages']} passages, {m['turns']} turns ({result['corpus_note']})")
    print(f"ingestion: {m['turns_in_a_passage']}/{m['turns']} turns in a passage ({m['empty_turns']} have no words); "
          f"{m['passages_spanning_turns']} passages span more than one turn; {m['title_passages']} title passages; "
          f"passage speaker == turn label (honorifics and bracketed descriptions aside) for {m['speaker_label_kept']:.1%} of passages")
    if m["label_mismatches"]:
        print("most frequent label -> speaker changes: " + ", ".join(f"{k} ({v})" for k, v in m["label_mismatches"].items()))
    print(f"index: {result['index_seconds']:.0f} s; search: {result['search_seconds']:.0f} s")
    print()
    print("| scope | retriever | " + " | ".join(f"R@{k}" for k in KS) + " | MRR |")
    print("|---|---|" + "---:|" * (len(KS) + 1))
    names = {"corpus": "corpus-level", "within": "within document"}
    for scope, by_mode in result["scores"].items():
        for mode, r in by_mode.items():
            print(f"| {names[scope]} | {MODE_NAMES.get(mode, mode + ' (expected)')} | " + " | ".join(f"{r[f'recall@{k}']:.3f}" for k in KS) + f" | {r['mrr']:.3f} |")
    print()
    if "answers" in result:
        a = result["answers"]
        print(f"answers (extractive, each question asked of its own scene; {a['questions']} questions): answered {a['answered']:.3f}, "
              f"a quote holds a gold answer {a['quote_holds_answer']:.3f}, the answer does {a['answer_holds_answer']:.3f}, cites a gold turn {a['cites_gold_turn']:.3f}")
        print()


def run(benchmark: str, split: str, root: Path, config: Config, max_docs: int | None, limit: int | None,
        modes=MODES, within: bool = True, progress: bool = True, answers: bool = False) -> dict:
    folder = root / benchmark
    if not (folder / "questions.jsonl").is_file():
        raise UserError(f"benchmark {benchmark!r} not found under {root} (expected {folder}/questions.jsonl)")
    questions, in_split = load_questions(folder, benchmark, split)
    corpus, docs = corpus_folder(folder, benchmark, questions, split, max_docs, Path(config.cache_dir).expanduser())
    indexed = set(docs)
    dropped = [q for q in questions if q.doc not in indexed]
    questions = [q for q in questions if q.doc in indexed][:limit]
    t0 = time.perf_counter()
    index = open_index(corpus, config, progress=progress, log=lambda msg: print(msg, file=sys.stderr))
    index_seconds = time.perf_counter() - t0
    maps = {d: TurnMap((corpus / d).read_text(encoding="utf-8")) for d in docs}
    retriever = _Retriever(index, config)
    t0 = time.perf_counter()
    scores = evaluate(retriever, questions, maps, modes, within, progress)
    if within:
        scores["within"]["random"] = random_baseline(index.passages, maps, questions)
    if benchmark == "friendsqa" and not max_docs:
        note = "all scenes of both splits, indexed together"
    else:
        note = (f"only the documents of the {split} questions, capped at {max_docs} by a seeded shuffle; "
                f"{len(dropped)} questions on other documents left out" if max_docs else f"the {split} questions' documents")
    search_seconds = round(time.perf_counter() - t0, 1)
    answered = None
    if answers:
        from rag.pipeline import Pipeline

        answered = answer_scores(Pipeline(config, index=index), questions, maps, progress)
    result = {
        "benchmark": benchmark,
        "split": split,
        "gold_field": "evidence_turns" if benchmark == "friendsqa" else "gold_turns",
        "questions_in_split": in_split,
        "questions_scored": len(questions),
        "documents_indexed": len(docs),
        "corpus_note": note,
        "documents": docs if len(docs) <= 50 else f"{len(docs)} documents",
        "mapping": mapping_report(index.passages, maps),
        "index_seconds": round(index_seconds, 1),
        "search_seconds": search_seconds,
        "scores": scores,
    }
    if answered is not None:
        result["answers"] = answered
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m evals.external", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--benchmark", required=True, choices=("friendsqa", "qmsum"))
    ap.add_argument("--split", default="dev", choices=("dev", "test"))
    ap.add_argument("--root", type=Path, default=BENCHMARKS, help=f"benchmarks folder (default {BENCHMARKS})")
    ap.add_argument("--max-docs", type=int, help="index at most this many documents (QMSum default 20)")
    ap.add_argument("--limit", type=int, help="score only the first N questions (a quick look)")
    ap.add_argument("--modes", default=",".join(MODES))
    ap.add_argument("--no-within", action="store_true", help="skip within-document retrieval")
    ap.add_argument("--json", type=Path, metavar="FILE", help="also write the result as JSON")
    ap.add_argument("--answers", action="store_true", help="also score the extractive answers (FriendsQA only)")
    ap.add_argument("--no-progress", action="store_true")
    args = ap.parse_args(argv)
    max_docs = args.max_docs if args.max_docs is not None else (20 if args.benchmark == "qmsum" else None)
    modes = tuple(m for m in args.modes.split(",") if m)
    try:
        if any(m not in MODES for m in modes):
            raise UserError(f"--modes: use {', '.join(MODES)}")
        if max_docs is not None and max_docs < 1:
            raise UserError(f"--max-docs must be at least 1, got {max_docs}")
        if args.answers and args.benchmark != "friendsqa":
            raise UserError("--answers needs short answer spans: FriendsQA has them, QMSum's answers are summaries")
        result = run(args.benchmark, args.split, args.root, Config.from_env(), max_docs, args.limit, modes,
                     within=not args.no_within, progress=not args.no_progress, answers=args.answers)
    except UserError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print_tables(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
