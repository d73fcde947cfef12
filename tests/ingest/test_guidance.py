"""The implementation chain: a circular's articles → the Labor Code provisions they detail."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.chunking import Chunker
from ingest.guidance import read_guidance
from ingest.load import load_documents
from ingest.readers.text import parse_text

CIRCULAR = """BỘ TƯ PHÁP
Số: 98/2021/TT-BTP
Hà Nội, ngày 12 tháng 11 năm 2021
THÔNG TƯ
QUY ĐỊNH CHI TIẾT MỘT SỐ ĐIỀU CỦA BỘ LUẬT LAO ĐỘNG

Chương I
QUY ĐỊNH CHUNG
Điều 1. Phạm vi điều chỉnh
Thông tư này quy định chi tiết một số điều của Bộ luật Lao động:
1. Nội dung của hợp đồng lao động theo khoản 1 và 2 Điều 21.
2. Hội đồng thương lượng tập thể theo khoản 4 Điều 73.
Điều 2. Đối tượng áp dụng
Người lao động theo Điều 2 của Bộ luật Lao động.
Chương II
HỘI ĐỒNG THƯƠNG LƯỢNG TẬP THỂ
Điều 3. Thành lập Hội đồng
Hội đồng được thành lập theo quy định tại Điều 93 của Bộ luật Lao động.
Điều 4. Nội dung hợp đồng
Nội dung chủ yếu theo khoản 1 Điều 21 của Bộ luật Lao động được quy định như sau:
1. Tên người sử dụng lao động.
Chương III
ĐIỀU KHOẢN THI HÀNH
Điều 5. Hiệu lực thi hành
Thông tư này có hiệu lực thi hành kể từ ngày 01 tháng 01 năm 2022.
"""


def test_guided_statute_and_articles() -> None:
    g = read_guidance(parse_text(CIRCULAR))
    assert g.document == "45/2019/QH14"
    assert {k: [a.canonical for a in v] for k, v in g.by_article.items()} == {
        # by its chapter, named in the scope article (a mere "theo … Điều 93" is not guidance)
        "3": ["45/2019/QH14 › Điều 73 › Khoản 4"],
        # by its own lead-in
        "4": ["45/2019/QH14 › Điều 21 › Khoản 1"],
    }


def test_a_statute_guides_nothing() -> None:
    text = CIRCULAR.replace("THÔNG TƯ\n", "LUẬT\n").replace("98/2021/TT-BTP", "98/2021/QH15")
    assert read_guidance(parse_text(text)).document is None


def test_guides_on_the_records() -> None:
    chunks = Chunker().chunk(parse_text(CIRCULAR))
    rec = next(c.record for c in chunks.chunks if c.record.address.article == "4")
    assert rec.guides == ("45/2019/QH14 › Điều 21 › Khoản 1",)
    assert rec.to_payload()["guides_articles"] == ["45/2019/QH14|21"]
    assert chunks.document.record.guides_document == "45/2019/QH14"
    assert chunks.document.record.effective_from == "2022-01-01"


@pytest.mark.shared
def test_circular_10_2020_guides_the_labor_code(circular_pdf: Path) -> None:
    (doc,) = load_documents(circular_pdf)
    g = read_guidance(doc)
    assert g.document == "45/2019/QH14"
    articles = {k: sorted({a.article for a in v}) for k, v in g.by_article.items()}
    assert articles == {
        "3": ["21"],
        "4": ["21"],
        "5": ["21"],
        "6": ["73"],
        "7": ["73"],
        "8": ["73"],
        "9": ["73"],
        "10": ["142"],
        "11": ["142"],
    }
