"""Citations in a text resolved against the index (retrieval/resolve.py), on the small labor
index of tests/conftest.py (Điều 35: Khoản 1, 2; Điều 36: Khoản 1 split into two groups of
Điểm a–b, c–d), on both stores."""

from __future__ import annotations

import pytest

from legal.address import LegalAddress
from legal.registry import default_registry
from retrieval.articles import ArticleReader
from retrieval.catalog import Catalog
from retrieval.records import ArticleRecord, ChunkRecord, DocumentRecord
from retrieval.resolve import CitationResolver, ResolvedCitation, point_text
from retrieval.store.base import PointRecord, VectorStore

LAW = "45/2019/QH14"


def resolver(store: VectorStore) -> CitationResolver:
    reader = ArticleReader(store)
    return CitationResolver(reader, Catalog.load(reader, default_registry()))


def one(store: VectorStore, text: str) -> ResolvedCitation:
    found = resolver(store).resolve_text(text)
    assert len(found) == 1, found
    return found[0]


def test_a_clause_of_a_named_law_resolves_with_its_wording(records_store: VectorStore) -> None:
    got = one(records_store, "Theo khoản 2 Điều 35 Bộ luật Lao động 2019 thì được.")
    assert got.resolved and got.reason is None
    assert got.address == LegalAddress(LAW, "35", "2")
    assert got.display == "khoản 2 Điều 35 Bộ luật Lao động 2019"
    assert got.wording == "2. Không cần."
    assert got.raw == "khoản 2 Điều 35 Bộ luật Lao động 2019"


@pytest.mark.parametrize("text", ["dieu 35 khoan 2 blld", "k2 Đ35 BLLĐ", "Điều 35 khoản 2 BLLĐ"])
def test_other_written_forms_resolve(records_store: VectorStore, text: str) -> None:
    got = one(records_store, text)
    assert got.resolved and got.address == LegalAddress(LAW, "35", "2")


def test_an_article_resolves_to_its_whole_text(records_store: VectorStore) -> None:
    got = one(records_store, "Điều 35 BLLĐ")
    assert got.resolved and got.wording == "1. Báo trước.\n2. Không cần."


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("khoản 9 Điều 35 BLLĐ", "no such clause"),
        ("Điều 99 BLLĐ", "no such article"),
        ("điểm z khoản 1 Điều 36 BLLĐ", "no such point"),
        ("khoản 2 Điều 35 Luật Đất đai 2013", "law not in the index"),
    ],
)
def test_what_the_index_lacks_is_unresolved_with_why(
    records_store: VectorStore, text: str, why: str
) -> None:
    got = one(records_store, text)
    assert not got.resolved and not got.wording
    assert why in (got.reason or "")


def test_a_point_of_a_split_clause_is_found_by_its_group(records_store: VectorStore) -> None:
    got = one(records_store, "điểm c khoản 1 Điều 36 BLLĐ")
    assert got.resolved and got.wording == "1. Trường hợp: c) d)"


def test_a_citation_without_a_law_reads_the_law_named_before_it(
    records_store: VectorStore,
) -> None:
    found = resolver(records_store).resolve_text(
        "Theo Điều 35 BLLĐ; ngoài ra khoản 1 Điều 36 và khoản 2 Điều này."
    )
    assert [f.address for f in found] == [
        LegalAddress(LAW, "35"),
        LegalAddress(LAW, "36", "1"),
        LegalAddress(LAW, "36", "2"),
    ]
    assert [f.resolved for f in found] == [True, True, False]  # Điều 36 has no Khoản 2


def test_with_several_laws_indexed_a_bare_citation_is_not_guessed(
    records_store: VectorStore,
) -> None:
    assert one(records_store, "khoản 1 Điều 35").resolved  # one law indexed: that one
    other = DocumentRecord(doc_id="91/2015/QH13", id="0" * 8 + "-0000-4000-8000-" + "0" * 12)
    records_store.upsert([PointRecord(other.id, other.to_payload(), None)])
    got = one(records_store, "khoản 1 Điều 35")
    assert not got.resolved and got.address is None
    assert "no law named" in (got.reason or "")
    (chosen,) = resolver(records_store).resolve_text("khoản 1 Điều 35", default_doc=LAW)
    assert chosen.resolved and chosen.address == LegalAddress(LAW, "35", "1")
    named = resolver(records_store).resolve_text("Điều 35 BLLĐ", default_doc="91/2015/QH13")
    assert named[0].address == LegalAddress(LAW, "35")  # a law written wins over the default


def test_an_article_without_clauses_has_no_clause(records_store: VectorStore) -> None:
    addr = LegalAddress(LAW, "5")
    label, text = "Bộ luật Lao động 2019", "Chỉ một đoạn."
    records = [
        kind(doc_id=LAW, doc_label=label, text=text, address=addr,
             id=digit * 8 + "-0000-4000-8000-" + "0" * 12)
        for kind, digit in ((ArticleRecord, "1"), (ChunkRecord, "2"))
    ]  # fmt: skip
    records_store.upsert([PointRecord(r.id, r.to_payload(), None) for r in records])
    got = one(records_store, "khoản 2 Điều 5 BLLĐ")
    assert not got.resolved and "has no clauses" in (got.reason or "")


def test_check_names_the_provision_and_what_is_missing(records_store: VectorStore) -> None:
    r = resolver(records_store)
    checked = r.check(LegalAddress(LAW, "35", "1"))
    assert checked.resolved and checked.raw == "khoản 1 Điều 35 Bộ luật Lao động 2019"
    missing = r.check(LegalAddress("Luật khác", "1"))
    assert not missing.resolved and "law not in the index" in (missing.reason or "")


def test_point_text_takes_the_line_up_to_the_next_point() -> None:
    clause = "1. Trường hợp sau:\na) một;\nb) hai\nvà tiếp;\nđ) năm."
    assert point_text(clause, "b") == "b) hai\nvà tiếp;"
    assert point_text(clause, "đ") == "đ) năm."
    assert point_text(clause, "e") is None
