"""What an answer is: text, the citations that were verified against the passages given to
the model, the ones that were not (never shown as sources), and how it was produced."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from legal.address import LegalAddress
from legal.validity import today_iso
from retrieval.types import Passage, PassageRole


class AnswerMode(StrEnum):
    GENERATED = "generated"  # written by the LLM, citations verified
    EXTRACTIVE = "extractive"  # quoted clauses, no LLM
    ABSTAINED = "abstained"  # nothing relevant enough was found; the model was not called


class QuestionType(StrEnum):
    FREE = "tu-luan"  # free text (Tự luận)
    TRUE_FALSE = "dung-sai"  # Đúng/Sai
    MULTIPLE_CHOICE = "trac-nghiem"  # Trắc nghiệm A–D


@dataclass(frozen=True)
class Citation:
    """A citation that points at a passage the model was actually given."""

    address: LegalAddress
    quote: str  # the passage text (or the cited point inside it)
    display: str  # "khoản 2 Điều 35 Bộ luật Lao động 2019"
    marker: str  # as written in the answer: "[1]" or "khoản 2 Điều 35"
    passage_index: int  # 1-based number of the passage in the prompt

    def to_dict(self) -> dict[str, Any]:
        return {
            "address": self.address.canonical,
            "display": self.display,
            "quote": self.quote,
            "marker": self.marker,
            "passage": self.passage_index,
        }


@dataclass(frozen=True)
class UnverifiedCitation:
    """A citation the answer makes that no given passage supports."""

    marker: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"marker": self.marker, "reason": self.reason}


@dataclass(frozen=True)
class Claim:
    """One sentence of the answer and the citation markers it carries."""

    text: str
    markers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    mode: AnswerMode
    citations: tuple[Citation, ...] = ()  # verified only: the sources to show
    unverified: tuple[UnverifiedCitation, ...] = ()
    passages: tuple[Passage, ...] = ()  # the passages the answer was built from, numbered
    warnings: tuple[str, ...] = ()
    claims: tuple[Claim, ...] = ()
    label: str | None = None  # "Đúng"/"Sai" or "A".."D" for structured questions
    reasoning: str | None = None
    question_type: QuestionType = QuestionType.FREE
    nearest: tuple[Passage, ...] = ()  # when abstaining: the closest provisions found
    model: str | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)
    # a request to evade the law or harm someone: the answer states the law and declines
    declined: bool = False
    # the date the answer is for (ISO): retrieval was restricted to it when given; citations
    # are labelled for it (today when None)
    as_of: str | None = None

    @property
    def on(self) -> str:
        """The date the citations' currency is judged on."""
        return self.as_of or today_iso()

    def passage_of(self, c: Citation) -> Passage | None:
        ok = 1 <= c.passage_index <= len(self.passages)
        return self.passages[c.passage_index - 1] if ok else None

    def currency(self, c: Citation) -> tuple[str, ...]:
        """The currency warnings of a citation ("đã hết hiệu lực từ …", "chưa có hiệu lực
        (từ …)", "khoản này được sửa đổi từ … bởi …"): a citation is never shown as current
        when the index knows otherwise. Guidance is labelled as such."""
        p = self.passage_of(c)
        if p is None:
            return ()
        guide = ("văn bản hướng dẫn",) if p.role is PassageRole.GUIDANCE else ()
        return guide + p.currency_warnings(self.on)

    @property
    def sources(self) -> tuple[Citation, ...]:
        """Verified citations, one per address, in the order they were first cited."""
        seen: set[str] = set()
        out: list[Citation] = []
        for c in self.citations:
            if c.address.canonical not in seen:
                seen.add(c.address.canonical)
                out.append(c)
        return tuple(out)

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "mode": self.mode.value,
            "question_type": self.question_type.value,
            "text": self.text,
            "label": self.label,
            "reasoning": self.reasoning,
            "as_of": self.as_of,
            "citations": [
                {**c.to_dict(), "currency": list(self.currency(c))} for c in self.sources
            ],
            "unverified": [u.to_dict() for u in self.unverified],
            "warnings": list(self.warnings),
            "passages": [
                {
                    "n": i,
                    "address": p.address.canonical,
                    "display": p.display_citation(),
                    "score": p.score,
                }
                for i, p in enumerate(self.passages, 1)
            ],
            "nearest": [
                {"address": p.address.canonical, "display": p.display_citation(), "score": p.score}
                for p in self.nearest
            ],
            "model": self.model,
            "timings_ms": dict(self.timings_ms),
            "declined": self.declined,
        }
