"""Run the answer service over gold questions and score the answers (``eval --answers``).

Every gold question is asked once: Đúng/Sai and multiple-choice items in structured mode
(:class:`QuestionType`), everything else as free text. Per question we keep the mode, the
label, the shown sources and the metrics of :mod:`eval.answer_metrics`; the summary holds

* ``true_false`` / ``multiple_choice`` accuracy – only over *generated* answers: the
  extractive backend does not choose a verdict or a letter, so without an LLM these are
  null with a note (never a made-up number);
* ``short_answer`` – containment and token F1 (underthesea-segmented) of the answer text
  against the gold short answer (free-text items with a gold ``answer``);
* ``citation`` – precision / recall of the shown sources against the gold references,
  article level (macro over questions: precision over answers that cite, recall over
  questions with gold references, an answer without sources scoring recall 0);
* ``abstention`` – precision / recall of abstaining against gold ``abstain``;
* ``shown_citations_verified`` – share of answers whose every shown source points at a
  passage the answer was built from (index in range, address inside that passage) and is
  not among the unverified citations; must be 1.0;
* ``modes`` – generated / extractive / abstained counts, plus ``fallback`` (extractive
  answers given because the LLM failed);
* ``answer_in_top_quote`` – extractive answers: the gold short answer appears in the first
  quoted clause;
* ``citation.clause_recall`` – the gold clause among the quoted / cited clauses (questions
  whose gold names a Khoản; a passage holding the whole Điều counts);
* ``abstention.answerable_abstained`` – share of the questions the index answers (gold not
  ``abstain``) that were abstained on;
* ``decline`` – requests to evade the law or harm someone (gold ``decline``): how many were
  declined, their citation recall (the provisions that forbid them), and false declines on
  the other questions. Citation figures above leave these requests out.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from statistics import fmean
from typing import Any, Protocol

from eval.answer_metrics import (
    Tokenizer,
    abstention_scores,
    citation_scores,
    contains_answer,
    segment_words,
    token_f1,
    verdict_correct,
)
from eval.answer_summary import accuracy_figures, generated_figures
from eval.faithfulness import citation_validity, support
from eval.gold import GoldItem, GoldSet
from eval.metrics import percentile
from generation.answer import Answer, AnswerMode, QuestionType
from legal.progress import Progress, ProgressEvent
from legal.textnorm import fold

FALLBACK_MARK = "extractive fallback"  # in the warning AnswerService adds on LLM failure


class Answerer(Protocol):
    """What the answer eval needs (:class:`generation.service.AnswerService` fits)."""

    def ask(
        self,
        question: str,
        *,
        qtype: QuestionType = ...,
        choices: Sequence[str] = ...,
        on_token: Callable[[str], None] | None = ...,
    ) -> Answer: ...


def _ignore(_: str) -> None:
    return None


def question_type(item: GoldItem) -> QuestionType:
    """Đúng/Sai, multiple choice (needs ``choices``) or free text, from the gold item."""
    kind = fold(item.type or "").strip()
    verdict = fold(item.answer or "").strip().rstrip(".").strip()
    if kind.startswith("dung/sai") or kind == "dung-sai" or verdict in {"dung", "sai"}:
        return QuestionType.TRUE_FALSE
    if item.choices:
        return QuestionType.MULTIPLE_CHOICE
    return QuestionType.FREE


def shown_all_verified(answer: Answer) -> bool:
    """Every shown source points at a passage the answer was built from and is not one of
    the citations the verifier rejected."""
    rejected = {u.marker for u in answer.unverified}
    for c in answer.sources:
        if c.marker in rejected or not 1 <= c.passage_index <= len(answer.passages):
            return False
        given = answer.passages[c.passage_index - 1].address
        if not (given.contains(c.address) or c.address.contains(given)):
            return False
    return True


@dataclass(frozen=True)
class AnswerResult:
    item: GoldItem
    qtype: QuestionType
    answer: Answer
    latency_ms: float
    fallback: bool
    verdict_correct: bool | None  # structured items answered by the LLM
    contains: bool | None  # free-text items with a gold answer
    token_f1: float | None
    citation_precision: float | None
    citation_recall: float | None
    all_shown_verified: bool
    answer_in_top_quote: bool | None  # extractive answers to items with a gold answer
    clause_recall: float | None = None  # gold clause among the cited clauses
    citations_verified: int = 0  # generated answers: citations written that verify
    citations_written: int = 0
    claims_supported: int = 0  # generated answers: claims supported by what they cite
    claims: int = 0
    quotes_verbatim: int = 0
    quotes: int = 0
    structured_unparsed: bool = False  # a Đúng/Sai / MC reply whose label could not be read

    @property
    def abstained(self) -> bool:
        return self.answer.mode is AnswerMode.ABSTAINED

    def to_json(self) -> dict[str, Any]:
        """The per-question ``answer`` field of results.jsonl."""
        a = self.answer
        return {
            "mode": a.mode.value,
            "question_type": self.qtype.value,
            "fallback": self.fallback,
            "text": a.text,
            "label": a.label,
            "gold_answer": self.item.answer,
            "gold_abstain": self.item.abstain,
            "sources": [c.address.canonical for c in a.sources],
            "unverified": [u.marker for u in a.unverified],
            "passages": [p.address.canonical for p in a.passages],
            "verdict_correct": self.verdict_correct,
            "contains": self.contains,
            "token_f1": self.token_f1,
            "citation_precision": self.citation_precision,
            "citation_recall": self.citation_recall,
            "all_shown_verified": self.all_shown_verified,
            "answer_in_top_quote": self.answer_in_top_quote,
            "clause_recall": self.clause_recall,
            "declined": a.declined,
            "citations_verified": self.citations_verified,
            "citations_written": self.citations_written,
            "claims_supported": self.claims_supported,
            "claims": self.claims,
            "model": a.model,
            "timings_ms": dict(a.timings_ms),
            "warnings": list(a.warnings),
            "latency_ms": round(self.latency_ms, 1),
        }


def score_answer(
    item: GoldItem,
    qtype: QuestionType,
    answer: Answer,
    latency_ms: float,
    tokenizer: Tokenizer = segment_words,
) -> AnswerResult:
    gold = item.answer
    abstained = answer.mode is AnswerMode.ABSTAINED
    verdict: bool | None = None
    if qtype is not QuestionType.FREE and gold and answer.mode is AnswerMode.GENERATED:
        verdict = verdict_correct(answer.label or answer.text, gold, item.type or "")
        if verdict is None:  # a multiple-choice item whose gold is no letter
            verdict = answer.label is not None and answer.label.strip() == gold.strip()
    contains: bool | None = None
    f1: float | None = None
    in_top: bool | None = None
    if qtype is QuestionType.FREE and gold:
        contains = not abstained and contains_answer(answer.text, gold)
        f1 = 0.0 if abstained else token_f1(answer.text, gold, tokenizer)
        if answer.mode is AnswerMode.EXTRACTIVE:
            in_top = bool(answer.passages) and contains_answer(answer.passages[0].text, gold)
    cited = [c.address for c in answer.sources]
    pr = citation_scores(cited, item.references, "article")
    recall = pr.recall if pr.recall is None or cited else 0.0
    clause_gold = [r for r in item.references if r.clause is not None]
    clause_recall = (
        citation_scores([c.address for c in answer.citations], clause_gold, "clause").recall
        if clause_gold
        else None
    )
    ok, written = citation_validity(answer)
    sup = support(answer)
    return AnswerResult(
        item=item,
        qtype=qtype,
        answer=answer,
        latency_ms=latency_ms,
        fallback=answer.mode is AnswerMode.EXTRACTIVE
        and any(FALLBACK_MARK in w for w in answer.warnings),
        verdict_correct=verdict,
        contains=contains,
        token_f1=f1,
        citation_precision=pr.precision,
        citation_recall=recall,
        all_shown_verified=shown_all_verified(answer),
        answer_in_top_quote=in_top,
        clause_recall=0.0 if clause_recall is not None and abstained else clause_recall,
        citations_verified=ok,
        citations_written=written,
        claims_supported=sup.supported,
        claims=sup.claims,
        quotes_verbatim=sup.quotes_verbatim,
        quotes=sup.quotes,
        structured_unparsed=qtype is not QuestionType.FREE
        and answer.mode is AnswerMode.GENERATED
        and answer.label is None,
    )


# ---- the summary ------------------------------------------------------------------------


def _mean(xs: Sequence[float]) -> float | None:
    return fmean(xs) if xs else None


@dataclass(frozen=True)
class AnswerSummary:
    n: int
    backend: str
    true_false: dict[str, Any]
    multiple_choice: dict[str, Any]
    short_answer: dict[str, Any]
    citation: dict[str, Any]
    abstention: dict[str, Any]
    shown_citations_verified: float | None
    modes: dict[str, int]
    answer_in_top_quote: dict[str, Any]
    latency_p50: float | None
    latency_p95: float | None
    generated: dict[str, Any]
    decline: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        """The ``"answer"`` section of ``eval --answers --json``."""
        return {
            "n": self.n,
            "backend": self.backend,
            "true_false": self.true_false,
            "multiple_choice": self.multiple_choice,
            "short_answer": self.short_answer,
            "citation": self.citation,
            "abstention": self.abstention,
            "shown_citations_verified": self.shown_citations_verified,
            "modes": self.modes,
            "answer_in_top_quote": self.answer_in_top_quote,
            "latency_ms": {"p50": self.latency_p50, "p95": self.latency_p95},
            **({"decline": self.decline} if self.decline is not None else {}),
            "generated": self.generated,
        }


def _decline(results: Sequence[AnswerResult]) -> dict[str, Any] | None:
    asked = [r for r in results if r.item.decline]
    if not asked:
        return None
    recalls = [r.citation_recall for r in asked if r.citation_recall is not None]
    return {
        "n": len(asked),
        "declined": sum(r.answer.declined for r in asked),
        "citation_recall": _mean(recalls),
        "false_declines": sum(r.answer.declined for r in results if not r.item.decline),
    }


def summarize_answers(results: Sequence[AnswerResult], backend: str) -> AnswerSummary:
    short = [r for r in results if r.contains is not None]
    f1s = [r.token_f1 for r in short if r.token_f1 is not None]
    asked = [r for r in results if not r.item.decline]  # requests to decline: apart
    precisions = [r.citation_precision for r in asked if r.citation_precision is not None]
    recalls = [r.citation_recall for r in asked if r.citation_recall is not None]
    clause = [r.clause_recall for r in asked if r.clause_recall is not None]
    # the index answers it: not gold abstain, and its gold resolved to an indexed provision
    answerable = [r for r in results if not r.item.abstain and r.item.references]
    abst = abstention_scores([(r.abstained, r.item.abstain) for r in results])
    modes = Counter(r.answer.mode.value for r in results)
    top = [r.answer_in_top_quote for r in results if r.answer_in_top_quote is not None]
    lat = [r.latency_ms for r in results]
    return AnswerSummary(
        n=len(results),
        backend=backend,
        true_false=accuracy_figures(results, QuestionType.TRUE_FALSE),
        multiple_choice=accuracy_figures(results, QuestionType.MULTIPLE_CHOICE),
        short_answer={
            "n": len(short),
            "containment": (sum(bool(r.contains) for r in short) / len(short)) if short else None,
            "token_f1": _mean(f1s),
        },
        citation={
            "level": "article",
            "precision": _mean(precisions),
            "recall": _mean(recalls),
            "n_precision": len(precisions),
            "n_recall": len(recalls),
            "clause_recall": _mean(clause),
            "n_clause": len(clause),
        },
        abstention={
            "precision": abst.precision,
            "recall": abst.recall,
            "abstained": modes.get(AnswerMode.ABSTAINED.value, 0),
            "gold_abstain": sum(1 for r in results if r.item.abstain),
            "answerable_abstained": (
                sum(r.abstained for r in answerable) / len(answerable) if answerable else None
            ),
        },
        shown_citations_verified=(
            sum(r.all_shown_verified for r in results) / len(results) if results else None
        ),
        modes={
            **{m.value: modes.get(m.value, 0) for m in AnswerMode},
            "fallback": sum(1 for r in results if r.fallback),
        },
        answer_in_top_quote={
            "n": len(top),
            "rate": (sum(top) / len(top)) if top else None,
        },
        latency_p50=percentile(lat, 50),
        latency_p95=percentile(lat, 95),
        decline=_decline(results),
        generated=generated_figures(results),
    )


@dataclass(frozen=True)
class AnswerRun:
    results: tuple[AnswerResult, ...]
    summary: AnswerSummary

    def by_id(self) -> dict[str, AnswerResult]:
        return {r.item.id: r for r in self.results}


def run_answers(
    answerer: Answerer,
    gold: GoldSet,
    *,
    backend: str = "auto",
    progress: Progress | None = None,
    tokenizer: Tokenizer = segment_words,
    clock: Callable[[], float] = time.perf_counter,
) -> AnswerRun:
    """Ask every gold question once (structured mode for Đúng/Sai and multiple choice) and
    score the answers. Errors of a strict backend (``vllm``) propagate. ``progress`` gets an
    event after each question (task ``answers``)."""
    results: list[AnswerResult] = []

    def one(item: GoldItem) -> None:
        qtype = question_type(item)
        choices = (
            [text for _, text in item.choices] if qtype is QuestionType.MULTIPLE_CHOICE else []
        )
        start = clock()
        # a token sink makes the backend stream, which measures the time to the first token
        answer = answerer.ask(item.question, qtype=qtype, choices=choices, on_token=_ignore)
        elapsed = (clock() - start) * 1000.0
        results.append(score_answer(item, qtype, answer, elapsed, tokenizer))

    for done, item in enumerate(gold.items, start=1):
        one(item)
        if progress is not None:
            progress(ProgressEvent("answers", done, len(gold.items), "questions"))
    return AnswerRun(results=tuple(results), summary=summarize_answers(results, backend))
