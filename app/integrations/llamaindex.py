"""luatqa as llama-index parts (the optional extra: ``pip install 'luatqa[llamaindex]'``).

This is the only module of the project that imports llama-index; nothing imports it at
start-up, so the app's import time without the extra is unchanged
(``tests/app/integrations/test_llamaindex.py`` checks that ``import app.cli`` loads neither
llama-index nor mcp).

* :class:`LuatqaRetriever` — a llama-index ``BaseRetriever`` over our hybrid retriever.
* :class:`LegalNodeParser` — statute text → Điều/Khoản/Điểm nodes through our own structure
  parser and chunker, article ↔ clause as parent/child.
* :class:`LuatqaQueryEngine` — answers through our answer service; ``source_nodes`` are
  exactly the answer's verified citations.
* :class:`LuatqaVLLM` — a llama-index LLM on our vLLM (any OpenAI-compatible server)
  through ``generation.client.VLLMClient``; in :mod:`app.integrations.llamaindex_llm`,
  re-exported here.

Decisions:

* **Our pipeline stays the hot path.** The retriever wraps ``retrieval.retriever.Retriever``
  (fusion inside Qdrant, law detection, citations in the question, cross-references) rather
  than re-implementing it with a llama-index vector index.
* **One metadata shape** for every node we make (:func:`provision_metadata`): the legal
  address, display citation, document number, article title, hierarchy, page and validity,
  flat values only (str / int / None) so any llama-index vector store can hold them.
* **Node ids are our point ids** (uuid5 of kind, address and document version, see
  :func:`ingest.chunking.point_id`): the same clause of the same version has the same id in
  the retriever's nodes and the parser's nodes.
* **Validity** is read by :func:`app.integrations.validity.validity` alone, with ``getattr``
  defaults: the fields (``effective_from``, ``effective_to``, ``replaced_by``, ``status``)
  come from the typed records once the index carries them; until then they are None.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.base.response.schema import Response
from llama_index.core.node_parser import NodeParser
from llama_index.core.query_engine import CustomQueryEngine
from llama_index.core.schema import (
    BaseNode,
    MetadataMode,
    NodeRelationship,
    NodeWithScore,
    QueryBundle,
    TextNode,
)
from pydantic import Field

from app.integrations.llamaindex_llm import LuatqaVLLM as LuatqaVLLM  # re-exported
from app.integrations.validity import validity
from generation.answer import Answer, QuestionType
from ingest.chunking import Chunker, ChunkingConfig, DocumentChunks
from ingest.load import default_reference_finder
from ingest.readers.text import parse_text
from legal.address import LegalAddress
from retrieval.records import ArticleFields
from retrieval.types import Passage

if TYPE_CHECKING:
    from app.settings import Settings
    from app.wiring import Services
    from generation.service import AnswerService
    from retrieval.retriever import Retriever as HybridRetriever

# what an embedding model and an LLM see of a node besides its text
EMBED_KEYS = ("citation", "article_title", "hierarchy")
LLM_KEYS = ("citation", "article_title")
ID_NAMESPACE = uuid.UUID("0b6f3f8e-5a53-5b43-a8c6-5c1d8f1f2a90")


def provision_metadata(
    address: LegalAddress,
    *,
    doc_label: str,
    doc_short: str | None,
    number: str | None,
    article_title: str,
    hierarchy: str,
    page: int | None,
    source: str | None,
    valid: dict[str, str | None],
) -> dict[str, Any]:
    """The metadata of every node luatqa makes (flat values only)."""
    return {
        "address": address.canonical,  # "45/2019/QH14 › Điều 35 › Khoản 2"
        "citation": address.display(doc_label),  # "khoản 2 Điều 35 Bộ luật Lao động 2019"
        "citation_short": address.display(doc_short or doc_label),
        "document": address.doc,
        "document_number": number,
        "document_label": doc_label,
        "level": address.level.name.lower(),
        "article": address.article,
        "clause": address.clause,
        "point": address.point,
        "article_title": article_title,
        "hierarchy": hierarchy,
        "page": page,
        "source": source,
        **valid,
    }


def _node(node_id: str, text: str, metadata: dict[str, Any]) -> TextNode:
    return TextNode(
        id_=node_id,
        text=text,
        metadata=metadata,
        excluded_embed_metadata_keys=[k for k in metadata if k not in EMBED_KEYS],
        excluded_llm_metadata_keys=[k for k in metadata if k not in LLM_KEYS],
    )


def _address_id(address: LegalAddress) -> str:
    """The id of a node that is no stored point (a joined passage, a point inside a clause)."""
    return str(uuid.uuid5(ID_NAMESPACE, address.canonical))


def passage_node(
    passage: Passage, number: str | None = None, *extra: object, on: str | None = None
) -> TextNode:
    """A retrieved passage as a node: its point id, its text, :func:`provision_metadata`
    (``extra``: further objects :func:`validity` reads, e.g. the document record)."""
    meta = provision_metadata(
        passage.address,
        doc_label=passage.doc_label,
        doc_short=passage.doc_short,
        number=number,
        article_title=passage.article_title,
        hierarchy=passage.hierarchy,
        page=passage.page,
        source=passage.source,
        valid=validity(passage, *extra, on=on),
    )
    meta["role"] = passage.role.value
    return _node(passage.chunk_id or _address_id(passage.address), passage.text, meta)


class LuatqaRetriever(BaseRetriever):
    """llama-index retriever over luatqa's hybrid retriever: ``k`` articles, each with its
    matching clauses, as :class:`NodeWithScore` (score: the fused score of the clause)."""

    def __init__(
        self,
        retriever: HybridRetriever,
        *,
        k: int = 5,
        docs: Sequence[str] = (),
        as_of: str | None = None,
        services: Services | None = None,
        **kwargs: Any,
    ) -> None:
        """``as_of`` (YYYY-MM-DD): only provisions in force that day, and their ``status``
        metadata is the currency on that day (default: all, today's currency)."""
        super().__init__(**kwargs)
        self._retriever = retriever
        self.k = k
        self.docs = tuple(docs)
        self.as_of = as_of
        self._services = services

    @classmethod
    def from_settings(cls, settings: Settings | None = None, **kwargs: Any) -> LuatqaRetriever:
        """Built from the ``LUATQA_`` settings (``load_settings()`` when None); call
        :meth:`close` to release the index (the embedded store is one process's)."""
        services = _services(settings)
        return cls(services.retriever, services=services, **kwargs)

    def close(self) -> None:
        if self._services is not None:
            self._services.close()

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        result = self._retriever.search(
            query_bundle.query_str, k=self.k, docs=self.docs, as_of=self.as_of
        )
        documents = self._retriever.catalog.documents
        out = []
        for passage in result.passages:
            doc = documents.get(passage.address.doc)
            node = passage_node(passage, doc.number if doc else None, doc, on=self.as_of)
            out.append(NodeWithScore(node=node, score=passage.score))
        return out


def _services(settings: Settings | None) -> Services:
    from app.settings import load_settings
    from app.wiring import Services

    return Services(settings if settings is not None else load_settings())


# ---- statute text → Điều/Khoản/Điểm nodes -------------------------------------------------


def record_node(rec: ArticleFields, number: str | None) -> TextNode:
    """A chunk or article record as a node (its point id, its text, the same metadata)."""
    meta = provision_metadata(
        rec.address,
        doc_label=rec.doc_label or rec.doc_id,
        doc_short=rec.doc_short,
        number=number,
        article_title=rec.article_title,
        hierarchy=rec.hierarchy,
        page=rec.page,
        source=rec.source,
        valid=validity(rec),
    )
    return _node(rec.id, rec.text, meta)


def chunk_nodes(chunks: DocumentChunks, number: str | None) -> list[BaseNode]:
    """Article nodes, each followed by its clause nodes; clause → PARENT article, article →
    CHILD clauses (llama-index's ``get_leaf_nodes`` gives the clauses alone)."""
    by_article: dict[tuple[str, str], list[TextNode]] = {}
    for c in chunks.chunks:
        by_article.setdefault(c.record.article_key, []).append(record_node(c.record, number))
    out: list[BaseNode] = []
    for a in chunks.articles:
        article = record_node(a.record, number)
        children = by_article.get(a.record.article_key, [])
        article.relationships[NodeRelationship.CHILD] = [c.as_related_node_info() for c in children]
        for child in children:
            child.relationships[NodeRelationship.PARENT] = article.as_related_node_info()
        out += [article, *children]
    return out


class LegalNodeParser(NodeParser):
    """llama-index ``Document``s of statute text ("Điều 1. …", "1. …", "a) …", with the
    header naming the law) → Điều/Khoản/Điểm nodes, exactly as ``luatqa ingest`` chunks the
    same text (same ids, texts and metadata); every node keeps the ``Document`` as SOURCE."""

    max_words: int = Field(default=350, description="A Khoản longer than this is split.")

    def _parse_nodes(
        self, nodes: Sequence[BaseNode], show_progress: bool = False, **kwargs: Any
    ) -> list[BaseNode]:
        chunker = Chunker(ChunkingConfig(max_words=self.max_words))
        finder = default_reference_finder()
        out: list[BaseNode] = []
        for node in nodes:
            meta = node.metadata
            source = meta.get("file_path") or meta.get("source") or node.node_id
            doc = parse_text(
                node.get_content(metadata_mode=MetadataMode.NONE),
                source=str(source),
                find_refs=finder,
            )
            parsed = chunk_nodes(chunker.chunk(doc), doc.meta.number)
            for child in parsed:
                child.relationships[NodeRelationship.SOURCE] = node.as_related_node_info()
            out += parsed
        return out


# ---- answers --------------------------------------------------------------------------


def citation_nodes(answer: Answer) -> list[NodeWithScore]:
    """The verified citations of an answer (one per address), as nodes: the cited wording,
    the passage's metadata, the passage's score."""
    out = []
    for c in answer.sources:
        idx = c.passage_index - 1
        passage = answer.passages[idx] if 0 <= idx < len(answer.passages) else None
        if passage is None:  # verify_answer never makes one; kept for a hand-built Answer
            continue
        same = c.address == passage.address  # else a point inside the passage: its own id
        cited = replace(
            passage, address=c.address, text=c.quote, chunk_id=passage.chunk_id if same else None
        )
        node = passage_node(cited, None)
        node.metadata["marker"] = c.marker
        out.append(NodeWithScore(node=node, score=passage.score))
    return out


class LuatqaQueryEngine(CustomQueryEngine):
    """A llama-index query engine that answers through luatqa's answer service (generated
    with verified citations when an LLM is configured, extractive otherwise, abstaining when
    nothing relevant is indexed). ``response.source_nodes`` are exactly the verified
    citations; ``response.metadata`` holds the mode, its label, unverified citations and
    warnings."""

    answers: Any = Field(description="generation.service.AnswerService")
    qtype: QuestionType = QuestionType.FREE
    choices: tuple[str, ...] = ()
    services: Any = Field(default=None, exclude=True)

    @classmethod
    def from_settings(cls, settings: Settings | None = None, **kwargs: Any) -> LuatqaQueryEngine:
        services = _services(settings)
        return cls(answers=services.answers, services=services, **kwargs)

    @classmethod
    def from_service(cls, answers: AnswerService, **kwargs: Any) -> LuatqaQueryEngine:
        return cls(answers=answers, **kwargs)

    def close(self) -> None:
        if self.services is not None:
            self.services.close()

    def custom_query(self, query_str: str) -> Response:
        from app.services.answers import MODE_LABELS

        answer: Answer = self.answers.ask(query_str, qtype=self.qtype, choices=self.choices)
        return Response(
            response=answer.text,
            source_nodes=citation_nodes(answer),
            metadata={
                "mode": answer.mode.value,
                "mode_label": MODE_LABELS[answer.mode.value],
                "label": answer.label,
                "unverified": [u.to_dict() for u in answer.unverified],
                "warnings": list(answer.warnings),
                "model": answer.model,
            },
        )
