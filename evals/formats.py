"""Format coverage: ingest real transcripts nobody here wrote, and check them against their own gold.

    python -m evals.formats [--root ../shared/benchmarks/realworld] [--max-files N] [--folder NAME ...]

Per folder of the realworld set (each has a SOURCE.md): files ingested and refused (with
reasons), passages, offsets (verbatim: file_text[start:end] == text; cited: verbatim or, in
a timed format, the passage's words in order across the span, README "Corpus format";
mapped: every piece of the passage's map (rag/formats/textmap.py) is the file's characters,
or an escape decoding to them; sentences: the share of the passages' sentences that
`Passage.file_span` places on the file's exact characters, what a citation of one sentence
gets; escapes: passages with a decoded escape in them), speaker agreement with the format's
own gold (per passage; worst files listed), seconds.

    podcasts-md     gold: the last `**Name:**` label before the passage
    whisper-json    gold: the `speaker` of the JSON turn; in the VTT files, the `[Name]:` label
    hearings-json   gold: the `speaker` of the `content` item (speech items only)
    captions-vtt    gold: the last voice tag before the passage (a named tag: that name, or the
                    full name it begins; `<v ->`: a presenter in speakers.tsv); files without
                    tags are counted apart against speakers.tsv ("presenter agreement").
                    Run twice: as the files come, and with speakers.tsv given as the folder's
                    metadata (each talk's presenters as its `speakers = [...]`), the row
                    "captions-vtt +metadata"
    quotes-prose    LitBank: each annotated quotation's passage speaker against the annotated
                    speaker, beside the nearest name before the quotation (the baseline); the
                    tokenised excerpts hold one sentence a line, which cuts quotations and
                    their "said X" apart, so the book's paragraphs are put back first
                    (`paragraphs_restored`, every offset kept); the figure as tokenised is
                    reported beside it

A speaker agrees with the gold when their name keys are equal or the words of one are all in
the other's ("Kelly Davis" for a tag "Kelly", "Mr. LOTT" for Lott, "Ann" for Ann Yuan when the
talk gives only her first name). Prints a table, then one JSON
line. `whisper-json/all/` is left to bench/ingest.py.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

from rapidfuzz.distance import DamerauLevenshtein

from rag.chunking import sentence_spans
from rag.config import Config
from rag.errors import FormatError
from rag.formats.jsonscan import decode_fragment, string_spans
from rag.formats.timed import TIMED, cited_in
from rag.ingest import SUPPORTED, ingest_document, read_document
from rag.metadata import Metadata
from rag.records import NARRATOR, Passage, SourceMeta
from rag.speakers import SpeakerNames, name_key
from rag.terms import STOPWORDS

ROOT = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "realworld"
FOLDERS = ("podcasts-md", "whisper-json", "hearings-json", "captions-vtt", "quotes-prose")
_SKIP_PARTS = {"all", "original"}  # the scale set (bench/ingest.py) and LitBank's full novels
_SKIP_NAMES = {"SOURCE.md", "MANIFEST.tsv", "speakers.tsv", "metadata.json", "README.md"}


def agrees(said: str, gold: str) -> bool:
    if said == NARRATOR or not said:
        return gold == NARRATOR
    a, b = name_key(said), name_key(gold)
    return a == b or (bool(a) and bool(b) and (set(b.split()) <= set(a.split()) or set(a.split()) <= set(b.split())))


def _files(folder: Path, max_files: int | None) -> list[Path]:
    by_dir: dict[Path, list[Path]] = defaultdict(list)
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder)
        if p.is_file() and not _SKIP_PARTS & set(rel.parts[:-1]) and p.name not in _SKIP_NAMES:
            by_dir[p.parent].append(p)
    return [p for files in by_dir.values() for p in (files[:max_files] if max_files else files)]


# --- gold: (offset, speaker) marks; a passage's gold is the last mark at or before its start ---

def _gold_md(text: str) -> list[tuple[int, str]]:
    return [(m.start(), m[1].strip()) for m in re.finditer(r"^\*\*([^*\n]+?)(?::\*\*|\*\*:)", text, re.M)]


def _gold_json(text: str, key: str) -> list[tuple[int, str]]:
    data = json.loads(text)
    items = data if isinstance(data, list) else data.get(key, [])
    prefix = () if isinstance(data, list) else (key,)
    field = "message" if items and "message" in items[0] else "text"
    spans = string_spans(text, {(*prefix, i, field) for i in range(len(items))})
    marks = []
    for i, item in enumerate(items):
        if (*prefix, i, field) in spans:
            who = item.get("speaker")
            speech = item.get("kind", "speech") == "speech"
            marks.append((spans[(*prefix, i, field)][0], str(who) if speech and who not in (None, "None") else ""))
    return marks


def _gold_vtt_labels(text: str) -> list[tuple[int, str]]:
    return [(m.start(), m[1]) for m in re.finditer(r"^\[([^\]\n]+)\]:", text, re.M)]


def _gold_voices(text: str, presenters: list[str]) -> list[tuple[int, str]]:
    marks = []
    for m in re.finditer(r"<v(?:\.[^\s>]*)?(?:\s+([^>]*))?>", text):
        name = (m[1] or "").strip()
        marks.append((m.start(), name if name not in ("", "-") else "|".join(presenters)))
    return marks


def _gold_at(marks: list[tuple[int, str]], start: int) -> str | None:
    gold = None
    for at, who in marks:
        if at > start:
            break
        gold = who
    return gold


def _presenters(root: Path) -> dict[str, list[str]]:
    path = root / "captions-vtt" / "speakers.tsv"
    if not path.is_file():
        return {}
    rows = [r for r in csv.reader(path.open(encoding="utf-8"), delimiter="\t") if r and not r[0].startswith("#")]
    return {r[0]: [n.strip() for n in r[2].split("&")] for r in rows[1:] if len(r) > 2}


def programme(presenters: dict[str, list[str]]) -> Metadata:
    """speakers.tsv as the corpus metadata a user would write for the captions folder: each
    talk's presenters as the people who speak in it (`speakers = [...]`, README "Corpus
    metadata")."""
    return Metadata(sources={f: SourceMeta(file=f, speaking=tuple(who)) for f, who in presenters.items()})


