"""Gold items on a date (``as_of``, ``currency``), the searches with and without the validity
feature, and the validity accuracy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from eval.gold import GoldItem, GoldSet, load_gold
from eval.harness import run_eval, search_text
from eval.validity import score_labels, validity_accuracy
from legal.address import LegalAddress
from legal.errors import GoldError
from legal.validity import Dates
from retrieval.types import Passage, Provision, SearchResult

LC = "45/2019/QH14"


def _write(tmp_path: Path, *items: dict[str, Any]) -> Path:
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(json.dumps(i, ensure_ascii=False) for i in items), encoding="utf-8")
    return path


def test_as_of_and_currency_are_read_and_resolved(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        {
            "id": "1",
            "question": "Thời giờ làm việc?",
            "references": [{"doc": LC, "article": "105", "clause": "1"}],
            "as_of": "2020-06-01",
            "currency": {"45/2019/QH14": "Chưa có hiệu lực"},
        },
    )
    (item,) = load_gold(path).items
    assert item.as_of == "2020-06-01" and item.currency == ((LC, "Chưa có hiệu lực"),)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"as_of": "01/06/2020"}, "YYYY-MM-DD"),
        ({"as_of": "2020-06-01", "currency": {LC: "đang áp dụng"}}, "not one of"),
        ({"currency": {LC: "Còn hiệu lực"}}, "needs 'as_of'"),
    ],
)
def test_bad_dating_fails_the_item(tmp_path: Path, extra: dict[str, Any], message: str) -> None:
    path = _write(
        tmp_path, {"id": "1", "question": "?", "references": [{"doc": LC, "article": "1"}], **extra}
    )
    with pytest.raises(GoldError, match=message):
        load_gold(path)


def _prov(doc: str, article: str, dates: Dates) -> Provision:
    a = LegalAddress(doc, article)
    p = Passage(address=a, text="…", article_title="", doc_label=doc, validity=dates)
    return Provision(address=a, article_title="", doc_label=doc, score=1.0, passages=(p,))


class DatedRetriever:
    """Returns the Labor Code article unless the as-of date is before it took effect."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def search(self, query: str, k: int, **options: Any) -> SearchResult:
        self.calls.append(options)
        lc = _prov(LC, "105", Dates("2021-01-01"))
        old = _prov("10/2012/QH13", "104", Dates("2013-05-01", "2021-01-01", LC))
        as_of = options.get("as_of")
        found = [old] if as_of and as_of < "2021-01-01" else [lc, old]
        return SearchResult(query=query, provisions=tuple(found))


def test_labels_scored_against_the_gold_currency() -> None:
    result = DatedRetriever().search("q", 10)
    expected = {LC: "Chưa có hiệu lực", "10/2012/QH13": "Còn hiệu lực"}
    # on 2020-06-01: the 2019 code is not yet in force, the 2012 one is; before the feature
    # both were shown as current (one right of two)
    assert score_labels(result, "2020-06-01", expected) == (2, 2, 1)
    assert score_labels(result, "2022-01-01", {"10/2012/QH13": "Hết hiệu lực"}) == (1, 1, 0)


def test_runs_with_and_without_the_feature_and_the_accuracy() -> None:
    items = (
        GoldItem(
            "1",
            "q1",
            (LegalAddress(LC, "105"),),
            as_of="2022-01-01",
            currency=((LC, "Còn hiệu lực"), ("10/2012/QH13", "Hết hiệu lực")),
        ),
        GoldItem("2", "q2", (LegalAddress("10/2012/QH13", "104"),), as_of="2020-06-01"),
    )
    gold = GoldSet(Path("gold.jsonl"), items)
    retriever = DatedRetriever()
    with_feature = run_eval(retriever, gold, k=5, validity=True, warmup=False)
    assert retriever.calls == [
        {"guidance": True, "as_of": "2022-01-01"},
        {"guidance": True, "as_of": "2020-06-01"},
    ]
    assert with_feature.summary.article.recall[1] == 1.0
    retriever.calls.clear()
    without = run_eval(retriever, gold, k=5, validity=False, warmup=False)
    assert retriever.calls == [{"guidance": False}, {"guidance": False}]
    assert without.summary.article.recall[1] == 0.5  # the 2019 code ranked first in 2020
    score = validity_accuracy(retriever, items, 5, search_text)
    assert (score.citations, score.right, score.right_without) == (2, 2, 1)
    assert score.to_json() == {"citations": 2, "accuracy": 1.0, "accuracy_without": 0.5}
