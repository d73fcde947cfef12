"""``eval --answers``: the answer harness over a scripted answer service, the CLI wiring, the
report files, and one real extractive run on a small index of Labor Code articles."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import pytest
import typer
from typer.testing import CliRunner

from app.cli import _register, cli
from app.context import CliState
from app.settings import Settings
from eval.answer_harness import (
    AnswerRun,
    question_type,
    run_answers,
    shown_all_verified,
)
from eval.answer_summary import NO_LLM_NOTE
from eval.gold import GoldItem, GoldSet
from eval.harness import run_eval
from eval.report import load_run
from generation.answer import Answer, AnswerMode, Citation, QuestionType, UnverifiedCitation
from legal.address import LegalAddress
from legal.document import DocType, DocumentMeta
from legal.registry import default_registry
from retrieval.types import Passage, Provision, SearchResult

D = "45/2019/QH14"


def _addr(article: str, clause: str | None = None) -> LegalAddress:
    return LegalAddress(D, article, clause)


def _passage(article: str, clause: str | None, text: str) -> Passage:
    return Passage(_addr(article, clause), text, f"Điều {article}", "BLLĐ 2019", score=0.9)


def _cite(p: Passage, n: int, addr: LegalAddress | None = None) -> Citation:
    return Citation(addr or p.address, p.text, p.display_citation(), f"[{n}]", n)


def _item(
    qid: str,
    article: str | None,
    answer: str | None = None,
    *,
    qtype: str | None = None,
    choices: tuple[tuple[str, str], ...] = (),
    abstain: bool = False,
) -> GoldItem:
    refs = (_addr(article),) if article else ()
    return GoldItem(
        qid, f"câu hỏi {qid}", refs, answer, abstain=abstain, type=qtype, choices=choices
    )


P113 = _passage("113", "1", "Người lao động được nghỉ hằng năm 12 ngày làm việc.")
P115 = _passage("115", "1", "Kết hôn: nghỉ 03 ngày.")
P105 = _passage("105", "1", "Không quá 08 giờ trong 01 ngày.")

ITEMS = (
    # free text, extractive: gold "12 ngày" is in the top quote; cites 113 (right) + 105
    _item("f1", "113", "12 ngày"),
    # free text, generated: contains "03 ngày", cites 115 (right); one unverified citation
    _item("f2", "115", "03 ngày"),
    # free text, extractive: wrong provision quoted, gold answer absent
    _item("f3", "113", "16 ngày"),
    # Đúng/Sai generated, right; and one wrong
    _item("t1", "105", "Đúng", qtype="Đúng/Sai"),
    _item("t2", "105", "Sai", qtype="Đúng/Sai"),
    # multiple choice generated, right
    _item("m1", "113", "B", qtype="Trắc nghiệm", choices=(("A", "10"), ("B", "12"))),
    # gold abstain: the service abstains (right)
    _item("a1", None, abstain=True),
    # the service abstains where it should not
    _item("a2", "115", "03 ngày"),
    # Đúng/Sai answered by the extractive fallback: no label, not scored
    _item("t3", "113", "Sai", qtype="Đúng/Sai"),
)


def _scripted_reply(question: str, qid: str) -> Answer:
    """The scripted answer service's answer to each gold item (see ``answers_by_id``)."""
    gen, ext, abst = AnswerMode.GENERATED, AnswerMode.EXTRACTIVE, AnswerMode.ABSTAINED
    if qid == "f1":
        return Answer(
            question, "[1] “12 ngày” [2]", ext, (_cite(P113, 1), _cite(P105, 2)), (),
            (P113, P105),
        )  # fmt: skip
    if qid == "f2":
        unverified = (UnverifiedCitation("Điều 999", "not in the passages"),)
        return Answer(
            question, "Được nghỉ 03 ngày [1].", gen, (_cite(P115, 1),), unverified, (P115,)
        )
    if qid == "f3":
        return Answer(question, "[1] “08 giờ”", ext, (_cite(P105, 1),), (), (P105,))
    if qid in ("t1", "t2"):
        return Answer(
            question, '{"answer": "Đúng"}', gen, (_cite(P105, 1),), (), (P105,), label="Đúng"
        )
    if qid == "m1":
        return Answer(question, "B", gen, (_cite(P113, 1),), (), (P113,), label="B")
    if qid in ("a1", "a2"):
        return Answer(question, "Không tìm thấy", abst)
    warn = ("LLM unavailable, extractive fallback): timeout",)
    return Answer(question, "[1] …", ext, (_cite(P113, 1),), (), (P113,), warnings=warn)