def run_folder(root: Path, name: str, max_files: int | None, config: Config, with_metadata: bool = False) -> dict:
    folder = root / name
    names = SpeakerNames({})
    presenters = _presenters(root)
    metadata = programme(presenters) if with_metadata else Metadata()
    out = {"folder": name + (" +metadata" if with_metadata else ""), "files": 0, "ingested": 0, "refused": {}, "passages": 0, "verbatim": 0, "cited": 0,
           "mapped": 0, "sentences": 0, "sentences_exact": 0, "escaped": 0,
           "gold_passages": 0, "agree": 0, "per_file": {}, "presenter_passages": 0, "presenter_agree": 0}
    t0 = time.perf_counter()
    for path in _files(folder, max_files):
        rel = path.relative_to(folder).as_posix()
        out["files"] += 1
        try:
            doc = read_document(path, rel, metadata, int(config.max_file_mb * 1e6))
            passages = ingest_document(doc, names, config)
            if not passages:
                raise FormatError("no text found in it")
        except FormatError as e:
            out["refused"][rel] = str(e)
            continue
        out["ingested"] += 1
        out["passages"] += len(passages)
        read = TIMED.get(path.suffix.lower())
        out["verbatim"] += sum(doc.text[p.start : p.end] == p.text for p in passages)
        out["cited"] += sum(cited_in(doc.text, p.start, p.end, p.text, read) for p in passages)
        for p in passages:
            mapped, escaped, n, exact = _map_check(doc.text, p)
            out["mapped"] += mapped
            out["escaped"] += escaped
            out["sentences"] += n
            out["sentences_exact"] += exact
        marks, tagless = _marks(name, rel, doc.text, presenters)
        if name == "quotes-prose":
            continue
        n = agree = 0
        for p in passages:
            gold = _gold_at(marks, p.start) if marks else None
            if gold is None or gold == "":
                if tagless and rel in presenters:
                    out["presenter_passages"] += 1
                    out["presenter_agree"] += any(agrees(p.speaker, g) for g in presenters[rel])
                continue
            n += 1
            agree += any(agrees(p.speaker, g) for g in gold.split("|"))
        if n:
            out["per_file"][rel] = (agree, n)
            out["gold_passages"] += n
            out["agree"] += agree
    out["seconds"] = round(time.perf_counter() - t0, 2)
    if name == "quotes-prose":
        out.update(litbank(folder, max_files, config))
        lines = litbank(folder, max_files, config, restore=False)
        out.update(quote_agree_lines=lines["quote_agree"], baseline_agree_lines=lines["baseline_agree"])
    return out


def _map_check(text: str, p: Passage) -> tuple[bool, bool, int, int]:
    """(does every piece map back, has it a decoded escape, sentences, sentences cited exactly)."""
    mapped = text[p.start : p.end] == p.text if not p.pieces else True
    escaped = False
    for t, f, n, m in p.pieces:
        said, raw = p.text[t : t + n], text[f : f + m]
        if n != m or said != raw:
            escaped = True
            mapped = mapped and said in (decode_fragment(raw), raw.replace('""', '"'))
    spans = sentence_spans(p.text, 0, len(p.text))
    exact = 0
    for a, b in spans:
        fs, fe = p.file_span(a, b)
        exact += text[fs:fe] == p.text[a:b]
    return mapped, escaped, len(spans), exact


