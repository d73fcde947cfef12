"""What retrieval hands to generation, eval and the UI.

A search returns :class:`Provision` objects (one per Điều), each holding the clause-level
:class:`Passage` objects that matched, with their full legal address and quotable text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from legal.address import LegalAddress
from legal.validity import Dates


class PassageRole(StrEnum):
    HIT = "hit"  # found by the hybrid search
    CITED = "cited"  # named in the question ("khoản 2 Điều 35 BLLĐ") and fetched directly
    CROSSREF = "crossref"  # pulled in because a hit refers to it ("theo quy định tại ...")
    GUIDANCE = "guidance"  # a decree's or circular's provision detailing a hit (issue 11)


@dataclass(frozen=True)
class Passage:
    """One chunk of law as stored in the index (usually a Khoản; an Điều without Khoản;
    a group of Điểm when a very long Khoản was split)."""

    address: LegalAddress
    text: str  # original text, for display and quotes
    article_title: str
    doc_label: str  # "Bộ luật Lao động 2019" — how a reader names the document
    doc_short: str | None = None  # "BLLĐ 2019" — compact form for chips
    hierarchy: str = ""  # "Chương VII › Mục 1"
    score: float = 0.0
    role: PassageRole = PassageRole.HIT
    page: int | None = None
    source: str | None = None  # the file the document was ingested from
    amendment_notes: tuple[str, ...] = ()
    chunk_id: str | None = None
    validity: Dates = field(default_factory=Dates)  # unknown for indexes built before
    guides: tuple[LegalAddress, ...] = ()  # the statute provisions this passage details

    def currency_warnings(self, on: str) -> tuple[str, ...]:
        """The warnings shown next to this passage's citation on ``on`` (ISO date)."""
        return self.validity.warnings(on)

    def display_citation(self, short: bool = False) -> str:
        label = (self.doc_short or self.doc_label) if short else self.doc_label
        return self.address.display(label)


@dataclass(frozen=True)
class Provision:
    """Search results grouped at article (Điều) level."""

    address: LegalAddress  # article-level address
    article_title: str
    doc_label: str
    score: float
    passages: tuple[Passage, ...]
    role: PassageRole = PassageRole.HIT


@dataclass(frozen=True)
class SearchResult:
    query: str
    provisions: tuple[Provision, ...]
    timings_ms: dict[str, float] = field(default_factory=dict)
    detected_citations: tuple[LegalAddress, ...] = ()
    detected_documents: tuple[str, ...] = ()
    # query understanding (retrieval.scenario): the legal issue searched, in the statute's
    # words, and the party the question is about
    search_text: str | None = None
    party: str | None = None
    content_text: str | None = None  # search_text without the asker's own words
    # laws the question names that the index does not hold, when it names no indexed one
    # and the caller set no scope (ids, e.g. "100/2015/QH13"): the answer service abstains
    missing_laws: tuple[str, ...] = ()
    as_of: str | None = None  # the date the search was restricted to (ISO), if any

    @property
    def passages(self) -> tuple[Passage, ...]:
        return tuple(p for prov in self.provisions for p in prov.passages)
