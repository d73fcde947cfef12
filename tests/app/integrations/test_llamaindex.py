"""luatqa's llama-index parts with the real llama-index-core (app/integrations/llamaindex.py):
the retriever's metadata and ids, llama-index's own RetrieverQueryEngine over it (MockLLM),
the node parser against our chunker on real statutes, our query engine's source nodes, and
that the app without the extra imports neither llama-index nor mcp."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("llama_index.core", reason="needs the 'llamaindex' extra")

from llama_index.core.llms import MockLLM
from llama_index.core.node_parser import get_leaf_nodes
from llama_index.core.query_engine import RetrieverQueryEngine
from llama_index.core.schema import Document as LlamaDocument
from llama_index.core.schema import MetadataMode, NodeRelationship, TextNode
from pydantic import Field

from app.integrations.llamaindex import (
    LegalNodeParser,
    LuatqaQueryEngine,
    LuatqaRetriever,
)
from app.settings import load_settings
from app.wiring import Services
from generation.answer import Answer, AnswerMode, Citation, UnverifiedCitation
from ingest.chunking import Chunker, DocumentChunks
from ingest.load import default_reference_finder, load_documents
from ingest.readers.lawjson import read_alqac
from legal.address import LegalAddress
from retrieval.articles import ArticleReader
from retrieval.types import Passage

REPO = Path(__file__).resolve().parents[3]
DEMO_LABOR = REPO / "data" / "demo" / "labor-code-2019_excerpt.txt"
QUESTION = "Người lao động đơn phương chấm dứt hợp đồng lao động phải báo trước bao lâu?"


@pytest.fixture(scope="module")
def services(demo_index: Path) -> Iterator[Services]:
    with Services(load_settings({"index": {"dir": demo_index, "qdrant_url": None}})) as made:
        yield made


def test_retrieved_nodes_carry_our_ids_and_legal_metadata(services: Services) -> None:
    nodes = LuatqaRetriever(services.retriever, k=2).retrieve(QUESTION)
    result = services.retriever.search(QUESTION, k=2)
    assert [n.node.node_id for n in nodes] == [p.chunk_id for p in result.passages]
    assert [n.score for n in nodes] == [p.score for p in result.passages]
    reader = ArticleReader(services.store)
    for n in nodes:
        meta = n.node.metadata
        address = LegalAddress.parse(meta["address"])
        stored = reader.article(address)
        assert stored is not None
        by_id = {c.id: c for c in stored.chunks}
        assert by_id[n.node.node_id].address == address  # the id is the stored point's
        assert by_id[n.node.node_id].text == n.node.get_content()
        assert meta["citation"] == address.display("Bộ luật Lao động 2019")
        assert meta["document_number"] == "45/2019/QH14"
        assert meta["article_title"] == stored.title and meta["hierarchy"] == stored.hierarchy
        assert {"page", "effective_from", "effective_to", "replaced_by", "status"} <= set(meta)
        assert all(isinstance(v, str | int | float | type(None)) for v in meta.values())
    first = nodes[0].node.metadata
    assert first["citation"] == "khoản 1 Điều 35 Bộ luật Lao động 2019"
    # an LLM sees the citation with the text; an embedding, citation + heading + hierarchy
    assert "citation: khoản 1 Điều 35" in nodes[0].node.get_content(metadata_mode=MetadataMode.LLM)
    assert "address:" not in nodes[0].node.get_content(metadata_mode=MetadataMode.LLM)


class RecordingLLM(MockLLM):
    """llama-index's MockLLM, keeping the prompts it was sent."""

    prompts: list[str] = Field(default_factory=list)

    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> Any:
        self.prompts.append(prompt)
        return super().complete(prompt, formatted=formatted, **kwargs)


def test_llama_index_retriever_query_engine_runs_over_our_retriever(services: Services) -> None:
    retriever = LuatqaRetriever(services.retriever, k=2)
    llm = RecordingLLM(max_tokens=16)
    engine = RetrieverQueryEngine.from_args(retriever, llm=llm)
    response = engine.query(QUESTION)
    ids = [n.node.node_id for n in retriever.retrieve(QUESTION)]
    assert [n.node.node_id for n in response.source_nodes] == ids
    assert str(response).strip()  # the MockLLM's words
    sent = "\n".join(llm.prompts)
    assert "khoản 1 Điều 35 Bộ luật Lao động 2019" in sent and QUESTION in sent


def chunks_as_nodes(chunks: DocumentChunks) -> list[tuple[str, str, str]]:
    return [(r.id, r.address.canonical, r.record.text) for r in chunks.chunks]


