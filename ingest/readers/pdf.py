"""PDF statutes: text layer → pages → furniture removed → unwrapped lines → structure.

Extraction: pypdfium2 first (about 15× faster than pypdf on the Labor Code: 0.6 s against
8 s for 54 pages), pypdf when pypdfium2's text looks garbled (mixed fonts can scramble
Vietnamese: syllables broken apart, diacritics moved); the extractor used is recorded in
``Document.warnings``. Scanned PDFs (no text layer) are OCR'd with the ``tesseract`` CLI when it
and its Vietnamese data are installed, otherwise an :class:`InputError` says what to do.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from ingest import guard
from ingest.cleaning import Line, drop_page_furniture, is_structural, normalize_text
from ingest.layouts import unwrap_lines
from ingest.readers.text import document_from_lines
from ingest.structure import ReferenceFinder
from legal.document import Document
from legal.errors import InputError
from legal.textnorm import fold

GARBLED_THRESHOLD = 0.12
_MIN_CHARS_PER_PAGE = 40
_SYLLABLE = re.compile(
    r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?"
    r"[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?$"
)
_WORD = re.compile(r"[^\W\d_]+")
_OCR_HINT = (
    "no text layer (a scanned PDF); OCR it first, or install Debian tesseract-ocr + "
    "tesseract-ocr-vie and luatqa will OCR it"
)


def garbled_score(text: str) -> float:
    """Share of lower-case words that are not plausible Vietnamese syllables (0 = clean).

    Clean statute text scores about 0.01–0.03 (loan words, "HIV"); scrambled extraction
    (broken syllables, stray diacritics) scores far higher."""
    counts = Counter(w for w in _WORD.findall(text) if w[0].islower())
    total = sum(counts.values())
    if not total:
        return 1.0
    bad = sum(n for w, n in counts.items() if not _SYLLABLE.match(fold(w)))
    return bad / total


def _open_pdfium(path: Path) -> Any:
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        msg = str(exc)
        if "password" in msg.lower():
            raise InputError(
                "the PDF is encrypted (password protected)",
                path=path,
                hint="remove the password (e.g. qpdf --decrypt) and try again",
            ) from exc
        raise InputError(
            f"not a readable PDF ({msg})",
            path=path,
            hint="the file is damaged or not a PDF; download it again",
        ) from exc


def check_truncated(path: Path) -> None:
    """A PDF ends with ``%%EOF``; one cut short is refused before the engine repairs it into
    a partial document."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        fh.seek(max(0, size - 2048))
        tail = fh.read()
    if b"%%EOF" not in tail:
        raise InputError(
            "not a readable PDF: it is truncated (no end-of-file marker) and would give a "
            "partial document",
            path=path,
            hint="download or export the PDF again",
        )


def check_pdf(path: Path, pdf: Any) -> None:
    """Refuse what we will not read (:mod:`ingest.guard`): active content (JavaScript,
    embedded files) and more pages than the limit. A statute needs neither."""
    import pypdfium2.raw as raw

    size = path.stat().st_size
    with path.open("rb") as fh:  # names hidden in compressed object streams pdfium counts
        body = fh.read(min(size, 64 * 1024 * 1024))
    js = raw.FPDFDoc_GetJavaScriptActionCount(pdf.raw) > 0 or b"/JavaScript" in body
    if js or re.search(rb"/JS\s*[(<\d]", body):
        raise InputError(
            "the PDF carries JavaScript (active content); luatqa does not read such files",
            path=path,
            hint="print it to a new PDF (text only) and ingest that",
        )
    if raw.FPDFDoc_GetAttachmentCount(pdf.raw) > 0 or b"/EmbeddedFile" in body:
        raise InputError(
            "the PDF carries embedded files; luatqa does not read such files",
            path=path,
            hint="extract the statute itself (or print it to a new PDF) and ingest that",
        )
    if len(pdf) > guard.MAX_PDF_PAGES:
        raise InputError(
            f"the PDF has {len(pdf)} pages, over the limit of {guard.MAX_PDF_PAGES}",
            path=path,
            hint="split it (one statute a file)",
        )


