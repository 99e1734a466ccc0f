"""Ingestion: a folder of transcripts -> speaker-attributed `Passage` records.

    read_documents(folder)     files -> Documents (and BadFiles, each with its reason)
    parse_document(doc, ...)   Document -> Segments, by format (text, WebVTT, SRT, JSON, CSV/TSV;
                               .docx and .pdf are read as the text extracted from them)
    to_passages(doc, ...)      Segments -> Passages: canonical speakers, sentence-bounded
                               chunks, the question an answer replies to as context; in timed
                               formats a speaker's consecutive cues joined (formats/timed.py)
    load_corpus(folder)        all of the above

Every bad file is reported by name with its reason and the others are still ingested.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from .chunking import ends_sentence, pack, sentence_spans
from .config import Config
from .errors import FormatError, UserError
from .formats.documents import docx_text, html_text, pdf_text
from .formats.segments_json import parse_json_segments
from .formats.stamps import STAMP
from .formats.subtitles import BOM, parse_srt, parse_vtt
from .formats.tables import parse_table
from .formats.text import parse_text
from .formats.timed import MAPPED, TIMED, give_unnamed, join_cues, name_voices, unnamed_voice, words_text
from .metadata import METADATA_FILE, Metadata, load_metadata
from .records import NARRATOR, BadFile, Corpus, Document, Passage, Segment
from .speakers import SpeakerNames, answering_apart, listed_as

TEXT_EXTENSIONS = (".txt", ".md", ".text")
EXTRACTED = (".docx", ".pdf")  # read as the text extracted from them
HTML = (".html", ".htm")  # read as the text a browser shows
SUPPORTED = (*TEXT_EXTENSIONS, ".vtt", ".srt", ".json", ".csv", ".tsv", *HTML, *EXTRACTED)
log = logging.getLogger("rag.ingest")
_MAX_NOTES = 3  # repairs named per file; the rest counted


def read_document(path: Path, source: str, metadata: Metadata, max_bytes: int) -> Document:
    """Read and decode one file, or raise FormatError saying why it cannot be used."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise FormatError(f"unsupported file type {path.suffix or '(none)'!r}; supported: {', '.join(SUPPORTED)}")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise FormatError(f"too large ({size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB, "
                              "RAG_MAX_FILE_MB raises it)")
        data = path.read_bytes()
    except OSError as e:
        raise FormatError(f"cannot be read ({e.strerror or e})") from None
    if suffix in EXTRACTED:
        if not data.strip():
            raise FormatError("empty file")
        text, pages = (docx_text(data), ()) if suffix == ".docx" else pdf_text(data)
        return Document(source, text, metadata.source(source), hashlib.sha256(data).hexdigest(), pages)
    if (wide := _wide_encoding(data)) is not None:
        raise FormatError(f"{wide} text, not UTF-8; re-save it as UTF-8")
    if b"\x00" in data[:8192]:
        raise FormatError("binary file, not a text transcript")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise FormatError(f"not UTF-8 (byte 0x{data[e.start]:02x} on line {line}); re-save it as UTF-8") from None
    if not text.strip():
        raise FormatError("empty file")
    if suffix in HTML:
        text = html_text(text)
    return Document(source, text, metadata.source(source), hashlib.sha256(data).hexdigest())


def _wide_encoding(data: bytes) -> str | None:
    """ "UTF-16" or "UTF-32" for text saved so (Windows' "Unicode"), by its byte-order mark
    or, without one, by a NUL beside every character of its opening."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "UTF-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "UTF-16"
    head = data[:512 - 512 % 2]
    if len(head) >= 8 and (not any(head[1::2]) or not any(head[0::2])) and any(head):
        return "UTF-16"
    return None


def read_documents(folder: Path, config: Config) -> tuple[list[Document], list[BadFile], Metadata]:
    """Every transcript under `folder` (hidden files and the metadata file excepted)."""
    if not folder.is_dir():
        raise UserError(f"corpus folder not found: {folder}")
    metadata = load_metadata(folder)
    documents, bad = [], []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_dir() or rel == METADATA_FILE or any(p.startswith(".") for p in Path(rel).parts):
            continue
        try:
            documents.append(read_document(path, rel, metadata, int(config.max_file_mb * 1e6)))
        except FormatError as e:
            bad.append(BadFile(rel, str(e)))
    return documents, bad, metadata


def parse_document(doc: Document, names: SpeakerNames, notes: list[str] | None = None) -> list[Segment]:
    """The document's segments; repairs made on the way (a NaN time, an inverted cue) are
    appended to `notes`."""
    suffix = Path(doc.source).suffix.lower()
    notes = [] if notes is None else notes
    if suffix == ".vtt":
        return parse_vtt(doc.text, notes)
    if suffix == ".srt":
        return parse_srt(doc.text, notes)
    if suffix == ".json":
        return parse_json_segments(doc.text, notes)
    if suffix in (".csv", ".tsv"):
        return parse_table(doc.text, "\t" if suffix == ".tsv" else ",", notes)
    # a byte-order mark (Notepad's UTF-8) read as a space, so that the first line's label is
    # seen and every offset still counts the file's own characters
    text = " " + doc.text[1:] if doc.text.startswith(BOM) else doc.text
    return parse_text(text, doc.meta, names)


def document_title(doc: Document, segments: Sequence[Segment] = ()) -> str:
    """The metadata's title, else the first line of a text file (unless someone says it:
    "Maria Lopez: Welcome back" is a turn, not a title, nor is a stage direction, "[Scene:
    a bakery]"), else the file name."""
    if doc.meta.title:
        return doc.meta.title
    text = doc.text.removeprefix(BOM)
    opening = len(doc.text) - len(text.lstrip())
    line_end = doc.text.find("\n", opening)
    if line_end < 0:
        line_end = len(doc.text)
    if any(s.speaker and s.start < line_end and s.end > opening for s in segments):
        return Path(doc.source).stem
    # nor is a time, or a speaker's header above their first words ("Ann Lee  0:01",
    # "Speaker 1 (00:00:01):", "Ann Lee:")
    head = doc.text[opening:line_end].strip()
    words = len(doc.text) - len(doc.text[line_end:].lstrip())
    said = [s for s in segments if s.speaker]
    if STAMP.fullmatch(head) or (said and said[0].start == words and (head.endswith(":") or STAMP.search(head))):
        return Path(doc.source).stem
    if Path(doc.source).suffix.lower() in TEXT_EXTENSIONS:
        first = text.strip().split("\n", 1)[0]
        first = re.sub(r"https?://\S+", "", first).strip()
        first = re.sub(r"^#{1,6}\s+", "", first)  # a Markdown heading: "# Storm season" is titled "Storm season"
        bracketed = re.fullmatch(r"\[[^\[\]]*\]|\([^()]*\)", first) is not None
        if 0 < len(first) <= 200 and not bracketed:
            return first
    return Path(doc.source).stem


