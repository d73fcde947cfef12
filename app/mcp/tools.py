"""What the MCP tools do, in plain Python: :class:`LawTools` over the components
:mod:`app.wiring` builds. :mod:`app.mcp.server` only declares the tools and turns
:class:`legal.errors.LuatqaError` into MCP tool errors.

Decisions:

* **The index is read, never written.** No tool ingests; the server is a reader like
  ``luatqa search``.
* **The embedded store's lock is held for one call at a time.** ``qdrant-edge`` is one
  process's (``retrieval/store/edge.py``: an exclusive ``flock`` on ``DIR/.lock``). Like the
  CLI, which opens the index for one command, the server opens it for one tool call and
  releases it, keeping only the embedder and the catalog (re-read when the indexed documents
  change); so the server never keeps the UI from
  starting, and while the UI holds the index a tool call fails with the store's own message
  ("open in another process (the UI?) — stop it, or run a Qdrant server and use
  --qdrant-url"). With a Qdrant server (``--qdrant-url``) there is no lock: the connection
  is kept for the server's life. Calls are serialised (one lock), so two calls never open
  the embedded store at once.
* **Bad input is an error with our wording**, never a crash: an empty query or question
  (:class:`QuestionError`), a citation that names nothing or nothing indexed
  (:class:`CitationError`), a law the index lacks (:class:`InputError`), an ``as_of`` that
  is not a date.
* **``as_of`` is never ignored silently**: it is passed on to the search (only provisions
  in force that day) and every result says its currency on that day; an index built before
  validity was read excludes nothing, and the result says so in ``notes``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Any

from app.integrations.validity import validity
from app.services.answers import MODE_LABELS
from generation.answer import AnswerMode, QuestionType
from legal.address import LegalAddress
from legal.errors import CitationError, QuestionError, StoreError
from retrieval.resolve import CitationResolver, ResolvedCitation

if TYPE_CHECKING:
    from app.wiring import Services
    from retrieval.catalog import Catalog
    from retrieval.retriever import Retriever as HybridRetriever
    from retrieval.types import Passage, SearchResult

CITATION_HINT = (
    'write it like "khoản 2 Điều 35 Bộ luật Lao động 2019", "k2 Đ35 BLLĐ" or '
    '"45/2019/QH14 › Điều 35 › Khoản 2"'
)
NO_LLM_NOTE = (
    "Không có mô hình ngôn ngữ được cấu hình: câu trả lời là các điều khoản trích nguyên văn "
    "(no LLM configured: the answer quotes the provisions, nothing is generated)."
)
NO_VALIDITY_NOTE = (
    "Chỉ mục này chưa có thông tin hiệu lực nên ngày {day} không loại được điều khoản nào; "
    "chạy lại `luatqa ingest` để cập nhật (this index has no validity metadata yet: as_of "
    "excluded nothing; re-run `luatqa ingest` to refresh it, no re-embedding)."
)


class LawTools:
    """The five tools and the resources, over :class:`app.wiring.Services`."""

    def __init__(self, services: Services) -> None:
        self._services = services
        # the embedded store is opened per call (its lock); a Qdrant server's client is kept
        self._hold = bool(services.settings.index.qdrant_url)
        self._lock = threading.Lock()
        self._catalog: tuple[tuple[tuple[str, str], ...], Catalog] | None = None

    @contextmanager
    def _index(self) -> Iterator[Services]:
        with self._lock:
            try:
                yield self._services
            finally:
                if not self._hold:
                    self._services.close()

    def close(self) -> None:
        self._services.close()

    def _retriever(self, services: Services) -> HybridRetriever:
        """The retriever, with the catalog of the last call when the indexed documents
        (ids and versions) are the same: reading every article record again took ~2 s a
        call on the ALQAC 2024 index (17 laws); a changed index is read anew."""
        retriever = services.retriever
        if self._hold:
            return retriever
        docs = retriever.reader.documents()
        key = tuple(sorted((d.doc_id, d.doc_version) for d in docs))
        if self._catalog is not None and self._catalog[0] == key:
            retriever.use_catalog(self._catalog[1])
        else:
            self._catalog = (key, retriever.catalog)
        return retriever

    def _nonempty(self, services: Services) -> HybridRetriever:
        if services.store.count() == 0:
            idx = services.settings.index
            raise StoreError(
                f"the index at {idx.qdrant_url or idx.dir} is empty",
                hint="run `luatqa ingest PATH` first",
            )
        return self._retriever(services)

    # ---- search_law -------------------------------------------------------------------------
    def search_law(
        self, query: str, k: int = 5, laws: Sequence[str] = (), as_of: str | None = None
    ) -> dict[str, Any]:
        from app.commands.search import resolve_laws

        if not query.strip():
            raise QuestionError("the query is empty", hint="give a question or keywords")
        day = parse_day(as_of)
        notes: list[str] = []
        with self._index() as services:
            retriever = self._nonempty(services)
            docs = resolve_laws(retriever, list(laws), option="laws")
            on = day.isoformat() if day else None
            result: SearchResult = retriever.search(query, k=k, docs=docs, as_of=on)
            numbers = {d: rec.number for d, rec in retriever.catalog.documents.items()}
            records = retriever.catalog.documents
        if on and not any(r.validity_version is not None for r in records.values()):
            notes.append(NO_VALIDITY_NOTE.format(day=on))
        return {
            "query": query,
            "as_of": on,
            "as_of_applied": on is not None,
            "notes": notes,
            "laws_named": list(result.detected_documents),
            "results": [
                _hit(p, numbers.get(p.address.doc), records.get(p.address.doc), on)
                for p in result.passages
            ],
        }

    # ---- get_provision / verify_citations -------------------------------------------------
    def get_provision(self, citation: str) -> dict[str, Any]:
        if not citation.strip():
            raise CitationError("the citation is empty", hint=CITATION_HINT)
        with self._index() as services:
            resolver = _resolver(self._retriever(services))
            if "›" in citation:
                found = [resolver.check(LegalAddress.parse(citation), citation.strip())]
            else:
                found = resolver.resolve_text(citation, clip=False)
            documents = sorted(resolver.catalog.documents)
        if not found:
            raise CitationError(f"no citation found in {citation!r}", hint=CITATION_HINT)
        bad = [f for f in found if not f.resolved]
        if bad:
            raise CitationError(
                "; ".join(f"{f.display or f.raw}: {f.reason}" for f in bad),
                hint=f"indexed documents: {', '.join(documents) or '(none)'}",
            )
        return {"provisions": [_provision(f) for f in found]}

    def verify_citations(self, text: str, law: str | None = None) -> dict[str, Any]:
        from app.commands.search import resolve_laws

        if not text.strip():
            raise QuestionError("the text is empty", hint="paste the text whose citations to check")
        with self._index() as services:
            retriever = self._retriever(services)
            default = resolve_laws(retriever, [law], option="law")[0] if law else None
            found = _resolver(retriever).resolve_text(text, default_doc=default)
        unresolved = sum(not f.resolved for f in found)
        return {
            "citations": [f.to_dict() for f in found],
            "resolved": len(found) - unresolved,
            "unresolved": unresolved,
        }

    # ---- answer / list_documents ---------------------------------------------------------
    def answer(
        self, question: str, qtype: str = QuestionType.FREE.value, choices: Sequence[str] = ()
    ) -> dict[str, Any]:
        if not question.strip():
            raise QuestionError("the question is empty", hint="ask a question about the law")
        kind = QuestionType(qtype)
        with self._index() as services:
            self._nonempty(services)
            answer = services.answers.ask(question, qtype=kind, choices=tuple(choices))
            llm = services.llm_client is not None
        data = answer.to_dict()
        notes = [NO_LLM_NOTE] if answer.mode is AnswerMode.EXTRACTIVE and not llm else []
        return {
            "question": data["question"],
            "mode": data["mode"],
            "mode_label": MODE_LABELS[data["mode"]],
            "notes": notes,
            "text": data["text"],
            "label": data["label"],
            "citations": data["citations"],
            "unverified": data["unverified"],
            "warnings": data["warnings"],
            "model": data["model"],
        }

    def list_documents(self) -> dict[str, Any]:
        with self._index() as services:
            records = list(self._retriever(services).catalog.documents.values())
        docs = sorted(records, key=lambda d: (d.doc_label or d.title, d.doc_id))
        return {
            "documents": [
                {
                    "id": d.doc_id,
                    "number": d.number,
                    "type": d.doc_type,
                    "title": d.title,
                    "label": d.doc_label,
                    "short": d.doc_short,
                    "date": d.date,
                    "articles": d.articles,
                    "uri": f"luatqa://{d.doc_id}",
                    **validity(d),
                }
                for d in docs
            ]
        }

    # ---- resources ----------------------------------------------------------------------
    def read_resource(self, path: str) -> str:
        """``45/2019/QH14`` (the document's articles), ``45/2019/QH14/dieu-35``,
        ``…/dieu-35/khoan-2``, ``…/khoan-2/diem-a``: the provision's text."""
        address = address_from_path(path)
        with self._index() as services:
            retriever = self._retriever(services)
            if address.article is None:
                return _contents(retriever, address)
            found = _resolver(retriever).check(address)
        if not found.resolved:
            raise CitationError(f"{found.display}: {found.reason}", hint=CITATION_HINT)
        return f"{found.display}. {found.article_title}\n\n{found.wording}".strip()


def _contents(retriever: HybridRetriever, address: LegalAddress) -> str:
    doc = retriever.catalog.documents.get(address.doc)
    if doc is None:
        raise CitationError(
            f"{address.doc} is not in the index",
            hint=f"indexed documents: {', '.join(sorted(retriever.catalog.documents))}",
        )
    articles = sorted(retriever.reader.articles(address.doc), key=lambda a: a.address.sort_key())
    lines = [doc.doc_label or doc.title or doc.doc_id, ""]
    lines += [f"Điều {a.article}. {a.article_title}".rstrip(". ") for a in articles]
    return "\n".join(lines)


def _resolver(retriever: HybridRetriever) -> CitationResolver:
    return CitationResolver(retriever.reader, retriever.catalog)


def parse_day(as_of: str | None) -> date | None:
    if as_of is None or not as_of.strip():
        return None
    try:
        return date.fromisoformat(as_of.strip())
    except ValueError as exc:
        raise QuestionError(
            f"as_of {as_of!r} is not a date", hint="write it as YYYY-MM-DD, e.g. 2021-01-01"
        ) from exc


_LEVELS = {"dieu": "article", "khoan": "clause", "diem": "point"}


def address_from_path(path: str) -> LegalAddress:
    """``45/2019/QH14/dieu-35/khoan-2/diem-a`` → the address (the document id may hold
    slashes: the levels are the trailing ``dieu-``/``khoan-``/``diem-`` parts)."""
    parts = [p for p in path.strip().strip("/").split("/") if p]
    levels: dict[str, str] = {}
    while parts and "-" in parts[-1] and parts[-1].split("-", 1)[0] in _LEVELS:
        word, value = parts.pop().split("-", 1)
        levels[_LEVELS[word]] = value
    if not parts:
        raise CitationError(f"luatqa://{path} names no document", hint=RESOURCE_HINT)
    return LegalAddress("/".join(parts), **levels)


RESOURCE_HINT = "e.g. luatqa://45/2019/QH14/dieu-35 or luatqa://45/2019/QH14/dieu-35/khoan-2"


def _hit(p: Passage, number: str | None, record: object, on: str | None) -> dict[str, Any]:
    return {
        "citation": p.display_citation(),
        "address": p.address.canonical,
        "document_number": number,
        "article_title": p.article_title,
        "hierarchy": p.hierarchy,
        "page": p.page,
        "role": p.role.value,
        "score": round(p.score, 4),
        "text": p.text,
        **validity(p, record, on=on),
    }


def _provision(f: ResolvedCitation) -> dict[str, Any]:
    assert f.address is not None  # resolved
    return {
        "cited_as": f.raw,
        "citation": f.display,
        "address": f.address.canonical,
        "article_title": f.article_title,
        "text": f.wording,
        "uri": resource_uri(f.address),
    }


def resource_uri(address: LegalAddress) -> str:
    bits = [address.doc]
    for word, value in (("dieu", address.article), ("khoan", address.clause)):
        if value is not None:
            bits.append(f"{word}-{value}")
    if address.point is not None:
        bits.append(f"diem-{address.point}")
    return "luatqa://" + "/".join(bits)
