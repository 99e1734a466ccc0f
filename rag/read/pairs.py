"""Training and held-out pairs for the reader: (question, candidate sentence, label).

A candidate is one sentence as the reader sees it at answer time (`Candidate`): the words,
who said them and, in a conversation, the question they reply to. Label 1 when the
sentence holds the answer, 0 otherwise. Negatives are the hard ones a retriever would
bring back: the sentences of the same context that share most words with the question, the
sentence holding a "plausible answer" of an unanswerable question, and, for the
conversations, the other turns.

Sources (all public, each with its SOURCE.md under ../shared/benchmarks):
- SQuAD 2.0 (CC BY-SA 4.0): both files; articles whose title hashes to 0 mod 5 are held out.
- Molweni (Apache-2.0): the MRC test file; dialogues whose text hashes to 0 mod 5 are held out.
- FriendsQA (Apache-2.0 data; the scenes are the show's): the `dev` split only. Its `test` is a report set.
- The seeds' development cases (`evals/cases/seeds.jsonl`). `seeds_test.jsonl` is a report set.

The held-out split is a function of the text alone (`held_out`), fixed before any training.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..chunking import sentence_spans
from .reader import Candidate

HELD_OUT_MOD = 5
_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    "a an the of to in on at for by with and or but is are was were be been being do does did done what "
    "who whom whose which when where why how that this these those it its he she they them his her their "
    "i you we me my your our us as from about into than then there here so if not no yes can could would "
    "should will shall may might must have has had having say says said tell told".split()
)


@dataclass(frozen=True)
class Pair:
    question: str
    candidate: Candidate
    label: int
    origin: str  # "squad", "molweni", "friendsqa", "seeds"
    group: str  # the question's id: pairs of one question share it


def held_out(key: str) -> bool:
    """Fixed before training: a text whose SHA-1 is 0 mod 5 is a report case, never trained on."""
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest(), 16) % HELD_OUT_MOD == 0


def words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP}


def overlap(question: str, sentence: str) -> float:
    q = words(question)
    return len(q & words(sentence)) / (len(q) or 1)


def sentences(text: str) -> list[tuple[int, int]]:
    return sentence_spans(text, 0, len(text)) if text.strip() else []


def _hardest(question: str, pool: list[Candidate], n: int | None) -> list[Candidate]:
    """The n sentences sharing most words with the question (n None: all of them)."""
    ranked = sorted(pool, key=lambda c: -overlap(question, c.text))
    return ranked if n is None else ranked[:n]


# --- SQuAD 2.0 ------------------------------------------------------------------------------
def squad_pairs(path: Path, split: str, negatives: int | None = 2) -> Iterator[Pair]:
    """split: "train" (articles not held out) or "held_out"."""
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    for article in data:
        if held_out(article["title"]) != (split == "held_out"):
            continue
        for para in article["paragraphs"]:
            ctx = para["context"]
            spans = sentences(ctx)
            cands = [Candidate(ctx[s:e]) for s, e in spans]
            for qa in para["qas"]:
                q = qa["question"].strip()
                starts = [a["answer_start"] for a in qa["answers"]]
                plausible = [a["answer_start"] for a in qa.get("plausible_answers", [])]
                gold = {i for i, (s, e) in enumerate(spans) for a in starts if s <= a < e}
                trap = {i for i, (s, e) in enumerate(spans) for a in plausible if s <= a < e}
                for i in sorted(gold):
                    yield Pair(q, cands[i], 1, "squad", qa["id"])
                if split == "held_out":  # every sentence: the held-out task is choosing among them all
                    for i, c in enumerate(cands):
                        if i not in gold:
                            yield Pair(q, c, 0, "squad", qa["id"])
                    continue
                for i in sorted(trap):
                    yield Pair(q, cands[i], 0, "squad", qa["id"])
                pool = [c for i, c in enumerate(cands) if i not in gold and i not in trap]
                for c in _hardest(q, pool, negatives):
                    yield Pair(q, c, 0, "squad", qa["id"])


# --- Molweni --------------------------------------------------------------------------------
def _asked_before(turns: list[Candidate], i: int) -> str:
    """The question a turn replies to: the turn before, when it asks one."""
    if i > 0 and turns[i - 1].text.rstrip().endswith("?"):
        return turns[i - 1].text
    return ""


def molweni_pairs(path: Path, split: str, negatives: int | None = 3) -> Iterator[Pair]:
    dialogues = json.loads(path.read_text(encoding="utf-8"))["data"]["dialogues"]
    for d in dialogues:
        if held_out(d["context"]) != (split == "held_out"):
            continue
        edus = d["edus"]
        bounds, pos = [], 0  # context == " ".join(f"{speaker}: {text}").lower()
        for e in edus:
            piece = f"{e['speaker']}: {e['text']}"
            bounds.append((pos, pos + len(piece)))
            pos += len(piece) + 1
        plain = [Candidate(e["text"], e["speaker"]) for e in edus]
        cands = [Candidate(c.text, c.speaker, _asked_before(plain, i)) for i, c in enumerate(plain)]
        for qa in d["qas"]:
            q = qa["question"].strip()
            starts = [a["answer_start"] for a in qa["answers"]]
            plausible = [a["answer_start"] for a in qa.get("plausible_answers", [])]
            gold = {i for i, (s, e) in enumerate(bounds) for a in starts if s <= a < e}
            trap = {i for i, (s, e) in enumerate(bounds) for a in plausible if s <= a < e}
            if not qa.get("is_impossible") and not gold:
                continue
            for i in sorted(gold):
                yield Pair(q, cands[i], 1, "molweni", qa["id"])
            if split == "held_out":
                for i, c in enumerate(cands):
                    if i not in gold:
                        yield Pair(q, c, 0, "molweni", qa["id"])
                continue
            for i in sorted(trap):
                yield Pair(q, cands[i], 0, "molweni", qa["id"])
            pool = [c for i, c in enumerate(cands) if i not in gold and i not in trap]
            for c in _hardest(q, pool, negatives):
                yield Pair(q, c, 0, "molweni", qa["id"])


# --- FriendsQA (dev split only) --------------------------------------------------------------
def _scene_turns(path: Path) -> list[tuple[str, str]]:
    turns = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("# "):
            continue
        name, _, text = line.partition(": ")
        turns.append((name.strip(), text.strip()))
    return turns


def friendsqa_pairs(root: Path, negatives: int | None = 3) -> Iterator[Pair]:
    scenes: dict[str, list[list[Candidate]]] = {}
    for line in (root / "questions.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        if row["split"] != "dev":  # test is a report set
            continue
        doc = row["doc_id"]
        if doc not in scenes:
            turns = _scene_turns(root / "transcripts" / f"{doc}.txt")
            by_turn: list[list[Candidate]] = []
            for i, (name, text) in enumerate(turns):
                asked = turns[i - 1][1] if i and turns[i - 1][1].endswith("?") else ""
                by_turn.append([Candidate(text[s:e], name, asked) for s, e in sentences(text)])
            scenes[doc] = by_turn
        by_turn = scenes[doc]
        q = row["question"].strip()
        gold: list[Candidate] = []
        for span in row.get("answer_spans", []):
            t = span["turn"]
            if not 0 <= t < len(by_turn):
                continue
            if span.get("is_speaker"):
                gold += _hardest(q, by_turn[t], 1)
            else:
                needle = span["text"].lower()
                gold += [c for c in by_turn[t] if needle and needle in c.text.lower()]
        gold = list(dict.fromkeys(gold))
        if not gold:
            continue
        for c in gold:
            yield Pair(q, c, 1, "friendsqa", row["id"])
        gold_turns = set(row.get("gold_turns", [])) | set(row.get("evidence_turns", []))
        pool = [c for t, cs in enumerate(by_turn) if t not in gold_turns for c in cs]
        for c in _hardest(q, pool, negatives):
            yield Pair(q, c, 0, "friendsqa", row["id"])


# --- the seeds' development cases ---------------------------------------------------------------
def seeds_pairs(cases: Path, corpus: Path, negatives: int = 4) -> Iterator[Pair]:
    """Positives: the sentences of a gold quote. Negatives: the sentences sharing most words
    with the question elsewhere in the corpus (for an unanswerable case, all are negatives)."""
    from ..ingest import load_corpus

    passages = load_corpus(corpus).passages
    pool: list[tuple[str, int, Candidate]] = []  # (source, start offset, candidate)
    for p in passages:
        for s, e in sentences(p.text):
            pool.append((p.source, p.file_span(s, e)[0], Candidate(p.text[s:e], p.speaker, p.question)))
    for line in cases.open(encoding="utf-8"):
        row = json.loads(line)
        if row.get("history"):
            continue
        q = row["question"].strip()
        gold = []
        for g in row.get("gold_quotes", []):
            quote = g["quote"]
            gold += [c for src, _, c in pool if src == g["source"] and (c.text in quote or quote in c.text)]
        gold = list(dict.fromkeys(gold))
        if not gold and not row.get("unanswerable"):
            continue
        for c in gold:
            yield Pair(q, c, 1, "seeds", row["id"])
        gold_texts = {c.text for c in gold}
        others = [c for _, _, c in pool if c.text not in gold_texts]
        for c in _hardest(q, others, negatives):
            yield Pair(q, c, 0, "seeds", row["id"])
