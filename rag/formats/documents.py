"""Word (.docx) and PDF transcripts: their text, extracted, which the text reader then reads.

A passage's offsets index the extracted text (`Document.text`), which `rag passages` shows;
a PDF's page of each passage comes from where each page begins in it (`Document.pages`).

    docx   paragraphs in order (tables row by row, cells joined by ": " so that a
           speaker | words table reads as "Speaker: words"), a blank line between paragraphs;
           bold labels need nothing special: "**Ann:**" in Word is the text "Ann:"
    html   the text a browser shows (scripts, styles and tags dropped, entities read),
           a line break for each block element; a <pre> block as it is
    pdf    each page's text layer (pypdf), pages separated by a blank line; trailing spaces
           dropped. No text at all is "no text found: scanned PDF?"; a password is refused.
"""

from __future__ import annotations

import io
import re
import zipfile
from html.parser import HTMLParser

from rag.errors import FormatError

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a Compound File: an old .doc, or an encrypted .docx


def docx_text(data: bytes) -> str:
    """The text of a .docx file, paragraph by paragraph."""
    if data.startswith(_OLE):
        raise FormatError("encrypted or an old Word (.doc) file, not a .docx: remove the password, or save it as .docx")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise FormatError("not a Word .docx file (not a zip package)")
    try:
        import docx  # python-docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError:  # pragma: no cover - a dependency
        raise FormatError("reading .docx needs python-docx: pip install python-docx") from None
    try:
        document = docx.Document(io.BytesIO(data))
        paragraphs: list[str] = []
        for block in document.element.body.iterchildren():
            tag = block.tag.rsplit("}", 1)[-1]
            if tag == "p":
                paragraphs.append(Paragraph(block, document).text)
            elif tag == "tbl":
                for row in Table(block, document).rows:
                    cells = []
                    for cell in row.cells:
                        words = " ".join(cell.text.split())
                        if words and (not cells or cells[-1] != words):  # merged cells repeat
                            cells.append(words)
                    paragraphs.append(": ".join(cells))
    except FormatError:
        raise
    except Exception as e:  # python-docx raises many kinds on a damaged package
        raise FormatError(f"cannot read the Word file ({type(e).__name__}: {str(e)[:80]})") from None
    text = "\n\n".join(p.strip() for p in paragraphs if p.strip())
    if not text:
        raise FormatError("no text found in the Word file")
    return text + "\n"


def pdf_text(data: bytes) -> tuple[str, tuple[int, ...]]:
    """The text of a PDF and where each page after the first begins in it."""
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError:  # pragma: no cover - a dependency
        raise FormatError("reading .pdf needs pypdf: pip install pypdf") from None
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")  # some PDFs are "encrypted" with an empty password
            except Exception:
                opened = 0
            if not opened:
                raise FormatError("encrypted PDF: remove the password and save it again")
        pages = [page.extract_text() or "" for page in reader.pages]
    except FormatError:
        raise
    except (PdfReadError, Exception) as e:  # noqa: B014 - pypdf raises more than its own errors on a damaged file
        raise FormatError(f"cannot read the PDF ({type(e).__name__}: {str(e)[:80]})") from None
    parts, starts, at = [], [], 0
    for i, page in enumerate(pages):
        page = "\n".join(line.rstrip() for line in page.replace("\r\n", "\n").replace("\r", "\n").split("\n")).strip("\n")
        if i:
            starts.append(at)
        parts.append(page)
        at += len(page) + 2
    text = "\n\n".join(parts)
    if not text.strip():
        raise FormatError(f"no text found: scanned PDF? ({len(pages)} pages without a text layer; run OCR on it first)")
    return text + "\n", tuple(starts)


_BLOCKS = frozenset("p div br li tr h1 h2 h3 h4 h5 h6 pre blockquote section article header footer table dt dd title".split())


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0  # inside <script> or <style>

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in ("script", "style"):
            self.hidden += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def html_text(text: str) -> str:
    """The text of an HTML page, as a browser shows it (roughly: no layout beyond lines)."""
    parser = _Text()
    try:
        parser.feed(text)
        parser.close()
    except Exception as e:  # html.parser is lenient; kept so that no traceback can escape
        raise FormatError(f"cannot read the HTML ({type(e).__name__})") from None
    out = "".join(parser.parts)
    out = re.sub(r"[ \t]+\n", "\n", out)
    out = re.sub(r"\n{3,}", "\n\n", out).strip("\n")
    if not out.strip():
        raise FormatError("no text found in the HTML page")
    return out + "\n"
