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
  follow, which are dropped;
* a decree's or circular's body ends at "Nơi nhận:" (the distribution list) or at its first
  "PHỤ LỤC" heading; the appendices after it are kept apart (:class:`legal.document.Appendix`)
  and never read as clauses (Thông tư 10/2020/TT-BLĐTBXH: its list of jobs numbered "1.",
  "1.1." would otherwise have become clauses of Điều 12);
* a PDF text layer may glue an article heading to the end of the previous sentence ("… tập
  thể. Điều 9. Hoạt động của …", the same circular): such a heading is split off only when it
  is the *next* article number, so a citation "… Điều 9. Khoản …" elsewhere stays body text.

This module finds where divisions and articles start and end; an article's body (Khoản,
Điểm) is read by :mod:`ingest.article_body` and footnotes by :mod:`ingest.footnotes` (split
so that each module stays under 400 lines and each function under 80).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.article_body import Placement, ReferenceFinder, number_key, parse_article_body
from ingest.cleaning import Line, is_structural
from ingest.footnotes import split_footnotes, take_markers
from legal.document import AmendmentNote, Appendix, Article, Division, DivisionKind

ARTICLE_RE = re.compile(r"^Điều\s+(\d+)([a-zđ]?)\s*[.:](?:\s+|$)(.*)$")
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
CLOSING_RE = re.compile(
    r"^(?:Bộ luật|Luật|Hiến pháp|Pháp lệnh|Nghị quyết|Văn bản)\s+(?:này\s+)?(?:đã\s+)?được\s+"
    r"(?:Quốc hội|Ủy ban thường vụ Quốc hội|Uỷ ban thường vụ Quốc hội)\b.*thông qua",
    re.IGNORECASE,
)
#: the end of the normative text of a decree or circular: the distribution list, an appendix
BODY_END_RE = re.compile(r"^(?:Nơi nhận\s*:|PHỤ LỤC\b|Phụ lục\s*$)")
APPENDIX_RE = re.compile(r"^(?:PHỤ LỤC|Phụ lục)\b\s*([IVXLC\d]*)")
# "… tập thể. Điều 9. Hoạt động …": a heading glued after a sentence's end
# "Điều 4. Bảo vệ bí mật … công nghệ 1. Khi người lao động …": clause 1 glued to the title
_GLUED_FIRST_CLAUSE_RE = re.compile(r"\s+(1\.\s+[A-ZĐÀ-Ỹ].*)$")
_GLUED_ARTICLE_RE = re.compile(r"(?<=[.;:])\s+(Điều\s+(\d+)\s*\.\s+\S.*)$")
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def roman_to_int(text: str) -> int | None:
    if not text or any(c not in _ROMAN for c in text):
        return None
    total = 0
    for i, c in enumerate(text):
        v = _ROMAN[c]
        total += -v if i + 1 < len(text) and _ROMAN[text[i + 1]] > v else v
    return total


def _is_caps(text: str) -> bool:
    # no lower-case letter, at least one upper-case one ("CHƯƠNG I", "BỘ LUẬT LAO ĐỘNG")
    return len(text) >= 2 and text == text.upper() and text != text.lower()


# ---- the whole document ---------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedBody:
    articles: tuple[Article, ...]
    divisions: tuple[Division, ...]
    preamble: tuple[Line, ...]  # lines before the first division / article (metadata)
    notes: dict[str, AmendmentNote]
    warnings: tuple[str, ...] = ()
    appendices: tuple[Appendix, ...] = ()


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
    return _Parser(lines, doc_id, find_refs, article_numbers, title_on_next_line).run()


# an article heading read, its body still to come: (number, title, notes, where, first line)
_Heading = tuple[str, str, list[AmendmentNote], "_Cursor", Line]


