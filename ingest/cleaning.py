"""Text clean-up between a reader and the structure parser.

* :func:`normalize_text` – NFC, the look-alike "Ð" (U+00D0) → "Đ", odd spaces, zero-width marks.
* :func:`drop_page_furniture` – running headers/footers: any line repeated at the top or
  bottom of most pages (digits ignored, so "CÔNG BÁO/Số 1533 …/Ngày … 3" and "… 5" count
  as the same line), bare page numbers, and known gazette headers.
* :func:`unwrap` – joins hard line breaks inside sentences; keeps breaks before structural
  starts ("Điều N.", "1.", "a)", Chương/Mục/Phần headings, footnotes "[12] …").
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    """One line (after :func:`unwrap`, one paragraph) of a document, with its page(s)."""

    text: str
    page: int | None = None
    page_end: int | None = None

    @property
    def last_page(self) -> int | None:
        return self.page_end if self.page_end is not None else self.page


_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def normalize_text(text: str) -> str:
    """NFC; "Ð"/"ð" (Icelandic eth, common in old Vietnamese files) → "Đ"/"đ"; one space."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u00d0", "\u0110").replace("\u00f0", "\u0111")
    text = _INVISIBLE.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))


# ---- page furniture -------------------------------------------------------------------------

_FURNITURE_PATTERNS = (
    re.compile(r"^\d{1,4}$"),  # bare page number
    re.compile(r"^(?:\d{1,4}\s+)?CÔNG BÁO\s*/\s*Số\b.*$", re.IGNORECASE),  # gazette header
    re.compile(r"^Trang\s+\d+(?:\s*/\s*\d+)?$", re.IGNORECASE),
    re.compile(r"^-?\s*\d{1,4}\s*-?$"),  # "- 12 -"
    re.compile(r"^\d{1,4}\s*/\s*\d{1,4}$"),  # "3/54"
)
# the gazette's own section titles, wherever they sit on the page
_GAZETTE_SECTION = re.compile(
    r"^PHẦN\s+[IV]+\s*[.:]?\s*(?:VĂN BẢN (?:QUY PHẠM PHÁP LUẬT|KHÁC|HỢP NHẤT)|"
    r"VĂN BẢN PHÁP LUẬT KHÁC)\s*$"
)
_EDGE = 2  # lines at the top and at the bottom of a page that may be furniture


def _furniture_key(line: str) -> str:
    return re.sub(r"\d+", "#", line.strip().lower())


def _is_pattern_furniture(line: str) -> bool:
    return any(p.match(line) for p in _FURNITURE_PATTERNS)


def _edges(lines: Sequence[str]) -> tuple[list[int], list[int]]:
    idx = [i for i, ln in enumerate(lines) if ln.strip()]
    return idx[:_EDGE], idx[-_EDGE:]


