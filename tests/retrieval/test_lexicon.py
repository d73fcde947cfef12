"""The everyday-words → statute-words lexicon (retrieval/lexicon.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from legal.textnorm import fold
from retrieval.lexicon import CURATED, PARTY_ALIASES, Lexicon, statute_numbers

# real headings of the Labor Code 2019 (45/2019/QH14) and two of its glossary clauses
HEADINGS = [
    "Giải thích từ ngữ",
    "Quyền và nghĩa vụ của người lao động",
    "Quyền và nghĩa vụ của người sử dụng lao động",
    "Quyền đơn phương chấm dứt hợp đồng lao động của người lao động",
    "Quyền đơn phương chấm dứt hợp đồng lao động của người sử dụng lao động",
    "Nghĩa vụ của người lao động khi đơn phương chấm dứt hợp đồng lao động trái pháp luật",
    "Nghĩa vụ của người sử dụng lao động khi đơn phương chấm dứt hợp đồng lao động trái pháp luật",
    "Quyền và nghĩa vụ của doanh nghiệp cho thuê lại lao động",
    "Trách nhiệm của người sử dụng lao động và người lao động nước ngoài",
    "Tham gia bảo hiểm xã hội, bảo hiểm y tế, bảo hiểm thất nghiệp",
    "Làm thêm giờ",
]
GLOSSARY = [
    "1. Người lao động là người làm việc cho người sử dụng lao động theo thỏa thuận, …",
    "3. Tổ chức đại diện người lao động tại cơ sở là tổ chức được thành lập …",
]


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon.from_statutes(HEADINGS, GLOSSARY)


def test_parties_come_from_headings_and_glossary(lexicon: Lexicon) -> None:
    assert "người lao động" in lexicon.parties
    assert "người sử dụng lao động" in lexicon.parties
    assert "doanh nghiệp cho thuê lại lao động" in lexicon.parties
    assert "tổ chức đại diện người lao động tại cơ sở" in lexicon.parties
    # "… của A và B" names two parties, not one
    assert not any(" và " in p for p in lexicon.parties)
    assert lexicon.parties == tuple(sorted(lexicon.parties, key=lambda p: (-len(p), p)))


def test_acronyms_from_statute_terms(lexicon: Lexicon) -> None:
    assert lexicon.acronyms["HĐLĐ"] == "hợp đồng lao động"
    assert lexicon.acronyms["NSDLĐ"] == "người sử dụng lao động"
    assert lexicon.acronyms["BHXH"] == "bảo hiểm xã hội"
    assert lexicon.expand_acronyms("NSDLĐ chấm dứt HĐLĐ") == (
        "người sử dụng lao động chấm dứt hợp đồng lao động"
    )
    assert lexicon.expand_acronyms("Điều XYZQ") == "Điều XYZQ"  # unknown: unchanged


def test_an_everyday_acronym_keeps_its_meaning() -> None:
    # a heading's "căn cứ chấm dứt …" would make CCCD (the citizen's ID card) an acronym
    lex = Lexicon.from_statutes(["Căn cứ chấm dứt hợp đồng", "Căn cứ chấm dứt việc làm"])
    assert lex.acronyms.get("CCCD") == "căn cứ chấm dứt"
    assert lex.expand_acronyms("giữ CCCD của người lao động") == "giữ CCCD của người lao động"
    assert "giấy tờ tùy thân" in lex.expansions("giữ CCCD của người lao động")


def test_everyday_words_map_to_statute_words(lexicon: Lexicon) -> None:
    assert lexicon.expansions("Công ty đuổi việc tôi") == [
        "đơn phương chấm dứt hợp đồng lao động",
        "sa thải",
    ]
    assert "đơn phương chấm dứt hợp đồng lao động" in lexicon.expansions("Sếp cho nghỉ việc")
    assert lexicon.expansions("Có được lương tháng 13 không?") == ["thưởng"]
    assert lexicon.expansions("Công ty bắt tăng ca") == ["làm thêm giờ"]
    # a statute phrase already in the question is not added again; whole words only
    assert lexicon.expansions("làm thêm giờ vào ban đêm") == []
    assert lexicon.expansions("bầu cử") == []


def test_numbers_in_statute_style() -> None:
    assert statute_numbers("làm thêm 5 tiếng mỗi ngày") == "làm thêm 05 giờ mỗi ngày"
    assert statute_numbers("nghỉ 3 ngày, 12 tháng, 8h") == "nghỉ 03 ngày, 12 tháng, 08 giờ"
    # article numbers, dates and amounts are left alone
    assert statute_numbers("Điều 5 khoản 2, 1/5, 10 triệu") == "Điều 5 khoản 2, 1/5, 10 triệu"


def test_party_mentions_longest_first_without_overlap(lexicon: Lexicon) -> None:
    text = "Người lao động bị công ty trả lương chậm; công đoàn có quyền gì?"
    parties = [p for _, _, p in lexicon.party_mentions(text)]
    assert parties == [
        "người lao động",
        "người sử dụng lao động",
        "tổ chức đại diện người lao động tại cơ sở",
    ]
    assert [p for *_, p in lexicon.party_mentions("người sử dụng lao động")] == [
        "người sử dụng lao động"
    ]


def test_title_party(lexicon: Lexicon) -> None:
    assert lexicon.title_party(HEADINGS[6]) == "người sử dụng lao động"
    assert lexicon.title_party(HEADINGS[5]) == "người lao động"
    assert lexicon.title_party("Làm thêm giờ") is None


def test_curated_targets_are_the_labor_codes_own_words(alqac2022_law: Path) -> None:
    """No invented vocabulary: every statute phrase of the curated list and every party an
    alias maps to occurs in the Labor Code 2019."""
    laws = json.loads(alqac2022_law.read_text(encoding="utf-8"))
    code = next(law for law in laws if law["id"] == "45/2019/QH14")
    text = fold(" ".join(" ".join(a["text"].split()) for a in code["articles"]))
    targets = {t for ts in CURATED.values() for t in ts} | set(PARTY_ALIASES.values())
    missing = sorted(t for t in targets if fold(t) not in text)
    assert missing == []