def _marks(folder: str, rel: str, text: str, presenters: dict[str, list[str]]) -> tuple[list[tuple[int, str]], bool]:
    """The gold marks of one file, and whether it is a caption file without voice tags."""
    if folder == "podcasts-md" and rel.endswith(".md"):
        return _gold_md(text), False
    if folder == "whisper-json" and rel.endswith(".json"):
        return _gold_json(text, ""), False
    if folder == "whisper-json" and rel.endswith(".vtt"):
        return _gold_vtt_labels(text), False
    if folder == "hearings-json" and rel.endswith(".json"):
        return _gold_json(text, "content"), False
    if folder == "captions-vtt" and rel.endswith(".vtt"):
        marks = _gold_voices(text, presenters.get(rel, []))
        return marks, True
    return [], False


# --- LitBank ----------------------------------------------------------------------------

def _gold_name(speaker_id: str) -> str:
    """"Mr__Sherlock_Holmes-0" -> "Mr. Sherlock Holmes"."""
    return re.sub(r"-\d+$", "", speaker_id).replace("__", ". ").replace("_", " ").strip()


_NAME_WORD = re.compile(r"\b(?:(?:Mr|Mrs|Ms|Miss|Dr|Sir|Lady|Lord)\.?\s+)?[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*")


def _nearest_name(text: str, before: int) -> str:
    """The baseline: the last capitalised name before the quote that is not a sentence's first word."""
    for m in reversed(list(_NAME_WORD.finditer(text, max(0, before - 2000), before))):
        head = text[max(0, m.start() - 3) : m.start()]
        if m[0].casefold() in STOPWORDS or m[0] in ("I",) or re.search(r"(?:^|[.!?\"]\s*|\n)$", head):
            continue
        return m[0]
    return NARRATOR


_OPENERS, _CLOSERS = "“\"‘", "”\""
_QUOTE_MARK = re.compile(r"[“”\"‘]|(?<!\w)’|’(?!\w)")  # a ’ inside a word is an apostrophe


def paragraphs_restored(text: str) -> str:
    r"""LitBank's tokenised excerpt with the paragraphs of the book put back, as far as the
    text shows them: one sentence per line, so a quotation of several sentences spans lines
    and "cried his wife" sits on the line after her question. A line joins the one before
    (its newline read as a space: every offset stays) where the line before ends inside an
    open quotation and this one does not open a new one (a speech of several paragraphs
    opens each), or where it begins in lower case.

        >>> paragraphs_restored('“ Oh !\nSingle , my dear ! ”\ncried his wife .\nHe left .')
        '“ Oh ! Single , my dear ! ” cried his wife .\nHe left .'
    """
    out: list[str] = []
    inside = False  # in a quotation at the end of the line before
    for i, line in enumerate(text.split("\n")):
        if i:
            head = line.lstrip()[:1]
            out.append(" " if (inside and head not in _OPENERS) or head.islower() else "\n")
            inside = inside and head not in _OPENERS  # a new quotation, or the next paragraph of one speech
        out.append(line)
        for m in _QUOTE_MARK.finditer(line):
            ch = m[0]
            if ch in "“‘" or (ch == '"' and not inside):
                inside = True
            elif ch in _CLOSERS or ch == "’":
                inside = False
    return "".join(out)


def litbank(folder: Path, max_files: int | None, config: Config, restore: bool = True) -> dict:
    names = SpeakerNames({})
    anns = sorted((folder / "quotations" / "tsv").glob("*_brat.ann"))
    anns = [a for a in anns if a.stat().st_size][: max_files or None]
    total = ours = baseline = 0
    for ann in anns:
        txt = ann.with_suffix(".txt")
        doc = read_document(txt, txt.name, Metadata(), int(config.max_file_mb * 1e6))
        raw = doc.text
        if restore:
            doc = replace(doc, text=paragraphs_restored(raw))
        passages = ingest_document(doc, names, config)
        lines = raw.split("\n")
        line_at = [0]
        for line in lines:
            line_at.append(line_at[-1] + len(line) + 1)
        quotes, speakers = {}, {}
        for row in ann.read_text(encoding="utf-8").splitlines():
            f = row.split("\t")
            if f[0] == "QUOTE" and len(f) >= 6:
                quotes[f[1]] = (int(f[2]), int(f[3]), int(f[4]), int(f[5]))
            elif f[0] == "ATTRIB" and len(f) >= 3:
                speakers[f[1]] = _gold_name(f[2])
        for qid, (s_line, s_tok, e_line, e_tok) in quotes.items():
            if qid not in speakers or speakers[qid] in ("I", ""):
                continue
            start = line_at[s_line] + sum(len(t) + 1 for t in lines[s_line].split(" ")[:s_tok])
            end = line_at[e_line] + sum(len(t) + 1 for t in lines[e_line].split(" ")[: e_tok + 1]) - 1
            middle = (start + end) // 2
            said = next((p.speaker for p in passages if p.start <= middle < p.end), NARRATOR)
            total += 1
            ours += agrees_loosely(said, speakers[qid])
            baseline += agrees_loosely(_nearest_name(doc.text, start), speakers[qid])
    return {"quotes": total, "quote_agree": ours, "baseline_agree": baseline}


