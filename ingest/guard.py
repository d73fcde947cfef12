"""Hostile and broken files: checks made before a reader sees a file, and the limits.

Every file reaches the readers through :func:`ingest.load.load_documents_from_file` (the CLI's
``luatqa ingest`` and the UI's upload both), which calls :func:`check_file` first. Decisions:

* **Content, not name.** The extension picks the reader, so the first bytes must agree with
  it: a ``.pdf`` starts with ``%PDF-`` (within its first KiB, as readers accept), a ``.docx``
  is a zip, a ``.txt``/``.md``/``.json`` is text (no NUL byte, no known binary signature).
  A file that lies is refused, naming what it really is.
* **Zip bombs.** A ``.docx`` is inspected before python-docx opens it: at most
  :data:`MAX_ZIP_ENTRIES` entries, :data:`MAX_ZIP_MB` uncompressed in all, and no entry
  compressed more than :data:`MAX_ZIP_RATIO` times (Word's own XML compresses ~10×).
* **Legacy encodings.** A text file that is not UTF-8 is decoded as Windows-1258 when the
  result reads as Vietnamese ("Điều 1" appears), with a note; TCVN3 (ABC) and VNI — font
  encodings with no codec in Python — are recognised by the way they spell "Điều", "được",
  "của", "người" and refused, naming the encoding and the fix.
* **PDF limits** (:mod:`ingest.readers.pdf` applies them): :data:`MAX_PDF_PAGES` pages,
  pages no larger than :data:`MAX_PAGE_PT` points a side (the PDF format's own maximum),
  :data:`MAX_PAGE_CHARS` characters of text a page, :data:`MAX_PARSE_SECONDS` of extraction;
  a truncated file (no ``%%EOF`` at its end), JavaScript and embedded files are refused.
  Each error states the limit.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from pathlib import Path

from legal.errors import InputError

MAX_PDF_PAGES = 2000  # the Civil Code is ~200 pages; a code with annexes < 1000
MAX_PAGE_PT = 14400.0  # 200 inches: the largest page the PDF format allows (ISO 32000)
MAX_PAGE_CHARS = 100_000  # a dense A4 page holds ~5000
MAX_PARSE_SECONDS = 120.0  # the Labor Code (54 pages) takes ~1 s
MAX_TEXT_MB = 64
MAX_ZIP_ENTRIES = 2000
MAX_ZIP_MB = 200
MAX_ZIP_RATIO = 100

_BINARY = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x7fELF", "a program (ELF)"),
    (b"MZ", "a Windows program"),
    (b"\xd0\xcf\x11\xe0", "an old Word/Excel file (.doc/.xls)"),
    (b"{\\rtf", "an RTF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
)
_WANTED = {".pdf": "pdf", ".docx": "zip", ".txt": "text", ".md": "text", ".json": "text"}
_NAMES = {"pdf": "a PDF", "zip": "a zip archive (.docx?)", "text": "text"}
_SUFFIX_FOR = {"pdf": ".pdf", "zip": ".docx", "text": ".txt"}

# "Điều", "được", "của", "người", "Chương", "Luật" as each font encoding's bytes read as
# Latin-1 (TCVN3's ư is the byte 0xAD)
_LEGACY = {
    "TCVN3 (ABC)": ("§iÒu", "®\xadîc", "cña", "ng\xadêi", "Ch\xad¬ng", "LuËt"),
    "VNI": ("Ñieàu", "ñöôïc", "cuûa", "ngöôøi", "Chöông", "Luaät"),
}


def content_kind(head: bytes) -> tuple[str, str]:
    """(kind, description) of a file from its first bytes: kind is 'pdf', 'zip', 'text' or
    'binary'."""
    if b"%PDF-" in head[:1024]:
        return "pdf", _NAMES["pdf"]
    if head.startswith(b"PK"):  # a zip, or what is left of one
        return "zip", _NAMES["zip"]
    for magic, what in _BINARY:
        if head.startswith(magic):
            return "binary", what
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary", "binary data"
    return "text", _NAMES["text"]


def check_file(path: Path) -> None:
    """Refuse a file whose content does not match its extension, or a zip bomb."""
    suffix = path.suffix.lower()
    wanted = _WANTED.get(suffix)
    if wanted is None:
        return  # the loader refuses the type itself
    with path.open("rb") as fh:
        head = fh.read(4096)
    kind, what = content_kind(head)
    if kind != wanted:
        better = _SUFFIX_FOR.get(kind)
        raise InputError(
            f"the file is named {suffix} but its content is {what}",
            path=path,
            hint=(f"if it is a statute, rename it to {better}; " if better else "")
            + f"a {suffix} file must be {_NAMES[wanted]}",
        )
    if kind == "zip":
        check_zip(path)
    if kind == "text" and path.stat().st_size > MAX_TEXT_MB * 1024 * 1024:
        raise InputError(
            f"the text file is over the {MAX_TEXT_MB} MB limit", path=path, hint="split it"
        )


def check_zip(path: Path) -> None:
    """A .docx: a readable zip within the entry, size and ratio limits."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(f"not a readable .docx (damaged zip: {exc})", path=path) from exc
    if len(infos) > MAX_ZIP_ENTRIES:
        raise InputError(
            f"the .docx holds {len(infos)} parts, over the {MAX_ZIP_ENTRIES} limit", path=path
        )
    total = sum(i.file_size for i in infos)
    if total > MAX_ZIP_MB * 1024 * 1024:
        raise InputError(
            f"the .docx unpacks to {total / 2**20:.0f} MB, over the {MAX_ZIP_MB} MB limit "
            "(a zip bomb?)",
            path=path,
        )
    for i in infos:
        if i.file_size > 1024 * 1024 and i.file_size > MAX_ZIP_RATIO * max(i.compress_size, 1):
            raise InputError(
                f"part {i.filename!r} of the .docx is compressed "
                f"{i.file_size // max(i.compress_size, 1)}× (limit {MAX_ZIP_RATIO}×): "
                "a zip bomb?",
                path=path,
            )


