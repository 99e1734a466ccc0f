"""The reader's held-out report sets: SQuAD 2.0 articles and Molweni dialogues never trained on.

    python -m evals.heldout                  # both, sentence level and (Molweni) whole answers
    python -m evals.heldout --no-answers     # sentence level only

Held out by the fixed rule of rag/read/pairs.py (SHA-1 of the title or dialogue text is 0
mod 5), decided before any training.

1. Sentence level, per question, every sentence of its context scored: top-1 = the best
   sentence holds the answer (answerable questions); no-answer accuracy = the best score stays
   under the threshold (unanswerable ones). The reader (at the answerer's threshold,
   rag/config.py reader_threshold) beside a lexical+cosine baseline from the same run (half
   the share of the question's words a sentence holds, half its embedding cosine; no
   threshold, it is no probability: its AUC says how well it separates). Ties count as draws.
2. Whole answers (Molweni): the held-out dialogues are written as transcripts
   (`speaker: text` lines), indexed, and each question is asked of its own dialogue: a quote
   holds the answer (answerable), the answer abstains (unanswerable).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

import numpy as np

from rag.config import Config
from rag.embed import load_embedder
from rag.read import load_reader
from rag.read.pairs import Pair, held_out, molweni_pairs, overlap, squad_pairs
from rag.read.train import BENCH, evaluate, scored_by_question


def sentence_level(pairs: list[Pair], reader, embedder, threshold: float) -> dict:
    reader_scores = scored_by_question(pairs, reader.score)

    def lexical_cosine(question, candidates):
        vectors = embedder.encode_documents([question] + [c.text for c in candidates])
        cos = vectors[1:] @ vectors[0]
        return np.array([0.5 * overlap(question, c.text) + 0.5 * x for c, x in zip(candidates, cos)])

    base = evaluate(scored_by_question(pairs, lexical_cosine), pairs)
    base.pop("no_answer_acc")  # it is no probability: compare how it separates (AUC), not at 0.5
    return {"reader": evaluate(reader_scores, pairs, threshold), "lexical+cosine": base}


def molweni_answers(path: Path, config: Config) -> dict:
    from rag.pipeline import Pipeline

    dialogues = [d for d in json.loads(path.read_text(encoding="utf-8"))["data"]["dialogues"] if held_out(d["context"])]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for i, d in enumerate(dialogues):
            lines = [f"{e['speaker']}: {e['text']}" for e in d["edus"]]
            (folder / f"dialogue_{i:03d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        pipeline = Pipeline(Config.from_env(corpus=folder))
        held = abstained_un = n_ans = n_un = answered = 0
        for i, d in enumerate(dialogues):
            for qa in d["qas"]:
                a = pipeline.ask(qa["question"], sources=[f"dialogue_{i:03d}.txt"])
                quoted = " ".join(c.quote.lower() for c in a.citations)
                if qa.get("is_impossible"):
                    n_un += 1
                    abstained_un += a.abstained
                else:
                    n_ans += 1
                    answered += not a.abstained
                    golds = [re.sub(r"\s+", " ", x["text"].lower()).strip() for x in qa["answers"]]
                    held += any(g and g in re.sub(r"\s+", " ", quoted) for g in golds)
    return {"dialogues": len(dialogues), "answerable": n_ans, "answered": round(answered / max(1, n_ans), 3),
            "quote_holds_answer": round(held / max(1, n_ans), 3), "unanswerable": n_un,
            "abstains_on_unanswerable": round(abstained_un / max(1, n_un), 3)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", type=Path, default=BENCH)
    ap.add_argument("--no-answers", action="store_true", help="sentence level only")
    args = ap.parse_args(argv)
    config = Config.from_env()
    reader = load_reader(config.reader_model)
    embedder = load_embedder(config.embedding_model, config.embedding_batch_size, config.embedding_backend)
    t = args.bench / "training"
    sets = {
        "squad": list(squad_pairs(t / "squad2/dev-v2.0.json", "held_out")) + list(squad_pairs(t / "squad2/train-v2.0.json", "held_out")),
        "molweni": list(molweni_pairs(t / "molweni/MRC_withDiscourse/test.json", "held_out")),
    }
    result = {name: sentence_level(pairs, reader, embedder, config.reader_threshold) for name, pairs in sets.items()}
    for name, row in result.items():
        print(name, json.dumps(row))
    if not args.no_answers:
        result["molweni_answers"] = molweni_answers(t / "molweni/MRC_withDiscourse/test.json", config)
        print("molweni answers", json.dumps(result["molweni_answers"]))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
