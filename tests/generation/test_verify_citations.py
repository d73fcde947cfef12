"""Citation verification: only citations backed by a given passage become sources."""

from __future__ import annotations

from generation.parsing import parse_answer
from generation.verify import verify_answer
from legal.address import LegalAddress
from retrieval.types import Passage

BLLD = "Bộ luật Lao động 2019"
POINTS = (
    "Người lao động có quyền đơn phương chấm dứt hợp đồng lao động nhưng phải báo trước:\n"
    "a) Ít nhất 45 ngày nếu làm việc theo hợp đồng không xác định thời hạn;\n"
    "b) Ít nhất 30 ngày nếu làm việc theo hợp đồng xác định thời hạn từ 12 đến 36 tháng;"
)
PASSAGES = (
    Passage(LegalAddress("45/2019/QH14", "35", "1"), POINTS, "Quyền đơn phương", BLLD),
    Passage(
        LegalAddress("45/2019/QH14", "105", "1"),
        "Thời giờ làm việc bình thường không quá 08 giờ trong 01 ngày.",
        "Thời giờ làm việc bình thường",
        BLLD,
    ),
    Passage(
        LegalAddress("24/2018/QH14", "8", "1"),
        "Sử dụng không gian mạng để tổ chức, hoạt động ...",
        "Các hành vi bị nghiêm cấm",
        "Luật An ninh mạng 2018",
    ),
)


def _verify(text: str) -> tuple[list[str], list[str]]:
    ok, bad = verify_answer(parse_answer(text), PASSAGES)
    return [c.address.canonical for c in ok], [u.marker for u in bad]


def test_bracket_numbers_in_range_are_verified_out_of_range_are_not() -> None:
    ok, bad = _verify("Tối đa 08 giờ [2]. Theo [7] và [0] thì khác.")
    assert ok == ["45/2019/QH14 › Điều 105 › Khoản 1"]
    assert bad == ["[7]", "[0]"]


def test_written_point_inside_given_clause_quotes_the_point() -> None:
    ok, bad = verify_answer(parse_answer("Báo trước 45 ngày (điểm a khoản 1 Điều 35)."), PASSAGES)
    assert not bad
    (c,) = ok
    assert c.address == LegalAddress("45/2019/QH14", "35", "1", "a")
    assert c.quote.startswith("a) Ít nhất 45 ngày") and "b)" not in c.quote
    assert c.display == "điểm a khoản 1 Điều 35 Bộ luật Lao động 2019"
    assert c.passage_index == 1


def test_article_cited_when_a_clause_of_it_was_given() -> None:
    ok, bad = _verify("Xem Điều 105.")
    assert ok == ["45/2019/QH14 › Điều 105 › Khoản 1"] and not bad


def test_provisions_not_given_are_unverified() -> None:
    ok, bad = _verify("Theo khoản 3 Điều 35 thì được. Điều 999 cũng vậy.")
    assert ok == []
    assert bad == ["khoản 3 Điều 35", "Điều 999"]


def test_law_named_must_match_the_passage_document() -> None:
    ok, bad = _verify(
        "Theo khoản 1 Điều 8 Luật An ninh mạng 2018 và khoản 1 Điều 8 Bộ luật Lao động."
    )
    assert ok == ["24/2018/QH14 › Điều 8 › Khoản 1"]
    assert len(bad) == 1 and "Bộ luật Lao động" in bad[0]
    ok2, bad2 = _verify(
        "khoản 1 Điều 105 của Luật số 45/2019/QH14; khoản 1 Điều 105 Luật số 99/2020/QH14"
    )
    assert ok2 == ["45/2019/QH14 › Điều 105 › Khoản 1"] and len(bad2) == 1


def test_gibberish_has_no_sources() -> None:
    ok, bad = _verify("kè Bổ gắn nXử [42] táchú rối bảy Điều 7777 khoản 9")
    assert ok == []
    assert "[42]" in bad