def legacy_encoding(text: str) -> str | None:
    """The font encoding (TCVN3, VNI) this text is spelled in, if any."""
    for name, words in _LEGACY.items():
        if sum(w in text for w in words) >= 2:
            return name
    return None


def _refuse_legacy(name: str, path: Path) -> InputError:
    return InputError(
        f"the text is in the {name} encoding (an old Vietnamese font encoding), not Unicode",
        path=path,
        hint=f"convert it to Unicode first (Unikey's converter: {name} → Unicode) and save "
        "it as UTF-8",
    )


def decode_text(raw: bytes, path: Path) -> tuple[str, list[str]]:
    """The text of a statute file and notes on how it was decoded."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), ["decoded from UTF-16"]
        except UnicodeDecodeError as exc:
            raise InputError(f"broken UTF-16 text ({exc})", path=path) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        if (name := legacy_encoding(text)) is not None:
            raise _refuse_legacy(name, path)
        return text, []
    if (name := legacy_encoding(raw.decode("latin-1"))) is not None:
        raise _refuse_legacy(name, path)
    try:
        text = unicodedata.normalize("NFC", raw.decode("cp1258"))
    except UnicodeDecodeError:
        text = None
    if text is not None and re.search(r"Điều\s+\d", text):
        return text, ["decoded from Windows-1258 (not UTF-8): check the text against the source"]
    raise InputError(
        "the file is not UTF-8 text (nor Windows-1258, TCVN3 or VNI Vietnamese)",
        path=path,
        hint="save it as UTF-8 (Vietnamese Unicode), e.g. with 'iconv -t UTF-8'",
    )


def missing_articles(numbers: list[str]) -> list[tuple[int, int]]:
    """Runs of article numbers absent from a document that should hold them all: before the
    first one and between two in a row ("1, 2, 5" → [(3, 4)]). Suffixed articles ("5a",
    inserted by an amendment) count as their number."""
    seen = sorted({int(m.group()) for n in numbers if (m := re.match(r"\d+", n))})
    runs: list[tuple[int, int]] = []
    expected = 1
    for n in seen:
        if n > expected:
            runs.append((expected, n - 1))
        expected = n + 1
    return runs


def gaps_note(numbers: list[str]) -> str | None:
    """The warning a PDF's document carries when articles are missing from its text: damage
    the PDF engine repairs silently (fuzzing found it drops pages) or a layout the parser
    missed. Decision: a warning, not a refusal — the articles read are right, and a reader
    sees it in the CLI report and the UI."""
    runs = missing_articles(numbers)
    if not runs:
        return None
    shown = ", ".join(f"{a}" if a == b else f"{a}–{b}" for a, b in runs[:5])
    more = "…" if len(runs) > 5 else ""
    one = len(runs) == 1 and runs[0][0] == runs[0][1]
    return (
        f"{'article' if one else 'articles'} {shown}{more} {'is' if one else 'are'} missing "
        "from the text (a damaged file, or a layout not understood): check against the PDF"
    )


# the provisions a statute, decree or circular ends on, folded
_CLOSING = re.compile(r"hieu luc|thi hanh|chuyen tiep|to chuc thuc hien|dieu khoan cuoi")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    return "".join(c for c in text if not unicodedata.combining(c))


def ending_note(number: str, title: str, text: str, n_articles: int) -> str | None:
    """The warning a PDF's document carries when its text seems to stop early: its last
    article (``number``, ``title``, ``text``) is not a closing provision ("Hiệu lực thi
    hành", "Điều khoản chuyển tiếp", "Trách nhiệm thi hành", "Tổ chức thực hiện") and its
    text does not end on the "./." that ends a Vietnamese legal text. A hole in the
    numbering shows pages lost in the middle (:func:`gaps_note`); this shows lost *last*
    pages (fuzzing: 3 of 300 damaged copies of real PDFs lost their end unseen). The four
    real PDFs of the shared corpus all end on a closing provision."""
    if n_articles < 3 or _CLOSING.search(_fold(title)) or text.rstrip().endswith("./."):
        return None
    named = f" ({title})" if title else ""
    return (
        f"the text ends on article {number}{named}, not on a closing provision (Hiệu lực thi "
        "hành …): the end of the document may be missing; check against the PDF"
    )
