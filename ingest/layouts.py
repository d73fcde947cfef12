"""Layouts seen in the wild, straightened before the structure parser sees the lines.

Run by :func:`ingest.readers.text.document_from_lines` (text, PDF and .docx alike) on the
unwrapped lines. Decisions, each kept narrow so a well-formed statute passes unchanged:

* **A table of contents before the body** (statutes exported from web pages, where the
  passing formula and the signature block also come before the first article): a run of
  two or more article headings with nothing but headings (articles, divisions, "Mục lục")
  between them, whose first article number is headed again later, is a table of
  contents and is dropped. Without this its headings become empty articles and the real
  ones are read as repeats.
* **An article heading glued to the end of the previous sentence** by the text layer
  ("… lưu giữ.Điều 3. Quyền …", "… thông tin; Điều 4. Nghĩa vụ …"): the line is split
  before it when the heading follows sentence-ending punctuation, its number is the next
  one expected, and a title starting with a capital letter follows. A mention ("tại Điều 2
  của Luật này") never has all three.

Titles wrapped onto a second line starting with a capital letter are joined where lines
are unwrapped (:func:`ingest.cleaning.unwrap`), which sees the line after.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from ingest.cleaning import Line, unwrap
from ingest.structure import ARTICLE_RE, match_division

_TOC_WORDS = re.compile(r"^(?:mục lục|MỤC LỤC|Mục lục:)$")
_GLUED = re.compile(r"(?<=[.;:])\s*(?=Điều\s+(\d+)([a-zđ]?)\s*\.\s+[A-ZĐÀ-Ỹ])")


def _article_number(text: str) -> str | None:
    m = ARTICLE_RE.match(text)
    return m.group(1) + m.group(2) if m else None


def _heading_only(text: str) -> bool:
    return bool(ARTICLE_RE.match(text) or match_division(text) or _TOC_WORDS.match(text))


def drop_table_of_contents(lines: Sequence[Line]) -> list[Line]:
    """The lines without a table of contents of article headings (see the module)."""
    numbers = [_article_number(ln.text) for ln in lines]
    i = 0
    while i < len(lines):
        if numbers[i] is None:
            i += 1
            continue
        j = i
        while j + 1 < len(lines) and _heading_only(lines[j + 1].text):
            j += 1
        run = [n for n in numbers[i : j + 1] if n is not None]
        if len(run) >= 2 and run[0] in numbers[j + 1 :]:
            start = i
            while start > 0 and _heading_only(lines[start - 1].text):
                start -= 1  # the divisions and the "Mục lục" line heading the table
            return [*lines[:start], *lines[j + 1 :]]
        i = j + 1
    return list(lines)


def split_glued_headings(lines: Sequence[Line]) -> list[Line]:
    """Split lines before an article heading glued to the previous sentence."""
    out: list[Line] = []
    last = 0  # the last article number headed
    for ln in lines:
        number = _article_number(ln.text)
        if number is not None:
            last = int(number.rstrip("abcdđefghijklmnopqrstuvwxyz"))
            out.append(ln)
            continue
        text, pieces = ln.text, []
        for m in _GLUED.finditer(ln.text):
            if int(m.group(1)) != last + 1:
                continue
            pieces.append(m.start())
            last += 1
        if not pieces:
            out.append(ln)
            continue
        bounds = [0, *pieces, len(text)]
        for a, b in itertools.pairwise(bounds):
            part = text[a:b].strip()
            if part:
                out.append(Line(part, ln.page, ln.last_page))
    return out


def straighten(lines: Sequence[Line]) -> list[Line]:
    """Both fixes, on unwrapped lines (idempotent)."""
    return split_glued_headings(drop_table_of_contents(lines))


def unwrap_lines(lines: Sequence[Line]) -> list[Line]:
    """:func:`ingest.cleaning.unwrap` after splitting glued headings: split first, or the
    unwrapping joins the line after a glued heading to it (it cannot see the heading)."""
    return unwrap(split_glued_headings(lines))