def _pdfium_pages(path: Path) -> list[str]:
    check_truncated(path)
    pdf = _open_pdfium(path)
    try:
        check_pdf(path, pdf)
        started = time.monotonic()
        texts = []
        for i in range(len(pdf)):
            page = pdf[i]
            w, h = page.get_size()
            if max(w, h) > guard.MAX_PAGE_PT:
                raise InputError(
                    f"page {i + 1} is {w:.0f}×{h:.0f} pt, over the {guard.MAX_PAGE_PT:.0f} pt "
                    "limit a side",
                    path=path,
                )
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
            if len(texts[-1]) > guard.MAX_PAGE_CHARS:
                raise InputError(
                    f"page {i + 1} holds {len(texts[-1])} characters of text, over the "
                    f"{guard.MAX_PAGE_CHARS} limit",
                    path=path,
                )
            if time.monotonic() - started > guard.MAX_PARSE_SECONDS:
                raise InputError(
                    f"reading the PDF took over the {guard.MAX_PARSE_SECONDS:.0f} s limit "
                    f"(at page {i + 1} of {len(pdf)})",
                    path=path,
                    hint="split it, or print it to a simpler PDF",
                )
        return texts
    finally:
        pdf.close()


def _pypdf_pages(path: Path) -> list[str]:
    import pypdf

    try:
        reader = pypdf.PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputError("the PDF is encrypted (password protected)", path=path)
        return [page.extract_text() or "" for page in reader.pages]
    except InputError:
        raise
    except Exception as exc:  # pypdf raises many types for damaged files
        raise InputError(f"pypdf cannot read the PDF ({exc})", path=path) from exc


