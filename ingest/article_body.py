"""One article's body → :class:`legal.document.Article`: Khoản and Điểm.

Rules (Vietnamese drafting conventions, Nghị định 34/2016 and Luật Ban hành VBQPPL):

* a clause is ``N. …`` numbered in sequence (1, 2, 2a, 3 …); a point is ``a) …`` in the
  Vietnamese letter order a b c d đ e g h i k l m n o p q r s t u v x y;
* an unnumbered paragraph after a clause belongs to that clause (Labor Code Điều 105:
  the paragraph after clause 2 is part of clause 2); after a point it belongs to the clause
  around the point (or to the article when the points sit directly under it).

Split out of :mod:`ingest.structure` (which finds where each article starts and ends).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ingest.footnotes import take_markers
from legal.document import AmendmentNote, Article, Clause, CrossReference, Point

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

CLAUSE_RE = re.compile(r"^(\d+)([a-zđ]?)\.\s+(.*)$")
# "… lao động nữ. 3. Tiền lương …": the next clause glued after a sentence (PDF text layers)
_GLUED_CLAUSE_RE = re.compile(r"(?<=[.;])\s+((\d+)\.\s+[A-ZĐÀ-Ỹ].*)$")
POINT_RE = re.compile(r"^([a-zđ])(\d?)\)\s+(.*)$")

# (text, document id, article number) → the references the text makes
ReferenceFinder = Callable[[str, str, "str | None"], list[CrossReference]]


def number_key(number: str, suffix: str) -> tuple[int, str]:
    """Order of "2a" after "2": (2, "a")."""
    return (int(number), suffix)


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
    """Where an article sits: its divisions (numbers as printed) and PDF pages. The fields
    are :class:`legal.document.Article`'s own keyword arguments of the same names."""

    part: str | None = None
    chapter: str | None = None
    section: str | None = None
    subsection: str | None = None
    page_start: int | None = None
    page_end: int | None = None


@dataclass
class _BodyB:
    """An article's body as it is read, paragraph by paragraph."""

    notes: list[AmendmentNote]  # the article's own (its heading's, unnumbered paragraphs')
    lines: list[str] = field(default_factory=list)  # article-level text before any clause
    clauses: list[_ClauseB] = field(default_factory=list)
    points: list[_PointB] = field(default_factory=list)  # points directly under the article
    lead: list[str] = field(default_factory=list)  # article text before its first point
    all_lines: list[str] = field(default_factory=list)
    last_clause: tuple[int, str] | None = None

    def add(self, text: str, found: list[AmendmentNote]) -> None:
        cm = CLAUSE_RE.match(text)
        opens = cm and _next_clause_ok(self.last_clause, number_key(cm.group(1), cm.group(2)))
        current = number_key(cm.group(1), cm.group(2)) if cm and opens else self.last_clause
        glued = _GLUED_CLAUSE_RE.search(text) if current else None
        if glued and current and int(glued.group(2)) == current[0] + 1:
            # only the next clause number splits: "… Điều 3. 4. …" elsewhere stays text
            self.add(text[: glued.start()].rstrip(), found)
            self.add(glued.group(1), [])
            return
        self.all_lines.append(text)
        if cm and opens:
            self.last_clause = number_key(cm.group(1), cm.group(2))
            self.clauses.append(_ClauseB(cm.group(1) + cm.group(2), [text], list(found)))
            self.clauses[-1].all_lines.append(text)
            return
        pm = POINT_RE.match(text)
        points = self.clauses[-1].points if self.clauses else self.points
        last_letter = points[-1].letter if points else None
        if pm and not pm.group(2) and _next_letter_ok(last_letter, pm.group(1)):
            if self.clauses and not self.clauses[-1].points:
                self.clauses[-1].lead_in = "\n".join(self.clauses[-1].all_lines)
            elif not self.clauses and not self.points:
                self.lead.extend(self.lines)
            points.append(_PointB(pm.group(1), [text], list(found)))
            if self.clauses:
                self.clauses[-1].all_lines.append(text)
            return
        # an unnumbered paragraph
        if self.clauses:
            self.clauses[-1].lines.append(text)
            self.clauses[-1].all_lines.append(text)
            self.clauses[-1].notes.extend(found)
        else:
            self.lines.append(text)
            self.notes.extend(found)


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
    read = _BodyB(notes=list(heading_notes))
    for raw in body:
        text, found = take_markers(raw, notes)
        if text:
            read.add(text, found)

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
        for c in read.clauses
    )
    own = "\n".join(read.lines)
    return Article(
        number=number,
        title=title,
        text="\n".join(read.all_lines),
        lead_in=own if read.clauses else "\n".join(read.lead),
        clauses=built_clauses,
        points=tuple(build_point(p) for p in read.points),
        footnotes=tuple(read.notes),
        references=refs(own),
        **vars(placement),  # part, chapter, section, subsection, page_start, page_end
    )
