"""Answer metrics against hand-computed values."""

from __future__ import annotations

import pytest

from eval.answer_metrics import (
    abstention_scores,
    citation_scores,
    contains_answer,
    extract_choice,
    extract_true_false,
    segment_words,
    token_f1,
    verdict_correct,
)
from legal.address import LegalAddress

D = "45/2019/QH14"


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("Sai. Theo khoản 2 Điều 35, người lao động không phải báo trước.", "Sai"),
        ("Đúng, theo Điều 5 Luật Viên chức.", "Đúng"),
        ("Đáp án: đúng", "Đúng"),
        ("Nhận định này là sai vì …", "Sai"),
        ("dung", "Đúng"),
        ("Không rõ.", None),
        ("Có chỗ đúng, có chỗ sai.", None),
    ],
)
def test_extract_true_false(text: str, verdict: str | None) -> None:
    assert extract_true_false(text) == verdict


@pytest.mark.parametrize(
    ("text", "letter"),
    [
        ("Đáp án: D. 45 ngày đối với hợp đồng không xác định thời hạn", "D"),
        ("D. 45 ngày", "D"),
        ("Chọn phương án (B) vì …", "B"),
        ("Đáp án đúng là c", "C"),
        ("Theo Điều 29, cần báo trước 45 ngày", None),
    ],
)
def test_extract_choice(text: str, letter: str | None) -> None:
    assert extract_choice(text) == letter


def test_verdict_correct_by_type() -> None:
    assert verdict_correct("Sai, vì …", "Sai", "Đúng/Sai") is True
    assert verdict_correct("Đúng.", "Sai", "Đúng/Sai") is False
    assert verdict_correct("Đáp án: D", "D", "Trắc nghiệm") is True
    assert verdict_correct("Đáp án: A", "D", "Trắc nghiệm") is False
    assert verdict_correct("07 năm", "07 năm", "Tự luận") is None


def test_containment_normalises() -> None:
    assert contains_answer("Người phạm tội có thể bị phạt tù đến 07 năm.", "07 năm")
    assert contains_answer("… hòa giải viên lao động …", "Hoà giải viên")  # tone placement
    assert not contains_answer("phạt tù đến 17 năm", "7 năm")
    assert not contains_answer("anything", "")


def test_token_f1_by_hand() -> None:
    split = str.split
    # pred {a, b, c}, gold {b, c, d, e}: common 2, P = 2/3, R = 2/4 → F1 = 4/7
    assert token_f1("a b c", "b c d e", split) == pytest.approx(4 / 7)
    assert token_f1("x", "y", split) == 0.0
    assert token_f1("", "", split) == 1.0
    assert token_f1("B, C.", "b c", split) == 1.0


def test_token_f1_on_segmented_vietnamese() -> None:
    assert "lao_động" in segment_words("Người lao động")
    # "lao_động" is one token: pred {người, lao_động}, gold {người, sử_dụng, lao_động}
    assert token_f1("người lao động", "người sử dụng lao động") == pytest.approx(0.8)


def test_citation_scores() -> None:
    gold = [LegalAddress(D, "35", "2"), LegalAddress(D, "36")]
    cited = [LegalAddress(D, "35", "1"), LegalAddress(D, "40")]
    # article level: Điều 35 right, Điều 40 wrong; gold Điều 36 not cited
    art = citation_scores(cited, gold)
    assert (art.precision, art.recall) == (0.5, 0.5)
    # clause level: khoản 1 ≠ khoản 2
    cl = citation_scores(cited, gold, level="clause")
    assert (cl.precision, cl.recall) == (0.0, 0.0)
    assert citation_scores([], gold).precision is None
    assert citation_scores([LegalAddress(D, "36", "4")], gold, "clause").precision == 1.0


def test_abstention_scores() -> None:
    pairs = [(True, True), (True, False), (False, True), (False, False), (True, True)]
    s = abstention_scores(pairs)
    assert s.precision == pytest.approx(2 / 3) and s.recall == pytest.approx(2 / 3)
    assert abstention_scores([(False, False)]).precision is None
