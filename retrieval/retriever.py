"""The Retriever: question → article-level provisions with their clause passages.

1. Query analysis (:mod:`retrieval.query`): citations that resolve to an indexed document are
   fetched directly and ranked first (role ``CITED``); a law named in the question narrows the
   search to its documents.
2. One hybrid request to the store: dense (e5 ``query:``) and sparse (BM25 over underthesea
   words) prefetches fused inside Qdrant (RRF or DBSF, weights from settings).
3. Article-level aggregation of clause hits (best + decayed sum, :mod:`retrieval.grouping`),
   or fusion at article level (``fusion_level="article"``); an optional cross-encoder
   (:mod:`retrieval.rerank`) rescores the top articles.
4. Cross-references of the top hits are pulled in as supporting context (role ``CROSSREF``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np

from legal.address import LegalAddress, Level
from legal.document import DocType, DocumentMeta
from legal.errors import CitationError
from legal.registry import LawRegistry, default_registry
from legal.textnorm import fold, normalize_for_index
from retrieval.grouping import (
    ArticleGroup,
    Hit,
    dbsf,
    group_by_article,
    passage_from_payload,
    provision_from_passages,
    rrf,
)
from retrieval.lexicon import Lexicon
from retrieval.query import QueryAnalysis, QueryAnalyzer
from retrieval.scenario import QueryPlan, QueryUnderstanding
from retrieval.store.base import Filter, Fusion, SparseVector, StoredPoint, VectorStore
from retrieval.types import Passage, PassageRole, Provision, SearchResult

if TYPE_CHECKING:
    from app.settings import RetrievalSettings

_DEFINE_RE = re.compile(
    r"(?:^|[,:;]\s*)(?P<term>[^,:;?]{2,60}?)\s+(?:là gì|là như thế nào|"
    r"được (?:hiểu|định nghĩa) (?:là gì|như thế nào|thế nào|ra sao))"
    r"(?:\s+theo [^,:;?]{3,80})?\s*\??\s*$",
    re.IGNORECASE,
)
# "Định nghĩa của "Người lao động"?", "Khái niệm người sử dụng lao động"
_DEFINE_HEAD_RE = re.compile(
    r"^\s*(?:định nghĩa|khái niệm)(?: của| về)?\s*[\"“]?(?P<term>[^\"”?]{2,60}?)[\"”]?"
    r"(?:\s+là gì|\s+theo [^?]{3,80})?\s*\??\s*$",
    re.IGNORECASE,
)
_NUMBERED = re.compile(r"^\d+[a-z]?\.\s*")

CHUNK = "chunk"
ARTICLE = "article"
DOCUMENT = "document"


class QueryEmbedder(Protocol):
    def embed_query(self, text: str) -> np.ndarray: ...


class QueryEncoder(Protocol):
    def encode_query(self, text: str) -> SparseVector: ...


class Reranker(Protocol):
    def score(self, query: str, texts: Sequence[str]) -> list[float]: ...


@dataclass(frozen=True)
class RetrieverConfig:
    fusion: Fusion = "dbsf"
    # "chunk": one hybrid request, Qdrant fuses clause rankings, then clauses are grouped by
    # article; "article": dense and sparse rankings grouped by article, then fused
    fusion_level: Literal["chunk", "article"] = "chunk"
    dense_weight: float = 1.0
    sparse_weight: float = 1.0
    prefetch_limit: int = 300
    rrf_k: int = 60
    candidates: int = 100  # fused chunk hits read from the store
    # article score = best + d·second + d²·third …; 0 (the best clause alone) ranked best on
    # the ALQAC 2022 dev set: the sum lets long articles crowd out precise ones
    group_decay: float = 0.0
    detect_laws: bool = True  # narrow to the laws a question names
    expand_crossrefs: bool = True
    crossref_from: int = 3  # top provisions whose references are followed
    max_crossrefs: int = 3
    passages_per_provision: int = 3
    rerank_candidates: int = 20
    definitions: bool = True  # "X là gì?" → the glossary clause defining X first
    # scenario questions (retrieval.scenario): search the legal issue in the statute's words,
    # and multiply the score of an article stating the asking party's rights or duties by
    # 1 + party_boost. Set on the dev sets (one retrieval pass, boosts replayed): labor dev
    # R@1 .744 without lifts → .814 with (0.15, 0.1), ALQAC 2022 dev .952 → .955; 0.3 / 0.3
    # gave labor .837 but ALQAC 2022 .920
    understand: bool = True
    party_boost: float = 0.15
    party_window: int = 10  # only articles this close to the top are lifted
    # … and by 1 + heading_boost for the article(s) whose whole heading the question uses
    # (the most specific heading only: "Nội dung hợp đồng lao động" over "Hợp đồng lao động")
    heading_boost: float = 0.1

    @classmethod
    def from_settings(cls, s: RetrievalSettings) -> RetrieverConfig:
        known = set(cls.__dataclass_fields__)
        values = {k: v for k, v in s.model_dump().items() if k in known}
        return cls(**values)


class Retriever:
    def __init__(
        self,
        store: VectorStore,
        embedder: QueryEmbedder,
        sparse: QueryEncoder,
        *,
        config: RetrieverConfig | None = None,
        registry: LawRegistry | None = None,
        reranker: Reranker | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.sparse = sparse
        self.config = config or RetrieverConfig()
        self._base_registry = registry or default_registry()
        self.reranker = reranker
        self._clock = clock
        self._registry: LawRegistry | None = None
        self._analyzer: QueryAnalyzer | None = None
        self._doc_meta: dict[str, dict[str, Any]] = {}
        self._glossaries: dict[str, list[str]] = {}
        self._glossary_chunks: dict[tuple[str, str], list[StoredPoint]] = {}
        self._understanding: QueryUnderstanding | None = None

    # ---- the index's documents ----------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the indexed documents (after an ingest)."""
        metas: list[DocumentMeta] = []
        self._doc_meta = {}
        for pt in self.store.scroll(Filter(kinds=(DOCUMENT,))):
            p = pt.payload
            doc_id = str(p.get("doc_id") or "")
            if not doc_id:
                continue
            self._doc_meta[doc_id] = p
            metas.append(
                DocumentMeta(
                    doc_id=doc_id,
                    number=p.get("number"),
                    doc_type=DocType.from_text(str(p.get("doc_type") or p.get("title") or "")),
                    title=str(p.get("title") or doc_id),
                    year=_int(p.get("year")),
                )
            )
        self._registry = self._base_registry.with_documents(metas)
        self._analyzer = QueryAnalyzer(self._registry, self._doc_meta.keys())
        # "Giải thích từ ngữ" articles, for "X là gì?" questions
        self._glossaries = {}
        self._glossary_chunks = {}
        headings: list[str] = []
        glossary: list[str] = []
        for pt in self.store.scroll(Filter(kinds=(ARTICLE,))):
            p = pt.payload
            heading = str(p.get("article_title") or p.get("title") or "")
            headings.append(heading)
            if "giai thich tu ngu" in fold(heading) and p.get("article") is not None:
                doc = str(p.get("doc_id"))
                self._glossaries.setdefault(doc, []).append(str(p["article"]))
                glossary.extend(str(p.get("text") or "").splitlines())
        self._understanding = QueryUnderstanding(Lexicon.from_statutes(headings, glossary))

    @property
    def registry(self) -> LawRegistry:
        if self._registry is None:
            self.refresh()
        assert self._registry is not None
        return self._registry

    @property
    def understanding(self) -> QueryUnderstanding:
        if self._understanding is None:
            self.refresh()
        assert self._understanding is not None
        return self._understanding

    @property
    def analyzer(self) -> QueryAnalyzer:
        if self._analyzer is None:
            self.refresh()
        assert self._analyzer is not None
        return self._analyzer

    def documents(self) -> list[str]:
        if self._registry is None:
            self.refresh()
        return list(self._doc_meta)

    def _labels(self, doc_id: str) -> tuple[str, str | None]:
        p = self._doc_meta.get(doc_id) or {}
        label = p.get("doc_label") or self.registry.label(doc_id)
        short = p.get("doc_short") or self.registry.short(doc_id)
        return str(label), (str(short) if short else None)

    # ---- search -----------------------------------------------------------------------------
    def analyze(self, query: str, docs: Sequence[str] = ()) -> QueryAnalysis:
        return self.analyzer.analyze(query, docs)

    def search(
        self,
        query: str,
        k: int = 10,
        docs: Sequence[str] | None = (),
        doc_types: Sequence[str] | None = (),
    ) -> SearchResult:
        cfg = self.config
        docs, doc_types = tuple(docs or ()), tuple(doc_types or ())
        timings: dict[str, float] = {}
        t0 = self._clock()
        analysis = self.analyze(query, docs)
        scope = tuple(docs)
        if not scope and cfg.detect_laws and analysis.docs:
            scope = analysis.docs
        t1 = self._clock()
        timings["analyze_ms"] = _ms(t1 - t0)

        plan = self.understanding.plan(analysis.normalized) if cfg.understand else None
        text = normalize_query(plan.search_text) if plan else analysis.normalized
        dense = np.asarray(self.embedder.embed_query(text), dtype=np.float32)
        sparse = self.sparse.encode_query(text)
        t2 = self._clock()
        timings["embed_ms"] = _ms(t2 - t1)

        # Only chunks carry vectors (article and document records are payload-only and never
        # match a vector search), so no kind condition: a filter costs time in the prefetches.
        flt = Filter(doc_ids=scope, doc_types=tuple(doc_types)) if scope or doc_types else None
        if cfg.fusion_level == "article":
            groups = self._article_fusion(dense, sparse, flt, k)
            t3 = self._clock()
            timings["search_ms"] = _ms(t3 - t2)
        else:
            points = self.store.hybrid_search(
                dense.tolist(),
                sparse,
                limit=max(cfg.candidates, k),
                prefetch_limit=max(cfg.prefetch_limit, cfg.candidates),
                fusion=cfg.fusion,
                weights=(cfg.dense_weight, cfg.sparse_weight),
                rrf_k=cfg.rrf_k,
                flt=flt,
            )
            t3 = self._clock()
            timings["search_ms"] = _ms(t3 - t2)
            groups = group_by_article(_hits(points), cfg.group_decay)
        if plan is not None and groups and not _definition(analysis.normalized):
            groups = self._situation_first(plan, groups)
        if cfg.definitions and groups:
            groups = self._definition_first(analysis.normalized, groups, scope)
        if self.reranker is not None and groups:
            groups = self._rerank(query, groups)
        t4 = self._clock()
        timings["rank_ms"] = _ms(t4 - t3)

        provisions = self._assemble(analysis, groups, k)
        t5 = self._clock()
        timings["assemble_ms"] = _ms(t5 - t4)
        timings["total_ms"] = _ms(t5 - t0)
        return SearchResult(
            query=query,
            provisions=tuple(provisions),
            timings_ms=timings,
            detected_citations=analysis.cited,
            detected_documents=analysis.docs,
            search_text=plan.search_text if plan else None,
            party=plan.party if plan else None,
            content_text=plan.content if plan else None,
        )

    def _situation_first(self, plan: QueryPlan, groups: list[ArticleGroup]) -> list[ArticleGroup]:
        """Lift the articles near the top that state the rights or duties of the party the
        question is about ("Nghĩa vụ của người sử dụng lao động khi …" for a question on
        what an employer owes: Điều 41 above Điều 40), and the one whose heading names the
        situation asked about ("Làm thêm giờ"). Not for "X là gì?" questions."""
        cfg, qu = self.config, self.understanding
        top = groups[: cfg.party_window]
        titles = [str(g.hits[0].payload.get("article_title") or "") for g in top]
        covered = [qu.heading_words(plan, t) for t in titles]
        best = max(covered, default=0)
        lifted = []
        for g, title, words in zip(top, titles, covered, strict=True):
            factor = 1.0 + (cfg.party_boost if qu.party_matches(plan, title) else 0.0)
            factor += cfg.heading_boost if best and words == best else 0.0
            lifted.append(replace(g, score=g.score * factor) if factor != 1.0 else g)
        lifted.sort(key=lambda g: -g.score)
        return lifted + groups[cfg.party_window :]

    def _article_fusion(
        self, dense: np.ndarray, sparse: SparseVector, flt: Filter | None, k: int
    ) -> list[ArticleGroup]:
        """Fusion at article level: the dense and the sparse ranking are each grouped by
        article first (best clause + decayed rest), then fused (RRF or score-normalised sum),
        so that an article with many matching clauses does not crowd a ranking."""
        cfg = self.config
        limit = max(cfg.prefetch_limit, cfg.candidates, k)
        dense_groups = group_by_article(
            _hits(self.store.dense_search(dense.tolist(), limit, flt)), cfg.group_decay
        )
        sparse_groups = group_by_article(
            _hits(self.store.sparse_search(sparse, limit, flt)), cfg.group_decay
        )
        weights = (cfg.dense_weight, cfg.sparse_weight)
        if cfg.fusion == "dbsf":
            scores = dbsf([dense_groups, sparse_groups], weights)
        else:
            scores = rrf(
                [[g.key for g in dense_groups], [g.key for g in sparse_groups]],
                k=cfg.rrf_k,
                weights=weights,
            )
        hits: dict[tuple[str, str], dict[str, Hit]] = {}
        for g in (*dense_groups, *sparse_groups):
            bucket = hits.setdefault(g.key, {})
            for h in g.hits:
                bucket.setdefault(h.id, h)
        out = [
            ArticleGroup(
                doc_id=key[0],
                article=key[1],
                score=score,
                hits=tuple(sorted(hits[key].values(), key=lambda h: -h.score)),
            )
            for key, score in scores.items()
        ]
        out.sort(key=lambda g: -g.score)
        return out[: max(cfg.candidates, k)]

    def _definition_first(
        self, text: str, groups: list[ArticleGroup], scope: Sequence[str]
    ) -> list[ArticleGroup]:
        """ "An ninh mạng là gì?": the glossary clause that defines the term ("1. An ninh mạng
        là …") goes first."""
        m = _definition(text)
        if not m or not self._glossaries:
            return groups
        term = " ".join(fold(m.group("term")).split())
        docs = [d for d in (scope or self._glossaries) if d in self._glossaries]
        for doc in docs:
            for art in self._glossaries[doc]:
                key = (doc, art)
                chunks = self._glossary_chunks.get(key)
                if chunks is None:
                    chunks = [
                        p
                        for p in self._article_points(LegalAddress(doc, art))
                        if p.payload.get("kind", CHUNK) == CHUNK
                    ]
                    self._glossary_chunks[key] = chunks
                for p in chunks:
                    body = " ".join(fold(str(p.payload.get("text") or "")).split())
                    body = _NUMBERED.sub("", body, count=1)
                    if body.startswith(term + " la ") or body.startswith(term + " duoc hieu la "):
                        top = groups[0].score + 1e-6
                        hit = Hit(p.id, p.payload, top)
                        rest = [g for g in groups if g.key != key]
                        return [ArticleGroup(doc, art, top, (hit,)), *rest]
        return groups

    def _rerank(self, query: str, groups: list[ArticleGroup]) -> list[ArticleGroup]:
        assert self.reranker is not None
        n = self.config.rerank_candidates
        cands = groups[:n]
        texts = [
            " ".join(
                [str(g.hits[0].payload.get("article_title") or "")]
                + [str(h.payload.get("text") or "") for h in g.hits[:2]]
            ).strip()
            for g in cands
        ]
        scores = self.reranker.score(query, texts)
        reranked = [replace(g, score=float(s)) for g, s in zip(cands, scores, strict=True)]
        reranked.sort(key=lambda g: -g.score)
        return reranked + groups[n:]

    # ---- assembly ---------------------------------------------------------------------------
    def _assemble(
        self, analysis: QueryAnalysis, groups: list[ArticleGroup], k: int
    ) -> list[Provision]:
        cfg = self.config
        out: list[Provision] = []
        seen: set[tuple[str, str]] = set()
        top_score = groups[0].score if groups else 1.0
        for addr in analysis.cited:
            prov = self._cited(addr, top_score)
            if prov is None:
                continue
            key = (prov.address.doc, str(prov.address.article))
            if key in seen:
                # "khoản 1, 2 Điều 36": one provision, several cited passages
                i = next(i for i, p in enumerate(out) if _key(p) == key)
                merged = _merge(out[i].passages, prov.passages)
                out[i] = replace(out[i], passages=merged)
                continue
            seen.add(key)
            out.append(prov)
        hits: list[Provision] = []
        for g in groups:
            if len(out) + len(hits) >= k:
                break
            if g.key in seen:
                continue
            seen.add(g.key)
            hits.append(self._provision(g))
        out.extend(hits)
        if cfg.expand_crossrefs and hits:
            out.extend(self._crossrefs(groups[: cfg.crossref_from], seen))
        return out

    def _provision(self, g: ArticleGroup) -> Provision:
        label, short = self._labels(g.doc_id)
        passages = [
            passage_from_payload(
                h.payload, score=h.score, chunk_id=h.id, doc_label=label, doc_short=short
            )
            for h in g.hits[: self.config.passages_per_provision]
        ]
        passages.sort(key=lambda p: p.address.sort_key())
        return provision_from_passages(passages, g.score)

    def _cited(self, addr: LegalAddress, top_score: float) -> Provision | None:
        article = self._article_points(addr)
        if not article:
            return None
        label, short = self._labels(addr.doc)
        chunks = [p for p in article if p.payload.get("kind", CHUNK) == CHUNK]
        if addr.clause is None and addr.point is None:
            picked = chunks
        else:
            picked = [p for p in chunks if _addr(p).overlaps(addr)]
        if not picked:
            picked = chunks
        passages = [
            passage_from_payload(
                p.payload,
                score=top_score + 1.0,
                role=PassageRole.CITED,
                chunk_id=p.id,
                doc_label=label,
                doc_short=short,
            )
            for p in picked
        ]
        if not passages:
            return None
        passages.sort(key=lambda p: p.address.sort_key())
        return provision_from_passages(passages, top_score + 1.0, PassageRole.CITED)

    def _crossrefs(
        self, groups: Sequence[ArticleGroup], seen: set[tuple[str, str]]
    ) -> list[Provision]:
        cfg = self.config
        targets: list[LegalAddress] = []
        for g in groups:
            for h in g.hits:
                for ref in h.payload.get("references") or ():
                    try:
                        addr = LegalAddress.parse(str(ref))
                    except CitationError:
                        continue
                    if addr.article is None or (addr.doc, addr.article) in seen:
                        continue
                    if self._doc_meta and addr.doc not in self._doc_meta:
                        continue
                    if addr not in targets:
                        targets.append(addr)
        out: list[Provision] = []
        for addr in targets:
            if len(out) >= cfg.max_crossrefs:
                break
            key = (addr.doc, str(addr.article))
            if key in seen:
                continue
            prov = self._cited(addr, 0.0)
            if prov is None:
                continue
            seen.add(key)
            passages = tuple(
                replace(p, role=PassageRole.CROSSREF, score=0.0) for p in prov.passages
            )
            out.append(replace(prov, passages=passages, role=PassageRole.CROSSREF, score=0.0))
        return out

    # ---- direct access ----------------------------------------------------------------------
    def _article_points(self, addr: LegalAddress) -> list[StoredPoint]:
        if addr.article is None:
            return []
        return list(
            self.store.scroll(
                Filter(kinds=(CHUNK, ARTICLE), doc_ids=(addr.doc,), articles=(addr.article,))
            )
        )

    def lookup(self, address: LegalAddress) -> Passage | None:
        """The passage at ``address``: the chunk that is or holds it; for an article address
        (or one above the chunks' level), the whole article."""
        points = self._article_points(address)
        if not points:
            return None
        label, short = self._labels(address.doc)
        chunks = [p for p in points if p.payload.get("kind", CHUNK) == CHUNK]
        articles = [p for p in points if p.payload.get("kind") == ARTICLE]
        for p in chunks:
            if _addr(p) == address:
                return passage_from_payload(
                    p.payload, chunk_id=p.id, doc_label=label, doc_short=short
                )
        holders = [p for p in chunks if _addr(p).contains(address)]
        if holders:
            best = max(holders, key=lambda p: _addr(p).level)
            return passage_from_payload(
                best.payload, chunk_id=best.id, doc_label=label, doc_short=short
            )
        if articles and address.level == Level.ARTICLE:
            pay = dict(articles[0].payload)
            pay["address"] = address.canonical
            return passage_from_payload(
                pay, chunk_id=articles[0].id, doc_label=label, doc_short=short
            )
        inside = sorted(
            (p for p in chunks if address.contains(_addr(p))), key=lambda p: _addr(p).sort_key()
        )
        if not inside:
            return None
        pay = dict(inside[0].payload)
        pay["address"] = address.canonical
        pay["text"] = "\n".join(str(p.payload.get("text") or "") for p in inside)
        return passage_from_payload(pay, doc_label=label, doc_short=short)

    def article(self, address: LegalAddress) -> dict[str, Any]:
        """The whole article for the UI: title, text, clause passages, source, notes."""
        art = address.article_address()
        points = self._article_points(art)
        if not points:
            return {}
        label, short = self._labels(art.doc)
        chunks = sorted(
            (p for p in points if p.payload.get("kind", CHUNK) == CHUNK),
            key=lambda p: _addr(p).sort_key(),
        )
        records = [p for p in points if p.payload.get("kind") == ARTICLE]
        head = records[0].payload if records else chunks[0].payload
        text = head.get("text") if records else "\n".join(str(c.payload["text"]) for c in chunks)
        refs: list[str] = []
        for p in points:
            for r in p.payload.get("references") or ():
                if str(r) not in refs:
                    refs.append(str(r))
        return {
            "address": art.canonical,
            "display": art.display(label),
            "title": str(head.get("article_title") or ""),
            "doc_id": art.doc,
            "doc_label": label,
            "doc_short": short,
            "hierarchy": str(head.get("hierarchy") or ""),
            "text": str(text or ""),
            "clauses": [{"address": _addr(c).canonical, "text": c.payload["text"]} for c in chunks],
            "source": head.get("source"),
            "page": head.get("page") or head.get("page_start"),
            "amendment_notes": list(head.get("amendment_notes") or ()),
            "references": refs,
        }


