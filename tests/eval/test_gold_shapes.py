"""The labor-law benchmark shape (eval/gold_shapes.py), read by `luatqa eval` directly."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.gold import RegistryResolver, load_gold
from eval.gold_shapes import is_labor_golden, to_our_shape
from legal.address import LegalAddress
from legal.document import DocType, DocumentMeta
from legal.registry import default_registry

FIXTURES = Path(__file__).parent / "fixtures"
LC = "45/2019/QH14"


@pytest.fixture(scope="module")
def resolver() -> RegistryResolver:
    meta = DocumentMeta(
        doc_id=LC, number=LC, doc_type=DocType.LUAT, title="Bộ luật Lao động", year=2019
    )
    return RegistryResolver(default_registry().with_documents([meta]))


def test_mapping_onto_our_shape() -> None:
    obj = {
        "id": "X",
        "question": "Q?",
        "question_type": "direct_qa",
        "gold_citation_primary": "Bộ luật Lao động 2019, Điều 3",
        "gold_citation_secondary": "Bộ luật Lao động 2019, Điều 5",
        "gold_citations": ["Điều 3 Bộ luật Lao động 2019", "Điều 8 Bộ luật Lao động 2019"],
        "gold_answer_short": "A.",
        "abstain_required": True,
    }
    assert is_labor_golden(obj) and not is_labor_golden({"id": "a", "references": []})
    assert to_our_shape(obj) == {
        "id": "X",
        "question": "Q?",
        "references": ["Bộ luật Lao động 2019, Điều 3"],
        "supporting": [
            "Bộ luật Lao động 2019, Điều 5",
            "Điều 3 Bộ luật Lao động 2019",
            "Điều 8 Bộ luật Lao động 2019",
        ],
        "decline": True,
        "type": "direct_qa",
        "answer": "A.",
    }
    ours = {"id": "a", "question": "q", "references": ["x"]}
    assert to_our_shape(ours) is ours


def test_labor_file_loads_with_clause_gold_and_declines(resolver: RegistryResolver) -> None:
    gold = load_gold(FIXTURES / "labor_golden_small.jsonl", resolver)
    items = {i.id: i for i in gold.items}
    l1, l2, l3 = items["L1"], items["L2"], items["L3"]
    assert l1.references == (LegalAddress(LC, "107", "2", "b"),)
    assert l1.clause_gold == (LegalAddress(LC, "107", "2"),)
    # supporting provisions: resolved, without the primary one
    assert l1.supporting == (LegalAddress(LC, "98"),)
    assert l1.type == "scenario_qa" and l1.answer == "Không quá 12 giờ trong 01 ngày."
    assert l2.decline and not l2.abstain and l2.article_gold == (LegalAddress(LC, "46"),)
    assert not l1.decline
    # a decree that is not indexed: reported, and the question is left unscored
    assert l3.references == ()
    reasons = {(u.item_id, u.reference) for u in gold.unresolved}
    assert ("L3", "Nghị định 145/2020/NĐ-CP, điểm c khoản 3 Điều 8") in reasons
    assert ("L2", "Điều 8 Nghị định 145/2020/NĐ-CP") in reasons


def test_real_dev_set(labor_golden_dev: Path, resolver: RegistryResolver) -> None:
    gold = load_gold(labor_golden_dev, resolver)
    assert len(gold.items) == 49
    assert sum(i.decline for i in gold.items) == 5
    scored = [i for i in gold.items if i.article_gold and not i.decline]
    assert len(scored) == 43  # LBR_058 rests on Decree 145/2020, not indexed
    assert sum(1 for i in scored if i.clause_gold) >= 30