def _split(text: str) -> list[str]:
    return text.split()


def _run_scripted(answers_by_id: Callable[..., Any]) -> tuple[AnswerRun, Any]:
    service = answers_by_id(_scripted_reply)
    gold = GoldSet(Path("gold.jsonl"), ITEMS)
    return run_answers(service, gold, backend="auto", tokenizer=_split), service


def test_question_types_and_structured_mode(answers_by_id: Callable[..., Any]) -> None:
    run, service = _run_scripted(answers_by_id)
    assert service.asked["f1"] == (QuestionType.FREE, ())
    assert service.asked["t1"] == (QuestionType.TRUE_FALSE, ())
    assert service.asked["m1"] == (QuestionType.MULTIPLE_CHOICE, ("10", "12"))
    # ALQAC 2024 Đúng/Sai items are recognised by type or by the verdict as gold answer
    assert question_type(_item("x", "1", "Sai")) is QuestionType.TRUE_FALSE
    assert question_type(_item("x", "1", "07 năm")) is QuestionType.FREE
    assert len(run.results) == len(ITEMS)


def test_summary_by_hand(answers_by_id: Callable[..., Any]) -> None:
    run, _ = _run_scripted(answers_by_id)
    s = run.summary.to_json()
    assert s["n"] == 9
    # t1 right, t2 wrong; t3 (extractive fallback) not scored
    assert s["true_false"] == {
        "n_items": 3,
        "n": 2,
        "accuracy": 0.5,
        "note": "1 of 3 not scored (abstained, extractive or no gold answer)",
    }
    assert s["multiple_choice"]["accuracy"] == 1.0
    # short answers: f1 (yes), f2 (yes), f3 (no), a2 (abstained → no)
    assert s["short_answer"]["n"] == 4
    assert s["short_answer"]["containment"] == 0.5
    f1_f1 = 2 / 3  # "[1] “12 ngày” [2]" → 1, 12, ngày, 2: P 2/4, R 1
    f1_f2 = 4 / 7  # "Được nghỉ 03 ngày [1]." → được, nghỉ, 03, ngày, 1: P 2/5, R 1
    assert s["short_answer"]["token_f1"] == pytest.approx((f1_f1 + f1_f2 + 0 + 0) / 4)
    # citation precision over answers that cite: f1 .5, f2 1, f3 0, t1 1, t2 1, m1 1, t3 1
    assert s["citation"]["precision"] == pytest.approx(5.5 / 7)
    # recall over questions with gold refs (a1 has none): a2 abstained → 0, f3 → 0
    assert s["citation"]["n_recall"] == 8
    assert s["citation"]["recall"] == pytest.approx(6 / 8)
    # abstained a1 (gold abstain) and a2 (not): precision 1/2, recall 1/1
    assert s["abstention"]["precision"] == 0.5 and s["abstention"]["recall"] == 1.0
    assert s["modes"] == {"generated": 4, "extractive": 3, "abstained": 2, "fallback": 1}
    assert s["shown_citations_verified"] == 1.0
    # extractive answers to free-text gold: f1 (in top quote) and f3 (not)
    assert s["answer_in_top_quote"] == {"n": 2, "rate": 0.5}


def test_no_llm_leaves_accuracy_null_with_a_note(answers_by_id: Callable[..., Any]) -> None:
    gold = GoldSet(Path("g.jsonl"), (_item("t1", "105", "Đúng", qtype="Đúng/Sai"),))

    def extractive(question: str, qid: str) -> Answer:
        return Answer(question, "[1] …", AnswerMode.EXTRACTIVE, (_cite(P105, 1),), (), (P105,))

    s = run_answers(answers_by_id(extractive), gold).summary.to_json()
    assert s["true_false"]["accuracy"] is None
    assert s["true_false"]["note"] == NO_LLM_NOTE


