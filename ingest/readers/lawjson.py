"""ALQAC ``law.json`` (2022 and 2024 editions): one :class:`Document` per law.

Format: ``[{"id": "45/2019/QH14", "articles": [{"id": "1", "text": "Title\\n\\nBody…"}]}]``.
The article's title is its first line (the Constitution's articles have none); the body
follows with clauses "1. …" and points "a) …". Division headings that leaked into an
article's tail ("Phần thứ hai" / "QUYỀN SỞ HỮU …") become divisions; the closing formula and
the signature block after the last article are dropped.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from ingest.article_body import CLAUSE_RE, POINT_RE
from ingest.cleaning import Line, normalize_text
from ingest.structure import ReferenceFinder, parse_structure
from legal.document import DivisionKind, DocType, Document, DocumentMeta
from legal.errors import InputError

# ALQAC 2022 names laws by number only; their titles, types and years.
KNOWN_NUMBERS: dict[str, tuple[str, DocType, int]] = {
    "45/2019/QH14": ("Bộ luật Lao động", DocType.BO_LUAT, 2019),
    "91/2015/QH13": ("Bộ luật Dân sự", DocType.BO_LUAT, 2015),
    "24/2018/QH14": ("Luật An ninh mạng", DocType.LUAT, 2018),
    # the consolidated Criminal Code (100/2015/QH13 as amended by 12/2017/QH14)
    "01/VBHN-VPQH": ("Bộ luật Hình sự", DocType.VAN_BAN_HOP_NHAT, 2015),
}
_NUMBER_RE = re.compile(r"^\d+/(?:\d{4}/)?[A-ZĐ][A-ZĐ0-9]*(?:-[A-ZĐ0-9]+)*$")
_PASSED_RE = re.compile(r"thông qua ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})")
_END_PUNCT = (".", ";", ":", "!", "?", ",")


def is_alqac_law_file(data: Any) -> bool:
    return (
        isinstance(data, list)
        and bool(data)
        and all(isinstance(x, dict) and "id" in x and "articles" in x for x in data)
    )


def read_alqac(path: Path, *, find_refs: ReferenceFinder | None = None) -> list[Document]:
    """Every law of an ALQAC ``law.json``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(
            f"cannot read ALQAC law file: {exc}",
            path=path,
            hint="expected a UTF-8 JSON list of {'id', 'articles': [{'id', 'text'}]}",
        ) from exc
    if not is_alqac_law_file(data):
        raise InputError(
            "not an ALQAC law.json (a list of {'id', 'articles'} objects)",
            path=path,
            hint="give a law.json from ALQAC 2022/2024, or the statute as .pdf/.txt/.docx",
        )
    return [law_document(law, path, find_refs=find_refs) for law in data]


def _title_and_body(text: str) -> tuple[str, list[str]]:
    lines = [ln for ln in normalize_text(text).split("\n") if ln]
    if not lines:
        return "", []
    first = lines[0]
    is_title = (
        len(lines) > 1
        and not first.endswith(_END_PUNCT)
        and not CLAUSE_RE.match(first)
        and not POINT_RE.match(first)
    )
    return (first, lines[1:]) if is_title else ("", lines)


def law_document(
    law: dict[str, Any], path: Path, *, find_refs: ReferenceFinder | None = None
) -> Document:
    law_id = normalize_text(str(law["id"])).strip()
    lines: list[Line] = []
    numbers = frozenset(str(a["id"]).strip() for a in law.get("articles", []))
    for art in law.get("articles", []):
        title, body = _title_and_body(str(art.get("text", "")))
        lines.append(Line(f"Điều {str(art['id']).strip()}. {title}".rstrip()))
        lines.extend(Line(b) for b in body)
    parsed = parse_structure(
        lines, law_id, find_refs=find_refs, article_numbers=numbers, title_on_next_line=False
    )
    if not parsed.articles:
        raise InputError(f"law {law_id!r} has no articles", path=path)

    year: int | None = None
    date: str | None = None
    tail = "\n".join(str(a.get("text", "")) for a in law.get("articles", [])[-2:])
    m = _PASSED_RE.search(tail)
    if m:
        day, month, y = (int(g) for g in m.groups())
        year, date = y, f"{y:04d}-{month:02d}-{day:02d}"

    if law_id in KNOWN_NUMBERS:
        title, doc_type, year = KNOWN_NUMBERS[law_id]
        number: str | None = law_id
    elif _NUMBER_RE.match(law_id):
        title, doc_type, number = law_id, _type_from_number(law_id), law_id
    else:
        title, doc_type, number = law_id, DocType.from_text(law_id), None
    warnings = list(parsed.warnings)
    expected = len(law.get("articles", []))
    if len(parsed.articles) != expected:
        warnings.append(f"{expected} articles in the file, {len(parsed.articles)} parsed")
    meta = DocumentMeta(
        doc_id=law_id,
        number=number,
        doc_type=doc_type,
        title=title,
        issuer=_issuer(doc_type, number),
        date=date,
        source=str(path),
        year=year,
    )
    # Only "Phần" headings survive reliably in ALQAC tails (no Chương/Mục at all): keep those,
    # drop the orphan "Tiểu mục" ones, which would mislabel every article after them.
    articles = tuple(replace(a, section=None, subsection=None) for a in parsed.articles)
    divisions = tuple(d for d in parsed.divisions if d.kind is DivisionKind.PART)
    return Document(meta, articles, divisions, None, tuple(warnings))


def _issuer(doc_type: DocType, number: str | None) -> str | None:
    if number and number.upper().endswith("VBHN-VPQH"):
        return "Văn phòng Quốc hội"
    if doc_type in (DocType.LUAT, DocType.BO_LUAT, DocType.HIEN_PHAP):
        return "Quốc hội"
    return None


def _type_from_number(number: str) -> DocType:
    # ALQAC names only codes and laws by number: a National Assembly ("/QH") number is a law
    if number.rsplit("/", 1)[-1].upper().startswith("QH"):
        return DocType.LUAT
    return DocType.from_number(number)
