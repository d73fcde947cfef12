"""Questions → answers for the UI: :class:`QAService` over an :class:`Answerer`.

Decisions: a follow-up question is searched with the previous question in front of it
(:func:`retrieval_query`); only verified citations become :class:`Source` chips, the others
are kept apart as ``unverified`` (:func:`result_from_answer`); the real answerer
(:class:`GenerationAnswerer`) builds the answer service on the first question, so the UI
starts without loading the embedder or asking the model server anything.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal, Protocol

from app.services.render import safe_inline, safe_markdown
from legal.address import LegalAddress
from legal.errors import LuatqaError, QuestionError
from legal.validity import vn_date
from retrieval.types import Passage

if TYPE_CHECKING:
    from app.wiring import Services
    from generation.answer import Answer

Mode = Literal["generated", "extractive", "abstained"]

_MODES: dict[str, Mode] = {
    "generated": "generated",
    "extractive": "extractive",
    "abstained": "abstained",
}
MODE_LABELS: dict[str, str] = {
    "generated": "Câu trả lời do mô hình tạo, kèm trích dẫn đã kiểm chứng",
    "extractive": "Trích nguyên văn (không dùng mô hình ngôn ngữ)",
    "abstained": "Không tìm thấy câu trả lời trong các văn bản đã nạp",
}


@dataclass(frozen=True)
class Source:
    """A verified citation of an answer: what a chip shows and what clicking it opens."""

    address: LegalAddress
    chip: str  # "khoản 2 Điều 35 BLLĐ 2019"
    label: str  # "khoản 2 Điều 35 Bộ luật Lao động 2019"
    quote: str  # the cited text
    passage: Passage | None = None
    # currency on the answer's date: "đã hết hiệu lực từ …", "chưa có hiệu lực (từ …)",
    # "khoản này được sửa đổi từ … bởi …", "văn bản hướng dẫn" (generation.answer.Answer)
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class QAResult:
    question: str
    text: str
    mode: Mode
    sources: tuple[Source, ...] = ()  # verified citations only
    warnings: tuple[str, ...] = ()
    unverified: tuple[str, ...] = ()  # raw text of citations that failed verification
    retrieval_query: str = ""
    seconds: float = 0.0
    nearest: tuple[str, ...] = ()  # when abstaining: the closest provisions found
    model: str | None = None  # the served model that wrote it (generated answers)
    as_of: str | None = None  # the date the law was applied on (ISO)

    @property
    def mode_label(self) -> str:
        return MODE_LABELS[self.mode]


@dataclass(frozen=True)
class Turn:
    """One question and its answer in a conversation."""

    question: str
    answer: str


class Answerer(Protocol):
    """Answers a question: yields text pieces as they stream, then one :class:`QAResult`."""

    def stream(
        self,
        question: str,
        *,
        retrieval_query: str,
        docs: Sequence[str],
        as_of: str | None = None,
    ) -> Iterator[str | QAResult]: ...


def chip_label(address: LegalAddress, passage: Passage | None) -> str:
    """'khoản 2 Điều 35 BLLĐ 2019': the compact document label when the registry knows one."""
    if passage is None:
        return address.display()
    return address.display(passage.doc_short or passage.doc_label)


def result_from_answer(answer: Answer) -> QAResult:
    """Adapt a :class:`generation.answer.Answer`: verified citations become sources (one per
    address); unverified ones are kept apart and never shown as sources."""
    sources = []
    for c in answer.sources:
        idx = c.passage_index - 1
        passage = answer.passages[idx] if 0 <= idx < len(answer.passages) else None
        sources.append(
            Source(
                c.address,
                chip_label(c.address, passage),
                c.display,
                c.quote,
                passage,
                answer.currency(c),
            )
        )
    return QAResult(
        question=answer.question,
        text=answer.text,
        mode=_MODES[answer.mode.value],
        sources=tuple(sources),
        warnings=tuple(answer.warnings),
        unverified=tuple(u.marker for u in answer.unverified),
        nearest=tuple(p.display_citation() for p in answer.nearest),
        model=answer.model,
        as_of=answer.as_of,
    )


def retrieval_query(question: str, history: Sequence[Turn]) -> str:
    """A follow-up's retrieval query carries the previous question's context."""
    question = question.strip()
    if not history:
        return question
    previous = history[-1].question.strip()
    return f"{previous}\n{question}" if previous else question


class QAService:
    def __init__(self, answerer: Answerer) -> None:
        self._answerer = answerer

    def stream(
        self,
        question: str,
        history: Sequence[Turn] = (),
        docs: Sequence[str] = (),
        as_of: str | None = None,
    ) -> Iterator[str | QAResult]:
        """Text pieces as they come, then the final :class:`QAResult` (always last);
        ``as_of`` (ISO): answer from the law in force that day."""
        question = question.strip()
        if not question:
            raise QuestionError("the question is empty", hint="type a question about the law")
        started = time.perf_counter()
        query = retrieval_query(question, history)
        final: QAResult | None = None
        for item in self._answerer.stream(
            question, retrieval_query=query, docs=tuple(docs), as_of=as_of
        ):
            if isinstance(item, QAResult):
                final = item
            else:
                yield item
        if final is None:
            raise LuatqaError("the answer service returned no answer", hint="see the logs")
        yield replace(final, retrieval_query=query, seconds=round(time.perf_counter() - started, 3))

    def ask(
        self,
        question: str,
        history: Sequence[Turn] = (),
        docs: Sequence[str] = (),
        as_of: str | None = None,
    ) -> QAResult:
        result: QAResult | None = None
        for item in self.stream(question, history, docs, as_of):
            if isinstance(item, QAResult):
                result = item
        assert result is not None  # stream() always ends with a result or raises
        return result


def answer_markdown(result: QAResult) -> str:
    """The answer with its verified citations, for copying or downloading. Every text we did
    not write (question, model answer, quotes) is escaped (:mod:`app.services.render`): a
    Markdown viewer opening the file loads no image and runs no HTML."""
    label = result.mode_label + (f" ({result.model})" if result.model else "")
    question = safe_inline(" ".join(result.question.split()))
    lines = [f"# {question}", "", f"*{label}*", ""]
    if result.as_of:
        lines += [f"*Theo pháp luật có hiệu lực ngày {vn_date(result.as_of)}*", ""]
    lines += [safe_markdown(result.text.strip()), ""]
    if result.warnings:
        lines += ["> " + safe_markdown(" ".join(w.split())) for w in result.warnings] + [""]
    if result.sources:
        lines += ["## Căn cứ pháp lý", ""]
        for i, src in enumerate(result.sources, 1):
            quote = safe_markdown(" ".join(src.quote.split()))
            lines.append(f"{i}. **{safe_inline(src.label)}** — {quote}")
            lines += [f"   - ⚠ {safe_markdown(w)}" for w in src.warnings]
        lines.append("")
    return "\n".join(lines)


class GenerationAnswerer:
    """:class:`Answerer` over :class:`generation.service.AnswerService` (``Services.answers``,
    built on the first question)."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def stream(
        self,
        question: str,
        *,
        retrieval_query: str,
        docs: Sequence[str],
        as_of: str | None = None,
    ) -> Iterator[str | QAResult]:
        streamed = False
        for item in self._services.answers.stream(
            question, docs=tuple(docs), retrieval_query=retrieval_query, as_of=as_of
        ):
            if isinstance(item, str):
                streamed = streamed or bool(item)
                yield item
                continue
            result = result_from_answer(item)
            if not streamed:  # extractive answers and abstentions come whole
                yield result.text
            yield result
