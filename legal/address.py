"""The legal address: document + Điều + optional Khoản + optional Điểm.

One type, used everywhere (parser, chunks, store payloads, retrieval, citations, eval, UI).

* canonical form (``str(addr)`` / ``addr.canonical``), stable and parseable back::

      45/2019/QH14 › Điều 35 › Khoản 2 › Điểm a

* Vietnamese display form, the way a lawyer writes it::

      điểm a khoản 2 Điều 35 Bộ luật Lao động 2019
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import IntEnum

from legal.errors import CitationError

SEP = " › "

_ARTICLE_RE = re.compile(r"^Điều (\S+)$")
_CLAUSE_RE = re.compile(r"^Khoản (\S+)$")
_POINT_RE = re.compile(r"^Điểm (\S+)$")


class Level(IntEnum):
    DOCUMENT = 0
    ARTICLE = 1
    CLAUSE = 2
    POINT = 3


def _article_key(number: str) -> tuple[int, str]:
    m = re.match(r"(\d+)(.*)", number)
    return (int(m.group(1)), m.group(2)) if m else (10**9, number)


@dataclass(frozen=True)
class LegalAddress:
    """Where a piece of law lives. ``doc`` is the document id in the index: its number
    (số hiệu, e.g. ``45/2019/QH14``) when it has one, else its name (ALQAC 2024 names laws
    only by name, e.g. ``Luật Viên chức``)."""

    doc: str
    article: str | None = None
    clause: str | None = None
    point: str | None = None

    def __post_init__(self) -> None:
        if not self.doc or not self.doc.strip():
            raise CitationError("a legal address needs a document")
        if self.clause is not None and self.article is None:
            raise CitationError(f"khoản {self.clause} without an Điều in {self.doc}")
        if self.point is not None and self.article is None:
            # An Điểm may sit directly under an Điều with no Khoản (it happens), never
            # outside an Điều.
            raise CitationError(f"điểm {self.point} without an Điều in {self.doc}")
        if self.point is not None:
            object.__setattr__(self, "point", self.point.lower())

    # ---- levels -------------------------------------------------------------------------
    @property
    def level(self) -> Level:
        if self.point is not None:
            return Level.POINT
        if self.clause is not None:
            return Level.CLAUSE
        if self.article is not None:
            return Level.ARTICLE
        return Level.DOCUMENT

    def document_address(self) -> LegalAddress:
        return LegalAddress(self.doc)

    def article_address(self) -> LegalAddress:
        return LegalAddress(self.doc, self.article)

    def clause_address(self) -> LegalAddress:
        return LegalAddress(self.doc, self.article, self.clause)

    def with_doc(self, doc: str) -> LegalAddress:
        return replace(self, doc=doc)

    def contains(self, other: LegalAddress) -> bool:
        """True when ``other`` is this provision or lies inside it. An Điểm directly under an
        Điều (no Khoản) contains only itself: its missing Khoản is a gap in the path, not
        "any Khoản" (hypothesis found "Điều 5 › Điểm a" containing "Điều 5")."""
        if other.doc != self.doc:
            return False
        levels = (
            (self.article, other.article),
            (self.clause, other.clause),
            (self.point, other.point),
        )
        for i, (mine, theirs) in enumerate(levels):
            if mine is None:
                if all(m is None for m, _ in levels[i + 1 :]):
                    return True
                if theirs is not None:
                    return False  # a gap in this path: the other must have the same gap
            elif mine != theirs:
                return False
        return True

    def overlaps(self, other: LegalAddress) -> bool:
        return self.contains(other) or other.contains(self)

    def sort_key(self) -> tuple[object, ...]:
        return (
            self.doc,
            _article_key(self.article or ""),
            _article_key(self.clause or ""),
            self.point or "",
        )

    # ---- string forms -------------------------------------------------------------------
    def _levels(self) -> list[tuple[str, str]]:
        """(level word, number) of each level that is set, outermost first: ('Điều', '35'),
        ('Khoản', '2'), ('Điểm', 'a')."""
        levels = (("Điều", self.article), ("Khoản", self.clause), ("Điểm", self.point))
        return [(word, value) for word, value in levels if value is not None]

    @property
    def canonical(self) -> str:
        return SEP.join([self.doc, *(f"{word} {value}" for word, value in self._levels())])

    def __str__(self) -> str:
        return self.canonical

    @classmethod
    def parse(cls, text: str) -> LegalAddress:
        """Inverse of :attr:`canonical`."""
        parts = [p.strip() for p in text.split("›")]
        if not parts or not parts[0]:
            raise CitationError(f"not a canonical legal address: {text!r}")
        values: dict[str, str] = {}
        order = (("article", _ARTICLE_RE), ("clause", _CLAUSE_RE), ("point", _POINT_RE))
        pos = 0
        for part in parts[1:]:
            for i in range(pos, len(order)):
                name, rx = order[i]
                m = rx.match(part)
                if m:
                    values[name] = m.group(1)
                    pos = i + 1
                    break
            else:
                raise CitationError(
                    f"not a canonical legal address: {text!r}",
                    hint="expected 'DOC › Điều N › Khoản K › Điểm x'",
                )
        return cls(parts[0], **values)

    def provision_label(self) -> str:
        """'điểm a khoản 2 Điều 35' (no document)."""
        # in running text the levels go innermost first, "Điều" alone capitalised
        bits = [
            f"{word if word == 'Điều' else word.lower()} {value}"
            for word, value in reversed(self._levels())
        ]
        return " ".join(bits)

    def display(self, doc_label: str | None = None) -> str:
        """Vietnamese display form: 'điểm a khoản 2 Điều 35 Bộ luật Lao động 2019'.

        ``doc_label`` is how the document is named to a reader (its title and year, or an
        abbreviation for compact chips); the document id is used when none is given."""
        label = doc_label or self.doc
        head = self.provision_label()
        if not head:
            return label
        return f"{head} {label}"
