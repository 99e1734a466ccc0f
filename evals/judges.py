"""Support judges for the grounding metrics: does this evidence support this claim?

    make_judge("default", embedder)                    # rag.support.LexicalEmbeddingJudge, offline
    make_judge("cross-encoder/nli-deberta-v3-small")   # an NLI cross-encoder by hub id ...
    make_judge("/models/my-nli")                       # ... or by folder

Any object with `threshold`, `score(claim, evidence) -> float` and `supports(claim,
evidence) -> bool` will do (rag.support.SupportJudge). The NLI judge needs the model on
disk or a reachable hub; it loads on first use and says clearly when it cannot.

Calibration (the threshold of rag.support's default, README "Grounding"):

    python -m evals.judges [--pairs tests/data/support_pairs.jsonl] [--judge ID] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from rag.errors import UserError
from rag.records import NARRATOR
from rag.support import LexicalEmbeddingJudge

from .grounding import evidence_text

DEFAULT_JUDGE = "default"


class NLIJudge:
    """An NLI model (premise = evidence, hypothesis = claim); the score is P(entailment).

    Works with sequence-classification NLI models whose labels name "entailment" (MNLI-style
    cross-encoders such as cross-encoder/nli-deberta-v3-*, roberta-large-mnli, the models
    behind transformers' zero-shot-classification pipeline), and with single-logit factual-
    consistency cross-encoders (sigmoid of the logit). ALCE uses TRUE (t5-xxl); any of these
    is a smaller stand-in.
    """

    name = "nli"

    def __init__(self, model: str, threshold: float = 0.5, max_length: int = 512, device: str = "cpu"):
        self.model_id = model
        self.threshold = threshold
        self.max_length = max_length
        self.device = device
        self._loaded = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._loaded is None:
                try:
                    import torch  # noqa: F401
                    from transformers import AutoModelForSequenceClassification, AutoTokenizer

                    tokenizer = AutoTokenizer.from_pretrained(self.model_id)
                    model = AutoModelForSequenceClassification.from_pretrained(self.model_id).to(self.device).eval()
                except Exception as e:  # noqa: BLE001 - any failure to load is the user's setting
                    raise UserError(
                        f"cannot load NLI judge {self.model_id!r}: {type(e).__name__}: {str(e)[:200]} "
                        "(give a local folder, or a hub id on a machine that reaches the hub with "
                        "HF_HUB_OFFLINE unset; the offline default is --judge default)"
                    ) from None
                labels = {i: str(l).lower() for i, l in (model.config.id2label or {}).items()}
                entail = [i for i, l in labels.items() if l.startswith("entail")]
                if model.config.num_labels > 1 and not entail:
                    raise UserError(f"NLI judge {self.model_id!r} has no 'entailment' label (labels: {labels})")
                self._loaded = (tokenizer, model, entail[0] if entail else None)
        return self._loaded

    def score(self, claim: str, evidence: str) -> float:
        import torch

        tokenizer, model, entail = self._load()
        batch = tokenizer(evidence, claim, truncation="only_first", max_length=self.max_length, return_tensors="pt")
        with torch.no_grad():
            logits = model(**batch.to(self.device)).logits[0]
        if entail is None:
            return float(torch.sigmoid(logits[0]))
        return float(torch.softmax(logits, dim=-1)[entail])

    def supports(self, claim: str, evidence: str) -> bool:
        return self.score(claim, evidence) >= self.threshold


def make_judge(spec: str = DEFAULT_JUDGE, embedder=None, threshold: float | None = None):
    """'default' (or 'lexical'): the offline lexical+embedding judge on `embedder`;
    anything else: an NLI model by hub id or folder (loaded lazily)."""
    if spec in (DEFAULT_JUDGE, "lexical", "lexical+embedding"):
        if embedder is None:
            from rag.embed import load_embedder

            embedder = load_embedder()
        judge = LexicalEmbeddingJudge(embedder)
    else:
        judge = NLIJudge(spec)
    if threshold is not None:
        judge.threshold = threshold
    return judge


def judge_name(judge) -> str:
    name = getattr(judge, "name", type(judge).__name__)
    model = getattr(judge, "model_id", None)
    return f"{name} ({model})" if model else name


# --- calibration on labelled pairs ------------------------------------------------------------
DEFAULT_PAIRS = Path(__file__).resolve().parent.parent / "tests" / "data" / "support_pairs.jsonl"


@dataclass(frozen=True)
class Pair:
    """A hand-labelled (claim, evidence) pair; `kind` says how it was made (verbatim,
    restatement; other-claim, wrong-figure, wrong-speaker, negated)."""

    id: str
    claim: str
    evidence: str  # the passage's text, verbatim from `source`
    supported: bool
    kind: str
    source: str = ""
    speaker: str = NARRATOR
    publication: str = ""

    @property
    def judged_evidence(self) -> str:
        """The evidence as the grounding metrics present a cited passage to a judge."""
        return evidence_text(self.evidence, self.speaker, self.publication)


def load_pairs(path: Path | str = DEFAULT_PAIRS) -> list[Pair]:
    pairs = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            pairs.append(Pair(**row))
        except (json.JSONDecodeError, TypeError) as e:
            raise UserError(f"{Path(path).name}:{n}: not a support pair ({e})") from None
    return pairs


def confusion(scores: list[float], labels: list[bool], threshold: float) -> dict[str, float]:
    """Accuracy, and precision/recall of "supported", at a threshold."""
    tp = sum(s >= threshold and y for s, y in zip(scores, labels))
    fp = sum(s >= threshold and not y for s, y in zip(scores, labels))
    fn = sum(s < threshold and y for s, y in zip(scores, labels))
    tn = len(labels) - tp - fp - fn
    return {
        "threshold": round(threshold, 3),
        "accuracy": round((tp + tn) / max(1, len(labels)), 4),
        "precision": round(tp / max(1, tp + fp), 4),
        "recall": round(tp / max(1, tp + fn), 4),
        "tp": tp, "fp": fp, "fn": fn, "tn": tn,
    }


def best_threshold(scores: list[float], labels: list[bool], window: int = 4) -> float:
    """The threshold of highest accuracy, smoothed: each candidate is judged by its mean
    accuracy over its neighbours within +-window grid steps (subtle: the raw maximum often
    sits on a single grid point, right on some pair's score, and moves with that pair)."""
    grid = [round(0.3 + i / 200, 3) for i in range(121)]  # 0.300 .. 0.900, step 0.005
    accs = [confusion(scores, labels, t)["accuracy"] for t in grid]
    smooth = [sum(accs[max(0, i - window) : i + window + 1]) / len(accs[max(0, i - window) : i + window + 1])
              for i in range(len(grid))]
    best = max(range(len(grid)), key=lambda i: (round(smooth[i], 6), accs[i]))
    return grid[best]


def calibrate(judge, pairs: list[Pair], folds: int = 5) -> dict:
    """Scores every pair, picks a threshold, and reports how the judge does at it: overall,
    by kind of pair, and (honest estimate) with the threshold chosen on the other folds."""
    scores = [judge.score(p.claim, p.judged_evidence) for p in pairs]
    labels = [p.supported for p in pairs]
    threshold = best_threshold(scores, labels)
    by_kind = {}
    for kind in dict.fromkeys(p.kind for p in pairs):
        idx = [i for i, p in enumerate(pairs) if p.kind == kind]
        c = confusion([scores[i] for i in idx], [labels[i] for i in idx], threshold)
        by_kind[kind] = {"pairs": len(idx), "supported": labels[idx[0]], "accuracy": c["accuracy"]}
    correct = 0
    for f in range(folds):  # pairs are interleaved by source, so i % folds mixes sources
        train = [i for i in range(len(pairs)) if i % folds != f]
        test = [i for i in range(len(pairs)) if i % folds == f]
        t = best_threshold([scores[i] for i in train], [labels[i] for i in train])
        correct += sum((scores[i] >= t) == labels[i] for i in test)
    current = getattr(judge, "threshold", None)
    return {
        "judge": judge_name(judge),
        "pairs": len(pairs),
        "positives": sum(labels),
        "chosen": confusion(scores, labels, threshold),
        "at_current_default": None if current is None else confusion(scores, labels, current),
        "cross_validated_accuracy": round(correct / max(1, len(pairs)), 4),
        "by_kind": by_kind,
        "sweep": [confusion(scores, labels, t) for t in (0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8)],
        "errors": [
            {"id": p.id, "kind": p.kind, "supported": p.supported, "score": round(s, 3), "claim": p.claim}
            for p, s in zip(pairs, scores) if (s >= threshold) != p.supported
        ],
    }


def print_calibration(report: dict) -> None:
    c = report["chosen"]
    print(f"judge {report['judge']}: {report['pairs']} labelled pairs ({report['positives']} supported)")
    print(f"{'threshold':>9} {'accuracy':>8} {'precision':>9} {'recall':>6}")
    for row in report["sweep"]:
        print(f"{row['threshold']:>9.2f} {row['accuracy']:>8.3f} {row['precision']:>9.3f} {row['recall']:>6.3f}")
    print(f"chosen {c['threshold']:.3f}: accuracy {c['accuracy']:.3f}, precision {c['precision']:.3f}, "
          f"recall {c['recall']:.3f} (tp {c['tp']} fp {c['fp']} fn {c['fn']} tn {c['tn']}); "
          f"{report['pairs'] // 5 * 5 and 5}-fold cross-validated accuracy {report['cross_validated_accuracy']:.3f}")
    print("by kind: " + ", ".join(f"{k} {v['accuracy']:.2f} ({v['pairs']})" for k, v in report["by_kind"].items()))
    for e in report["errors"]:
        print(f"  wrong: {e['id']} {e['kind']:13} score {e['score']:.3f} {e['claim'][:90]}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m evals.judges",
        description="Calibrate a support judge's threshold on hand-labelled (claim, evidence) pairs.",
        epilog="example:\n  python -m evals.judges --pairs tests/data/support_pairs.jsonl --json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--pairs", type=Path, default=DEFAULT_PAIRS)
    ap.add_argument("--judge", default=DEFAULT_JUDGE, help="'default' or an NLI model's hub id / folder")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    try:
        report = calibrate(make_judge(args.judge), load_pairs(args.pairs))
    except UserError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(json.dumps(report, indent=1) if args.json else "", end="\n" if args.json else "")
    if not args.json:
        print_calibration(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
