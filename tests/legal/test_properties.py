"""Property-based tests (hypothesis) of the legal domain's parsers: ``LegalAddress`` parse ↔
render, and the citation parser — on any text it never fails and its spans are honest; on
a citation rendered the way a lawyer writes it, it reads back the same provision."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from legal.address import LegalAddress
from legal.citations import parse_citations
from legal.errors import CitationError

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# a document id as the index has them: a number ("45/2019/QH14") or a name ("Luật Viên chức")
_doc_chars = st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="›")
docs = st.one_of(
    st.from_regex(r"\A[0-9]{1,3}/[0-9]{4}/(QH1[0-5]|NĐ-CP|TT-BLĐTBXH)\Z"),
    st.text(_doc_chars, min_size=1, max_size=30).map(str.strip).filter(bool),
)
numbers = st.from_regex(r"\A[0-9]{1,3}[a-z]?\Z")
letters = st.from_regex(r"\A[a-zđ][0-9]?\Z")


@st.composite
def addresses(draw: st.DrawFn) -> LegalAddress:
    doc = draw(docs)
    article = draw(st.none() | numbers)
    if article is None:
        return LegalAddress(doc)
    clause = draw(st.none() | numbers)
    point = draw(st.none() | letters)
    return LegalAddress(doc, article, clause, point)


@FAST
@given(addresses())
def test_canonical_form_parses_back(addr: LegalAddress) -> None:
    assert LegalAddress.parse(addr.canonical) == addr
    assert LegalAddress.parse(str(addr)).canonical == addr.canonical


@FAST
@given(st.text(max_size=80))
def test_parse_of_any_text_is_an_address_or_a_citation_error(text: str) -> None:
    try:
        addr = LegalAddress.parse(text)
    except CitationError:
        return
    assert LegalAddress.parse(addr.canonical) == addr  # what it accepts, it renders back


@FAST
@given(addresses(), addresses())
def test_containment_is_consistent_with_the_levels(a: LegalAddress, b: LegalAddress) -> None:
    assert a.contains(a)
    if a.contains(b) and b.contains(a):
        assert a == b
    if a.contains(b):
        assert a.level <= b.level and a.doc == b.doc


@FAST
@given(st.text(max_size=200))
def test_citation_parser_never_fails_and_spans_are_honest(text: str) -> None:
    nfc = unicodedata.normalize("NFC", text)
    for c in parse_citations(text):
        start, end = c.span
        assert 0 <= start < end <= len(nfc)
        assert nfc[start:end] == c.raw
        assert c.article is not None or c.this_article


_filler = st.sampled_from(
    ["", "Theo quy định tại", "Căn cứ", "người lao động được hưởng quyền theo", "xem"]
)
_labels = st.sampled_from(["Bộ luật Lao động 2019", "Luật số 45/2019/QH14", "BLLĐ", ""])


@FAST
@given(numbers, st.none() | numbers, st.none() | st.from_regex(r"\A[a-h]\Z"), _filler, _labels)
def test_a_rendered_citation_reads_back(
    article: str, clause: str | None, point: str | None, before: str, label: str
) -> None:
    """``display`` (how a lawyer writes it) → ``parse_citations`` → the same provision."""
    if point is not None and clause is None:
        point = None  # "điểm a Điều 5" exists but is rare; the lawyer form keeps the khoản
    addr = LegalAddress("45/2019/QH14", article, clause, point)
    phrase = addr.provision_label() + (f" {label}" if label else "")
    text = f"{before} {phrase}.".strip()
    found = parse_citations(text)
    assert [(c.article, c.clause, c.point) for c in found] == [(article, clause, point)]
    if label:
        assert found[0].law is not None


@pytest.mark.parametrize("n", [1, 2, 5])
def test_lists_of_clauses_read_back(n: int) -> None:
    """The list form ("khoản 1, 2 và 3 Điều 36") gives one citation per clause."""
    clauses = [str(i) for i in range(1, n + 1)]
    listed = ", ".join(clauses[:-1]) + (f" và {clauses[-1]}" if n > 1 else clauses[-1])
    found = parse_citations(f"khoản {listed} Điều 36 Bộ luật này")
    assert [(c.article, c.clause) for c in found] == [("36", k) for k in clauses]