def drop_page_furniture(pages: Sequence[Sequence[str]]) -> list[list[str]]:
    """Remove running headers/footers from per-page lines (already normalised).

    A line is furniture when it matches a known pattern (bare page number, "CÔNG BÁO/Số …")
    at the top or bottom of its page, or when the same line (digits ignored) sits at the top
    (or at the bottom) of more than half of the pages of a document of 3 pages or more.
    Structural lines ("Điều 5. …", "1. …") are never furniture."""
    top: Counter[str] = Counter()
    bottom: Counter[str] = Counter()
    for lines in pages:
        head, tail = _edges(lines)
        top.update({_furniture_key(lines[i]) for i in head})
        bottom.update({_furniture_key(lines[i]) for i in tail})
    threshold = max(3, len(pages) // 2 + 1)
    repeated_top = {k for k, n in top.items() if n >= threshold}
    repeated_bottom = {k for k, n in bottom.items() if n >= threshold}

    out: list[list[str]] = []
    for lines in pages:
        head, tail = _edges(lines)
        drop = set()
        for positions, repeated in ((head, repeated_top), (tail, repeated_bottom)):
            for i in positions:
                ln = lines[i]
                if is_structural(ln):
                    continue
                if _is_pattern_furniture(ln) or _furniture_key(ln) in repeated:
                    drop.add(i)
        drop |= {i for i, ln in enumerate(lines) if _GAZETTE_SECTION.match(ln)}
        out.append([ln for i, ln in enumerate(lines) if i not in drop])
    return out


# ---- unwrapping -----------------------------------------------------------------------------

_STRUCTURAL = re.compile(
    r"^(?:"
    r"Điều\s+\d+[a-zđ]?\s*[.:]"
    r"|\d{1,3}[a-zđ]?\.\s"
    r"|[a-zđ]\d?\)\s"
    r"|(?:Chương|CHƯƠNG|Mục|MỤC|Tiểu mục|TIỂU MỤC)\s+[\dIVXLC]+\b"
    r"|(?:Phần|PHẦN)\s+(?:thứ|THỨ|[IVXLC]+\b|\d+\b)"
    r"|\[\d{1,3}\]"
    r"|[-–•+]\s"
    r")"
)
_ARTICLE_HEAD = re.compile(r"^Điều\s+\d+[a-zđ]?\s*[.:]")
_BARE_HEAD = re.compile(r"^Điều\s+\d+[a-zđ]?\s*[.:]$")
_END_PUNCT = (".", ";", ":", "!", "?", "./.", "…")
# a heading that ends on one of these words certainly continues on the next line
_CONNECTORS = {"của", "và", "hoặc", "về", "đối", "với", "trong", "cho", "tại", "theo", "các"}
_CONNECTORS |= {"những", "để", "khi", "từ", "đến", "bị", "được", "có", "là", "người", "trên"}


def is_structural(text: str) -> bool:
    return bool(_STRUCTURAL.match(text))


def _is_caps(text: str) -> bool:
    # no lower-case letter, at least one upper-case one ("CHƯƠNG I", "BỘ LUẬT LAO ĐỘNG")
    return len(text) >= 2 and text == text.upper() and text != text.lower()


def _starts_lower(text: str) -> bool:
    return bool(text) and text[0].islower()


def unwrap(lines: Iterable[Line]) -> list[Line]:
    """Join hard-wrapped lines into paragraphs.

    A line continues the previous one when it is not a structural start and either the
    previous one does not end a sentence or this one starts in lower case. Article headings
    continue only with a lower-case line or after a connector word ("của", "và", …); all-caps
    headings never absorb body text. Blank lines always end a paragraph.
    """
    out: list[Line] = []
    blank = True
    title_next = False  # the previous paragraph is a bare "Điều 5." heading
    heading_like = False  # the last paragraph is an article heading or a title line
    lines = list(lines)
    for i, line in enumerate(lines):
        text = line.text.strip()
        if not text:
            blank = True
            continue
        after = lines[i + 1].text.strip() if i + 1 < len(lines) else ""
        if (
            out
            and not blank
            and (
                _continues(out[-1].text, text, heading_like)
                or _wrapped_title(out[-1].text, text, heading_like, after)
            )
        ):
            prev = out[-1]
            out[-1] = Line(f"{prev.text} {text}", prev.page, line.last_page)
        else:
            out.append(Line(text, line.page, line.last_page))
            heading_like = title_next and not is_structural(text)
            title_next = bool(_BARE_HEAD.match(text))
        blank = False
    return out


_WRAPPED_MIN = 40  # characters: a heading line this short did not wrap
_SENTENCE_INSIDE = re.compile(r"[.;:]\s*\S")


def _wrapped_title(prev: str, text: str, heading_like: bool, after: str) -> bool:
    """An article title wrapped onto a line that starts with a capital letter ("Điều 2.
    Quan hệ giữa Công đoàn với Nhà nước," + "Mặt trận Tổ quốc Việt Nam và …"): the
    heading ends on a comma or dash, or the line is a whole title's end — no final
    punctuation, not ending on a connector, and what follows starts anew (a structural
    line, a capital letter, a blank line or the end). A body's first line fails the last
    test: a wrapped sentence goes on in lower case; and a heading that wrapped filled its
    line (at least :data:`_WRAPPED_MIN` characters), its rest being shorter (the Trade
    Union Law's "Điều 2. Phạm vi điều chỉnh" is followed by a full body line ending on
    "Công đoàn", then "Việt Nam": without this the body became title)."""
    if not (heading_like or _ARTICLE_HEAD.match(prev)) or prev.endswith(_END_PUNCT):
        return False
    if _BARE_HEAD.match(prev) or is_structural(text) or _is_caps(text):
        return False
    if prev.endswith((",", "-", "–")):
        return True
    if text.endswith(_END_PUNCT) or text.rsplit(" ", 1)[-1].lower() in _CONNECTORS:
        return False
    if _SENTENCE_INSIDE.search(text):
        return False  # a title holds no sentence end ("… thư viện. Điều 2. …" is body)
    if len(prev) < _WRAPPED_MIN or len(text) > len(prev):
        return False  # a title that wrapped filled its line; its rest is shorter
    return not after or is_structural(after) or not _starts_lower(after)


# words after which "Điều N" can only be a mention ("quy định tại Điều 36", "xem Điều 5")
_MENTION_LEADS = _CONNECTORS | {"xem", "thuộc", "như", "hay", "hoặc", "cả", "tới"}
_DIVISION_LINE = re.compile(r"^(?:Chương|CHƯƠNG|Mục|MỤC|Tiểu mục|TIỂU MỤC|Phần|PHẦN)\s")


def _continues(prev: str, text: str, heading_like: bool = False) -> bool:
    if _ARTICLE_HEAD.match(text):
        # "… theo quy định tại" + "Điều 36. …": the previous line stops on a word no sentence
        # or heading ends with, so this "Điều 36." is a mention, not a heading
        last = prev.rsplit(" ", 1)[-1].lower()
        return (
            last in _MENTION_LEADS
            and not heading_like
            and not _ARTICLE_HEAD.match(prev)
            and not _DIVISION_LINE.match(prev)
        )
    if is_structural(text):
        return False
    if heading_like or _ARTICLE_HEAD.match(prev):
        if prev.endswith(_END_PUNCT):
            return False  # also "Điều 5." alone: the next line is its title
        last = prev.rsplit(" ", 1)[-1].lower()
        return _starts_lower(text) or last in _CONNECTORS
    if _is_caps(text) != _is_caps(prev) and not _starts_lower(text):
        return False
    if _DIVISION_LINE.match(prev):
        return False
    if _is_caps(prev) and _is_caps(text):
        return False  # stacked caps title lines are kept apart; the parser joins them
    if prev.endswith(_END_PUNCT):
        return _starts_lower(text)
    return True
