"""The implementation chain and as-of dates at search time, on both stores: a statute hit
brings the circular provision detailing it (role GUIDANCE, right after it); ``as_of`` keeps
out what was not in force that day."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ingest.pipeline import IngestPipeline
from ingest.readers.text import parse_text
from legal.document import Document
from retrieval.retriever import Retriever, RetrieverConfig
from retrieval.sparse import BM25SparseEncoder
from retrieval.store.base import VectorStore
from retrieval.types import PassageRole
from tests.fakes import HashingEmbedder

STATUTE = """QUỐC HỘI
Bộ luật số: 45/2019/QH14
Hà Nội, ngày 20 tháng 11 năm 2019
BỘ LUẬT
LAO ĐỘNG

Điều 21. Nội dung hợp đồng lao động
1. Hợp đồng lao động phải có những nội dung chủ yếu sau đây: tên, địa chỉ của
người sử dụng lao động.
2. Nội dung khác về bí mật kinh doanh.
Điều 22. Phụ lục hợp đồng lao động
Phụ lục hợp đồng lao động là một phần của hợp đồng lao động.
Điều 220. Hiệu lực thi hành
Bộ luật này có hiệu lực thi hành từ ngày 01 tháng 01 năm 2021.
"""
CIRCULAR = """BỘ LAO ĐỘNG - THƯƠNG BINH
VÀ XÃ HỘI
Số: 10/2020/TT-BLĐTBXH
Hà Nội, ngày 12 tháng 11 năm 2020
THÔNG TƯ
QUY ĐỊNH CHI TIẾT MỘT SỐ ĐIỀU CỦA BỘ LUẬT LAO ĐỘNG

Điều 1. Phạm vi điều chỉnh
Thông tư này quy định chi tiết một số điều của Bộ luật Lao động.
Điều 2. Đối tượng áp dụng
Người lao động.
Điều 3. Nội dung chủ yếu của hợp đồng lao động
Nội dung chủ yếu phải có của hợp đồng lao động theo khoản 1 Điều 21 của Bộ luật Lao động
được quy định như sau:
1. Tên của doanh nghiệp ghi theo giấy chứng nhận đăng ký doanh nghiệp.
Điều 4. Hiệu lực thi hành
Thông tư này có hiệu lực thi hành kể từ ngày 01 tháng 7 năm 2021.
"""
QUESTION = "hợp đồng lao động phải có nội dung chủ yếu nào về tên địa chỉ người sử dụng lao động"


@pytest.fixture(params=["edge", "server"])
def retriever(
    request: pytest.FixtureRequest, tmp_path: Path, open_test_store: Callable[..., VectorStore]
) -> Iterator[Retriever]:
    store = open_test_store(request.param, tmp_path / "index")
    embedder, sparse = HashingEmbedder(), BM25SparseEncoder()
    docs: list[Document] = [parse_text(STATUTE), parse_text(CIRCULAR)]
    pipeline = IngestPipeline(store, embedder, sparse)
    for doc in docs:
        pipeline.ingest_document(doc)
    config = RetrieverConfig(understand=False, definitions=False, expand_crossrefs=False)
    yield Retriever(store, embedder, sparse, config=config)
    store.close()


def test_guidance_follows_the_statute_provision(retriever: Retriever) -> None:
    result = retriever.search(QUESTION, k=2, docs=["45/2019/QH14"])
    roles = [(p.address.canonical, p.role) for p in result.provisions]
    assert roles[0] == ("45/2019/QH14 › Điều 21", PassageRole.HIT)
    assert roles[1] == ("10/2020/TT-BLĐTBXH › Điều 3", PassageRole.GUIDANCE)
    guide = result.provisions[1].passages[0]
    assert guide.doc_label == "Thông tư 10/2020/TT-BLĐTBXH"
    assert [a.canonical for a in guide.guides] == ["45/2019/QH14 › Điều 21 › Khoản 1"]
    plain = retriever.search(QUESTION, k=2, docs=["45/2019/QH14"], guidance=False)
    assert all(p.role is not PassageRole.GUIDANCE for p in plain.provisions)


def test_as_of_keeps_out_what_was_not_in_force(retriever: Retriever) -> None:
    before = retriever.search(QUESTION, k=5, as_of="2020-12-31")
    assert before.provisions == () and before.as_of == "2020-12-31"
    early_2021 = retriever.search(QUESTION, k=5, as_of="2021-03-01")
    docs = {p.address.doc for p in early_2021.provisions}
    assert docs == {"45/2019/QH14"}  # the circular takes effect on 01/07/2021
    later = retriever.search(QUESTION, k=5, as_of="2022-01-01")
    assert {p.address.doc for p in later.provisions} == {"45/2019/QH14", "10/2020/TT-BLĐTBXH"}
    passage = later.provisions[0].passages[0]
    assert passage.currency_warnings("2020-06-01") == ("chưa có hiệu lực (từ 01/01/2021)",)
    assert passage.currency_warnings("2022-01-01") == ()
