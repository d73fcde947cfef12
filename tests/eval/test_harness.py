"""The harness over a scripted retriever: ranks, units, submitted set, report files, compare."""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from eval.compare import compare_runs, render_comparison
from eval.gold import GoldItem, GoldSet, Unresolved
from eval.harness import (
    SubmitRule,
    article_units,
    breakdown,
    clause_units,
    run_eval,
    search_text,
)
from eval.report import load_run, write_run
from eval.report_md import render_markdown
from legal.address import LegalAddress
from retrieval.types import Passage, Provision, SearchResult

D = "45/2019/QH14"


def addr(text: str) -> LegalAddress:
    return (
        LegalAddress.parse(f"{D} › {text}")
        if not text.startswith("Luật")
        else (LegalAddress.parse(text))
    )


def prov(article: str, score: float, *passages: str) -> Provision:
    a = LegalAddress(D, article)
    ps = tuple(
        Passage(
            address=addr(p),
            text="…",
            article_title=f"Điều {article}",
            doc_label="BLLĐ",
            score=score,
        )
        for p in passages
    )
    return Provision(
        address=a, article_title=f"Điều {article}", doc_label="BLLĐ", score=score, passages=ps
    )


class ScriptedRetriever:
    """Returns a fixed ranking per question; records the calls."""

    def __init__(self, script: Mapping[str, Sequence[Provision]]) -> None:
        self.script = script
        self.calls: list[tuple[str, int]] = []

    def search(self, query: str, k: int) -> SearchResult:
        self.calls.append((query, k))
        return SearchResult(query=query, provisions=tuple(self.script[query])[:k])


def item(
    qid: str, *refs: LegalAddress, qtype: str | None = None, abstain: bool = False
) -> GoldItem:
    return GoldItem(
        id=qid, question=f"question {qid}", references=refs, type=qtype, abstain=abstain
    )


ITEMS = (
    # gold clause 2 of Điều 35: article at rank 1, clause: first passage is khoản 1, then 2
    item("a", LegalAddress(D, "35", "2"), qtype="Tự luận"),
    # gold Điều 20: at rank 3
    item("b", LegalAddress(D, "20"), qtype="Đúng/Sai"),
    # gold Điều 99: not retrieved
    item("c", LegalAddress(D, "99", "1", "a"), qtype="Đúng/Sai"),
    # two gold articles, found at ranks 2 and 4 → recall@1 0, recall@5 1
    item("d", LegalAddress(D, "1"), LegalAddress(D, "2")),
    # abstain: not searched, not scored
    item("e", abstain=True),
)

SCRIPT = {
    "question a": [
        prov("35", 0.9, "Điều 35 › Khoản 1", "Điều 35 › Khoản 2 › Điểm b"),
        prov("36", 0.5, "Điều 36"),
    ],
    "question b": [prov("21", 0.8), prov("22", 0.7), prov("20", 0.6)],
    "question c": [prov("98", 0.9, "Điều 98 › Khoản 1"), prov("97", 0.1)],
    "question d": [prov("5", 1.0), prov("1", 0.95), prov("3", 0.5), prov("2", 0.4)],
}


def _run(rule: SubmitRule | None = None, script: Mapping[str, Sequence[Provision]] = SCRIPT):
    gold = GoldSet(
        Path("gold.jsonl"), ITEMS, (Unresolved("z", 9, "Điều 1 Luật X", "unknown law 'Luật X'"),)
    )
    ticks = iter(range(0, 1000, 5))  # every search takes exactly 5 ms
    retriever = ScriptedRetriever(script)
    run = run_eval(retriever, gold, k=10, rule=rule, clock=lambda: next(ticks) / 1000)
    return run, retriever


def test_units_in_retriever_order() -> None:
    provs = SCRIPT["question a"]
    assert article_units(provs) == [LegalAddress(D, "35"), LegalAddress(D, "36")]
    # the Điểm counts as its Khoản; a whole-Điều passage counts as the Điều
    assert clause_units(provs) == [
        LegalAddress(D, "35", "1"),
        LegalAddress(D, "35", "2"),
        LegalAddress(D, "36"),
    ]


def test_ranks_and_metrics_by_hand() -> None:
    run, retriever = _run()
    assert [q for q, _ in retriever.calls] == [
        "question a",  # the untimed warm-up search
        "question a",
        "question b",
        "question c",
        "question d",
    ]
    assert all(k == 10 for _, k in retriever.calls)
    res = {r.item.id: r for r in run.results}
    assert res["a"].article.ranks == (1,) and res["a"].clause is not None
    assert res["a"].clause.ranks == (2,)
    assert res["b"].article.ranks == (3,) and res["b"].clause is None
    assert res["c"].article.ranks == (None,) and res["c"].clause.ranks == (None,)
    assert res["d"].article.ranks == (2, 4)
    assert [r.hit for r in run.results] == [True, True, False, True]
    assert run.skipped == (("e", "abstain"),)

    s = run.summary
    assert s.n == 4 and s.n_items == 5
    j = s.to_json()
    assert set(j) == {"n", "article", "clause", "latency_ms", "unresolved"}
    assert j["article"]["recall@1"] == 0.25
    assert j["article"]["recall@5"] == 0.75
    assert j["article"]["mrr@10"] == pytest.approx((1 + 1 / 3 + 0 + 1 / 2) / 4)
    ndcg_d = (1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3))
    assert j["article"]["ndcg@10"] == pytest.approx((1 + 0.5 + 0 + ndcg_d) / 4)
    # top-1 submitted: only "a" is right (P=R=F2=1); the rest score 0
    assert j["article"]["f2"] == 0.25
    # clause level covers a and c only: a found at rank 2, c missed
    assert j["clause"]["recall@1"] == 0.0 and j["clause"]["recall@5"] == 0.5
    assert j["clause"]["mrr@10"] == 0.25
    # the submitted Điều 35 holds khoản 1 and khoản 2: P=1/2, R=1 → F2 = 5/6; c: 0
    assert j["clause"]["f2"] == pytest.approx((2.5 / 3) / 2)
    assert j["latency_ms"] == pytest.approx({"p50": 5.0, "p95": 5.0})
    assert j["unresolved"] == [
        {"id": "z", "line": 9, "reference": "Điều 1 Luật X", "reason": "unknown law 'Luật X'"}
    ]


