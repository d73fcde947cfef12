"""The SFT data builder on real ALQAC law and questions, with a small in-memory retriever
over real clause passages (the end-to-end test uses the real index and Retriever)."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from eval.split import normalize_question, split_of
from finetune.answers import ABSTAIN_TEXT, unverified_citations
from finetune.builder import BuildOptions, DataBuilder, SFTExample, StoreProvisions
from finetune.card import EstimateLengths
from finetune.data import DataRequest, build_dataset
from finetune.tasks import QATask, tasks_from_corpus, tasks_from_gold
from generation.answer import QuestionType
from generation.budget import EstimateCounter, fit_prompt
from generation.parsing import parse_structured
from generation.service import labels_for
from legal.address import LegalAddress
from legal.errors import InputError
from retrieval.store.base import VectorStore
from retrieval.types import Passage, PassageRole, Provision, SearchResult

LABOR = "45/2019/QH14"
LABELS = {LABOR: "Bộ luật Lao động 2019"}


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", normalize_question(text)))


class LexicalRetriever:
    """Word-overlap search over clause passages, grouped by article like the real one."""

    def __init__(self, passages: list[Passage]) -> None:
        self.passages = passages
        self.index = [_words(p.text + " " + p.article_title) for p in passages]
        self.calls: list[tuple[str, int]] = []

    def search(self, query: str, k: int) -> SearchResult:
        self.calls.append((query, k))
        q = _words(query)
        scored = sorted(
            ((len(q & w) / (1 + len(w)) ** 0.5, i) for i, w in enumerate(self.index)),
            reverse=True,
        )
        provisions: dict[LegalAddress, list[Passage]] = {}
        for score, i in scored:
            p = self.passages[i]
            key = p.address.article_address()
            if key not in provisions and len(provisions) >= k:
                continue
            group = provisions.setdefault(key, [])
            if len(group) < 3:
                group.append(Passage(**{**p.__dict__, "score": score}))
            if len(provisions) >= k and all(len(g) >= 3 for g in provisions.values()):
                break
        return SearchResult(
            query,
            tuple(
                Provision(a, g[0].article_title, g[0].doc_label, g[0].score, tuple(g))
                for a, g in provisions.items()
            ),
        )


class ListProvisions:
    def __init__(self, passages: list[Passage]) -> None:
        self.passages = passages

    def clause_passages(self) -> list[Passage]:
        return list(self.passages)

    def article_passages(self, address: LegalAddress) -> list[Passage]:
        art = address.article_address()
        return [p for p in self.passages if art.contains(p.address)]


def clause_passages(law_json: Path, docs: set[str], labels: dict[str, str]) -> list[Passage]:
    from ingest.readers.lawjson import read_alqac

    out: list[Passage] = []
    for doc in read_alqac(law_json):
        if doc.doc_id not in docs:
            continue
        label = labels.get(doc.doc_id, doc.doc_id)
        for a in doc.articles:
            for c in a.clauses:
                addr = LegalAddress(doc.doc_id, a.number, c.number)
                out.append(Passage(addr, c.text, a.title, label, role=PassageRole.HIT))
            if not a.clauses:
                addr = LegalAddress(doc.doc_id, a.number)
                out.append(Passage(addr, a.text, a.title, label, role=PassageRole.HIT))
    return out


@pytest.fixture(scope="module")
def labor(shared_corpus: Path) -> list[Passage]:
    return clause_passages(shared_corpus / "alqac2022" / "law.json", {LABOR}, LABELS)


@pytest.fixture(scope="module")
def labor_gold(shared_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ALQAC 2022 dev questions on the Labor Code (a slice of the real file)."""
    items = json.loads((shared_corpus / "alqac2022" / "questions.dev.json").read_text("utf-8"))
    mine = [q for q in items if q["relevant_articles"][0]["law_id"] == LABOR][:25]
    path = tmp_path_factory.mktemp("gold") / "alqac2022-labor.json"
    path.write_text(json.dumps(mine, ensure_ascii=False), encoding="utf-8")
    return path


def builder(passages: list[Passage], **options: object) -> DataBuilder:
    return DataBuilder(
        LexicalRetriever(passages),
        ListProvisions(passages),
        EstimateCounter(),
        BuildOptions(**options),  # type: ignore[arg-type]
    )


def _check_prompt_is_generations(e: SFTExample, passages: list[Passage], task: QATask) -> None:
    by_addr = {p.address.canonical: p for p in passages}
    given = [by_addr[a] for a in e.passages]
    budget = fit_prompt(
        task.question,
        given,
        EstimateCounter(),
        max_model_len=4096,
        max_answer_tokens=768,
        qtype=task.qtype,
        choices=task.choices,
    )
    assert list(e.messages[:2]) == budget.messages  # exactly what generation sends