class _Parser:
    """One pass over the lines: headings open divisions and articles, the lines between two
    headings are the open article's body."""

    def __init__(
        self,
        lines: Sequence[Line],
        doc_id: str,
        find_refs: ReferenceFinder | None,
        article_numbers: frozenset[str] | None,
        title_on_next_line: bool,
    ) -> None:
        self.lines, self.notes = split_footnotes(lines)
        self.doc_id = doc_id
        self.find_refs = find_refs
        self.article_numbers = article_numbers
        self.title_on_next_line = title_on_next_line
        self.cur = _Cursor()
        self.divisions: list[Division] = []
        self.preamble: list[Line] = []
        self.articles: list[Article] = []
        self.warnings: list[str] = []
        self.heading: _Heading | None = None
        self.body: list[Line] = []
        self.last_key: tuple[int, str] | None = None
        self.started = False

    def run(self) -> ParsedBody:
        i = 0
        appendices: tuple[Appendix, ...] = ()
        while i < len(self.lines):
            self._split_glued_heading(i)
            line = self.lines[i]
            if self.started and CLOSING_RE.match(line.text):
                break
            if self.started and BODY_END_RE.match(line.text):
                appendices = read_appendices(self.lines[i:])
                break
            div = match_division(line.text)
            if div is not None and _division_accepted(div[0], div[1], self.cur):
                i = self._division(i + 1, *div)
                continue
            am = ARTICLE_RE.match(line.text)
            after = self._article(i, am) if am else None
            if after is not None:
                i = after
                continue
            if self.heading is not None:
                self.body.append(line)
            elif not self.started:
                self.preamble.append(line)
            i += 1
        self._flush()
        return ParsedBody(
            tuple(self.articles),
            tuple(self.divisions),
            tuple(self.preamble),
            self.notes,
            tuple(self.warnings),
            appendices,
        )

    def _split_glued_heading(self, i: int) -> None:
        """Split "… sentence. Điều 9. Title" into two lines when 9 is the next article."""
        if self.last_key is None or self.article_numbers is not None:
            return
        line = self.lines[i]
        m = _GLUED_ARTICLE_RE.search(line.text)
        if m is None or int(m.group(2)) != self.last_key[0] + 1:
            return
        head = line.text[: m.start()].rstrip()
        self.lines[i : i + 1] = [
            Line(head, line.page, line.page_end),
            Line(m.group(1), line.last_page),
        ]

    def _division(self, i: int, kind: DivisionKind, number: str, title: str) -> int:
        """A division heading ends at line ``i``; its title is on the heading line and/or the
        all-caps line(s) after it. Returns the next line to read."""
        title_lines: list[str] = [title] if title else []
        while i < len(self.lines) and _is_caps(self.lines[i].text) and len(title_lines) < 4:
            text = self.lines[i].text
            if match_division(text) or CLOSING_RE.match(text):
                break
            title_lines.append(text)
            i += 1
        self._flush()
        self.started = True
        self.divisions.append(_enter(self.cur, kind, number, " ".join(title_lines)))
        return i

    def _article(self, i: int, am: re.Match[str]) -> int | None:
        """An article heading at line ``i`` opens an article when its number is accepted and
        follows the last one; returns the next line to read, or None (the line is body)."""
        key = number_key(am.group(1), am.group(2))
        allowed = self.article_numbers is None or am.group(1) + am.group(2) in self.article_numbers
        if not allowed or (self.last_key is not None and key <= self.last_key):
            if self.heading is None:
                self.warnings.append(f"ignored an out-of-order article heading: {am.string[:60]!r}")
            return None
        self._flush()
        self.started = True
        self.last_key = key
        title, hnotes = take_markers(am.group(3).strip(), self.notes)
        first = self.lines[i]
        i += 1
        glued = _GLUED_FIRST_CLAUSE_RE.search(title)
        if glued and self.article_numbers is None:
            title = title[: glued.start()]
            self.lines.insert(i, Line(glued.group(1), first.last_page))
        if (
            not title
            and self.title_on_next_line
            and i < len(self.lines)
            and _looks_like_title(self.lines[i].text)
        ):
            title, more = take_markers(self.lines[i].text, self.notes)
            hnotes = hnotes + more
            i += 1
        self.heading = (am.group(1) + am.group(2), title, hnotes, _copy(self.cur), first)
        return i

    def _flush(self) -> None:
        """Build the open article from its heading and body lines."""
        if self.heading is None:
            return
        number, title, hnotes, where, first = self.heading
        lines = [first, *self.body]
        pages = [ln.page for ln in lines if ln.page is not None]
        last_pages = [ln.last_page for ln in lines if ln.last_page is not None]
        placement = Placement(
            where.part,
            where.chapter,
            where.section,
            where.subsection,
            min(pages) if pages else None,
            max(last_pages) if last_pages else None,
        )
        body = [ln.text for ln in self.body]
        self.articles.append(
            parse_article_body(
                self.doc_id,
                number,
                title,
                body,
                notes=self.notes,
                heading_notes=hnotes,
                find_refs=self.find_refs,
                placement=placement,
            )
        )
        self.heading, self.body = None, []


def read_appendices(lines: Sequence[Line]) -> tuple[Appendix, ...]:
    """The appendices after a decree's or circular's body: each "PHỤ LỤC" heading opens one,
    its title is the next line; the distribution list and signature before the first one are
    dropped."""
    out: list[tuple[str, str, list[str]]] = []
    for line in lines:
        m = APPENDIX_RE.match(line.text)
        if m and (not out or out[-1][2] or not out[-1][1]):
            out.append((m.group(1), "", []))
        elif out and not out[-1][1] and not out[-1][2]:
            out[-1] = (out[-1][0], line.text, [])
        elif out:
            out[-1][2].append(line.text)
    return tuple(Appendix(number, title, "\n".join(body)) for number, title, body in out)


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
