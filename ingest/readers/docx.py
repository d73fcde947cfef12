"""Word statutes (.docx): one paragraph per line, then the same structure parser.

Paragraphs are already whole (no hard wraps), so no unwrapping; soft line breaks inside a
paragraph are kept as separate lines only when the next part is a structural start.
Tables (signature blocks, annexes) are ignored.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from ingest.cleaning import Line, is_structural, normalize_text
from ingest.readers.text import document_from_lines
from ingest.structure import ReferenceFinder
from legal.document import Document
from legal.errors import InputError


def docx_lines(path: Path) -> list[Line]:
    import docx
    from docx.opc.exceptions import OpcError

    try:
        document = docx.Document(str(path))
    except (OpcError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError(
            f"not a readable .docx ({exc})",
            path=path,
            hint="save it again from Word/LibreOffice as .docx (old .doc is not supported)",
        ) from exc
    lines: list[Line] = []
    for para in document.paragraphs:
        parts = [p.strip() for p in normalize_text(para.text).split("\n") if p.strip()]
        merged: list[str] = []
        for part in parts:
            if merged and not is_structural(part):
                merged[-1] = f"{merged[-1]} {part}"
            else:
                merged.append(part)
        lines.extend(Line(m) for m in merged)
    return lines


def read_docx(path: Path, *, find_refs: ReferenceFinder | None = None) -> list[Document]:
    return [document_from_lines(docx_lines(path), str(path), find_refs=find_refs)]