# ---- helpers --------------------------------------------------------------------------------


def _definition(text: str) -> re.Match[str] | None:
    """ "X là gì?", "X được hiểu như thế nào?", "Định nghĩa của X?": the term asked about."""
    return _DEFINE_HEAD_RE.search(text) or _DEFINE_RE.search(text)


def _hits(points: Iterable[StoredPoint]) -> list[Hit]:
    return [Hit(p.id, p.payload, p.score) for p in points]


def _addr(p: StoredPoint) -> LegalAddress:
    a = p.payload.get("address")
    if a:
        return LegalAddress.parse(str(a))
    return LegalAddress(str(p.payload["doc_id"]), str(p.payload.get("article")))


def _key(p: Provision) -> tuple[str, str]:
    return (p.address.doc, str(p.address.article))


def _merge(a: Sequence[Passage], b: Sequence[Passage]) -> tuple[Passage, ...]:
    out = list(a)
    have = {p.address for p in a}
    out.extend(p for p in b if p.address not in have)
    return tuple(sorted(out, key=lambda p: p.address.sort_key()))


def _ms(seconds: float) -> float:
    return round(seconds * 1000.0, 3)


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def normalize_query(text: str) -> str:
    """The normalisation applied to a query before encoding (same as the document side)."""
    return normalize_for_index(text)
