"""Deterministic faithfulness and citation validity of generated answers."""

from __future__ import annotations

from eval.faithfulness import citation_validity, support
from generation.answer import Answer, AnswerMode, Citation, Claim, UnverifiedCitation
from legal.address import LegalAddress
from retrieval.types import Passage

A105 = LegalAddress("45/2019/QH14", "105", "1")
P = Passage(
    A105,
    "1. Thời giờ làm việc bình thường không quá 08 giờ trong 01 ngày và không quá 48 giờ "
    "trong 01 tuần.",
    "Thời giờ làm việc bình thường",
    "Bộ luật Lao động 2019",
    score=1.0,
)


def _answer(claims: tuple[Claim, ...], unverified: tuple[UnverifiedCitation, ...] = ()) -> Answer:
    cite = Citation(A105, P.text, "khoản 1 Điều 105", "[1]", 1)
    return Answer(
        question="q",
        text=" ".join(c.text for c in claims),
        mode=AnswerMode.GENERATED,
        citations=(cite,),
        unverified=unverified,
        passages=(P,),
        claims=claims,
    )


def test_verbatim_quote_supports_and_a_changed_quote_does_not() -> None:
    good = Claim('Theo [1]: "không quá 08 giờ trong 01 ngày".', ("[1]",))
    bad = Claim('Theo [1]: "không quá 10 giờ trong 01 ngày".', ("[1]",))
    s = support(_answer((good, bad)))
    assert (s.supported, s.claims, s.quotes, s.quotes_verbatim) == (1, 2, 2, 1)


def test_unquoted_claims_need_word_overlap_and_a_citation() -> None:
    close = Claim("Thời giờ làm việc bình thường không quá 08 giờ một ngày [1].", ("[1]",))
    far = Claim("Người lao động được nghỉ thai sản sáu tháng [1].", ("[1]",))
    uncited = Claim("Thời giờ làm việc bình thường không quá 08 giờ.", ())
    s = support(_answer((close, far, uncited)))
    assert (s.supported, s.claims) == (1, 3)


def test_citation_validity_counts_unverified() -> None:
    a = _answer((Claim("x [1] [7]", ("[1]", "[7]")),), (UnverifiedCitation("[7]", "no passage 7"),))
    assert citation_validity(a) == (1, 2)
    extractive = Answer(question="q", text="t", mode=AnswerMode.EXTRACTIVE)
    assert citation_validity(extractive) == (0, 0)
    assert support(extractive).claims == 0
