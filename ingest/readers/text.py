"""Plain-text statutes (.txt, .md): the way a lawyer's copy of a statute looks.

Header lines (issuer, "Luật số: 45/2019/QH14", date, the all-caps title), then "Chương I" + title,
"Mục 1. …", "Điều 1. Title", clauses "1. …", points "a) …". Hard-wrapped or one paragraph per
line both work. In ``.txt`` files lines starting with "#" are comments (e.g. a note that the
file is an excerpt); in ``.md`` files heading marks ("## ") and bold marks are stripped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from ingest.cleaning import Line, normalize_text
from ingest.guard import decode_text
from ingest.layouts import straighten, unwrap_lines
from ingest.metadata import read_header
from ingest.structure import ARTICLE_RE, ReferenceFinder, match_division, parse_structure
from legal.document import Document, DocumentMeta
from legal.errors import InputError

_MD_HEADING = re.compile(r"^\s*#{1,6}\s+")
_PASSED_RE = re.compile(
    r"được Quốc hội.*thông qua ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})"
)
_MD_BOLD = re.compile(r"(\*\*|__)(.+?)\1")


def read_text(path: Path, *, find_refs: ReferenceFinder | None = None) -> list[Document]:
    """A text statute; UTF-8, or a legacy encoding :func:`ingest.guard.decode_text` decodes
    (noted in the document's warnings) or refuses by name."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc}", path=path) from exc
    raw, notes = decode_text(data, path)
    lines = text_lines(raw, markdown=path.suffix.lower() == ".md")
    return [
        document_from_lines(unwrap_lines(lines), str(path), find_refs=find_refs, warnings=notes)
    ]


def text_lines(raw: str, *, markdown: bool = False) -> list[Line]:
    lines: list[Line] = []
    raw = re.sub(r"<!--.*?-->", "", raw, flags=re.DOTALL) if markdown else raw
    for line in normalize_text(raw).split("\n"):
        if markdown:
            line = _MD_BOLD.sub(r"\2", _MD_HEADING.sub("", line)).strip()
        elif line.startswith("#"):
            continue
        lines.append(Line(line))
    return lines


def parse_text(
    raw: str,
    *,
    source: str | None = None,
    markdown: bool = False,
    find_refs: ReferenceFinder | None = None,
) -> Document:
    """Parse a statute given as text (no page numbers)."""
    return document_from_lines(
        unwrap_lines(text_lines(raw, markdown=markdown)), source, find_refs=find_refs
    )


def document_from_lines(
    lines: Sequence[Line],
    source: str | None,
    *,
    find_refs: ReferenceFinder | None = None,
    pages: int | None = None,
    warnings: Sequence[str] = (),
) -> Document:
    """Header → metadata; body → structure. Shared by the text, PDF and DOCX readers.
    Layouts seen in the wild (a table of contents first, glued headings) are straightened
    first (:mod:`ingest.layouts`)."""
    lines = straighten(lines)
    # The id is needed by the reference finder before the body is parsed: read the header
    # from the lines before the first article heading first.
    head: list[str] = []
    for ln in lines:
        if ARTICLE_RE.match(ln.text) or match_division(ln.text):
            break
        head.append(ln.text)
    info = read_header(head)
    title = info.title
    doc_id = info.number or title
    if doc_id is None:
        doc_id = Path(source).stem if source else "document"
    parsed = parse_structure(lines, doc_id, find_refs=find_refs)
    if not parsed.articles:
        raise InputError(
            "no article (a line 'Điều 1. …') was found",
            path=source,
            hint="is this a statute? Articles must start a line: 'Điều 1. Phạm vi điều chỉnh'",
        )
    notes: list[str] = list(warnings) + list(parsed.warnings)
    if info.number is None:
        notes.append("no document number (số hiệu) in the header; the title is used as id")
    if title is None:
        notes.append("no title line found in the header")
    date, year = info.date, info.year
    if date is None:  # Công báo copies often lack the place-and-date line: use the closing formula
        passed = next((m for ln in lines if (m := _PASSED_RE.search(ln.text))), None)
        if passed:
            day, month, y = (int(g) for g in passed.groups())
            date, year = f"{y:04d}-{month:02d}-{day:02d}", y
    meta = DocumentMeta(
        doc_id=doc_id,
        number=info.number,
        doc_type=info.doc_type,
        title=title or doc_id,
        issuer=info.issuer,
        date=date,
        source=source,
        year=year,
    )
    return Document(meta, parsed.articles, parsed.divisions, pages, tuple(notes), parsed.appendices)
