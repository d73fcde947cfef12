"""The statute structure parser: Phần / Chương / Mục / Tiểu mục / Điều / Khoản / Điểm.

Input: the document's lines after :func:`ingest.cleaning.unwrap` (one paragraph per line, with
page numbers). Output: divisions and articles (:mod:`legal.document`).

Rules (Vietnamese drafting conventions, Nghị định 34/2016 and Luật Ban hành VBQPPL):

* an article heading is ``Điều N. Title`` at line start, and N must be greater than the
  previous article's number ("Điều 35 của Bộ luật này" never matches: no period; a stray
  "Điều 12. …" after Điều 40 is body text);
* a clause is ``N. …`` numbered in sequence (1, 2, 2a, 3 …); a point is ``a) …`` in the
  Vietnamese letter order a b c d đ e g h i k l m n o p q r s t u v x y;
* an unnumbered paragraph after a clause belongs to that clause (Labor Code Điều 105:
  the paragraph after clause 2 is part of clause 2); after a point it belongs to the clause
  around the point (or to the article when the points sit directly under it);
* division headings: "Chương I" / "Chương I. TITLE" / "Mục 1. TITLE" / "Phần thứ nhất" /
  "Tiểu mục 2", the title on the same line or on the following all-caps line(s);
* consolidated texts: a line "[12] Khoản này được sửa đổi, bổ sung theo quy định tại …"
  defines footnote 12; markers "[12]" inside provisions are removed and the note attached to
  the provision where the marker was;
* after the closing formula ("Bộ luật này được Quốc hội … thông qua ngày …") only signatures
  follow, which are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ingest.cleaning import Line, is_structural
from legal.address import LegalAddress
from legal.document import (
    AmendmentNote,
    Article,
    Clause,
    CrossReference,
    Division,
    DivisionKind,
    Point,
)

#: the letters used for Điểm, in order
POINT_LETTERS = [
    "a",
    "b",
    "c",
    "d",
    "đ",
    "e",
    "g",
    "h",
    "i",
    "k",
    "l",
    "m",
    "n",
    "o",
    "p",
    "q",
    "r",
    "s",
    "t",
    "u",
    "v",
    "x",
    "y",
]
_POINT_INDEX = {letter: i for i, letter in enumerate(POINT_LETTERS)}

ARTICLE_RE = re.compile(r"^Điều\s+(\d+)([a-zđ]?)\s*[.:](?:\s+|$)(.*)$")
CLAUSE_RE = re.compile(r"^(\d+)([a-zđ]?)\.\s+(.*)$")
POINT_RE = re.compile(r"^([a-zđ])(\d?)\)\s+(.*)$")
_DIVISION_RES: tuple[tuple[DivisionKind, re.Pattern[str]], ...] = (
    (
        DivisionKind.SUBSECTION,
        re.compile(r"^(?:Tiểu mục|TIỂU MỤC)\s+(\d+)(?:\s*[.:]\s*|\s+|$)(.*)$"),
    ),
    (
        DivisionKind.PART,
        re.compile(
            r"^(?:Phần|PHẦN)\s+((?:thứ|THỨ|Thứ)\s+[^\s.:]+|[IVXLC]+|\d+)(?:\s*[.:]\s*|\s+|$)(.*)$"
        ),
    ),
    (
        DivisionKind.CHAPTER,
        re.compile(r"^(?:Chương|CHƯƠNG)\s+([IVXLC]+|\d+)(?:\s*[.:]\s*|\s+|$)(.*)$"),
    ),
    (DivisionKind.SECTION, re.compile(r"^(?:Mục|MỤC)\s+(\d+)(?:\s*[.:]\s*|\s+|$)(.*)$")),
)
FOOTNOTE_DEF_RE = re.compile(r"^\[(\d{1,3})\]\s*(.+)$")
FOOTNOTE_MARK_RE = re.compile(r"\s?\[(\d{1,3})\]")
CLOSING_RE = re.compile(
    r"^(?:Bộ luật|Luật|Hiến pháp|Pháp lệnh|Nghị quyết|Văn bản)\s+(?:này\s+)?(?:đã\s+)?được\s+"
    r"(?:Quốc hội|Ủy ban thường vụ Quốc hội|Uỷ ban thường vụ Quốc hội)\b.*thông qua",
    re.IGNORECASE,
)
_DOC_NUMBER = r"\d+/(?:\d{4}/)?[A-ZĐ][A-ZĐ0-9]*(?:-[A-ZĐ0-9]+)*"
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}

ReferenceFinder = Callable[[str, str, "str | None"], list[CrossReference]]


def roman_to_int(text: str) -> int | None:
    if not text or any(c not in _ROMAN for c in text):
        return None
    total = 0
    for i, c in enumerate(text):
        v = _ROMAN[c]
        total += -v if i + 1 < len(text) and _ROMAN[text[i + 1]] > v else v
    return total


def _number_key(number: str, suffix: str) -> tuple[int, str]:
    return (int(number), suffix)


def _is_caps(text: str) -> bool:
    # no lower-case letter, at least one upper-case one ("CHƯƠNG I", "BỘ LUẬT LAO ĐỘNG")
    return len(text) >= 2 and text == text.upper() and text != text.lower()


# ---- footnotes (amendment notes) ------------------------------------------------------------

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
    r"(?:[^\d]{0,80}?)\bsố\s+(?P<doc>" + _DOC_NUMBER + ")",
    re.IGNORECASE,
)
_BY_DOC_RE = re.compile(r"\bsố\s*:?\s*(" + _DOC_NUMBER + ")")
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


# ---- the article body -----------------------------------------------------------------------


@dataclass
class _PointB:
    letter: str
    lines: list[str]
    notes: list[AmendmentNote] = field(default_factory=list)


@dataclass
class _ClauseB:
    number: str
    lines: list[str]  # own paragraphs (number line, paragraphs after points)
    notes: list[AmendmentNote] = field(default_factory=list)
    points: list[_PointB] = field(default_factory=list)
    all_lines: list[str] = field(default_factory=list)  # everything in order
    lead_in: str = ""


def _next_letter_ok(prev: str | None, letter: str) -> bool:
    if letter not in _POINT_INDEX:
        return False
    if prev is None:
        return letter == "a"
    return _POINT_INDEX[letter] == _POINT_INDEX[prev] + 1


def _next_clause_ok(prev: tuple[int, str] | None, key: tuple[int, str]) -> bool:
    if prev is None:
        return key == (1, "")
    return key > prev and key[0] in (prev[0], prev[0] + 1)


@dataclass(frozen=True)
class Placement:
    """Where an article sits: its divisions (numbers as printed) and PDF pages."""

    part: str | None = None
    chapter: str | None = None
    section: str | None = None
    subsection: str | None = None
    page_start: int | None = None
    page_end: int | None = None


def parse_article_body(
    doc_id: str,
    number: str,
    title: str,
    body: Sequence[str],
    *,
    notes: dict[str, AmendmentNote] | None = None,
    heading_notes: Sequence[AmendmentNote] = (),
    find_refs: ReferenceFinder | None = None,
    placement: Placement = Placement(),
) -> Article:
    """Build an :class:`Article` from its body paragraphs (heading excluded)."""
    notes = notes or {}
    art_lines: list[str] = []  # article-level text before the first clause
    art_notes: list[AmendmentNote] = list(heading_notes)
    clauses: list[_ClauseB] = []
    art_points: list[_PointB] = []
    art_lead: list[str] = []  # article-level paragraphs before its first point
    all_lines: list[str] = []
    last_clause: tuple[int, str] | None = None

    def open_points() -> list[_PointB]:
        return clauses[-1].points if clauses else art_points

    for raw in body:
        text, found = take_markers(raw, notes)
        if not text:
            continue
        all_lines.append(text)
        cm = CLAUSE_RE.match(text)
        if cm and _next_clause_ok(last_clause, _number_key(cm.group(1), cm.group(2))):
            last_clause = _number_key(cm.group(1), cm.group(2))
            clauses.append(_ClauseB(cm.group(1) + cm.group(2), [text], list(found)))
            clauses[-1].all_lines.append(text)
            continue
        pm = POINT_RE.match(text)
        points = open_points()
        if (
            pm
            and not pm.group(2)
            and _next_letter_ok(points[-1].letter if points else None, pm.group(1))
        ):
            if clauses and not clauses[-1].points:
                clauses[-1].lead_in = "\n".join(clauses[-1].all_lines)
            elif not clauses and not art_points:
                art_lead.extend(art_lines)
            points.append(_PointB(pm.group(1), [text], list(found)))
            if clauses:
                clauses[-1].all_lines.append(text)
            continue
        # an unnumbered paragraph
        if clauses:
            clauses[-1].lines.append(text)
            clauses[-1].all_lines.append(text)
            clauses[-1].notes.extend(found)
        else:
            art_lines.append(text)
            art_notes.extend(found)

    def refs(text: str) -> tuple[CrossReference, ...]:
        return tuple(find_refs(text, doc_id, number)) if find_refs and text else ()

    def build_point(p: _PointB) -> Point:
        text = "\n".join(p.lines)
        return Point(p.letter, text, tuple(p.notes), refs(text))

    built_clauses = tuple(
        Clause(
            number=c.number,
            text="\n".join(c.all_lines),
            lead_in=c.lead_in,
            points=tuple(build_point(p) for p in c.points),
            footnotes=tuple(c.notes),
            references=refs("\n".join(c.lines)),
        )
        for c in clauses
    )
    built_points = tuple(build_point(p) for p in art_points)
    own = "\n".join(art_lines)
    lead_in = own if clauses else "\n".join(art_lead)
    return Article(
        number=number,
        title=title,
        text="\n".join(all_lines),
        lead_in=lead_in,
        clauses=built_clauses,
        points=built_points,
        footnotes=tuple(art_notes),
        references=refs(own),
        part=placement.part,
        chapter=placement.chapter,
        section=placement.section,
        subsection=placement.subsection,
        page_start=placement.page_start,
        page_end=placement.page_end,
    )


# ---- the whole document ---------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedBody:
    articles: tuple[Article, ...]
    divisions: tuple[Division, ...]
    preamble: tuple[Line, ...]  # lines before the first division / article (metadata)
    notes: dict[str, AmendmentNote]
    warnings: tuple[str, ...] = ()


def match_division(text: str) -> tuple[DivisionKind, str, str] | None:
    """(kind, number, title-on-the-same-line) for a division heading line, else None."""
    for kind, rx in _DIVISION_RES:
        m = rx.match(text)
        if not m:
            continue
        number, rest = m.group(1), m.group(2).strip()
        if rest and rest[0].islower():
            return None  # "Chương II của Bộ luật này …" inside a sentence
        if kind is DivisionKind.PART:
            number = number.lower() if number.lower().startswith("thứ") else number
        return kind, number, rest
    return None


def _division_order(kind: DivisionKind, number: str) -> int | None:
    if kind is DivisionKind.CHAPTER:
        return int(number) if number.isdigit() else roman_to_int(number)
    if kind is DivisionKind.PART:
        return None
    return int(number)


@dataclass
class _Cursor:
    part: str | None = None
    chapter: str | None = None
    section: str | None = None
    subsection: str | None = None
    chapter_order: int = 0
    section_order: int = 0
    subsection_order: int = 0


def parse_structure(
    lines: Sequence[Line],
    doc_id: str,
    *,
    find_refs: ReferenceFinder | None = None,
    article_numbers: frozenset[str] | None = None,
    title_on_next_line: bool = True,
) -> ParsedBody:
    """Split unwrapped lines into divisions and articles.

    ``article_numbers``, when given, are the only article numbers accepted as headings (ALQAC
    files fix the article boundaries; a heading merged into another article stays body).
    ``title_on_next_line``: a bare "Điều 5." takes the next line as its title when that line
    looks like one (short, no final punctuation, not structural)."""
    body_lines, notes = split_footnotes(lines)
    cur = _Cursor()
    divisions: list[Division] = []
    preamble: list[Line] = []
    articles: list[Article] = []
    warnings: list[str] = []

    heading: tuple[str, str, list[AmendmentNote], _Cursor, Line] | None = None
    body: list[Line] = []
    last_key: tuple[int, str] | None = None
    started = False

    def flush() -> None:
        nonlocal heading, body
        if heading is None:
            return
        number, title, hnotes, where, first = heading
        pages = [ln.page for ln in [first, *body] if ln.page is not None]
        last_pages = [ln.last_page for ln in [first, *body] if ln.last_page is not None]
        articles.append(
            parse_article_body(
                doc_id,
                number,
                title,
                [ln.text for ln in body],
                notes=notes,
                heading_notes=hnotes,
                find_refs=find_refs,
                placement=Placement(
                    where.part,
                    where.chapter,
                    where.section,
                    where.subsection,
                    min(pages) if pages else None,
                    max(last_pages) if last_pages else None,
                ),
            )
        )
        heading, body = None, []

    i = 0
    n = len(body_lines)
    while i < n:
        line = body_lines[i]
        text = line.text
        if started and CLOSING_RE.match(text):
            flush()
            break
        div = match_division(text)
        if div is not None and _division_accepted(div[0], div[1], cur):
            kind, number, title = div
            i += 1
            # the title: on the heading line and/or the all-caps line(s) after it
            title_lines: list[str] = [title] if title else []
            while i < n and _is_caps(body_lines[i].text) and len(title_lines) < 4:
                if match_division(body_lines[i].text) or CLOSING_RE.match(body_lines[i].text):
                    break
                title_lines.append(body_lines[i].text)
                i += 1
            title = " ".join(title_lines)
            flush()
            started = True
            divisions.append(_enter(cur, kind, number, title))
            continue
        am = ARTICLE_RE.match(text)
        if am:
            key = _number_key(am.group(1), am.group(2))
            allowed = article_numbers is None or am.group(1) + am.group(2) in article_numbers
            if allowed and (last_key is None or key > last_key):
                flush()
                started = True
                last_key = key
                title, hnotes = take_markers(am.group(3).strip(), notes)
                i += 1
                if (
                    not title
                    and title_on_next_line
                    and i < n
                    and _looks_like_title(body_lines[i].text)
                ):
                    title, more = take_markers(body_lines[i].text, notes)
                    hnotes = hnotes + more
                    i += 1
                heading = (am.group(1) + am.group(2), title, hnotes, _copy(cur), line)
                continue
            if heading is None:
                warnings.append(f"ignored an out-of-order article heading: {text[:60]!r}")
        if heading is not None:
            body.append(line)
        elif not started:
            preamble.append(line)
        i += 1
    flush()
    return ParsedBody(tuple(articles), tuple(divisions), tuple(preamble), notes, tuple(warnings))


def _looks_like_title(text: str) -> bool:
    return (
        len(text) <= 200
        and not text.endswith((".", ";", ":", ","))
        and not is_structural(text)
        and not _is_caps(text)
    )


def _copy(cur: _Cursor) -> _Cursor:
    return _Cursor(cur.part, cur.chapter, cur.section, cur.subsection)


def _division_accepted(kind: DivisionKind, number: str, cur: _Cursor) -> bool:
    order = _division_order(kind, number)
    if order is None:
        return True
    if kind is DivisionKind.CHAPTER:
        return order > cur.chapter_order
    if kind is DivisionKind.SECTION:
        return order > cur.section_order
    return order > cur.subsection_order


def _enter(cur: _Cursor, kind: DivisionKind, number: str, title: str) -> Division:
    if kind is DivisionKind.PART:
        cur.part, cur.section, cur.subsection = number, None, None
        cur.section_order = cur.subsection_order = 0
        return Division(kind, number, title, None)
    if kind is DivisionKind.CHAPTER:
        cur.chapter, cur.section, cur.subsection = number, None, None
        cur.chapter_order = _division_order(kind, number) or cur.chapter_order + 1
        cur.section_order = cur.subsection_order = 0
        parent = f"Phần {cur.part}" if cur.part else None
        return Division(kind, number, title, parent)
    if kind is DivisionKind.SECTION:
        cur.section, cur.subsection = number, None
        cur.section_order, cur.subsection_order = int(number), 0
        parent = f"Chương {cur.chapter}" if cur.chapter else None
        return Division(kind, number, title, parent)
    cur.subsection = number
    cur.subsection_order = int(number)
    return Division(kind, number, title, f"Mục {cur.section}" if cur.section else None)