def test_the_node_parser_chunks_like_luatqa_ingest() -> None:
    text = DEMO_LABOR.read_text(encoding="utf-8")
    nodes = LegalNodeParser().get_nodes_from_documents(
        [LlamaDocument(text=text, metadata={"file_path": str(DEMO_LABOR)})]
    )
    (doc,) = load_documents(DEMO_LABOR)  # what `luatqa ingest` reads from the same file
    ingested = Chunker().chunk(doc)
    leaves = [n for n in get_leaf_nodes(nodes) if isinstance(n, TextNode)]
    assert [(n.node_id, n.metadata["address"], n.text) for n in leaves] == chunks_as_nodes(ingested)
    articles = [n for n in nodes if NodeRelationship.CHILD in n.relationships]
    assert [n.node_id for n in articles] == [a.id for a in ingested.articles]
    for article in articles:
        children = article.child_nodes or []
        assert children
        for child in children:
            node = next(n for n in nodes if n.node_id == child.node_id)
            assert node.parent_node is not None and node.parent_node.node_id == article.node_id
            assert node.metadata["article"] == article.metadata["article"]
    first = leaves[0].metadata
    assert first["document_number"] == "45/2019/QH14"
    assert first["citation"] == "Điều 1 Bộ luật Lao động 2019"
    assert first["file_path"] == str(DEMO_LABOR)  # the Document's own metadata is kept
    assert leaves[0].ref_doc_id == next(iter(nodes)).ref_doc_id


@pytest.mark.shared
@pytest.mark.slow
def test_the_node_parser_on_the_whole_labor_code(alqac2022_law: Path, tmp_path: Path) -> None:
    """The Labor Code 2019 (220 articles, from ALQAC 2022) as a lawyer's text copy: the
    parser's nodes are the provisions our chunker makes of the same law read from law.json."""
    law = json.loads(alqac2022_law.read_text(encoding="utf-8"))
    articles = next(x for x in law if x["id"] == "45/2019/QH14")["articles"]
    lines = ["QUỐC HỘI", "Luật số: 45/2019/QH14", "", "BỘ LUẬT", "LAO ĐỘNG", ""]
    for a in articles:
        title, _, body = a["text"].partition("\n")
        lines += [f"Điều {a['id']}. {title.strip()}", body.strip(), ""]
    nodes = LegalNodeParser().get_nodes_from_documents([LlamaDocument(text="\n".join(lines))])
    leaves = [n for n in get_leaf_nodes(nodes) if isinstance(n, TextNode)]
    finder = default_reference_finder()
    laws = read_alqac(alqac2022_law, find_refs=finder)
    (labor,) = [d for d in laws if d.doc_id == "45/2019/QH14"]
    expected = Chunker().chunk(labor)
    assert len(expected.chunks) > 600
    assert [(n.metadata["address"], n.text) for n in leaves] == [
        (c.address.canonical, c.record.text) for c in expected.chunks
    ]
    assert len(nodes) - len(leaves) == len(expected.articles) == 220


def answer_with(citations: tuple[Citation, ...], passages: tuple[Passage, ...]) -> Answer:
    return Answer(
        question="q",
        text="Theo [1] và khoản 9 Điều 36.",
        mode=AnswerMode.GENERATED,
        citations=citations,
        unverified=(UnverifiedCitation("khoản 9 Điều 36", "không có"),),
        passages=passages,
        model="m",
    )


class ScriptedAnswers:
    def __init__(self, answer: Answer) -> None:
        self.answer = answer

    def ask(self, question: str, **_: Any) -> Answer:
        return self.answer


def test_our_query_engine_sources_are_exactly_the_verified_citations() -> None:
    law = "45/2019/QH14"
    p1 = Passage(LegalAddress(law, "35", "1"), "1. a) x\nb) y", "T", "BLLĐ", chunk_id="id-1")
    p2 = Passage(LegalAddress(law, "36", "1"), "1. z", "T", "BLLĐ", chunk_id="id-2", score=0.5)
    cited = (
        Citation(p1.address, "1. a) x\nb) y", "khoản 1 Điều 35 BLLĐ", "[1]", 1),
        Citation(LegalAddress(law, "35", "1", "b"), "b) y", "điểm b …", "điểm b khoản 1", 1),
        Citation(p1.address, "1. a) x\nb) y", "khoản 1 Điều 35 BLLĐ", "[1]", 1),  # again
    )
    engine = LuatqaQueryEngine.from_service(ScriptedAnswers(answer_with(cited, (p1, p2))))  # type: ignore[arg-type]
    response = engine.query("q")
    assert str(response) == "Theo [1] và khoản 9 Điều 36."
    got = [(n.node.metadata["address"], n.node.get_content()) for n in response.source_nodes]
    assert got == [
        ("45/2019/QH14 › Điều 35 › Khoản 1", "1. a) x\nb) y"),
        ("45/2019/QH14 › Điều 35 › Khoản 1 › Điểm b", "b) y"),
    ]  # p2 was given to the model but not cited: not a source
    assert response.source_nodes[0].node.node_id == "id-1"
    assert response.source_nodes[1].node.node_id not in ("id-1", "id-2")
    assert response.metadata is not None
    assert response.metadata["unverified"] == [{"marker": "khoản 9 Điều 36", "reason": "không có"}]


def test_our_query_engine_over_the_real_answer_service(services: Services) -> None:
    response = LuatqaQueryEngine.from_service(services.answers).query(QUESTION)
    answer = services.answers.ask(QUESTION)
    assert response.metadata is not None and response.metadata["mode"] == "extractive"
    assert [n.node.metadata["address"] for n in response.source_nodes] == [
        c.address.canonical for c in answer.sources
    ]
    assert response.source_nodes


def test_the_app_imports_neither_llama_index_nor_mcp() -> None:
    code = (
        "import sys, app.cli; app.cli._register(); import app.services, app.wiring; "
        "print([m for m in sys.modules if m.split('.')[0] in ('llama_index', 'mcp')])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