def test_submit_rule_relative_cut() -> None:
    rule = SubmitRule(max_n=3, min_rel_score=0.9)
    run, _ = _run(rule)
    d = next(r for r in run.results if r.item.id == "d")
    # Điều 5 (1.0) and Điều 1 (0.95 ≥ 0.9) submitted, Điều 3 (0.5) not
    assert d.submitted == (LegalAddress(D, "5"), LegalAddress(D, "1"))
    s = d.article.set_scores
    assert (s.precision, s.recall) == (0.5, 0.5)
    assert "top 3" in run.summary.submit_rule
    with pytest.raises(ValueError):
        SubmitRule(max_n=0)


def test_breakdowns() -> None:
    run, _ = _run()
    by_type = breakdown(run.results, lambda r: r.qtype)
    assert list(by_type) == ["Đúng/Sai", "Tự luận", "—"]
    assert by_type["Đúng/Sai"].n == 2 and by_type["Đúng/Sai"].recall[10] == 0.5
    assert list(breakdown(run.results, lambda r: r.law)) == [D]


def test_empty_result_is_a_miss() -> None:
    script: dict[str, list[Provision]] = {q: [] for q in SCRIPT}
    run, _ = _run(script=script)
    assert run.summary.article.recall[10] == 0.0
    assert run.summary.article.f2 == 0.0


def test_report_files_and_compare(tmp_path: Path) -> None:
    run_a, _ = _run()
    out_a = write_run(run_a, tmp_path / "a")
    lines = (out_a / "results.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4
    first = json.loads(lines[0])
    assert first["id"] == "a" and first["rank"] == 1 and first["hit"] is True
    assert first["gold"] == [f"{D} › Điều 35 › Khoản 2"]
    assert first["retrieved"][0]["passages"][1] == {
        "address": f"{D} › Điều 35 › Khoản 2 › Điểm b",
        "score": 0.9,
    }
    assert first["clause_ranks"] == [2]
    summary = json.loads((out_a / "summary.json").read_text(encoding="utf-8"))
    assert summary["article"]["recall@1"] == 0.25 and summary["by_type"]["Đúng/Sai"]["n"] == 2
    md = (out_a / "report.md").read_text(encoding="utf-8")
    assert "| article | 4 | 0.250 | 0.750 | 0.750 |" in md
    assert "| c | miss |" in md and "Luật X" in md
    page = (out_a / "report.html").read_text(encoding="utf-8")
    pngs = page.count("data:image/png;base64,")
    assert pngs == 3
    blob = page.split("data:image/png;base64,")[1].split('"')[0]
    assert base64.b64decode(blob)[:8] == b"\x89PNG\r\n\x1a\n"
    assert md == render_markdown(run_a)

    # B: fixes c (now rank 1), breaks b (Điều 20 gone), moves d's best rank 2 → 1
    script_b = dict(SCRIPT)
    script_b["question b"] = [prov("21", 0.8)]
    script_b["question c"] = [prov("99", 0.9, "Điều 99 › Khoản 1 › Điểm a")]
    script_b["question d"] = [prov("1", 1.0), prov("2", 0.9)]
    run_b, _ = _run(script=script_b)
    out_b = write_run(run_b, tmp_path / "b")
    cmp = compare_runs(load_run(out_a), load_run(out_b))
    assert [c.id for c in cmp.fixed] == ["c"]
    assert [c.id for c in cmp.broken] == ["b"]
    assert cmp.both_miss == ()
    assert [(c.id, c.rank_a, c.rank_b) for c in cmp.rank_changes] == [("d", 2, 1)]
    assert cmp.both_hit == 2
    a1, b1, d1 = cmp.deltas["article"]["recall@1"]
    assert (a1, b1) == (0.25, 0.625) and d1 == pytest.approx(0.375)
    text = render_comparison(cmp)
    assert "| article recall@1 | 0.250 | 0.625 | +0.375 |" in text
    assert "fixed 1 · broken 1 · both miss 0 · both hit 2 (rank changed 1)" in text


def test_load_run_rejects_other_folders(tmp_path: Path) -> None:
    from legal.errors import GoldError

    with pytest.raises(GoldError, match=r"results\.jsonl is missing"):
        load_run(tmp_path)


def test_multiple_choice_questions_are_searched_with_their_choices() -> None:
    mc = GoldItem(
        id="m",
        question="Báo trước bao nhiêu ngày?",
        references=(LegalAddress(D, "35"),),
        type="Trắc nghiệm",
        choices=(("A", " 30 ngày "), ("B", "45 ngày")),
    )
    assert search_text(mc) == "Báo trước bao nhiêu ngày?\n30 ngày\n45 ngày"
    assert search_text(item("x", LegalAddress(D, "1"))) == "question x"
    retriever = ScriptedRetriever({search_text(mc): [prov("35", 1.0)]})
    run = run_eval(retriever, GoldSet(Path("g.jsonl"), (mc,), ()), k=5)
    assert [q for q, _ in retriever.calls] == [search_text(mc)] * 2  # warm-up + the question
    assert run.results[0].article.ranks == (1,)
