"""app/integrations/validity.py: one reading of a provision's validity for llama-index
metadata and the MCP tools, from a passage or a record."""

from __future__ import annotations

from app.integrations.validity import validity
from legal.address import LegalAddress
from legal.validity import Dates
from retrieval.records import DocumentRecord
from retrieval.types import Passage

OLD = Dates(effective_from="2013-05-01", effective_to="2021-01-01", replaced_by="45/2019/QH14")


def _passage(dates: Dates) -> Passage:
    addr = LegalAddress("10/2012/QH13", "35", "1")
    return Passage(addr, "Người lao động …", "Quyền đơn phương", "BLLĐ 2012", validity=dates)


def test_a_repealed_provision_on_dates_before_and_after() -> None:
    before = validity(_passage(OLD), on="2020-06-01")
    assert before["status"] == "Còn hiệu lực" and before["currency_warnings"] is None
    after = validity(_passage(OLD), on="2021-01-01")  # effective_to: the first day out of force
    assert after["status"] == "Hết hiệu lực"
    assert after["currency_warnings"] == "đã hết hiệu lực từ 01/01/2021 (thay thế bởi 45/2019/QH14)"
    assert after["effective_from"] == "2013-05-01" and after["replaced_by"] == "45/2019/QH14"


def test_the_first_source_that_knows_its_dates_wins() -> None:
    doc = DocumentRecord(doc_id="45/2019/QH14", effective_from="2021-01-01")
    # a passage of an index built before validity was read knows nothing: the document does
    got = validity(_passage(Dates()), doc, on="2020-12-31")
    assert got["effective_from"] == "2021-01-01" and got["status"] == "Chưa có hiệu lực"
    assert validity(_passage(Dates()))["status"] == "Chưa rõ hiệu lực"
