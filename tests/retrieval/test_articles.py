"""The one reader of the index's records (both stores: see ``records_store`` in conftest)."""

from __future__ import annotations

from legal.address import LegalAddress
from retrieval.articles import ArticleReader
from retrieval.store.base import VectorStore
from retrieval.types import PassageRole

DOC = "45/2019/QH14"


def test_article_with_its_record_and_clauses(records_store: VectorStore) -> None:
    art = ArticleReader(records_store).article(LegalAddress(DOC, "35", "2"))
    assert art is not None and art.record is not None
    assert art.address == LegalAddress(DOC, "35")
    assert [c.address.clause for c in art.chunks] == ["1", "2"]  # legal order
    assert art.title == "Quyền đơn phương chấm dứt hợp đồng"
    assert art.doc_label == "Bộ luật Lao động 2019" and art.doc_short == "BLLĐ 2019"
    assert art.hierarchy == "Chương III" and art.source == "blld.pdf"
    assert art.text == "1. Báo trước.\n2. Không cần." and art.pages == (12, 13)
    assert art.amendment_notes == ("sửa đổi 2023",)
    # the article's own references, then its clauses', once each
    assert art.references == (f"{DOC} › Điều 36", f"{DOC} › Điều 34")


def test_clauses_within_an_address(records_store: VectorStore) -> None:
    art = ArticleReader(records_store).article(LegalAddress(DOC, "35"))
    assert art is not None
    assert [c.address.clause for c in art.clauses(LegalAddress(DOC, "35", "2", "a"))] == ["2"]
    assert len(art.clauses(LegalAddress(DOC, "35", "9"))) == 2  # none overlaps: all
    passages = art.passages(None, score=2.0, role=PassageRole.CITED, doc_label="x")
    assert [p.text for p in passages] == ["1. Báo trước.", "2. Không cần."]
    assert all(p.role is PassageRole.CITED and p.score == 2.0 for p in passages)
    assert passages[0].chunk_id and passages[0].doc_label == "Bộ luật Lao động 2019"


def test_article_without_its_record_reads_from_its_chunks(records_store: VectorStore) -> None:
    art = ArticleReader(records_store).article(LegalAddress(DOC, "36"))
    assert art is not None and art.record is None
    assert [c.points for c in art.chunks] == [("a", "b"), ("c", "d")]  # parts in order
    assert art.title == "Quyền của người sử dụng lao động"
    assert art.text == "1. Trường hợp: a) b)\n1. Trường hợp: c) d)"
    assert art.pages == (13, None) and art.doc_label == "Bộ luật Lao động 2019"


def test_missing_article(records_store: VectorStore) -> None:
    reader = ArticleReader(records_store)
    assert reader.article(LegalAddress(DOC, "999")) is None
    assert reader.article(LegalAddress(DOC)) is None  # not an article address


def test_documents_articles_and_chunks(records_store: VectorStore) -> None:
    reader = ArticleReader(records_store)
    [doc] = reader.documents()
    assert doc.doc_id == DOC and doc.title == "Bộ luật Lao động" and doc.articles == 2
    assert [a.article for a in reader.articles(DOC)] == ["35"]
    assert [a.article for a in reader.articles()] == ["35"]
    assert reader.articles("other") == []
    chunks = list(reader.chunks())
    parts = sorted((c.article, c.part) for c in chunks)
    assert parts == [("35", 0), ("35", 0), ("36", 1), ("36", 2)]
    assert all(c.id for c in chunks)  # records carry their point ids
