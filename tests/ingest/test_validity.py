"""Validity read from the texts: synthetic sentences of every form, and every document of the
shared corpus with its dates and repeals written by hand from its "Hiệu lực thi hành"
article (skipped when ../shared/corpus is absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.chunking import Chunker
from ingest.load import load_documents
from ingest.readers.text import parse_text
from ingest.validity import amendment_dates, read_validity
from legal.address import LegalAddress
from legal.document import AmendmentNote
from legal.validity import Dates, RelationKind, Validity

HEAD = """QUỐC HỘI
Luật số: 99/2020/QH14
Hà Nội, ngày 16 tháng 6 năm 2020
LUẬT
THỬ NGHIỆM

Điều 1. Phạm vi
Luật này quy định việc thử.
Điều 2. Hiệu lực thi hành
"""


def _validity(body: str) -> Validity:
    return read_validity(parse_text(HEAD + body))


def test_base_date_staggered_and_repeal() -> None:
    v = _validity(
        "1. Luật này có hiệu lực thi hành từ ngày 01 tháng 01 năm 2022, trừ trường hợp quy "
        "định tại khoản 2 Điều này.\n"
        "2. Khoản 3 Điều 29 của Luật này có hiệu lực thi hành từ ngày 01 tháng 02 năm 2021.\n"
        "3. Luật Bảo vệ môi trường số 55/2014/QH13 đã được sửa đổi, bổ sung một số điều theo "
        "Luật số 35/2018/QH14 hết hiệu lực kể từ ngày Luật này có hiệu lực thi hành."
    )
    assert v.signed == "2020-06-16"
    assert v.effective_from == "2022-01-01"
    assert [(p.address.canonical, p.effective_from) for p in v.provisions] == [
        ("99/2020/QH14 › Điều 29 › Khoản 3", "2021-02-01")
    ]
    assert v.provision_from(LegalAddress("99/2020/QH14", "29", "3")) == "2021-02-01"
    assert v.provision_from(LegalAddress("99/2020/QH14", "29", "2")) is None
    assert [(r.kind, r.name, r.number, r.effective) for r in v.relations] == [
        (RelationKind.REPEALS, "Luật Bảo vệ môi trường", "55/2014/QH13", "2022-01-01"),
        (RelationKind.REPEALS, "Luật", "35/2018/QH14", "2022-01-01"),
    ]


def test_a_list_of_provisions_with_their_own_date() -> None:
    v = _validity(
        "1. Luật này có hiệu lực thi hành từ ngày 01 tháng 01 năm 2021.\n"
        "2. Điều 5, Điều 6 và điểm a khoản 2 Điều 7 của Luật này có hiệu lực thi hành từ ngày "
        "01 tháng 7 năm 2021; khoản 1 Điều 9 của Luật Đất đai số 45/2013/QH13 được áp dụng."
    )
    assert [(p.address.canonical, p.effective_from) for p in v.provisions] == [
        ("99/2020/QH14 › Điều 5", "2021-07-01"),
        ("99/2020/QH14 › Điều 6", "2021-07-01"),
        ("99/2020/QH14 › Điều 7 › Khoản 2 › Điểm a", "2021-07-01"),
    ]
    assert v.effective_from == "2021-01-01"


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Luật này có hiệu lực kể từ ngày ký.", "2020-06-16"),
        ("Luật này có hiệu lực thi hành sau 45 ngày kể từ ngày ký.", "2020-07-31"),
        ("Luật này có hiệu lực thi hành kể từ ngày 01/7/2021.", "2021-07-01"),
        ("Luật này chính thức có hiệu lực từ ngày 1 tháng 7 năm 2021.", "2021-07-01"),
    ],
)
def test_effective_date_forms(sentence: str, expected: str) -> None:
    assert _validity(sentence).effective_from == expected


def test_date_relative_to_another_act() -> None:
    v = _validity(
        "Luật này có hiệu lực thi hành kể từ ngày Bộ luật Lao động số 45/2019/QH14 có hiệu lực."
    )
    assert v.effective_from is None and v.relative_to == "45/2019/QH14"


def test_replacement_and_a_repealed_list() -> None:
    v = _validity(
        "1. Luật này thay thế Luật Thử nghiệm số 12/2012/QH13.\n"
        "2. Kể từ ngày Luật này có hiệu lực thi hành, các Nghị định sau đây hết hiệu lực:\n"
        "a) Nghị định số 05/2015/NĐ-CP ngày 12 tháng 01 năm 2015 của Chính phủ hướng dẫn Luật "
        "số 10/2012/QH13;\n"
        "b) Nghị định số 148/2018/NĐ-CP.\n"
        "3. Luật này có hiệu lực thi hành từ ngày 01 tháng 01 năm 2021."
    )
    assert v.effective_from == "2021-01-01"
    assert [(r.kind, r.number, r.effective) for r in v.relations] == [
        (RelationKind.REPLACES, "12/2012/QH13", "2021-01-01"),
        (RelationKind.REPEALS, "05/2015/NĐ-CP", "2021-01-01"),
        (RelationKind.REPEALS, "148/2018/NĐ-CP", "2021-01-01"),
    ]


def test_an_article_about_the_validity_of_a_will_is_not_validity() -> None:
    doc = parse_text(
        HEAD.replace("Hiệu lực thi hành", "Hiệu lực của di chúc")
        + "Di chúc có hiệu lực từ ngày 01 tháng 01 năm 2000."
    )
    assert read_validity(doc).effective_from is None


def test_amended_and_added_clauses() -> None:
    base = Dates("2018-01-01")
    amended = AmendmentNote("1", "…", "sửa đổi, bổ sung", "12/2017/QH14", None, "2018-01-01")
    later = AmendmentNote("2", "…", "sửa đổi, bổ sung", "99/2025/QH15", None, "2025-07-01")
    added = AmendmentNote("3", "…", "bổ sung", "99/2025/QH15", None, "2025-07-01")
    d = amendment_dates((amended, later), base)
    assert (d.effective_from, d.amended_from, d.amended_by) == (
        "2018-01-01",
        "2025-07-01",
        "99/2025/QH15",
    )
    assert amendment_dates((added,), base).effective_from == "2025-07-01"
    assert amendment_dates((), base) == base


def test_footnoted_clause_gets_its_own_dates_on_the_records() -> None:
    text = HEAD + (
        "Luật này có hiệu lực thi hành từ ngày 01 tháng 01 năm 2021.\n"
        "Điều 3. Điều được sửa\n"
        "1. Khoản cũ.\n"
        "2.[1] Khoản mới.\n"
        "[1] Khoản này được sửa đổi, bổ sung theo quy định tại khoản 2 Điều 1 của Luật số "
        "12/2024/QH15, có hiệu lực kể từ ngày 01 tháng 7 năm 2024.\n"
    )
    chunks = Chunker().chunk(parse_text(text))
    by_clause = {c.record.address.clause: c.record for c in chunks.chunks}
    assert by_clause["1"].amended_from is None and by_clause["1"].effective_from == "2021-01-01"
    assert by_clause["2"].amended_from == "2024-07-01"
    assert by_clause["2"].amended_by == "12/2024/QH15"
    assert by_clause["2"].dates.warnings("2022-01-01") == (
        "khoản này được sửa đổi từ 01/07/2024 bởi 12/2024/QH15 — nội dung trước đó không có "
        "trong kho",
    )


# ---- every document of the shared corpus, expected values written from its text ----------
# (doc id, signed, effective_from, repealed act numbers); staggered dates listed apart
EXPECTED = {
    "91/2015/QH13": ("2015-11-24", "2017-01-01", ["33/2005/QH11"]),
    "24/2018/QH14": ("2018-06-12", "2019-01-01", []),
    "45/2019/QH14": ("2019-11-20", "2021-01-01", ["10/2012/QH13"]),
    # the consolidated Criminal Code reprints the 2015 text's own article: 01/07/2016 (its
    # entry into force was postponed by other acts, which this text does not say)
    "01/VBHN-VPQH": ("2015-11-27", "2016-07-01", ["15/1999/QH10", "37/2009/QH12"]),
    "Luật Phòng, chống ma túy": (None, "2022-01-01", ["23/2000/QH10", "16/2008/QH12"]),
    "Luật Bảo vệ môi trường": (
        "2020-11-17",
        "2022-01-01",
        ["55/2014/QH13", "35/2018/QH14", "39/2019/QH14", "61/2020/QH14"],
    ),
    "Luật Viên chức": ("2010-11-15", "2012-01-01", []),
    "Luật Cư trú": ("2020-11-13", "2021-07-01", ["81/2006/QH11", "36/2013/QH13"]),
    "Luật Tiếp cận thông tin": ("2016-04-06", "2018-07-01", []),
    "Luật Trồng trọt": ("2018-11-19", "2020-01-01", ["15/2004/PL-UBTVQH11"]),
    "Luật An ninh mạng": ("2018-06-12", "2019-01-01", []),
    "Luật Chăn nuôi": ("2018-11-19", "2020-01-01", ["16/2004/PL-UBTVQH11"]),
    # ALQAC's copy of the Constitution stops before its final article (no date written)
    "Hiến pháp": ("2013-11-28", None, []),
    "Luật Du lịch": ("2017-06-19", "2018-01-01", ["44/2005/QH11"]),
    "Luật Tố tụng hành chính": ("2015-11-25", "2016-07-01", ["64/2010/QH12"]),
    "Luật Hôn nhân và gia đình": ("2014-06-19", "2015-01-01", ["22/2000/QH10"]),
    "Bộ luật dân sự": ("2015-11-24", "2017-01-01", ["33/2005/QH11"]),
    "Luật Điện ảnh": (
        None,
        "2023-01-01",
        ["62/2006/QH11", "31/2009/QH12", "35/2018/QH14", "61/2020/QH14"],
    ),
    "Luật Trọng tài thương mại": ("2010-06-17", "2011-01-01", ["08/2003/PL-UBTVQH11"]),
    "Luật Thanh niên": ("2020-06-16", "2021-01-01", ["53/2005/QH11"]),
    "Luật Giáo dục": (
        "2019-06-14",
        "2020-07-01",
        ["38/2005/QH11", "44/2009/QH12", "74/2014/QH13", "97/2015/QH13"],
    ),
    "50/2024/QH15": ("2024-11-27", "2025-07-01", ["12/2012/QH13"]),
    "10/2020/TT-BLĐTBXH": (
        "2020-11-12",
        "2021-01-01",
        ["47/2015/TT-BLĐTBXH", "26/2013/TT-BLĐTBXH"],
    ),
}
STAGGERED = {
    "Luật Bảo vệ môi trường": [("Luật Bảo vệ môi trường › Điều 29 › Khoản 3", "2021-02-01")]
}
FILES = [
    "alqac2022/law.json",
    "alqac2024/law.json",
    "pdfs/45-2019-QH14_bo-luat-lao-dong.pdf",
    "pdfs/50-2024-QH15_luat-cong-doan_cong-bao.pdf",
    "pdfs/10-2020-TT-BLDTBXH_thong-tu.pdf",
]


@pytest.mark.shared
@pytest.mark.parametrize("relative", FILES)
def test_every_shared_document(shared_corpus: Path, relative: str) -> None:
    docs = load_documents(shared_corpus / relative, references=False)
    assert docs
    for doc in docs:
        v = read_validity(doc)
        signed, effective, repealed = EXPECTED[doc.doc_id]
        assert (v.signed, v.effective_from) == (signed, effective), doc.doc_id
        assert [r.number for r in v.relations] == repealed, doc.doc_id
        assert all(r.effective == effective for r in v.relations), doc.doc_id
        staggered = [(p.address.canonical, p.effective_from) for p in v.provisions]
        assert staggered == STAGGERED.get(doc.doc_id, []), doc.doc_id
