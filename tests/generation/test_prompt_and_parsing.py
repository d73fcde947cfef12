"""Prompt layout, answer parsing (bracket numbers and written provisions)."""

from __future__ import annotations

from generation.answer import QuestionType
from generation.parsing import find_brackets, parse_answer, parse_structured
from generation.prompt import SYSTEM_PROMPT, build_messages
from legal.address import LegalAddress
from retrieval.types import Passage

BLLD = "Bộ luật Lao động 2019"


def _p(article: str, clause: str | None, text: str, title: str = "") -> Passage:
    return Passage(LegalAddress("45/2019/QH14", article, clause), text, title, BLLD, "BLLĐ 2019")


def test_messages_number_passages_with_display_citations() -> None:
    passages = [
        _p("35", "2", "Người lao động có quyền đơn phương chấm dứt...", "Quyền đơn phương"),
        _p("105", "1", "Thời giờ làm việc bình thường không quá 08 giờ trong 01 ngày."),
    ]
    msgs = build_messages("Thời giờ làm việc tối đa?", passages)
    assert msgs[0] == {"role": "system", "content": SYSTEM_PROMPT}
    user = msgs[1]["content"]
    assert "[1] khoản 2 Điều 35 Bộ luật Lao động 2019 — Điều 35. Quyền đơn phương" in user
    assert "[2] khoản 1 Điều 105 Bộ luật Lao động 2019\nThời giờ làm việc" in user
    assert user.index("[1]") < user.index("[2]") < user.index("CÂU HỎI: Thời giờ")


def test_multiple_choice_prompt_lists_lettered_choices() -> None:
    msgs = build_messages(
        "Thời giờ tối đa?", [], QuestionType.MULTIPLE_CHOICE, ["08 giờ", "10 giờ", "12 giờ"]
    )
    user = msgs[1]["content"]
    assert "NGỮ CẢNH:\n(không có)" in user
    assert "A. 08 giờ\nB. 10 giờ\nC. 12 giờ" in user
    assert "JSON" in user


def test_brackets_single_adjacent_lists_and_ranges() -> None:
    nums = [b.number for b in find_brackets("Đúng [1]. Thêm [2][3] và [4, 5] hoặc [6-8].")]
    assert nums == [1, 2, 3, 4, 5, 6, 7, 8]
    assert find_brackets("không có [a] hay [] ở đây") == []


def test_written_provisions_and_claims() -> None:
    text = (
        "Người lao động phải báo trước ít nhất 45 ngày theo điểm a khoản 1 Điều 35 [1]. "
        "Thời giờ làm việc không quá 08 giờ (khoản 1 Điều 105 Bộ luật Lao động 2019)."
    )
    parsed = parse_answer(text)
    markers = [w.marker for w in parsed.written]
    assert markers[0] == "điểm a khoản 1 Điều 35"
    assert markers[1].startswith("khoản 1 Điều 105 Bộ luật Lao động")
    assert len(parsed.claims) == 2
    assert parsed.claims[0].markers == ("[1]", "điểm a khoản 1 Điều 35")
    assert parsed.claims[1].markers[0].startswith("khoản 1 Điều 105")


def test_structured_answer_json() -> None:
    ok = parse_structured(
        '{"label": "Sai", "reasoning": "x [2]", "citations": [1, 3]}', ("Đúng", "Sai")
    )
    assert (ok.label, ok.citations, ok.problem) == ("Sai", (1, 3), None)
    letter = parse_structured(
        'Đáp án: {"label": "b", "reasoning": "", "citations": ["2"]}', ("A", "B")
    )
    assert letter.label == "B" and letter.citations == (2,)
    broken = parse_structured('{"label": "Đú', ("Đúng", "Sai"))
    assert broken.label is None and broken.problem and "not valid" in broken.problem
    wrong = parse_structured('{"label": "Có", "reasoning": "", "citations": []}', ("Đúng", "Sai"))
    assert wrong.label is None and "not one of" in (wrong.problem or "")


def test_structured_answer_cut_short_keeps_the_label() -> None:
    cut = parse_structured('{"label":"Sai","reasoning":"Theo khoản 1 Điều 105 thì', ("Đúng", "Sai"))
    assert cut.label == "Sai" and cut.reasoning.startswith("Theo khoản 1")
    assert cut.problem and "cut short" in cut.problem
    none = parse_structured('{"lab', ("Đúng", "Sai"))
    assert none.label is None and none.problem and "not valid" in none.problem
