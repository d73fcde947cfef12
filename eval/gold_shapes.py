"""Gold shapes read by mapping them onto ours (``docs/gold-format.md``).

The labor-law benchmark (``labor_golden/questions.*.jsonl``: lawyer-style questions on the
Labor Code 2019) is read directly: :func:`to_our_shape` turns one of its items into our JSONL
shape, so the one reader in :mod:`eval.gold` checks it and reports its line numbers.

Mapping (decided for #14):

* ``question`` → ``question``; ``question_type`` (``scenario_qa``, ``direct_qa`` …) → ``type``
  (the per-type breakdown); ``gold_answer_short`` → ``answer``;
* ``gold_citation_primary`` → ``references``: the provision the answer rests on. Retrieval
  ranks and the answers' citation recall are scored against it, as for ALQAC's single gold
  article; ``gold_citations`` and ``gold_citation_secondary`` (other provisions a full answer
  also cites, some in decrees that are not indexed) → ``supporting``, kept for reports;
* ``abstain_required`` → ``decline``: a request to evade the law or harm someone. The right
  answer states the provisions that forbid it and declines to help, so such an item is *not*
  an abstention ("not in the index"): it keeps its references and is scored in its own
  section (``decline``) of the retrieval and answer metrics.
"""

from __future__ import annotations

from typing import Any

LABOR_MARK = "gold_citation_primary"


def is_labor_golden(obj: Any) -> bool:
    return isinstance(obj, dict) and LABOR_MARK in obj


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str) and v.strip()]
    return []


def to_our_shape(obj: dict[str, Any]) -> dict[str, Any]:
    """A labor-golden item in our shape; other objects are returned unchanged."""
    if not is_labor_golden(obj):
        return obj
    primary = _strings(obj.get(LABOR_MARK))
    others = _strings(obj.get("gold_citation_secondary")) + _strings(obj.get("gold_citations"))
    out: dict[str, Any] = {
        "id": obj.get("id"),
        "question": obj.get("question"),
        "references": primary,
        "supporting": [c for c in dict.fromkeys(others) if c not in primary],
        "decline": obj.get("abstain_required", False),
    }
    for ours, theirs in (("type", "question_type"), ("answer", "gold_answer_short")):
        if obj.get(theirs) is not None:
            out[ours] = obj[theirs]
    return out