def test_gold_questions_become_cited_answers_that_generation_verifies(
    labor: list[Passage], labor_gold: Path
) -> None:
    tasks = tasks_from_gold(labor_gold)
    b = builder(labor, abstain_ratio=0.0)
    report = b.build(tasks)
    assert len(report.examples) >= 20, report.skipped
    by_id = {t.id: t for t in tasks}
    for e in report.examples:
        task = by_id[e.id]
        roles = [m["role"] for m in e.messages]
        assert roles == ["system", "user", "assistant"]
        assert task.question.strip() in e.messages[1]["content"]
        reply = e.messages[2]["content"]
        # cites the passage(s) holding the gold article, by number and in words
        gold = LegalAddress.parse(e.gold[0])
        for n in e.cited:
            assert gold.overlaps(LegalAddress.parse(e.passages[n - 1]))
        assert f"[{e.cited[0]}]" in reply and "Điều " in reply
        given = [next(p for p in labor if p.address.canonical == a) for a in e.passages]
        assert unverified_citations(reply, task.qtype, task.choices, given) == []
        assert task.answer is not None and normalize_question(task.answer) in normalize_question(
            reply
        )
        quoted = re.search(r'quy định: "(.+)"\.', reply)
        if quoted:  # a quote of the law (the sentence holding the answer), not of the answer
            words = quoted.group(1).removesuffix(" …").split()
            main = next(p for p in labor if p.address.canonical == e.passages[e.cited[0] - 1])
            assert normalize_question(" ".join(words)) in normalize_question(
                " ".join(main.text.split())
            )
            assert len(words) >= min(5, len(main.text.split()) - 1)
    _check_prompt_is_generations(report.examples[0], labor, by_id[report.examples[0].id])
    # retrieval was asked with the answer service's top_k
    assert all(k == BuildOptions().top_k for _, k in b.retriever.calls)  # type: ignore[attr-defined]


def test_missed_gold_is_put_into_the_context(labor: list[Passage], labor_gold: Path) -> None:
    report = builder(labor, abstain_ratio=0.0).build(tasks_from_gold(labor_gold))
    injected = [e for e in report.examples if not e.gold_retrieved]
    assert injected, "the lexical retriever misses some gold articles"
    assert all(e.cited for e in injected)


def test_abstention_examples_lack_the_gold_article(labor: list[Passage], labor_gold: Path) -> None:
    report = builder(labor, abstain_ratio=1.0).build(tasks_from_gold(labor_gold))
    abstains = [e for e in report.examples if e.kind == "abstain"]
    assert abstains
    for e in abstains:
        gold = {LegalAddress.parse(g).article_address() for g in e.gold}
        assert not any(LegalAddress.parse(a).article_address() in gold for a in e.passages)
        assert e.messages[-1]["content"] == ABSTAIN_TEXT and e.cited == ()


def test_corpus_template_questions(labor: list[Passage]) -> None:
    tasks = tasks_from_corpus(labor[:300], 30, seed=1)
    assert len(tasks) == 30
    templates = Counter(t.template for t in tasks)
    assert templates["deadline"] + templates["amount"] + templates["cases"] > 0
    report = builder(labor, abstain_ratio=0.0).build(tasks)
    assert len(report.examples) >= 25, report.skipped
    deadline = [e for e in report.examples if e.template == "deadline"]
    for e in deadline:
        assert re.search(r"\d+\s*(ngày|tháng|năm|giờ)", e.messages[-1]["content"])
    for e in report.examples:
        assert e.passages[e.cited[0] - 1] in e.gold


def test_structured_true_false_and_multiple_choice(shared_corpus: Path, tmp_path: Path) -> None:
    items = json.loads((shared_corpus / "alqac2024" / "questions.dev.json").read_text("utf-8"))
    law = "Luật Viên chức"
    mine = [q for q in items if q["relevant_articles"][0]["law_id"] in (law, "Luật Thanh niên")]
    gold = tmp_path / "alqac2024-slice.json"
    gold.write_text(json.dumps(mine, ensure_ascii=False), encoding="utf-8")
    passages = clause_passages(
        shared_corpus / "alqac2024" / "law.json", {law, "Luật Thanh niên"}, {}
    )
    tasks = tasks_from_gold(gold)
    assert {t.qtype for t in tasks} == set(QuestionType)
    report = builder(passages, abstain_ratio=0.0).build(tasks)
    by_id = {t.id: t for t in tasks}
    structured = [e for e in report.examples if e.kind != QuestionType.FREE.value]
    assert len(structured) >= 10, report.skipped
    for e in structured:
        task = by_id[e.id]
        reply = e.messages[-1]["content"]
        parsed = parse_structured(reply, labels_for(task.qtype, task.choices))
        assert parsed.problem is None and parsed.label == task.answer
        assert list(parsed.citations) == list(e.cited) and len(parsed.reasoning) <= 400
        assert "JSON" in e.messages[1]["content"]  # generation's structured instruction


