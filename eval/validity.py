"""Gold questions on a date (issue 11): ``as_of`` and ``currency`` in our JSONL shape, and the
two figures ``luatqa eval`` reports on them.

* ``"as_of": "2020-06-01"`` — the date the question is asked about: with the feature, only
  provisions in force that day are searched.
* ``"currency": {"Bộ luật Lao động 2019": "Chưa có hiệu lực"}`` — the currency label a
  citation of that law must carry on ``as_of`` (a law named as references are: number, name
  or abbreviation; labels: Còn hiệu lực, Hết hiệu lực, Chưa có hiệu lực).

**Retrieval with and without the feature**: the same gold set searched twice — with the
as-of filter and the guidance of the implementation chain, and without either (what
luatqa did before).

**Validity accuracy**: the share of citations whose currency label is right. The citations
are the top-k provisions of the search *without* the as-of filter (what a user sees when
they do not restrict the date), for the laws the item's ``currency`` names; a citation's
label is its validity on ``as_of`` as the index knows it. Without the feature there is no
label: every citation is shown as current, so it is right exactly when the law was in force.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NoReturn, Protocol, TypedDict

from legal.errors import CitationError
from legal.validity import Currency, to_date
from retrieval.types import SearchResult


class Resolver(Protocol):
    def resolve_law(self, name: str) -> str: ...


class Dating(TypedDict):
    """The dating fields of a :class:`eval.gold.GoldItem`, as its keyword arguments."""

    as_of: str | None
    currency: tuple[tuple[str, str], ...]


def read_dating(
    obj: Mapping[str, Any], resolver: Resolver, fail: Callable[[str], NoReturn]
) -> Dating:
    """``as_of`` (ISO) and ``currency`` ((doc id, label), …) of a gold item."""
    as_of = obj.get("as_of")
    if as_of is not None and (not isinstance(as_of, str) or to_date(as_of) is None):
        fail("'as_of' must be a date written YYYY-MM-DD")
    raw = obj.get("currency") or {}
    if not isinstance(raw, dict):
        fail("'currency' must be an object {law: label}")
    labels = {c.value for c in Currency}
    out: list[tuple[str, str]] = []
    for law, label in raw.items():
        if label not in labels:
            fail(f"'currency' label {label!r} is not one of {sorted(labels)}")
        try:
            out.append((resolver.resolve_law(str(law)), str(label)))
        except CitationError:
            continue  # a law the index does not hold: no citation of it can be labelled
    if out and as_of is None:
        fail("'currency' needs 'as_of' (the date the labels are for)")
    return Dating(as_of=as_of, currency=tuple(out))


class Searcher(Protocol):
    def search(self, query: str, k: int) -> SearchResult: ...


@dataclass(frozen=True)
class ValidityScore:
    citations: int
    right: int
    right_without: int  # the same citations, all shown as current (before the feature)

    @property
    def accuracy(self) -> float | None:
        return self.right / self.citations if self.citations else None

    @property
    def accuracy_without(self) -> float | None:
        return self.right_without / self.citations if self.citations else None

    def to_json(self) -> dict[str, Any]:
        return {
            "citations": self.citations,
            "accuracy": self.accuracy,
            "accuracy_without": self.accuracy_without,
        }


def score_labels(
    result: SearchResult, on: str, expected: Mapping[str, str]
) -> tuple[int, int, int]:
    """(citations scored, labelled right, right when shown as current) of one search."""
    n = right = right_without = 0
    for prov in result.provisions:
        want = expected.get(prov.address.doc)
        if want is None or not prov.passages:
            continue
        n += 1
        right += prov.passages[0].validity.currency(on).value == want
        right_without += want == Currency.IN_FORCE.value
    return n, right, right_without


def validity_accuracy(
    retriever: Any, items: Any, k: int, text: Callable[[Any], str]
) -> ValidityScore:
    """:class:`ValidityScore` over the gold items with ``as_of`` and ``currency``."""
    n = right = right_without = 0
    for item in items:
        if not item.as_of or not item.currency:
            continue
        result = retriever.search(text(item), k)
        a, b, c = score_labels(result, item.as_of, dict(item.currency))
        n, right, right_without = n + a, right + b, right_without + c
    return ValidityScore(n, right, right_without)
