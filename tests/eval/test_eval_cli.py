"""`luatqa eval` over a scripted retriever, handed to the real CLI through its seam
(``CliState.make_services``)."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any, ClassVar

import pytest
import typer
from typer.testing import CliRunner

from app.cli import _register, cli
from app.context import CliState
from legal.address import LegalAddress
from legal.document import DocType, DocumentMeta
from legal.registry import default_registry
from retrieval.types import Passage, Provision, SearchResult

FIXTURES = Path(__file__).parent / "fixtures"
D = "45/2019/QH14"
REGISTRY = default_registry().with_documents(
    [DocumentMeta(D, D, DocType.BO_LUAT, "Bộ luật Lao động", year=2019)]
)


def _prov(article: str, score: float, clause: str | None = None) -> Provision:
    a = LegalAddress(D, article)
    passages: tuple[Passage, ...] = ()
    if clause is not None:
        passages = (
            Passage(
                LegalAddress(D, article, clause), "…", f"Điều {article}", "BLLĐ 2019", score=score
            ),
        )
    return Provision(a, f"Điều {article}", "BLLĐ 2019", score, passages)


class KeywordRetriever:
    """Answers from a tiny table of question keywords → ranked provisions; prints noise on
    stdout to prove ``--json`` keeps stdout clean."""

    TABLE: tuple[tuple[str, tuple[Provision, ...]], ...] = (
        ("Thời giờ làm việc", (_prov("105", 0.9, "1"), _prov("106", 0.5))),
        ("Tết Âm lịch", (_prov("113", 0.8), _prov("112", 0.7, "1"))),
        ("nghỉ hưu", (_prov("169", 0.9, "1"),)),
        ("Hợp đồng lao động", (_prov("13", 0.9), _prov("20", 0.8), _prov("21", 0.1))),
    )

    registry = REGISTRY

    def documents(self) -> list[str]:
        return [D]

    options: ClassVar[list[dict[str, Any]]] = []  # what each search was asked with

    def search(self, query: str, k: int, **options: Any) -> SearchResult:
        KeywordRetriever.options.append(options)
        print("noise from the pipeline")
        for key, provs in self.TABLE:
            if key in query:
                return SearchResult(query, provs[:k])
        return SearchResult(query, ())


class KeywordServices:
    """What ``luatqa eval`` asks of :class:`app.wiring.Services`: a retriever that knows the
    index's documents and their registry."""

    retriever = KeywordRetriever()


class SeamRunner(CliRunner):
    """Invokes the real ``luatqa`` with :class:`KeywordServices` behind it."""

    def invoke(self, app: Any, args: Any = None, **kw: Any) -> Any:
        state = CliState(make_services=lambda s: contextlib.nullcontext(KeywordServices()))
        return super().invoke(app, args, obj=state, **kw)


@pytest.fixture()
def runner() -> tuple[CliRunner, typer.Typer]:
    _register()
    return SeamRunner(), cli