def tesseract_available() -> bool:
    exe = shutil.which("tesseract")
    if not exe:
        return False
    try:
        out = subprocess.run(
            [exe, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return "vie" in out.stdout.split()


OCR_DPI = 250


def _write_pgm(path: Path, pixels: Any) -> None:
    """A grayscale page image as binary PGM (tesseract reads it; no imaging library needed)."""
    height, width = pixels.shape[:2]
    with path.open("wb") as fh:
        fh.write(f"P5\n{width} {height}\n255\n".encode("ascii"))
        fh.write(pixels.reshape(height, width).tobytes())


def _ocr_pages(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    exe = shutil.which("tesseract")
    if exe is None:
        raise InputError(_OCR_HINT, path=path)
    pdf = pdfium.PdfDocument(str(path))
    texts: list[str] = []
    try:
        with tempfile.TemporaryDirectory(prefix="luatqa-ocr-") as tmp:
            for i in range(len(pdf)):
                bitmap = pdf[i].render(scale=OCR_DPI / 72, grayscale=True)
                image = Path(tmp) / f"p{i}.pgm"
                _write_pgm(image, bitmap.to_numpy())
                run = subprocess.run(
                    [exe, str(image), "stdout", "-l", "vie", "--psm", "4"],
                    capture_output=True,
                    text=True,
                    timeout=300,
                    check=False,
                )
                if run.returncode != 0:
                    raise InputError(
                        f"tesseract failed on page {i + 1}: {run.stderr[-300:]}", path=path
                    )
                texts.append(run.stdout)
    finally:
        pdf.close()
    return texts


def extract_pages(path: Path) -> tuple[list[str], list[str]]:
    """Page texts (NFC, normalised) and notes about how they were obtained."""
    notes: list[str] = []
    pages = [normalize_text(t) for t in _pdfium_pages(path)]
    if not pages:
        raise InputError("the PDF has no pages", path=path)
    chars = sum(len(t.strip()) for t in pages)
    if chars < _MIN_CHARS_PER_PAGE * len(pages):
        if not tesseract_available():
            raise InputError(_OCR_HINT, path=path, hint="luatqa cannot read images without OCR")
        pages = [normalize_text(t) for t in _ocr_pages(path)]
        notes.append("text from OCR (tesseract, vie); check provisions against the original")
        return pages, notes
    score = garbled_score("\n".join(pages))
    extractor = "pypdfium2"
    if score > GARBLED_THRESHOLD:
        alt = [normalize_text(t) for t in _pypdf_pages(path)]
        alt_score = garbled_score("\n".join(alt))
        if alt_score < score:
            pages, score, extractor = alt, alt_score, "pypdf"
        notes.append(f"pypdfium2 text looked garbled; tried pypdf (score {alt_score:.2f})")
    notes.append(f"text extracted with {extractor} (garbled score {score:.3f})")
    if score > GARBLED_THRESHOLD:
        notes.append("the extracted text still looks garbled: check provisions against the PDF")
    return pages, notes


_FOOTNOTE_START = re.compile(r"^(\d{1,3})\s+(?=[A-ZĐÀ-Ỹ\"“(])(.+)$")
_FOOTNOTE_WORDS = re.compile(
    r"sửa đổi|bổ sung|bãi bỏ|thay thế|hợp nhất|đính chính|hiệu lực|được ban hành", re.IGNORECASE
)


def split_pdf_footnotes(pages: list[list[str]]) -> tuple[list[list[str]], list[str]]:
    """Consolidated texts print their amendment notes at the page bottom ("12 Khoản này được
    sửa đổi, bổ sung theo …") and the markers as superscripts glued to a word ("thi hành12").

    Returns the pages without the notes, markers rewritten as "[12]", and the notes as
    "[12] …" lines (continuation lines joined) for :func:`ingest.footnotes.split_footnotes`.
    Only numbers that are both defined at a page bottom and glued to a word count."""
    bodies: list[list[str]] = []
    notes: dict[str, str] = {}
    for lines in pages:
        start = None
        for j, ln in enumerate(lines):
            m = _FOOTNOTE_START.match(ln)
            if m and _FOOTNOTE_WORDS.search(ln) and not is_structural(ln):
                start = j
                break
        if start is None:
            bodies.append(list(lines))
            continue
        bodies.append(list(lines[:start]))
        current: str | None = None
        for ln in lines[start:]:
            m = _FOOTNOTE_START.match(ln)
            if m and (_FOOTNOTE_WORDS.search(ln) or current is None):
                current = m.group(1)
                notes[current] = m.group(2).strip()
            elif current is not None and ln.strip():
                notes[current] = f"{notes[current]} {ln.strip()}"
    if not notes:
        return bodies, []
    numbers = "|".join(sorted(notes, key=len, reverse=True))
    # after a lower-case letter ("hành12") or after punctuation that follows a word ("này.12");
    # never after an upper-case letter or a digit ("QH14", "1.000")
    glued = re.compile(
        r"(?:(?<=[a-zà-ỹđ])|(?<=[^\d\s][.;:,)”\"]))(" + numbers + r")(?=[\s.,;:)”\"]|$)"
    )
    used: set[str] = set()

    def mark(m: re.Match[str]) -> str:
        used.add(m.group(1))
        return f"[{m.group(1)}]"

    bodies = [[glued.sub(mark, ln) for ln in page] for page in bodies]
    return bodies, [f"[{k}] {v}" for k, v in notes.items() if k in used]


def read_pdf(
    path: Path,
    *,
    find_refs: ReferenceFinder | None = None,
    extract: Callable[[Path], tuple[list[str], list[str]]] = extract_pages,
) -> list[Document]:
    pages, notes = extract(path)
    cleaned, footnotes = split_pdf_footnotes(drop_page_furniture([p.split("\n") for p in pages]))
    lines = [Line(text, page=i + 1) for i, page in enumerate(cleaned) for text in page]
    for note in footnotes:  # after the body, each its own paragraph
        lines += [Line(""), Line(note)]
    doc = document_from_lines(
        unwrap_lines(lines), str(path), find_refs=find_refs, pages=len(pages), warnings=notes
    )
    checks = [guard.gaps_note([a.number for a in doc.articles])]
    if doc.articles:
        last = doc.articles[-1]
        checks.append(guard.ending_note(last.number, last.title, last.text, len(doc.articles)))
    found = tuple(n for n in checks if n)
    return [replace(doc, warnings=(*doc.warnings, *found)) if found else doc]