def test_shown_citation_outside_the_passages_is_caught() -> None:
    ok = Answer("q", "t", AnswerMode.GENERATED, (_cite(P113, 1),), (), (P113,))
    assert shown_all_verified(ok)
    # a point inside the given clause is fine
    inside = LegalAddress(D, "113", "1", "a")
    assert shown_all_verified(
        Answer("q", "t", AnswerMode.GENERATED, (_cite(P113, 1, inside),), (), (P113,))
    )
    wrong_passage = Answer("q", "t", AnswerMode.GENERATED, (_cite(P113, 1),), (), (P105,))
    out_of_range = Answer("q", "t", AnswerMode.GENERATED, (_cite(P113, 2),), (), (P113,))
    rejected = Answer(
        "q", "t", AnswerMode.GENERATED, (_cite(P113, 1),), (UnverifiedCitation("[1]", "x"),),
        (P113,),
    )  # fmt: skip
    assert not any(shown_all_verified(a) for a in (wrong_passage, out_of_range, rejected))


# ---- the CLI and the report folder ------------------------------------------------------


class OneProvisionRetriever:
    registry = default_registry().with_documents(
        [DocumentMeta(D, D, DocType.BO_LUAT, "Bộ luật Lao động", year=2019)]
    )

    def documents(self) -> list[str]:
        return [D]

    def search(self, query: str, k: int) -> SearchResult:
        return SearchResult(query, (Provision(_addr("113"), "Điều 113", "BLLĐ", 0.9, (P113,)),))


class AnswerServices:
    """What ``luatqa eval --answers`` asks of :class:`app.wiring.Services`, scripted; the
    CLI gets it through its seam (``CliState.make_services``)."""

    built: ClassVar[list[str]] = []  # the backend each run was built for

    def __init__(self, settings: Settings, answers: Any) -> None:
        self.built.append(settings.llm.backend)
        self.retriever = OneProvisionRetriever()
        self.answers = answers


class SeamRunner(CliRunner):
    def __init__(self, answers: Any) -> None:
        super().__init__()
        self.answers = answers

    def invoke(self, app: Any, args: Any = None, **kw: Any) -> Any:
        state = CliState(
            make_services=lambda s: contextlib.nullcontext(AnswerServices(s, self.answers))
        )
        return super().invoke(app, args, obj=state, **kw)


@pytest.fixture()
def cli_app(
    tmp_path: Path, answers_by_id: Callable[..., Any]
) -> tuple[CliRunner, typer.Typer, Path]:
    gold = tmp_path / "gold.jsonl"
    rows = [
        {"id": "f1", "question": "câu hỏi f1", "references": [{"doc": D, "article": "113"}],
         "answer": "12 ngày"},
        {"id": "t1", "question": "câu hỏi t1", "references": [{"doc": D, "article": "105"}],
         "answer": "Đúng", "type": "Đúng/Sai"},
        {"id": "a1", "question": "câu hỏi a1", "abstain": True},
    ]  # fmt: skip
    gold.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    _register()
    return SeamRunner(answers_by_id(_scripted_reply)), cli, gold


