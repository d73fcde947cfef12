"""``--as-of`` checking and the offer to refresh an index built before validity existed."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.commands.asof import checked_as_of, stale_notice
from legal.errors import InputError
from retrieval.records import DocumentRecord


def test_checked_as_of() -> None:
    assert checked_as_of(None) is None
    assert checked_as_of(" 2021-06-30 ") == "2021-06-30"
    for bad in ("30/06/2021", "2021-6-30", "2021-02-30", "hôm nay"):
        with pytest.raises(InputError, match="is not a date"):
            checked_as_of(bad)


def _retriever(*versions: int | None) -> SimpleNamespace:
    docs = [DocumentRecord(doc_id=f"d{i}", validity_version=v) for i, v in enumerate(versions)]
    return SimpleNamespace(reader=SimpleNamespace(documents=lambda: docs))


def test_stale_notice_names_the_documents_without_validity() -> None:
    assert stale_notice(_retriever(1, 1)) is None
    notice = stale_notice(_retriever(1, None, None))
    assert notice is not None and "2 indexed document(s)" in notice and "d1, d2" in notice
    assert "luatqa ingest" in notice and "re-embedded" in notice
    assert stale_notice(SimpleNamespace()) is None  # a retriever without a reader