_TITLES = {"mr": "m", "mister": "m", "sir": "m", "lord": "m", "mrs": "f", "miss": "f", "ms": "f", "lady": "f", "madame": "f"}


def agrees_loosely(said: str, gold: str) -> bool:
    """A quotation's speaker: any shared name word (LitBank names are the annotators' mention),
    but not a husband for his wife ("Mr. Bennet" is not "Mrs Bennet")."""
    if said == NARRATOR:
        return False
    titles = [_TITLES.get(re.sub(r"\W", "", n.split()[0].casefold()) if n.split() else "") for n in (said, gold)]
    if None not in titles and titles[0] != titles[1]:
        return False
    gold_words = name_key(gold).split()
    return any(w == g or (min(len(w), len(g)) >= 5 and DamerauLevenshtein.distance(w, g) <= 1)
               for w in name_key(said).split() for g in gold_words)  # "Katharine" for the gold's "Katherine"


# --- report ---------------------------------------------------------------------------

def _share(a: int, n: int) -> str:
    return f"{a / n:.3f}" if n else "-"


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", type=Path, default=ROOT)
    ap.add_argument("--max-files", type=int, default=None, help="at most N files per subfolder (a quick slice)")
    ap.add_argument("--folder", action="append", choices=FOLDERS, help="only this folder (repeatable)")
    ap.add_argument("--worst", type=int, default=3, help="worst files listed per folder")
    args = ap.parse_args(argv)
    if not args.root.is_dir():
        print(f"no realworld folder at {args.root}", file=sys.stderr)
        raise SystemExit(2)
    config = Config.from_env()
    results = []
    for f in (args.folder or FOLDERS):
        if (args.root / f).is_dir():
            results.append(run_folder(args.root, f, args.max_files, config))
            if f == "captions-vtt":  # again with speakers.tsv as the folder's metadata.toml
                results.append(run_folder(args.root, f, args.max_files, config, with_metadata=True))
    print(f"{'folder':24} {'files':>5} {'ingest':>6} {'refused':>7} {'passages':>8} {'verbatim':>8} {'cited':>6} "
          f"{'mapped':>6} {'sent.':>6} {'escaped':>7} {'agree':>6} {'(n)':>6} {'present':>7} {'sec':>6}")
    for r in results:
        r["verbatim_share"] = round(r["verbatim"] / r["passages"], 4) if r["passages"] else None
        r["cited_share"] = round(r["cited"] / r["passages"], 4) if r["passages"] else None
        r["mapped_share"] = round(r["mapped"] / r["passages"], 4) if r["passages"] else None
        r["sentences_exact_share"] = round(r["sentences_exact"] / r["sentences"], 4) if r["sentences"] else None
        r["agreement"] = round(r["agree"] / r["gold_passages"], 4) if r["gold_passages"] else None
        r["presenter_agreement"] = round(r["presenter_agree"] / r["presenter_passages"], 4) if r["presenter_passages"] else None
        r["worst"] = sorted(((a / n, f, n) for f, (a, n) in r.pop("per_file").items()))[: args.worst]
        print(f"{r['folder']:24} {r['files']:>5} {r['ingested']:>6} {len(r['refused']):>7} {r['passages']:>8} "
              f"{_share(r['verbatim'], r['passages']):>8} {_share(r['cited'], r['passages']):>6} "
              f"{_share(r['mapped'], r['passages']):>6} {_share(r['sentences_exact'], r['sentences']):>6} {r['escaped']:>7} "
              f"{_share(r['agree'], r['gold_passages']):>6} {r['gold_passages']:>6} "
              f"{_share(r['presenter_agree'], r['presenter_passages']):>7} {r['seconds']:>6}")
        for share, f, n in r["worst"]:
            print(f"    worst: {f} {share:.3f} of {n}")
        for f, why in list(r["refused"].items())[:5]:
            print(f"    refused: {f}: {why[:110]}")
        if "quotes" in r:
            print(f"    LitBank quotations: {r['quotes']}, attributed {_share(r['quote_agree'], r['quotes'])}, "
                  f"nearest-name baseline {_share(r['baseline_agree'], r['quotes'])} (paragraphs restored); "
                  f"one sentence a line as tokenised: {_share(r['quote_agree_lines'], r['quotes'])}, "
                  f"baseline {_share(r['baseline_agree_lines'], r['quotes'])}")
    summary = {"folders": results}
    print(json.dumps(summary, ensure_ascii=False))
    return summary


if __name__ == "__main__":
    main()
