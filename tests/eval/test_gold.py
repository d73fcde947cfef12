"""Gold loaders: our JSONL, ALQAC 2022/2024 arrays, line numbers in errors, resolution."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.gold import GoldItem, RegistryResolver, VerbatimResolver, load_gold
from legal.address import LegalAddress
from legal.document import DocType, DocumentMeta
from legal.errors import CitationError, GoldError
from legal.registry import default_registry

FIXTURES = Path(__file__).parent / "fixtures"


def _meta(doc_id: str, title: str, number: str | None = None, year: int | None = None):
    return DocumentMeta(doc_id=doc_id, number=number, doc_type=DocType.LUAT, title=title, year=year)


@pytest.fixture(scope="module")
def labor_index_resolver() -> RegistryResolver:
    reg = default_registry().with_documents(
        [_meta("45/2019/QH14", "Bộ luật Lao động", "45/2019/QH14", 2019)]
    )
    return RegistryResolver(reg)


def test_jsonl_structured_and_citation_references(labor_index_resolver: RegistryResolver) -> None:
    gold = load_gold(FIXTURES / "gold_small.jsonl", labor_index_resolver)
    items = {i.id: i for i in gold.items}
    assert list(items) == ["g1", "g2", "g3", "g4", "g5", "g6"]
    assert items["g1"].references == (LegalAddress("45/2019/QH14", "105", "1"),)
    assert items["g1"].answer == "08 giờ" and items["g1"].type == "Tự luận"
    assert items["g2"].references == (LegalAddress("45/2019/QH14", "112", "1", "b"),)
    assert items["g2"].clause_gold == (LegalAddress("45/2019/QH14", "112", "1"),)
    assert items["g3"].references == (LegalAddress("45/2019/QH14", "169", "2"),)
    # citation by number and a structured reference naming the law by abbreviation + year
    assert items["g4"].references == (
        LegalAddress("45/2019/QH14", "20"),
        LegalAddress("45/2019/QH14", "21"),
    )
    assert items["g4"].choices == (("A", "2 loại"), ("B", "3 loại"))
    assert items["g4"].clause_gold == ()
    assert items["g5"].abstain and items["g5"].references == ()
    # line numbers count blank and comment lines
    assert items["g3"].line == 5 and items["g6"].line == 8


def test_a_list_of_citations_names_its_law_once(labor_index_resolver: RegistryResolver) -> None:
    # the labor-law benchmark's way: "Bộ luật Lao động 2019, khoản 2 Điều 18; điểm a …"
    text = "Bộ luật Lao động 2019, khoản 2 Điều 18; điểm a khoản 1 Điều 145; Điều 162"
    assert labor_index_resolver.resolve_citation(text) == (
        LegalAddress("45/2019/QH14", "18", "2"),
        LegalAddress("45/2019/QH14", "145", "1", "a"),
        LegalAddress("45/2019/QH14", "162"),
    )
    with pytest.raises(CitationError, match="names no law"):
        labor_index_resolver.resolve_citation("khoản 2 Điều 18")


def test_unresolvable_reference_is_reported_not_dropped(
    labor_index_resolver: RegistryResolver,
) -> None:
    gold = load_gold(FIXTURES / "gold_small.jsonl", labor_index_resolver)
    assert [(u.item_id, u.line, u.reference) for u in gold.unresolved] == [
        ("g6", 8, "Điều 34 Luật Luật sư 2006")
    ]
    assert gold.unresolved[0].reason == "unknown law 'Luật Luật sư 2006'"
    g6 = next(i for i in gold.items if i.id == "g6")
    assert g6.references == ()
    with pytest.raises(GoldError, match=r"gold_small\.jsonl.*line 8 \(item 'g6'\)"):
        load_gold(FIXTURES / "gold_small.jsonl", labor_index_resolver, strict=True)


def test_alqac_array_both_years_with_index_names() -> None:
    # ALQAC 2022 ids are numbers, 2024 ids are names; the registry maps both to the index
    reg = default_registry().with_documents(
        [
            _meta("01/VBHN-VPQH", "Bộ luật Hình sự", "01/VBHN-VPQH"),
            _meta("45/2019/QH14", "Bộ luật Lao động", "45/2019/QH14", 2019),
            _meta("Luật Viên chức", "Luật Viên chức"),
        ]
    )
    gold = load_gold(FIXTURES / "competition_format_small.json", RegistryResolver(reg))
    assert [(i.id, i.line) for i in gold.items] == [("q-1", 2), ("q-2", 8), ("02-TN-1", 14)]
    assert gold.items[0].references == (LegalAddress("01/VBHN-VPQH", "418"),)
    assert gold.items[0].answer == "phạt tù" and gold.items[0].type is None
    assert gold.items[2].references == (LegalAddress("Luật Viên chức", "29"),)
    assert gold.items[2].type == "Trắc nghiệm" and gold.items[2].law_hint == "Luật Viên chức"
    assert gold.unresolved == ()


def test_index_with_other_doc_ids_still_resolves() -> None:
    # an index that calls the Civil Service law by its number instead of its name
    reg = default_registry().with_documents(
        [_meta("58/2010/QH12", "Luật Viên chức", "58/2010/QH12", 2010)]
    )
    gold = load_gold(FIXTURES / "competition_format_small.json", RegistryResolver(reg))
    tn = next(i for i in gold.items if i.id == "02-TN-1")
    assert tn.references == (LegalAddress("58/2010/QH12", "29"),)
    assert {u.item_id for u in gold.unresolved} == {"q-1", "q-2"}


def test_unknown_laws_everywhere_is_an_error(tmp_path: Path) -> None:
    reg = default_registry().with_documents([_meta("Luật Du lịch", "Luật Du lịch")])
    with pytest.raises(GoldError, match="none of the 3 gold references resolves"):
        load_gold(FIXTURES / "competition_format_small.json", RegistryResolver(reg))


def test_without_index_laws_keep_their_names() -> None:
    gold = load_gold(FIXTURES / "competition_format_small.json", VerbatimResolver(), limit=2)
    assert [i.references for i in gold.items] == [
        (LegalAddress("01/VBHN-VPQH", "418"),),
        (LegalAddress("45/2019/QH14", "20"),),
    ]


def test_missing_field_names_file_and_line() -> None:
    with pytest.raises(GoldError) as err:
        load_gold(FIXTURES / "bad_missing_refs.json")
    msg = str(err.value)
    assert "bad_missing_refs.json" in msg and "line 3 (item 'b')" in msg
    assert "references" in msg


def test_malformed_json_names_line() -> None:
    with pytest.raises(GoldError, match=r"bad_json\.jsonl: line 2: invalid JSON"):
        load_gold(FIXTURES / "bad_json.jsonl")


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ('[{"id": "a", "text": "x", "relevant_articles": []}]', "line 1 (item 'a')"),
        ('[\n{"id": "a", "text": "x",\n "relevant_articles": [{"law_id": "L"}]}]', "line 2"),
        (
            '[\n{"id": "a", "text": "x", "relevant_articles": [{"law_id": "L", "article_id": 1}]}\n'
            '{"id": "b"}]',
            "line 3: expected ','",
        ),
        ('[\n  {"id": "a",\n   "text": "x"\n   "oops": 1}]', "line 4: invalid JSON"),
        (
            '{"id": "a", "question": "x", "references": ["Điều 1 L"]}\n'
            '{"id": "a", "question": "y", "references": ["Điều 2 L"]}',
            "duplicate id 'a'",
        ),
        ('{"question": "x", "references": []}', "missing field 'id'"),
        ('{"id": "a", "question": "x", "references": [{"doc": "L"}]}', "needs 'doc' and 'article'"),
        ("[]", "holds no questions"),
        ('["just a string"]', "expected a JSON object"),
    ],
)
def test_bad_files(tmp_path: Path, content: str, needle: str) -> None:
    path = tmp_path / ("g.jsonl" if not content.startswith("[") else "g.json")
    path.write_text(content, encoding="utf-8")
    with pytest.raises(GoldError) as err:
        load_gold(path)
    assert needle in str(err.value)
    assert str(path) in str(err.value)


def test_gold_item_is_frozen() -> None:
    item = GoldItem("x", "q", (LegalAddress("D", "1"),))
    with pytest.raises(AttributeError):
        item.id = "y"  # type: ignore[misc]


def test_real_alqac_files_load(shared_corpus: Path) -> None:
    g22 = load_gold(shared_corpus / "alqac2022" / "questions.dev.json")
    assert len(g22.items) == 314 and g22.unresolved == ()
    assert g22.items[0].references == (LegalAddress("01/VBHN-VPQH", "418"),)
    g24 = load_gold(shared_corpus / "alqac2024" / "questions.dev.json")
    assert len(g24.items) == 430
    assert {i.type for i in g24.items} == {"Đúng/Sai", "Trắc nghiệm", "Tự luận"}
    # the line of an item is where its object starts in the file
    raw = (shared_corpus / "alqac2024" / "questions.dev.json").read_text(encoding="utf-8")
    last = g24.items[-1]
    assert f'"question_id": {json.dumps(last.id)}' in raw.splitlines()[last.line]
