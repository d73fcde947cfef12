"""Amendment notes of consolidated texts: footnotes such as "[12] Khoản này được sửa đổi, bổ
sung theo quy định tại khoản 3 Điều 1 của Luật số 12/2017/QH14, có hiệu lực từ ngày …".

A line "[12] …" defines footnote 12 (:func:`split_footnotes`); markers "[12]" inside
provisions are removed and the note attached to the provision where the marker was
(:func:`take_markers`). Split out of :mod:`ingest.structure`, which uses both.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ingest.cleaning import Line
from legal.address import LegalAddress
from legal.document import AmendmentNote

FOOTNOTE_DEF_RE = re.compile(r"^\[(\d{1,3})\]\s*(.+)$")
FOOTNOTE_MARK_RE = re.compile(r"\s?\[(\d{1,3})\]")
DOC_NUMBER = r"\d+/(?:\d{4}/)?[A-ZĐ][A-ZĐ0-9]*(?:-[A-ZĐ0-9]+)*"

_ACTIONS = (
    ("sửa đổi, bổ sung", re.compile(r"sửa đổi,?\s+bổ sung", re.IGNORECASE)),
    ("bãi bỏ", re.compile(r"bãi bỏ", re.IGNORECASE)),
    ("thay thế", re.compile(r"thay thế", re.IGNORECASE)),
    ("bổ sung", re.compile(r"bổ sung", re.IGNORECASE)),
    ("sửa đổi", re.compile(r"sửa đổi", re.IGNORECASE)),
    ("đính chính", re.compile(r"đính chính", re.IGNORECASE)),
)
_BY_ADDRESS_RE = re.compile(
    r"(?:điểm\s+(?P<point>[a-zđ])\s+)?(?:khoản\s+(?P<clause>\d+[a-zđ]?)\s+)?"
    r"Điều\s+(?P<article>\d+[a-zđ]?)\s+(?:của\s+)?"
    r"(?:[^\d]{0,80}?)\bsố\s+(?P<doc>" + DOC_NUMBER + ")",
    re.IGNORECASE,
)
_BY_DOC_RE = re.compile(r"\bsố\s*:?\s*(" + DOC_NUMBER + ")")
_EFFECTIVE_RE = re.compile(
    r"hiệu lực[^.;]*?(?:từ\s+)?ngày\s+(\d{1,2})\s*(?:tháng\s+|/\s*)"
    r"(\d{1,2})\s*(?:năm\s+|/\s*)(\d{4})",
    re.IGNORECASE,
)


def parse_amendment_note(marker: str, text: str) -> AmendmentNote:
    """Read action, amending document, its provision and the effective date from a footnote."""
    action = next((name for name, rx in _ACTIONS if rx.search(text)), None)
    by_document: str | None = None
    by_address: LegalAddress | None = None
    m = _BY_ADDRESS_RE.search(text)
    if m:
        by_document = m.group("doc")
        by_address = LegalAddress(
            by_document, m.group("article"), m.group("clause"), m.group("point")
        )
    else:
        d = _BY_DOC_RE.search(text)
        by_document = d.group(1) if d else None
    effective = None
    e = _EFFECTIVE_RE.search(text)
    if e:
        day, month, year = (int(g) for g in e.groups())
        effective = f"{year:04d}-{month:02d}-{day:02d}"
    return AmendmentNote(marker, text, action, by_document, by_address, effective)


def split_footnotes(lines: Sequence[Line]) -> tuple[list[Line], dict[str, AmendmentNote]]:
    """Separate footnote definitions ("[12] Khoản này được …") from the provision lines."""
    body: list[Line] = []
    notes: dict[str, AmendmentNote] = {}
    for line in lines:
        m = FOOTNOTE_DEF_RE.match(line.text)
        if m:
            notes[m.group(1)] = parse_amendment_note(m.group(1), m.group(2).strip())
        else:
            body.append(line)
    return body, notes


def take_markers(text: str, notes: dict[str, AmendmentNote]) -> tuple[str, list[AmendmentNote]]:
    """Remove "[12]" markers from ``text``; return the notes they point to."""
    found: list[AmendmentNote] = []

    def repl(m: re.Match[str]) -> str:
        marker = m.group(1)
        found.append(notes.get(marker) or AmendmentNote(marker, ""))
        return ""

    return FOOTNOTE_MARK_RE.sub(repl, text).strip(), found
