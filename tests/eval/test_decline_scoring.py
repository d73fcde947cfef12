"""Requests to decline (gold ``decline``) are scored apart; the gold clause among the quotes
and answerable questions abstained on are reported (#14)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from eval.answer_harness import run_answers
from eval.gold import GoldItem, GoldSet
from eval.harness import run_eval
from generation.answer import Answer, AnswerMode, Citation
from legal.address import LegalAddress
from retrieval.types import Passage, Provision, SearchResult

D = "45/2019/QH14"


def _p(article: str, clause: str) -> Passage:
    return Passage(LegalAddress(D, article, clause), "…", f"Điều {article}", "BLLĐ", score=1.0)


P107_2, P107_1, P46_1 = _p("107", "2"), _p("107", "1"), _p("46", "1")
ITEMS = (
    GoldItem("s1", "q s1", (LegalAddress(D, "107", "2", "b"),)),  # answered, right clause
    GoldItem("s2", "q s2", (LegalAddress(D, "107", "2"),)),  # answered, wrong clause quoted
    GoldItem("s3", "q s3", (LegalAddress(D, "46"),)),  # abstained on: answerable
    GoldItem("d1", "q d1", (LegalAddress(D, "46"),), decline=True),  # declined, cites 46
    GoldItem("o1", "q o1", (), abstain=True),  # out of corpus, abstained
)


class Retriever:
    def search(self, query: str, k: int) -> SearchResult:
        first = P46_1 if query in ("q d1", "q s3") else P107_2
        provs = tuple(
            Provision(p.address.article_address(), p.article_title, "BLLĐ", 1.0, (p,))
            for p in (first, P107_1)
        )
        return SearchResult(query, provs)


def _reply(question: str, qid: str) -> Answer:
    if qid in ("s3", "o1"):
        return Answer(question, "Không tìm thấy", AnswerMode.ABSTAINED)
    p = {"s1": P107_2, "s2": P107_1, "d1": P46_1}[qid]
    cite = Citation(p.address, "…", "d", "[1]", 1)
    return Answer(question, "[1] …", AnswerMode.EXTRACTIVE, (cite,), (), (p,), declined=qid == "d1")


def test_retrieval_summary_keeps_declines_apart() -> None:
    run = run_eval(Retriever(), GoldSet(Path("g.jsonl"), ITEMS), k=5)
    s = run.summary.to_json()
    assert s["n"] == 3  # s1, s2, s3; not d1, not o1
    assert s["article"]["recall@1"] == 1.0
    assert s["decline"] == {"n": 1, "article": run.summary.decline.to_json()}  # type: ignore[union-attr]
    assert s["decline"]["article"]["recall@1"] == 1.0


def test_answer_summary_declines_clause_recall_and_answerable_abstained(
    answers_by_id: Callable[..., Any],
) -> None:
    run = run_answers(answers_by_id(_reply), GoldSet(Path("g.jsonl"), ITEMS))
    s = run.summary.to_json()
    # gold clause among the quotes: s1 yes, s2 no (107.1 quoted, 107.2 asked); s3's gold
    # names no Khoản
    assert s["citation"]["clause_recall"] == 0.5 and s["citation"]["n_clause"] == 2
    # article-level citation recall leaves the decline request out: s1, s2 right, s3 none
    assert s["citation"]["recall"] == 2 / 3
    assert s["abstention"]["answerable_abstained"] == 1 / 4  # s3 of s1, s2, s3, d1
    assert s["decline"] == {"n": 1, "declined": 1, "citation_recall": 1.0, "false_declines": 0}