def to_passages(doc: Document, segments: list[Segment], names: SpeakerNames, max_chars: int) -> list[Passage]:
    suffix = Path(doc.source).suffix.lower()
    read = TIMED.get(suffix)
    if read is not None:
        segments = name_voices(doc.text, segments, read, doc.meta.speaking)
        if who := unnamed_voice(segments, doc.meta.speaking):  # whom the metadata leaves them
            segments = give_unnamed(doc.text, segments, read, who)
        names = names.for_document(words_text(doc.text, segments, read))
    else:
        names = names.for_document(doc.text)
    title = document_title(doc, segments)
    question, question_turn = "", None
    local = dict(doc.meta.speakers)
    interviewers = {names.canonical(n) for n in doc.meta.interviewers}
    interviewees = {names.canonical(n) for n in doc.meta.interviewees}
    # who the metadata says speaks in it: a voice "Nikolai" or "Dragomirov" is Nikolay Dragomirov
    listed = tuple(dict.fromkeys((*doc.meta.speaking, *doc.meta.interviewers, *doc.meta.interviewees)))
    said = {seg.speaker: names.canonical(local.get(seg.speaker) or listed_as(seg.speaker, listed) or seg.speaker)
            for seg in segments if seg.speaker}
    turns: dict[int, str] = {}  # each turn's label, in order: who answers whom (a quote inside a turn is not a turn)
    for seg in segments:
        if seg.speaker:
            turns.setdefault(seg.turn, seg.speaker)
    speaker_of = answering_apart(list(turns.values()), said, names, local)
    who: list[tuple[Segment, str, str]] = []  # each segment (its role settled), speaker, question context
    for seg in segments:
        speaker = speaker_of[seg.speaker] if seg.speaker else NARRATOR
        if seg.role == "speaker" and speaker in interviewers | interviewees:
            seg = replace(seg, role="interviewer" if speaker in interviewers else "interviewee")
        if seg.role == "interviewer":
            # The whole question (all its paragraphs) is context for the answer after it.
            asked = read(doc.text, seg.start, seg.end) if read else doc.text[seg.start : seg.end]
            question = f"{question} {asked}".strip() if seg.turn == question_turn else asked
            question_turn = seg.turn
        who.append((seg, speaker, question if seg.role == "interviewee" else ""))
    if read is not None:
        joined = join_cues(doc.text, [w[0] for w in who], MAPPED[suffix], max_chars)
        chunks = [(s, e, words, pieces, who[i], who[j][0]) for s, e, words, pieces, i, j in joined]
    else:
        chunks = [(s, e, doc.text[s:e], (), w, w[0]) for w in who
                  for s, e in pack(doc.text, sentence_spans(doc.text, w[0].start, w[0].end), max_chars)]
    passages: list[Passage] = []
    for s, e, words, pieces, (seg, speaker, context), last in chunks:
        times = [t for t in (seg.t_start, last.t_start, seg.t_end, last.t_end) if t is not None]
        passages.append(
            Passage(
                id=f"{doc.source}#{s}-{e}",
                source=doc.source,
                title=title,
                speaker=speaker,
                role=seg.role,
                text=words,
                start=s,
                end=e,
                turn=seg.turn,
                question=context,
                t_start=min(times) if times else None,
                t_end=max(times) if times else None,
                page=bisect_right(doc.pages, s) + 1 if suffix == ".pdf" else None,
                pieces=pieces,
            )
        )
    return with_lead_ins(passages, doc.text)


