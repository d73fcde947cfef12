"""Citation parsing on real phrasings: lists, ranges, order, case, missing diacritics, laws."""

from __future__ import annotations

import time

import pytest

from legal.address import LegalAddress
from legal.citations import find_law_mentions, find_references, fold_keep_length, parse_citations
from legal.document import DocType, DocumentMeta
from legal.registry import default_registry


def triples(text: str) -> list[tuple[str | None, str | None, str | None]]:
    return [(c.article, c.clause, c.point) for c in parse_citations(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Điều 35", [("35", None, None)]),
        ("khoản 2 Điều 35", [("35", "2", None)]),
        ("điểm a khoản 1 Điều 3", [("3", "1", "a")]),
        ("khoản 1, 2 và 3 Điều 36", [("36", "1", None), ("36", "2", None), ("36", "3", None)]),
        ("điểm a, b khoản 2 Điều 5", [("5", "2", "a"), ("5", "2", "b")]),
        ("Điều 35, 36 và 37", [("35", None, None), ("36", None, None), ("37", None, None)]),
        ("khoản 1 và khoản 2 Điều 5", [("5", "1", None), ("5", "2", None)]),
        ("từ Điều 35 đến Điều 37", [("35", None, None), ("36", None, None), ("37", None, None)]),
        ("ĐIỀU 35 KHOẢN 2", [("35", "2", None)]),
        ("dieu 35 khoan 2", [("35", "2", None)]),
        ("khoan 2 dieu 35", [("35", "2", None)]),
        ("Điều 35 khoản 2 điểm a", [("35", "2", "a")]),
        ("khoản 2, Điều 35", [("35", "2", None)]),
        ("Đ.35", [("35", None, None)]),
        ("k2 Đ35", [("35", "2", None)]),
        ("điểm đ khoản 1 Điều 8", [("8", "1", "đ")]),
        ("diem c khoan 1 dieu 8", [("8", "1", "c")]),
        ("Điều 6a", [("6a", None, None)]),
        # the article word written again starts a citation of its own (the whole article)
        ("điểm a khoản 1 Điều 145; Điều 162", [("145", "1", "a"), ("162", None, None)]),
        ("khoản 2 Điều 36 và Điều 37", [("36", "2", None), ("37", None, None)]),
        ("khoản 1 Điều 3, 4", [("3", "1", None), ("4", "1", None)]),
        # no citation
        ("thời hạn đến 35 ngày kể từ ngày d3", []),
        ("Chương II quy định về hợp đồng", []),
    ],
)
def test_provision_phrasings(text: str, expected: list[tuple[str | None, ...]]) -> None:
    assert triples(text) == expected


@pytest.mark.parametrize(
    ("text", "law"),
    [
        ("Điều 36 của Luật số 45/2019/QH14", "Luật số 45/2019/QH14"),
        ("theo quy định tại khoản 2 Điều 35 của Bộ luật này", "Bộ luật này"),
        ("khoản 2 Điều 35 BLLĐ", "BLLĐ"),
        ("khoản 2 Điều 35 blld", "blld"),
        ("Bộ luật Lao động 2019, điểm b khoản 1 Điều 20", "Bộ luật Lao động 2019"),
        ("Điều 36 45/2019/QH14", "45/2019/QH14"),
        ("Điều 5 Luật Viên chức quy định gì?", "Luật Viên chức"),
        ("Điều 3 Nghị định số 145/2020/NĐ-CP", "Nghị định số 145/2020/NĐ-CP"),
        ("dieu 10 luat dat dai nam 2013", "luat dat dai nam 2013"),
    ],
)
def test_law_attached(text: str, law: str) -> None:
    (c,) = parse_citations(text)
    assert c.law == law
    assert text[c.span[0] : c.span[1]] == c.raw
    assert law in c.raw


def test_two_citations_two_laws_and_spans() -> None:
    text = "quy định tại Điều 10 Luật Đất đai năm 2013 và Điều 5 Luật Doanh nghiệp."
    a, b = parse_citations(text)
    assert (a.article, a.law) == ("10", "Luật Đất đai năm 2013")
    assert a.law_mention is not None and a.law_mention.year == 2013
    assert (b.article, b.law) == ("5", "Luật Doanh nghiệp")
    assert a.span[1] <= b.span[0]


def test_this_article() -> None:
    (c,) = parse_citations("trừ trường hợp quy định tại khoản 3 Điều này")
    assert c.this_article and c.article is None and c.clause == "3"
    assert c.address("45/2019/QH14", "36") == LegalAddress("45/2019/QH14", "36", "3")


def test_law_mentions_in_questions() -> None:
    ms = find_law_mentions("Theo Bộ luật Hình sự năm 2017, không áp dụng hình phạt tù")
    assert [(m.text, m.year) for m in ms] == [("Bộ luật Hình sự năm 2017", 2017)]
    ms = find_law_mentions("Theo luật viên chức, viên chức có quyền gì?")
    assert [m.text for m in ms] == ["luật viên chức"]


def test_find_references_resolves_self_and_external() -> None:
    text = (
        "Trường hợp quy định tại khoản 2 Điều 35 của Bộ luật này và điểm a khoản 1 Điều này, "
        "Điều 5 Luật Việc làm và Điều 3 Nghị định số 145/2020/NĐ-CP"
    )
    refs = find_references(text, "45/2019/QH14", "36")
    assert [(r.target.canonical, r.external) for r in refs] == [
        ("45/2019/QH14 › Điều 35 › Khoản 2", False),
        ("45/2019/QH14 › Điều 36 › Khoản 1 › Điểm a", False),
        ("74/2025/QH15 › Điều 5", True),
        ("145/2020/NĐ-CP › Điều 3", True),
    ]


def test_find_references_uses_index_ids() -> None:
    reg = default_registry().with_documents(
        [DocumentMeta("Bộ luật dân sự", None, DocType.BO_LUAT, "Bộ luật dân sự")]
    )
    refs = find_references("theo Điều 10 Bộ luật Dân sự 2015", "Luật Viên chức", "3", reg)
    assert [(r.target.canonical, r.external) for r in refs] == [("Bộ luật dân sự › Điều 10", True)]
    # an unknown law by name stays external with its name
    refs = find_references("Điều 4 Luật Quy hoạch đô thị", "Luật Viên chức", "3", reg)
    assert refs[0].target.doc == "Luật Quy hoạch đô thị" and refs[0].external


def test_this_article_without_article_is_skipped() -> None:
    assert find_references("khoản 2 Điều này", "X", None) == []


def test_fold_keeps_length() -> None:
    text = "Điều 35 khoản 2 điểm đ Bộ luật Lao động"
    folded = fold_keep_length(text)
    assert len(folded) == len(text)
    assert folded == "dieu 35 khoan 2 diem d bo luat lao dong"


def test_fast_enough_for_ingest() -> None:
    clause = (
        "2. Người sử dụng lao động có quyền đơn phương chấm dứt hợp đồng lao động trong trường "
        "hợp quy định tại điểm a, b khoản 1 Điều 36 và khoản 2 Điều 35 của Bộ luật này. "
    ) * 3
    parse_citations(clause)
    start = time.process_time()  # CPU time: robust to a busy machine
    for _ in range(300):
        parse_citations(clause)
    per_call_ms = (time.process_time() - start) / 300 * 1000
    assert per_call_ms < 5, per_call_ms