def test_cli_answers_json_and_report(cli_app: tuple[CliRunner, typer.Typer, Path]) -> None:
    cli, app, gold = cli_app
    out = gold.parent / "run"
    res = cli.invoke(
        app, ["eval", "--gold", str(gold), "--answers", "--backend", "extractive", "--json",
              "--out", str(out)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["n"] == 2  # retrieval scores f1, t1; a1 (abstain) is only answered
    assert data["answer"]["n"] == 3 and data["answer"]["backend"] == "extractive"
    assert data["answer"]["abstention"]["recall"] == 1.0
    lines = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]
    assert [x["id"] for x in lines] == ["f1", "t1", "a1"]
    assert lines[0]["answer"]["answer_in_top_quote"] is True
    assert lines[2]["scored"] is False and lines[2]["answer"]["mode"] == "abstained"
    assert json.loads((out / "summary.json").read_text())["answer"]["n"] == 3
    assert "## Answers" in (out / "report.md").read_text()
    assert "<h2>Answers</h2>" in (out / "report.html").read_text()
    assert [r["id"] for r in load_run(out).results] == ["f1", "t1"]  # compare ignores a1
    text = cli.invoke(app, ["eval", "--gold", str(gold), "--answers"])
    assert text.exit_code == 0, text.output
    assert "answers (3 questions)" in text.stdout
    assert AnswerServices.built[-2:] == ["extractive", "auto"]
    bad = cli.invoke(app, ["eval", "--gold", str(gold), "--answers", "--backend", "gpt"])
    assert bad.exit_code == 2 and "Error: Invalid value for '--backend'" in bad.output


# ---- a real extractive run ----------------------------------------------------------------

ARTICLES = ("14", "25", "53", "77", "102", "113", "115", "125")


@pytest.mark.slow
def test_real_extractive_run(shared_corpus: Path, tmp_path: Path) -> None:
    from app.cli import _register, cli

    laws = json.loads((shared_corpus / "alqac2022" / "law.json").read_text(encoding="utf-8"))
    labor = next(law for law in laws if law["id"] == D)
    subset = [{"id": D, "articles": [a for a in labor["articles"] if a["id"] in ARTICLES]}]
    assert len(subset[0]["articles"]) == len(ARTICLES)
    law_file = tmp_path / "law.json"
    law_file.write_text(json.dumps(subset, ensure_ascii=False), encoding="utf-8")
    questions = json.loads(
        (shared_corpus / "alqac2022" / "questions.dev.json").read_text(encoding="utf-8")
    )
    chosen = [
        q
        for q in questions
        if all(r["law_id"] == D and r["article_id"] in ARTICLES for r in q["relevant_articles"])
    ]
    assert len(chosen) >= 6
    gold = tmp_path / "gold.json"
    gold.write_text(json.dumps(chosen, ensure_ascii=False), encoding="utf-8")

    _register()
    runner = CliRunner()
    index = tmp_path / "index"
    ingest = runner.invoke(cli, ["--index", str(index), "ingest", str(law_file), "--no-progress"])
    assert ingest.exit_code == 0, ingest.output
    out = tmp_path / "run"
    res = runner.invoke(
        cli,
        ["--index", str(index), "eval", "--gold", str(gold), "--answers", "--backend",
         "extractive", "--json", "--out", str(out)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    a = json.loads(res.stdout)["answer"]
    assert a["n"] == len(chosen)
    assert a["modes"]["generated"] == 0 and a["modes"]["fallback"] == 0
    assert a["modes"]["extractive"] + a["modes"]["abstained"] == len(chosen)
    assert a["shown_citations_verified"] == 1.0
    assert a["true_false"]["accuracy"] is None  # no Đúng/Sai items, and no LLM
    # every question has a short gold answer; with 8 articles retrieval finds most of them
    assert a["short_answer"]["n"] == len(chosen)
    assert a["citation"]["recall"] >= 0.5
    assert 0 < a["short_answer"]["token_f1"] < 1
    assert a["answer_in_top_quote"]["n"] == a["modes"]["extractive"]
    assert a["answer_in_top_quote"]["rate"] is not None
    assert 0 <= a["answer_in_top_quote"]["rate"] <= 1
    rows = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]
    assert all(r["answer"]["mode"] in ("extractive", "abstained") for r in rows)


def test_run_eval_and_answers_share_the_gold(answers_by_id: Callable[..., Any]) -> None:
    """The retrieval run skips gold-abstain items; the answer run asks every item."""
    gold = GoldSet(Path("g.jsonl"), ITEMS)
    retrieval = run_eval(OneProvisionRetriever(), gold, warmup=False)
    answers, _ = _run_scripted(answers_by_id)
    assert {r.item.id for r in retrieval.results} < {r.item.id for r in answers.results}