def _introduces(text: str, between: str = "") -> bool:
    """Unfinished words that lead into a quote ("... calls for", "... said:", a stage
    direction "(She looks away)"), not a heading ("# Harbour hearing, part 2", a title line):
    a lead-in without a colon or brackets runs on into the quote on the same line
    (`between` is the text from the one to the other). Measured on FriendsQA dev (400
    questions), stage directions as lead-ins or not: a quote holds the answer .435 vs .430."""
    text = text.rstrip()
    if text.startswith("#"):
        return False
    if text.endswith(":"):
        return True
    words = text.split()
    unfinished = bool(words) and not ends_sentence(text) and words[-1][:1].islower()
    return unfinished and ("\n" not in between or text[:1] in "([")


def with_lead_ins(passages: list[Passage], text: str = "") -> list[Passage]:
    """A quote the writer introduces mid-sentence ("The first demand calls for" / "a new
    pier ...") carries the introduction as retrieval context: alone, the quote
    doesn't say what it is about. Continuations of the same quote share it. `text` is the
    document the passages come from."""
    out: list[Passage] = []
    for p in passages:
        prev = out[-1] if out else None
        if p.role != "narrator" and prev is not None:
            if prev.role == "narrator" and _introduces(prev.text, text[prev.end : p.start]):
                last = sentence_spans(prev.text, 0, len(prev.text))[-1]
                p = replace(p, lead_in=prev.text[last[0] : last[1]])
            elif prev.speaker == p.speaker and prev.lead_in and not ends_sentence(prev.text):
                p = replace(p, lead_in=prev.lead_in)
        out.append(p)
    return out


def ingest_document(doc: Document, names: SpeakerNames, config: Config) -> list[Passage]:
    notes: list[str] = []
    passages = to_passages(doc, parse_document(doc, names, notes), names, config.passage_chars)
    for note in notes[:_MAX_NOTES]:
        log.warning("repaired %s: %s", doc.source, note)
    if len(notes) > _MAX_NOTES:
        log.warning("repaired %s: %d more", doc.source, len(notes) - _MAX_NOTES)
    return passages


def load_corpus(folder: Path | str | None = None, config: Config | None = None) -> Corpus:
    """Ingest a folder. Raises UserError when no file in it is usable."""
    config = config or Config.from_env()
    folder = Path(folder) if folder is not None else config.corpus
    documents, bad, metadata = read_documents(folder, config)
    names = SpeakerNames(metadata.people)
    passages: list[Passage] = []
    usable: list[Document] = []
    for doc in documents:
        try:
            found = ingest_document(doc, names, config)
        except FormatError as e:
            bad.append(BadFile(doc.source, str(e)))
            continue
        if not found:
            bad.append(BadFile(doc.source, "no text found in it"))
            continue
        usable.append(doc)
        passages.extend(found)
    if not usable:
        detail = "; ".join(f"{b.source}: {b.reason}" for b in bad[:3]) or "the folder is empty"
        raise UserError(f"no usable transcript in {folder} ({detail})")
    return Corpus(str(folder), tuple(usable), tuple(passages), tuple(sorted(bad, key=lambda b: b.source)))