def test_json_output_is_exactly_the_metrics(runner: tuple[CliRunner, typer.Typer]) -> None:
    cli, app = runner
    res = cli.invoke(app, ["eval", "--gold", str(FIXTURES / "gold_small.jsonl"), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)  # stdout holds the JSON object and nothing else
    assert set(data) == {"n", "article", "clause", "latency_ms", "unresolved"}
    assert set(data["article"]) == {"recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10", "f2"}
    # g1 rank 1; g2 rank 2; g3 rank 1; g4 gold 20, 21 at ranks 2, 3; g5 abstain; g6 unresolved
    assert data["n"] == 4
    assert data["article"]["recall@1"] == 0.5
    assert data["article"]["recall@5"] == 1.0
    assert data["article"]["mrr@10"] == pytest.approx((1 + 0.5 + 1 + 0.5) / 4)
    # clause gold: g1 (105.1, rank 1), g2 (112.1, rank 2: Điều 113 counts as a unit), g3
    # (169.2: only khoản 1 retrieved → miss)
    assert data["clause"]["recall@1"] == pytest.approx(1 / 3)
    assert data["clause"]["recall@10"] == pytest.approx(2 / 3)
    assert [u["id"] for u in data["unresolved"]] == ["g6"]
    assert data["latency_ms"]["p50"] >= 0
    assert "noise" in res.stderr


def test_limit_out_and_compare(runner: tuple[CliRunner, typer.Typer], tmp_path: Path) -> None:
    cli, app = runner
    gold = str(FIXTURES / "gold_small.jsonl")
    res_a = cli.invoke(app, ["eval", "--gold", gold, "--k", "1", "--out", str(tmp_path / "a")])
    assert res_a.exit_code == 0, res_a.output
    assert "article" in res_a.stdout and "report.html" in res_a.stdout
    res_b = cli.invoke(
        app, ["eval", "--gold", gold, "--limit", "2", "--json", "--out", str(tmp_path / "b")]
    )
    assert json.loads(res_b.stdout)["n"] == 2
    for name in ("results.jsonl", "summary.json", "report.md", "report.html"):
        assert (tmp_path / "b" / name).is_file()
    cmp = cli.invoke(app, ["eval", "--compare", str(tmp_path / "a"), str(tmp_path / "b"), "--json"])
    assert cmp.exit_code == 0, cmp.output
    diff = json.loads(cmp.stdout)
    # k=1 in A: g2 (rank 2) missed; k=10 in B: found → fixed; g3, g4 only in A
    assert [c["id"] for c in diff["fixed"]] == ["g2"]
    assert diff["only_a"] == ["g3", "g4"]
    text = cli.invoke(app, ["eval", "--compare", str(tmp_path / "a"), str(tmp_path / "b")])
    assert "fixed 1 · broken 0" in text.stdout


def test_errors_are_plain(runner: tuple[CliRunner, typer.Typer], tmp_path: Path) -> None:
    cli, app = runner
    res = cli.invoke(app, ["eval", "--gold", str(FIXTURES / "bad_json.jsonl")])
    assert res.exit_code == 2
    assert "bad_json.jsonl: line 2: invalid JSON" in res.stderr
    res = cli.invoke(app, ["eval", "--gold", str(FIXTURES / "gold_small.jsonl"), "--strict"])
    assert res.exit_code == 2 and "line 8 (item 'g6')" in res.stderr
    res = cli.invoke(app, ["eval"])
    assert res.exit_code == 2 and "--gold FILE" in res.stderr
    res = cli.invoke(app, ["eval", "--compare", str(tmp_path), str(tmp_path)])
    assert res.exit_code == 2 and "not an eval run folder" in res.stderr


# ---- the real pipeline: `luatqa ingest` a slice of the Labor Code, then `luatqa eval` ----

SLICE_ARTICLES = ("100", "101", "102", "103", "104", "105", "107", "109", "113")
SLICE_QUESTIONS = ("q-125", "q-130", "q-131", "q-136", "q-138")  # gold: 100 102 103 107 109
OUR_GOLD = [
    {
        "id": "own-1",
        "question": "Thời giờ làm việc bình thường không quá bao nhiêu giờ trong 01 ngày?",
        "references": ["khoản 1 Điều 105 Bộ luật Lao động 2019"],
        "answer": "08 giờ",
    },
    {
        "id": "own-2",
        "question": "Người lao động làm việc đủ 12 tháng được nghỉ hằng năm bao nhiêu ngày?",
        "references": ["Bộ luật Lao động 2019, điểm a khoản 1 Điều 113"],
        "answer": "12 ngày làm việc",
    },
    {
        "id": "own-3",
        "question": "Điều kiện thành lập công ty luật?",
        "references": ["Điều 34 Luật Luật sư 2006"],
    },
]


@pytest.mark.slow
@pytest.mark.shared
def test_real_index_end_to_end(shared_corpus: Path, tmp_path: Path) -> None:
    _register()
    law = json.loads((shared_corpus / "alqac2022" / "law.json").read_text(encoding="utf-8"))
    labor = next(d for d in law if d["id"] == D)
    arts = [a for a in labor["articles"] if a["id"] in SLICE_ARTICLES]
    (tmp_path / "law.json").write_text(
        json.dumps([{"id": D, "articles": arts}], ensure_ascii=False), encoding="utf-8"
    )
    questions = json.loads(
        (shared_corpus / "alqac2022" / "questions.dev.json").read_text(encoding="utf-8")
    )
    alqac_gold = tmp_path / "alqac.json"
    alqac_gold.write_text(
        json.dumps([q for q in questions if q["id"] in SLICE_QUESTIONS], ensure_ascii=False),
        encoding="utf-8",
    )
    own_gold = tmp_path / "own.jsonl"
    own_gold.write_text(
        "\n".join(json.dumps(x, ensure_ascii=False) for x in OUR_GOLD) + "\n", encoding="utf-8"
    )
    index = str(tmp_path / "index")
    runner = CliRunner()
    ingested = runner.invoke(cli, ["--index", index, "ingest", str(tmp_path / "law.json")])
    assert ingested.exit_code == 0, ingested.output

    res = runner.invoke(
        cli, ["--index", index, "eval", "--gold", str(alqac_gold), "--k", "3", "--json"]
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["n"] == 5 and data["unresolved"] == []
    # a real hybrid retriever over 9 articles finds most of these ALQAC questions' articles
    assert data["article"]["recall@5"] >= 0.6
    assert data["latency_ms"]["p95"] > 0

    out = tmp_path / "run"
    res = runner.invoke(
        cli, ["--index", index, "eval", "--gold", str(own_gold), "--json", "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    # citation strings resolve against the index; the Lawyers Law is not in it
    assert data["n"] == 2
    assert [u["id"] for u in data["unresolved"]] == ["own-3"]
    assert data["clause"]["recall@10"] is not None
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["levels"]["clause"]["n"] == 2
    first = json.loads((out / "results.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert first["gold_clauses"] == [f"{D} › Điều 105 › Khoản 1"]
    assert first["retrieved"] and first["retrieved"][0]["passages"]


def test_empty_index_is_an_error_not_zero_scores(tmp_path: Path) -> None:
    _register()
    index = tmp_path / "index"
    res = CliRunner().invoke(
        cli, ["--index", str(index), "eval", "--gold", str(FIXTURES / "gold_small.jsonl")]
    )
    assert res.exit_code == 1  # the index is the problem, not the input (app.boundary)
    assert f"the index at {index} holds no documents" in res.stderr


def test_as_of_runs_with_and_without_the_validity_feature(
    runner: tuple[CliRunner, typer.Typer], tmp_path: Path
) -> None:
    cli, app = runner
    KeywordRetriever.options.clear()
    gold = str(FIXTURES / "gold_small.jsonl")
    out = tmp_path / "run"
    res = cli.invoke(
        app, ["eval", "--gold", gold, "--as-of", "2022-01-01", "--json", "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert set(data["validity"]) == {"with", "without", "n", "labels"}
    assert data["validity"]["with"] == data["article"]
    assert {"guidance": True, "as_of": "2022-01-01"} in KeywordRetriever.options
    assert {"guidance": False} in KeywordRetriever.options
    assert json.loads((out / "validity.json").read_text(encoding="utf-8")) == data["validity"]
    bad = cli.invoke(app, ["eval", "--gold", gold, "--as-of", "2022-13-01"])
    assert bad.exit_code == 2 and "is not a date" in bad.output
