"""Document → chunk, article and document records."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from ingest.chunking import Chunker, ChunkingConfig, document_version, hierarchy_of, point_id
from legal.address import LegalAddress
from legal.document import (
    AmendmentNote,
    Article,
    Clause,
    CrossReference,
    Division,
    DivisionKind,
    DocType,
    Document,
    DocumentMeta,
    Point,
)
from retrieval.records import Kind

DOC = "45/2019/QH14"


def labor_code() -> Document:
    long_points = tuple(
        Point(letter, f"{letter}) " + " ".join(["điều kiện"] * 60)) for letter in "abcde"
    )
    long_lead = "1. Người sử dụng lao động có quyền đơn phương chấm dứt hợp đồng trong trường hợp:"
    articles = (
        Article(
            number="105",
            title="Thời giờ làm việc bình thường",
            text="1. Thời giờ làm việc bình thường không quá 08 giờ trong 01 ngày.\n"
            "2. Người sử dụng lao động có quyền quy định thời giờ làm việc theo ngày hoặc tuần.",
            clauses=(
                Clause("1", "1. Thời giờ làm việc bình thường không quá 08 giờ trong 01 ngày."),
                Clause(
                    "2",
                    "2. Người sử dụng lao động có quyền quy định thời giờ làm việc theo ngày "
                    "hoặc tuần.",
                    references=(
                        CrossReference(
                            "khoản 1 Điều này", LegalAddress(DOC, "105", "1"), external=False
                        ),
                    ),
                    footnotes=(AmendmentNote("3", "Khoản này được sửa đổi bởi ..."),),
                ),
            ),
            part="Phần thứ nhất",
            chapter="VII",
            section="1",
            page_start=31,
            page_end=32,
        ),
        Article(
            number="106",
            title="Giờ làm việc ban đêm",
            text="Giờ làm việc ban đêm được tính từ 22 giờ đến 06 giờ sáng ngày hôm sau.",
            chapter="VII",
            page_start=32,
            page_end=32,
        ),
        Article(
            number="36",
            title="Quyền đơn phương chấm dứt hợp đồng lao động",
            text=long_lead + "\n" + "\n".join(p.text for p in long_points),
            clauses=(
                Clause(
                    "1",
                    long_lead + "\n" + "\n".join(p.text for p in long_points),
                    lead_in=long_lead,
                    points=long_points,
                ),
            ),
            chapter="III",
        ),
    )
    return Document(
        meta=DocumentMeta(
            doc_id=DOC,
            number=DOC,
            doc_type=DocType.BO_LUAT,
            title="Bộ luật Lao động",
            issuer="Quốc hội",
            date="2019-11-20",
            source="/data/blld.pdf",
            year=2019,
        ),
        articles=articles,
        divisions=(Division(DivisionKind.CHAPTER, "VII", "THỜI GIỜ LÀM VIỆC"),),
        pages=54,
    )


@pytest.fixture(scope="module")
def chunks():  # type: ignore[no-untyped-def]
    return Chunker(ChunkingConfig(max_words=150)).chunk(labor_code())


def test_one_chunk_per_khoan_and_per_article_without_khoan(chunks) -> None:  # type: ignore[no-untyped-def]
    addrs = [c.address.canonical for c in chunks.chunks]
    assert addrs[:3] == [
        "45/2019/QH14 › Điều 105 › Khoản 1",
        "45/2019/QH14 › Điều 105 › Khoản 2",
        "45/2019/QH14 › Điều 106",
    ]
    assert chunks.n_clauses == 3
    assert [a.address.canonical for a in chunks.articles] == [
        f"{DOC} › Điều 105",
        f"{DOC} › Điều 106",
        f"{DOC} › Điều 36",
    ]


def test_chunk_payload_and_embed_text(chunks) -> None:  # type: ignore[no-untyped-def]
    k2 = chunks.chunks[1]
    p = k2.payload
    assert p["kind"] == "chunk"
    assert p["text"].startswith("2. Người sử dụng lao động")  # original text for display
    assert k2.embed_text == (
        "Bộ luật Lao động 2019 › Phần thứ nhất › Chương VII › Mục 1 › "
        "Điều 105. Thời giờ làm việc bình thường › Khoản 2: " + p["text"]
    )
    assert p["doc_label"] == "Bộ luật Lao động 2019"
    assert p["doc_short"] == "BLLĐ 2019"
    assert p["hierarchy"] == "Phần thứ nhất › Chương VII › Mục 1"
    assert p["article"] == "105" and p["clause"] == "2" and p["point"] is None
    assert p["article_title"] == "Thời giờ làm việc bình thường"
    assert p["page"] == 31 and p["source"] == "/data/blld.pdf"
    assert p["references"] == [f"{DOC} › Điều 105 › Khoản 1"]
    assert p["amendment_notes"] == ["Khoản này được sửa đổi bởi ..."]
    assert p["doc_version"] == chunks.version and p["doc_type"] == "Bộ luật"
    # Passage can be rebuilt from the payload
    assert LegalAddress.parse(p["address"]).display(p["doc_label"]) == (
        "khoản 2 Điều 105 Bộ luật Lao động 2019"
    )


def test_long_khoan_splits_by_groups_of_diem_keeping_the_lead_in(chunks) -> None:  # type: ignore[no-untyped-def]
    parts = [c for c in chunks.chunks if c.payload["article"] == "36"]
    assert len(parts) >= 2
    letters = [letter for c in parts for letter in c.payload["points"]]
    assert letters == list("abcde")  # every Điểm exactly once, in order
    for i, c in enumerate(parts, 1):
        assert c.payload["part"] == i
        assert c.payload["text"].startswith("1. Người sử dụng lao động có quyền")
        assert len(c.payload["text"].split()) <= 150 or len(c.payload["points"]) == 1
        assert c.address.canonical == f"{DOC} › Điều 36 › Khoản 1"
        assert "› Khoản 1 (điểm " in (c.embed_text or "")
    assert len({c.id for c in parts}) == len(parts)


def test_article_and_document_records(chunks) -> None:  # type: ignore[no-untyped-def]
    art = chunks.articles[0].payload
    assert art["kind"] == "article" and art["title"] == "Thời giờ làm việc bình thường"
    assert art["text"].startswith("1. Thời giờ") and art["pages"] == [31, 32]
    assert art["amendment_notes"] == ["Khoản này được sửa đổi bởi ..."]
    assert chunks.articles[0].embed_text is None
    doc = chunks.document.payload
    assert (
        doc["kind"] == "document" and doc["articles"] == 3 and doc["chunks"] == len(chunks.chunks)
    )
    assert doc["doc_version"] == chunks.version and doc["ingested_at"]
    assert doc["title"] == "Bộ luật Lao động" and doc["pages"] == 54
    assert chunks.records[-1] is chunks.document  # the commit marker comes last


def test_ids_are_deterministic_and_versioned() -> None:
    a = Chunker().chunk(labor_code())
    b = Chunker().chunk(labor_code())
    assert [r.id for r in a.records] == [r.id for r in b.records]
    assert len({r.id for r in a.records}) == len(a.records)
    changed = labor_code()
    changed = replace(changed, articles=(replace(changed.articles[0], title="Thời giờ làm việc"),))
    c = Chunker().chunk(changed)
    assert c.version != a.version
    assert not {r.id for r in c.records} & {r.id for r in a.records}
    assert a.chunks[0].id == point_id(Kind.CHUNK, LegalAddress(DOC, "105", "1"), a.version)


def test_version_ignores_source_path_but_not_chunking_settings() -> None:
    doc = labor_code()
    moved = replace(doc, meta=replace(doc.meta, source="/elsewhere/blld.pdf"))
    assert document_version(doc) == document_version(moved)
    assert document_version(doc) != document_version(doc, ChunkingConfig(max_words=100))


def test_hierarchy_accepts_bare_numbers_and_labels() -> None:
    art = Article("1", "t", "x", part="Phần thứ hai", chapter="Chương II", section="2")
    assert hierarchy_of(art) == "Phần thứ hai › Chương II › Mục 2"
    assert hierarchy_of(Article("1", "t", "x")) == ""


def test_real_alqac_slice(shared_corpus: Path) -> None:
    from ingest.load import load_documents

    docs = load_documents(shared_corpus / "alqac2022" / "law.json", references=False)
    labor = next(d for d in docs if d.doc_id == DOC)
    doc = replace(labor, articles=labor.articles[:40])
    out = Chunker().chunk(doc)
    assert len(out.articles) == 40
    assert len(out.chunks) >= 40
    assert {c.payload["article"] for c in out.chunks} == {a.number for a in doc.articles}
    assert all(
        c.embed_text and c.embed_text.startswith("Bộ luật Lao động 2019 › Điều ")
        for c in out.chunks
    )
    assert len({r.id for r in out.records}) == len(out.records)
