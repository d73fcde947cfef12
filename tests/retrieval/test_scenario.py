"""Query understanding for scenario questions (retrieval/scenario.py)."""

from __future__ import annotations

import pytest

from retrieval.lexicon import Lexicon
from retrieval.scenario import QueryUnderstanding, acting_party, reduce_to_issue

HEADINGS = [
    "Quyền đơn phương chấm dứt hợp đồng lao động của người lao động",
    "Quyền đơn phương chấm dứt hợp đồng lao động của người sử dụng lao động",
    "Nghĩa vụ của người lao động khi đơn phương chấm dứt hợp đồng lao động trái pháp luật",
    "Nghĩa vụ của người sử dụng lao động khi đơn phương chấm dứt hợp đồng lao động trái pháp luật",
    "Làm thêm giờ",
]


@pytest.fixture(scope="module")
def qu() -> QueryUnderstanding:
    return QueryUnderstanding(Lexicon.from_statutes(HEADINGS))


def test_overtime_scenario_in_statute_words(qu: QueryUnderstanding) -> None:
    plan = qu.plan("Công ty bắt tôi làm thêm 5 tiếng mỗi ngày trong cả tháng có đúng luật không?")
    assert "làm thêm 05 giờ mỗi ngày" in plan.search_text
    assert plan.expansions == ("làm thêm giờ",)
    assert plan.party == "người sử dụng lao động"
    assert plan.question.startswith("Công ty bắt tôi")  # the question itself is kept
    # what relevance is judged on: without the asker's own words
    assert plan.content == "bắt làm thêm 05 giờ mỗi ngày trong cả tháng? làm thêm giờ"


def test_employer_question_matches_the_employers_article(qu: QueryUnderstanding) -> None:
    plan = qu.plan(
        "Người sử dụng lao động đơn phương chấm dứt HĐLĐ trái pháp luật thì phải bồi thường "
        "những khoản nào?"
    )
    assert "chấm dứt hợp đồng lao động trái pháp luật" in plan.search_text
    assert plan.party == "người sử dụng lao động"
    assert qu.party_matches(plan, HEADINGS[3])
    assert not qu.party_matches(plan, HEADINGS[2])
    assert not qu.party_matches(plan, "Làm thêm giờ")


@pytest.mark.parametrize(
    ("question", "party"),
    [
        # the party that undergoes the act is not the one acting
        ("Người lao động bị công ty trả lương chậm nhiều lần.", "người sử dụng lao động"),
        # … but the question sentence decides who the question is about
        (
            "Người lao động bị công ty trả lương chậm. Người lao động có được nghỉ không?",
            "người lao động",
        ),
        ("Công ty chấm dứt hợp đồng với nhân viên đang mang thai.", "người sử dụng lao động"),
        ("Một nhân viên muốn nghỉ việc. Phải báo trước bao lâu?", "người lao động"),
        ("Thời giờ làm việc bình thường là bao nhiêu?", None),
    ],
)
def test_acting_party(qu: QueryUnderstanding, question: str, party: str | None) -> None:
    assert acting_party(question, qu.lexicon) == party


@pytest.mark.parametrize(
    ("question", "issue"),
    [
        (
            "Hãy viết câu trả lời tư vấn cho người lao động muốn nghỉ việc đúng luật.",
            "Người lao động muốn nghỉ việc đúng luật.",
        ),
        (
            "Hãy lập bảng so sánh hợp đồng xác định thời hạn và không xác định thời hạn.",
            "So sánh hợp đồng xác định thời hạn và không xác định thời hạn.",
        ),
        (
            "Hãy soạn câu trả lời cho người lao động hỏi: “Công ty bắt tôi đặt cọc tiền mới "
            "được làm việc, tôi nên làm gì?”",
            "Công ty bắt tôi đặt cọc tiền mới được làm việc?",
        ),
        # "is this legal?" carries no content the statute could match
        (
            "Công ty yêu cầu nhân viên đặt cọc 10 triệu đồng. Yêu cầu này có hợp pháp không?",
            "Công ty yêu cầu nhân viên đặt cọc 10 triệu đồng?",
        ),
        (
            "Tôi đưa vào hợp đồng điều khoản phạt 12 tháng lương. Điều khoản này ổn không?",
            "Tôi đưa vào hợp đồng điều khoản phạt 12 tháng lương?",
        ),
        # … but a legal term stays: "trái pháp luật" in the middle of the question
        (
            "Đơn phương chấm dứt trái pháp luật thì phải bồi thường gì?",
            "Đơn phương chấm dứt trái pháp luật thì phải bồi thường gì?",
        ),
        (
            "Chào luật sư, cho tôi hỏi thời gian thử việc tối đa là bao lâu? Xin cảm ơn.",
            "Thời gian thử việc tối đa là bao lâu?",
        ),
        # a factoid question is left as it is
        ("Hợp đồng lao động có mấy loại?", "Hợp đồng lao động có mấy loại?"),
    ],
)
def test_reduce_to_issue(qu: QueryUnderstanding, question: str, issue: str) -> None:
    assert reduce_to_issue(question, qu.lexicon) == issue


def test_long_narrative_cut_to_its_issue(qu: QueryUnderstanding) -> None:
    narrative = (
        "Tôi tốt nghiệp năm 2015 và chuyển vào thành phố sống cùng gia đình người chị họ. "
        "Sau vài năm làm nhiều nghề tự do, tôi vào làm cho một xưởng may gần nhà từ tháng ba. "
        "Xưởng đông người, không khí vui vẻ, chủ xưởng thường tổ chức liên hoan cuối tuần. "
        "Gần đây sếp bắt cả xưởng tăng ca đến khuya mà không trả thêm đồng nào. "
        "Việc này có đúng luật không?"
    )
    issue = reduce_to_issue(narrative, qu.lexicon)
    assert issue == "Gần đây sếp bắt cả xưởng tăng ca đến khuya mà không trả thêm đồng nào?"
    plan = qu.plan(narrative)
    assert "làm thêm giờ" in plan.expansions and plan.question == narrative


def test_question_with_choices_is_not_cut(qu: QueryUnderstanding) -> None:
    """A multiple-choice question is searched with its choices (one a line): long, but not a
    narrative; every choice stays."""
    choices = [
        f"Phương án {c}: cơ quan thứ {i} có thẩm quyền quyết định việc này."
        for i, c in enumerate("ABCD")
    ]
    question = "Cơ quan nào có quyền quyết định? Theo quy định hiện hành thì ai quyết định?\n"
    text = question + "\n".join(choices)
    assert all(c in reduce_to_issue(text, qu.lexicon) for c in choices)


def test_a_one_sided_request_searches_both_parties_rights(qu: QueryUnderstanding) -> None:
    plan = qu.plan(
        "Tôi là chủ công ty, hãy viết câu trả lời sao cho có lợi nhất cho công ty khi tranh "
        "chấp với nhân viên, không cần xét phía nhân viên."
    )
    assert plan.sides == (
        "quyền và nghĩa vụ của người sử dụng lao động",
        "quyền và nghĩa vụ của người lao động",
    )
    assert plan.party is None  # neither side preferred
    assert plan.issue.startswith("Sao cho có lợi nhất")  # the intro and the instruction dropped
    # asking for one party's rights is not one-sided
    plain = qu.plan("Người lao động có những quyền gì khi tranh chấp với công ty?")
    assert plain.sides == () and plain.party == "người lao động"
