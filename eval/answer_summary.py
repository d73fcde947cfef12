"""The ``generated`` section of the answer summary: figures of the model's own writing
(citation validity, faithfulness, structured replies it failed to write, speed) and the
constant baselines a model must beat (majority class for Đúng/Sai and multiple choice)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from eval.metrics import percentile
from generation.answer import AnswerMode, QuestionType

if TYPE_CHECKING:
    from eval.answer_harness import AnswerResult

NO_LLM_NOTE = (
    "needs an LLM: the extractive backend does not choose Đúng/Sai or a letter; "
    "run with --backend vllm (or auto with LUATQA_LLM__BASE_URL set)"
)


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def _majority(results: Sequence[AnswerResult], qtype: QuestionType) -> dict[str, Any]:
    """The constant baseline: always answer the most frequent gold label of these items."""
    golds = [(r.item.answer or "").strip() for r in results if r.qtype is qtype and r.item.answer]
    if not golds:
        return {"label": None, "accuracy": None}
    label, count = Counter(golds).most_common(1)[0]
    return {"label": label, "accuracy": count / len(golds)}


def generated_figures(results: Sequence[AnswerResult]) -> dict[str, Any]:
    """Figures of the model's own writing: citation validity, faithfulness, speed."""
    gen = [r for r in results if r.answer.mode is AnswerMode.GENERATED]
    timing = [r.answer.timings_ms for r in gen]
    ttft = [t["first_token"] for t in timing if "first_token" in t]
    speed = [t["tokens_per_s"] for t in timing if "tokens_per_s" in t]
    models = Counter(r.answer.model for r in gen if r.answer.model)
    return {
        "n": len(gen),
        "models": dict(models),
        "citation_validity": _ratio(
            sum(r.citations_verified for r in gen), sum(r.citations_written for r in gen)
        ),
        "citations_written": sum(r.citations_written for r in gen),
        "faithfulness": _ratio(sum(r.claims_supported for r in gen), sum(r.claims for r in gen)),
        "claims": sum(r.claims for r in gen),
        "quotes_verbatim": _ratio(sum(r.quotes_verbatim for r in gen), sum(r.quotes for r in gen)),
        "quotes": sum(r.quotes for r in gen),
        "structured_unparsed": sum(r.structured_unparsed for r in gen),
        "first_token_ms": {"p50": percentile(ttft, 50), "p95": percentile(ttft, 95)},
        "tokens_per_s": {"p50": percentile(speed, 50)},
        "majority_true_false": _majority(results, QuestionType.TRUE_FALSE),
        "majority_multiple_choice": _majority(results, QuestionType.MULTIPLE_CHOICE),
    }


def accuracy_figures(results: Sequence[AnswerResult], qtype: QuestionType) -> dict[str, Any]:
    items = [r for r in results if r.qtype is qtype]
    scored = [r.verdict_correct for r in items if r.verdict_correct is not None]
    out: dict[str, Any] = {
        "n_items": len(items),
        "n": len(scored),
        "accuracy": (sum(scored) / len(scored)) if scored else None,
    }
    if not items:
        out["note"] = "no such questions in the gold file"
    elif not scored:
        out["note"] = NO_LLM_NOTE
    elif len(scored) < len(items):
        out["note"] = (
            f"{len(items) - len(scored)} of {len(items)} not scored (abstained, extractive "
            "or no gold answer)"
        )
    return out
