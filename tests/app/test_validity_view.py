"""The provision viewer's validity: badge dates, history (with "— chưa nạp" for an act not
in the index), "Văn bản hướng dẫn" and the link back, read from a real store."""

from __future__ import annotations

from pathlib import Path

from app.services import ArticleView
from app.services.store_corpus import StoreCorpus
from ingest.pipeline import IngestPipeline
from ingest.readers.text import parse_text
from legal.address import LegalAddress
from legal.validity import Currency
from retrieval.sparse import BM25SparseEncoder
from retrieval.store.edge import EdgeStore
from tests.fakes import HashingEmbedder

STATUTE = """QUỐC HỘI
Bộ luật số: 45/2019/QH14
Hà Nội, ngày 20 tháng 11 năm 2019
BỘ LUẬT
LAO ĐỘNG

Điều 21. Nội dung hợp đồng lao động
1. Hợp đồng lao động phải có tên, địa chỉ của người sử dụng lao động.
Điều 220. Hiệu lực thi hành
1. Bộ luật này có hiệu lực thi hành từ ngày 01 tháng 01 năm 2021.
Bộ luật Lao động số 10/2012/QH13 hết hiệu lực thi hành kể từ ngày Bộ luật này có hiệu lực.
"""
CIRCULAR = """BỘ LAO ĐỘNG - THƯƠNG BINH
VÀ XÃ HỘI
Số: 10/2020/TT-BLĐTBXH
Hà Nội, ngày 12 tháng 11 năm 2020
THÔNG TƯ
QUY ĐỊNH CHI TIẾT MỘT SỐ ĐIỀU CỦA BỘ LUẬT LAO ĐỘNG

Điều 1. Phạm vi điều chỉnh
Thông tư này quy định chi tiết một số điều của Bộ luật Lao động.
Điều 2. Nội dung chủ yếu của hợp đồng lao động
Nội dung theo khoản 1 Điều 21 của Bộ luật Lao động được quy định như sau:
1. Tên doanh nghiệp.
Điều 3. Hiệu lực thi hành
Thông tư này có hiệu lực thi hành kể từ ngày 01 tháng 01 năm 2021.
"""


def _views(tmp_path: Path) -> tuple[ArticleView, ArticleView]:
    """Điều 21 of the statute and Điều 2 of the circular that details it, read from a real
    store holding both."""
    with EdgeStore(tmp_path / "index") as store:
        pipeline = IngestPipeline(store, HashingEmbedder(), BM25SparseEncoder())
        pipeline.ingest_document(parse_text(STATUTE))
        pipeline.ingest_document(parse_text(CIRCULAR))
        corpus = StoreCorpus(store)
        statute = corpus.article(LegalAddress("45/2019/QH14", "21"))
        circular = corpus.article(LegalAddress("10/2020/TT-BLĐTBXH", "2"))
    assert statute is not None and circular is not None
    return statute, circular


def test_badge_history_guidance_and_link_back(tmp_path: Path) -> None:
    statute, circular = _views(tmp_path)
    v = statute.validity
    assert v.badge("2020-12-31") is Currency.NOT_YET and v.badge("2021-01-01") is Currency.IN_FORCE
    assert v.history == (
        "20/11/2019: văn bản được ký / thông qua",
        "01/01/2021: có hiệu lực",
        "01/01/2021: văn bản này làm hết hiệu lực Bộ luật Lao động số 10/2012/QH13 — chưa nạp",
    )
    assert [g.label for g in v.guided_by] == [
        "Điều 2 Thông tư 10/2020/TT-BLĐTBXH — Nội dung chủ yếu của hợp đồng lao động"
    ]
    assert [g.address.canonical for g in circular.validity.guides] == [
        "45/2019/QH14 › Điều 21 › Khoản 1"
    ]
    assert circular.validity.guides[0].label == "khoản 1 Điều 21 Bộ luật Lao động 2019"


def test_links_carry_the_linked_text(tmp_path: Path) -> None:
    statute, circular = _views(tmp_path)
    assert "1. Tên doanh nghiệp." in statute.validity.guided_by[0].text
    assert circular.validity.guides[0].text == (
        "1. Hợp đồng lao động phải có tên, địa chỉ của người sử dụng lao động."
    )
