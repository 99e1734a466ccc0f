"""Cases from the chat page's thumbs: what users confirm or flag becomes a test.

    rag eval --from-feedback ~/.cache/transcript-rag/feedback.jsonl > flagged.jsonl
    rag eval --cases flagged.jsonl

The page appends one line to `feedback.jsonl` (in the cache folder) per thumb: `time`,
`verdict` ("up"/"down"), `corpus`, `question`, `history` and `answer` (the `rag ask --json`
object). Each question's latest verdict counts:

- up, answered: a ready case whose gold quotes are the quotes it cited (verbatim by
  construction) and whose expected speakers and sources are theirs: keep answering so;
- up, abstained: a ready unanswerable case: keep abstaining;
- down: a draft, written as a comment (`# {...}`, which the case loader skips), since a
  thumbs-down says the answer was wrong, not what is right. A person adds the gold quotes
  (or sets `"unanswerable": true`) and removes the `# `.

Example:
    >>> up = {"verdict": "up", "question": "Why bees?", "answer": {"abstained": False,
    ...       "citations": [{"source": "a.txt", "speaker": "Ann", "quote": "Bees matter."}]}}
    >>> cases_from_feedback([json.dumps(up)])[0].startswith('{"id": "fb-')
    True
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from rag.errors import UserError


def _case_id(question: str, history: list) -> str:
    key = json.dumps([question, history], ensure_ascii=False, sort_keys=True)
    return "fb-" + hashlib.sha1(key.encode()).hexdigest()[:10]


def case_from_record(record: dict) -> tuple[dict, bool]:
    """(the case, whether it is ready) for one feedback record."""
    answer = record.get("answer") or {}
    question = str(record.get("question") or answer.get("question") or "").strip()
    history = [h for h in record.get("history") or [] if isinstance(h, dict) and {"role", "content"} <= set(h)]
    citations = answer.get("citations") or []
    case: dict = {"id": _case_id(question, history), "question": question}
    if record.get("verdict") == "up" and answer.get("abstained"):
        case.update(type="unanswerable", unanswerable=True)
    elif record.get("verdict") == "up" and citations:
        case.update(type="follow-up" if history else "fact", unanswerable=False,
                    expected_speakers=list(dict.fromkeys(c["speaker"] for c in citations)),
                    expected_sources=list(dict.fromkeys(c["source"] for c in citations)),
                    gold_quotes=[{"source": c["source"], "quote": c["quote"]} for c in citations])
    else:
        cited = "; ".join(f"{c.get('speaker')}: {str(c.get('quote'))[:80]}" for c in citations) or "nothing"
        case.update(type="follow-up" if history else "fact", unanswerable=False, gold_quotes=[],
                    notes=f"thumbs {record.get('verdict')} at {record.get('time', '?')}; "
                          f"{'it abstained' if answer.get('abstained') else 'it cited ' + cited}. "
                          "Add the gold quotes (or set unanswerable), then remove the '# '.")
    if history:
        case["history"] = history
    return case, "notes" not in case


def cases_from_feedback(lines: Iterable[str]) -> list[str]:
    """The case file's lines: ready cases first, then the drafts, commented out."""
    latest: dict[str, dict] = {}
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            raise UserError(f"feedback line {n}: not JSON ({e.msg})") from None
        if not isinstance(record, dict) or record.get("verdict") not in ("up", "down") or not record.get("question"):
            raise UserError(f"feedback line {n}: needs a `verdict` (up/down) and a `question`")
        case, ready = case_from_record(record)
        latest[case["id"]] = (case, ready)  # the latest verdict on a question counts
    ready = [json.dumps(c, ensure_ascii=False) for c, ok in latest.values() if ok]
    drafts = ["# " + json.dumps(c, ensure_ascii=False) for c, ok in latest.values() if not ok]
    return ready + drafts