def test_exclude_refuses_eval_questions_and_dedupes(
    labor: list[Passage], labor_gold: Path, tmp_path: Path
) -> None:
    tasks = tasks_from_gold(labor_gold)
    # the same question with other tone placement, case and spacing is still refused
    eval_file = tmp_path / "eval.jsonl"
    first = tasks[0].question.replace("hòa", "hoà").upper()
    eval_file.write_text(
        json.dumps({"id": "e1", "question": "  " + first + " ", "references": []}) + "\n",
        encoding="utf-8",
    )
    from finetune.tasks import exclusion_set

    excluded = exclusion_set([eval_file])
    report = builder(labor, abstain_ratio=0.0).build([*tasks, tasks[1]], excluded)
    assert report.excluded == 1 and report.duplicates == 1
    questions = {normalize_question(e.question) for e in report.examples}
    assert normalize_question(tasks[0].question) not in questions
    # an eval file that covers every question leaves nothing: an error, not an empty file
    with pytest.raises(InputError, match="no example"):
        build_dataset(
            DataRequest(out=tmp_path / "out", gold=(labor_gold,), exclude=(labor_gold,)),
            builder(labor),
            EstimateLengths(),
        )


def test_dataset_files_split_and_card(
    labor: list[Passage], labor_gold: Path, tmp_path: Path
) -> None:
    out = tmp_path / "data"
    result = build_dataset(
        DataRequest(out=out, gold=(labor_gold,), from_corpus=15),
        builder(labor, val_ratio=0.2, abstain_ratio=0.3),
        EstimateLengths(),
    )
    train = [json.loads(x) for x in (out / "train.jsonl").read_text("utf-8").splitlines()]
    val = [json.loads(x) for x in (out / "val.jsonl").read_text("utf-8").splitlines()]
    assert len(train) == result.train and len(val) == result.val and val
    tq = {normalize_question(x["question"]) for x in train}
    vq = {normalize_question(x["question"]) for x in val}
    assert not tq & vq  # a question (and its abstention twin) stays on one side
    assert all(split_of(x["question"], 0.2) == "val" for x in val) or len(val) <= 2
    card = json.loads((out / "data_card.json").read_text("utf-8"))
    corpus = [card[s]["by_source_kind"].get("corpus/tu-luan", 0) for s in ("train", "val")]
    # template questions whose quote cites a provision outside the context are skipped
    assert 10 <= sum(corpus) <= 15
    assert card["train"]["by_kind"]["abstain"] > 0
    assert sum(card["tokens"]["histogram"].values()) == result.train + result.val
    assert "Length in tokens" in (out / "data_card.md").read_text("utf-8")


def test_our_jsonl_gold_with_an_abstain_item(labor: list[Passage], tmp_path: Path) -> None:
    gold = tmp_path / "ours.jsonl"
    rows = [
        {
            "id": "a1",
            "question": "Thời giờ làm việc bình thường của người lao động là bao nhiêu giờ?",
            "references": [{"doc": LABOR, "article": "105", "clause": "1"}],
            "answer": "không quá 08 giờ trong 01 ngày",
        },
        {"id": "a2", "question": "Thuế suất thuế giá trị gia tăng là bao nhiêu?", "abstain": True},
    ]
    gold.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    tasks = tasks_from_gold(gold)
    assert [t.abstain for t in tasks] == [False, True] and tasks[0].source == "gold:ours.jsonl"
    report = builder(labor, abstain_ratio=0.0).build(tasks)
    by_id = {e.id: e for e in report.examples}
    assert by_id["gold:ours.jsonl:a2"].kind == "abstain"
    assert by_id["gold:ours.jsonl:a2"].messages[-1]["content"] == ABSTAIN_TEXT
    answered = by_id["gold:ours.jsonl:a1"]
    assert "45/2019/QH14 › Điều 105 › Khoản 1" in answered.passages
    assert "khoản 1 Điều 105 Bộ luật Lao động 2019" in answered.messages[-1]["content"]


def test_store_provisions_read_through_the_article_reader(records_store: VectorStore) -> None:
    source = StoreProvisions(records_store)
    clauses = source.clause_passages()
    assert [p.address.canonical for p in clauses] == [
        "45/2019/QH14 › Điều 35 › Khoản 1",
        "45/2019/QH14 › Điều 35 › Khoản 2",
        "45/2019/QH14 › Điều 36 › Khoản 1",
        "45/2019/QH14 › Điều 36 › Khoản 1",
    ]
    assert all(p.chunk_id and p.doc_label == "Bộ luật Lao động 2019" for p in clauses)
    clause = source.article_passages(LegalAddress("45/2019/QH14", "35", "2"))
    assert [p.text for p in clause] == ["2. Không cần."]
    whole = source.article_passages(LegalAddress("45/2019/QH14", "36"))
    assert [p.text for p in whole] == ["1. Trường hợp: a) b)", "1. Trường hợp: c) d)"]
    assert source.article_passages(LegalAddress("45/2019/QH14", "999")) == []
