"""Reading the model's reply: parse it, verify its citations against the passages the model
was given, and word the warnings a generated answer carries.

* A free answer is read as prose: bracket numbers and written provisions are its citations.
* A structured answer (true/false, multiple choice) is JSON: its passage numbers and the
  citations written in its reasoning are both verified; a JSON that cannot be used as is
  gives a warning, never an error (:func:`generation.parsing.parse_structured`).
* Unverified citations are reported (deduplicated by marker) and never become sources.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from generation.answer import Citation, Claim, UnverifiedCitation
from generation.backends.base import Completion
from generation.budget import Budget
from generation.parsing import parse_answer, parse_structured
from generation.prompt import MODEL_NOT_FOUND
from generation.verify import verify_answer, verify_numbers
from legal.textnorm import fold
from retrieval.types import Passage


@dataclass(frozen=True)
class Reply:
    """The model's reply as read: verified and unverified citations, and for a structured
    answer its label and reasoning."""

    text: str
    verified: tuple[Citation, ...]
    unverified: tuple[UnverifiedCitation, ...]
    claims: tuple[Claim, ...]
    label: str | None = None
    reasoning: str | None = None
    problem: str | None = None  # why a structured reply could not be read as is
    structured: bool = False

    def says_not_found(self) -> bool:
        """A free reply with no verified citation that says the passages hold no answer:
        the model itself abstained (a structured reply always picks a label)."""
        return (
            not self.structured and not self.verified and fold(MODEL_NOT_FOUND) in fold(self.text)
        )


def read_reply(text: str, given: Sequence[Passage], labels: tuple[str, ...] | None) -> Reply:
    """Parse and verify ``text`` against ``given``: prose when ``labels`` is None, else the
    JSON of a structured answer whose label is one of ``labels``."""
    if labels is None:
        parsed = parse_answer(text)
        verified, unverified = verify_answer(parsed, given)
        return Reply(text, verified, unverified, parsed.claims)
    structured = parse_structured(text, labels)
    reasoning = structured.reasoning
    ok, bad = verify_numbers(((f"[{n}]", n) for n in structured.citations), given)
    parsed = parse_answer(reasoning)
    ok2, bad2 = verify_answer(parsed, given)
    return Reply(
        text,
        tuple(ok) + ok2,
        _dedupe([*bad, *bad2]),
        parsed.claims,
        label=structured.label,
        reasoning=reasoning,
        problem=structured.problem,
        structured=True,
    )


def reply_warnings(reply: Reply, completion: Completion, budget: Budget) -> tuple[str, ...]:
    """The warnings of a generated answer, in the order they are shown: an unreadable
    structured reply, unverified citations, no verified citation, a reply cut at the length
    limit, passages left out of the prompt."""
    warnings: list[str] = []
    if reply.problem:
        warnings.append(f"Không đọc được đáp án của mô hình: {reply.problem}")
    if reply.unverified:
        warnings.append(
            f"{len(reply.unverified)} trích dẫn không kiểm chứng được trong các đoạn luật đã "
            "cung cấp và không được dùng làm nguồn: "
            + ", ".join(u.marker for u in reply.unverified)
        )
    if not reply.verified:
        warnings.append(
            "Câu trả lời không có trích dẫn nào kiểm chứng được; hãy đối chiếu với các đoạn "
            "luật được liệt kê."
        )
    if completion.finish_reason == "length":
        warnings.append("Câu trả lời bị cắt vì đạt giới hạn độ dài.")
    if budget.dropped:
        warnings.append(
            f"{budget.dropped} đoạn luật tìm được không vừa ngữ cảnh của mô hình "
            f"({budget.max_model_len} token) nên không được đưa vào."
        )
    return tuple(warnings)


def _dedupe(items: list[UnverifiedCitation]) -> tuple[UnverifiedCitation, ...]:
    seen: dict[str, UnverifiedCitation] = {}
    for u in items:
        seen.setdefault(u.marker, u)
    return tuple(seen.values())
