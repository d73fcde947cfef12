"""Makers of hostile and broken statute files for the tests (docs/reliability.md's table).

Each maker writes one file into a folder and returns its path; :data:`CASES` names every
case with the words its error must contain."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path

import pypdf
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

STATUTE = """QUỐC HỘI
Luật số: 46/2019/QH14
LUẬT THƯ VIỆN
Chương I
NHỮNG QUY ĐỊNH CHUNG
Điều 1. Phạm vi điều chỉnh
Luật này quy định về thành lập, hoạt động thư viện; quyền của người sử dụng thư viện.
Điều 2. Giải thích từ ngữ
1. Thư viện là thiết chế văn hóa, thông tin, giáo dục, khoa học.
2. Tài nguyên thông tin được thu thập, xử lý, lưu giữ của thư viện.
"""


def blank_pdf(pages: int = 1, width: float = 595, height: float = 842) -> pypdf.PdfWriter:
    writer = pypdf.PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width, height)
    return writer


def pdf_bytes(writer: pypdf.PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def with_javascript() -> bytes:
    writer = blank_pdf()
    action = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('pwned');"),
        }
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    return pdf_bytes(writer)


def with_attachment() -> bytes:
    writer = blank_pdf()
    writer.add_attachment("payload.exe", b"MZ\x90\x00 not really")
    return pdf_bytes(writer)


def encrypted() -> bytes:
    writer = blank_pdf()
    writer.encrypt("secret")
    return pdf_bytes(writer)


def docx_zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return out.getvalue()


def zip_bomb() -> bytes:
    """A .docx whose document part unpacks 1000× (50 MB of one repeated byte)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("word/document.xml", "w") as part:
            block = b"\x20" * (1024 * 1024)
            for _ in range(50):
                part.write(block)
        z.writestr("[Content_Types].xml", b"<Types/>")
    return out.getvalue()


def many_parts() -> bytes:
    return docx_zip({f"word/p{i}.xml": b"<x/>" for i in range(2100)})


# ---- legacy Vietnamese encodings -----------------------------------------------------------
_TONES = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """Windows-1258 as Word writes it: base letters (â ê ô ơ ư ă đ precomposed) followed by
    a combining tone mark."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in parts if c in _TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        out += (base + tones).encode("cp1258")
    return bytes(out)


# the words the detection looks for, in each font encoding (bytes as a Latin-1 string), and
# a statute-like text spelled with them
TCVN3_TEXT = "Lu\xcbt s\xe8 46\n\xa7i\xd2u 1. Ph\xb9m vi\nng\xad\xeai \xae\xad\xeec c\xf1a\n"
VNI_TEXT = (
    "Lua\xe4t soá 46\n\xd1ie\xe0u 1. Pha\xefm vi\nng\xf6\xf4\xf8i \xf1\xf6\xf4\xefc cu\xfba\n"
)


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


Maker = Callable[[], bytes]
GOOD_PDF = pdf_bytes(blank_pdf())
# (file name, content maker, words the error must contain)
CASES: list[tuple[str, Maker, str]] = [
    ("empty.pdf", lambda: b"", "empty"),
    ("empty.txt", lambda: b"", "empty"),
    ("empty.docx", lambda: b"", "empty"),
    ("truncated.pdf", lambda: GOOD_PDF[: len(GOOD_PDF) // 2], "truncated"),
    ("corrupt.pdf", lambda: b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n", "PDF"),
    ("encrypted.pdf", encrypted, "encrypted"),
    ("javascript.pdf", with_javascript, "JavaScript"),
    ("attachment.pdf", with_attachment, "embedded files"),
    ("too-many-pages.pdf", lambda: pdf_bytes(blank_pdf(2001)), "over the limit of 2000"),
    ("giant-page.pdf", lambda: pdf_bytes(blank_pdf(1, 20000, 20000)), "14400 pt limit"),
    ("docx-named.pdf", lambda: docx_zip({"word/document.xml": b"<w/>"}), "named .pdf"),
    ("image-named.pdf", lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "PNG image"),
    ("pdf-named.txt", lambda: GOOD_PDF, "its content is a PDF"),
    ("program-named.txt", lambda: b"\x7fELF\x02\x01\x01" + b"\x00" * 64, "program"),
    ("text-named.docx", lambda: STATUTE.encode(), "named .docx"),
    ("old-word.docx", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, ".doc"),
    ("binary-named.json", lambda: b"\x00\x01\x02garbage", "binary"),
    ("broken-zip.docx", lambda: b"PK\x03\x04" + b"\x00" * 100, "docx"),
    ("zip-bomb.docx", zip_bomb, "zip bomb"),
    ("many-parts.docx", many_parts, "over the 2000 limit"),
    ("not-word.docx", lambda: docx_zip({"hello.txt": b"hi"}), "docx"),
    ("tcvn3.txt", lambda: TCVN3_TEXT.encode("latin-1"), "TCVN3"),
    ("vni.txt", lambda: VNI_TEXT.encode("latin-1"), "VNI"),
    ("tcvn3-as-utf8.txt", lambda: TCVN3_TEXT.encode("utf-8"), "TCVN3"),
    ("latin1-junk.txt", lambda: bytes(range(128, 256)) * 4, "not UTF-8"),
    ("no-articles.txt", lambda: "Chỉ là một đoạn văn.\n".encode(), "no article"),
    ("bad-law.json", lambda: b'[{"id": "x", "articles": 5}]', "cannot read"),
]
