"""The Retriever: question → article-level provisions with their clause passages.

1. Query analysis (:mod:`retrieval.query`): citations that resolve to an indexed document are
   fetched directly and ranked first (role ``CITED``); a law named in the question narrows the
   search to its documents.
2. One hybrid request to the store: dense (e5 ``query:``) and sparse (BM25 over underthesea
   words) prefetches fused inside Qdrant (RRF or DBSF, weights from settings).
3. Article-level aggregation of clause hits (best + decayed sum, :mod:`retrieval.grouping`),
   or fusion at article level (``fusion_level="article"``); an optional cross-encoder
   (:mod:`retrieval.rerank`) rescores the top articles (:mod:`retrieval.ranking`).
4. Cross-references of the top hits are pulled in as supporting context (role ``CROSSREF``,
   :mod:`retrieval.assemble`).

The index is read through :mod:`retrieval.records` and :class:`retrieval.articles.ArticleReader`
only. What the retriever knows of the whole index is a :class:`retrieval.catalog.Catalog`
snapshot, swapped atomically by :meth:`Retriever.refresh`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal, Protocol

import numpy as np

from legal.address import LegalAddress, Level
from legal.errors import ConfigError
from legal.registry import LawRegistry, default_registry
from legal.textnorm import normalize_for_index
from retrieval import ranking
from retrieval.articles import ArticleReader
from retrieval.assemble import Assembler
from retrieval.catalog import Catalog
from retrieval.grouping import ArticleGroup, group_by_article
from retrieval.guidance import GuidanceIndex, with_guidance
from retrieval.query import QueryAnalysis, QueryAnalyzer
from retrieval.ranking import Reranker
from retrieval.scenario import QueryPlan, QueryUnderstanding
from retrieval.store.base import Filter, Fusion, SparseVector, VectorStore
from retrieval.types import Passage, SearchResult


class QueryEmbedder(Protocol):
    def embed_query(self, text: str) -> np.ndarray: ...


class QueryEncoder(Protocol):
    def encode_query(self, text: str) -> SparseVector: ...


@dataclass(frozen=True)
class RetrieverConfig:
    """The retriever's own config; ``app.wiring`` builds it from the ``retrieval`` settings
    section, whose fields bear the same names (a field one side lacks is an error there,
    never a dropped value).

    Decision on the weights: Qdrant's DBSF takes none, so with ``fusion="dbsf"`` at
    ``fusion_level="chunk"`` (the default) ``dense_weight``/``sparse_weight`` other than 1
    are rejected rather than ignored; RRF (either level) and DBSF at article level
    (:func:`retrieval.grouping.dbsf`) honour them."""

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
    # the implementation chain (retrieval.guidance): the decree/circular provisions that
    # detail one of the top ``guidance_from`` provisions, ``guidance_per`` each, after it
    guidance: bool = True
    guidance_from: int = 3
    guidance_per: int = 2

    def __post_init__(self) -> None:
        weighted = (self.dense_weight, self.sparse_weight) != (1.0, 1.0)
        if weighted and self.fusion == "dbsf" and self.fusion_level == "chunk":
            raise ConfigError(
                f"dense_weight={self.dense_weight}, sparse_weight={self.sparse_weight} have no "
                "effect with fusion 'dbsf' at fusion_level 'chunk' (Qdrant's DBSF takes no "
                "weights)",
                hint="use fusion 'rrf' or fusion_level 'article', or leave both weights at 1.0",
            )


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
        self.reader = ArticleReader(store)
        self.embedder = embedder
        self.sparse = sparse
        self.config = config or RetrieverConfig()
        self._base_registry = registry or default_registry()
        self.reranker = reranker
        self._clock = clock
        self._catalog: Catalog | None = None
        self._guidance: GuidanceIndex | None = None

    # ---- the index's documents ----------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the indexed documents (after an ingest). The new catalog is built aside
        and swapped in at once: searches running meanwhile keep the one they started with."""
        guidance = GuidanceIndex.load(self.store)
        self._catalog = Catalog.load(self.reader, self._base_registry)
        self._guidance = guidance

    def use_catalog(self, catalog: Catalog) -> None:
        """Adopt a catalog read earlier from the same documents (a reader that reopens the
        index per request, like the MCP server, skips re-reading every article)."""
        self._catalog = catalog

    @property
    def catalog(self) -> Catalog:
        catalog = self._catalog
        if catalog is None:
            self.refresh()
            catalog = self._catalog
        assert catalog is not None
        return catalog

    @property
    def guidance(self) -> GuidanceIndex:
        """Which decree/circular articles detail which statute articles (read with the
        catalog, swapped with it by :meth:`refresh`)."""
        if self._guidance is None:
            self.refresh()
        assert self._guidance is not None
        return self._guidance

    @property
    def registry(self) -> LawRegistry:
        return self.catalog.registry

    @property
    def understanding(self) -> QueryUnderstanding:
        return self.catalog.understanding

    @property
    def analyzer(self) -> QueryAnalyzer:
        return self.catalog.analyzer

    def documents(self) -> list[str]:
        return list(self.catalog.documents)

    # ---- search -----------------------------------------------------------------------------
    def analyze(self, query: str, docs: Sequence[str] = ()) -> QueryAnalysis:
        return self.analyzer.analyze(query, docs)

    def search(
        self,
        query: str,
        k: int = 10,
        docs: Sequence[str] | None = (),
        doc_types: Sequence[str] | None = (),
        as_of: str | None = None,
        guidance: bool | None = None,
    ) -> SearchResult:
        """The provisions answering ``query``. ``as_of`` (ISO date): only provisions in force
        that day are searched (a store filter, :class:`retrieval.store.base.Filter`);
        ``guidance`` (default: the config's) brings the guiding provisions of the top hits."""
        cfg, catalog = self.config, self.catalog  # one snapshot for the whole search
        docs, doc_types = tuple(docs or ()), tuple(doc_types or ())
        timings: dict[str, float] = {}
        t0 = self._clock()
        analysis = catalog.analyzer.analyze(query, docs)
        scope = tuple(docs)
        if not scope and cfg.detect_laws and analysis.docs:
            scope = analysis.docs
        t1 = self._clock()
        timings["analyze_ms"] = _ms(t1 - t0)

        plan = catalog.understanding.plan(analysis.normalized) if cfg.understand else None
        text = normalize_query(plan.search_text) if plan else analysis.normalized
        dense = np.asarray(self.embedder.embed_query(text), dtype=np.float32)
        sparse = self.sparse.encode_query(text)
        t2 = self._clock()
        timings["embed_ms"] = _ms(t2 - t1)

        # Only chunks carry vectors (article and document records are payload-only and never
        # match a vector search), so no kind condition: a filter costs time in the prefetches.
        flt = _filter(scope, tuple(doc_types), as_of)
        if cfg.fusion_level == "article":
            groups = ranking.article_fusion(cfg, self.store, dense, sparse, flt, k)
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
            groups = group_by_article(ranking.hits(points), cfg.group_decay)
        t3 = self._clock()
        timings["search_ms"] = _ms(t3 - t2)
        groups = self._rank(catalog, query, analysis.normalized, plan, groups, scope)
        t4 = self._clock()
        timings["rank_ms"] = _ms(t4 - t3)

        provisions = Assembler(cfg, self.reader, catalog).assemble(analysis, groups, k)
        if cfg.guidance if guidance is None else guidance:
            top, per = cfg.guidance_from, cfg.guidance_per
            provisions = with_guidance(self.guidance, provisions, as_of=as_of, top=top, per=per)
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
            missing_laws=() if scope or analysis.docs else analysis.missing,
            as_of=as_of,
        )

    def _rank(
        self,
        catalog: Catalog,
        query: str,
        normalized: str,
        plan: QueryPlan | None,
        groups: list[ArticleGroup],
        scope: tuple[str, ...],
    ) -> list[ArticleGroup]:
        """The search's articles reordered: the situation's and party's articles, the
        glossary clause of a definition question, both parties' rights for a one-sided
        request (:mod:`retrieval.ranking`), then the reranker when there is one."""
        cfg = self.config
        if plan is not None and groups and not ranking.definition(normalized):
            groups = ranking.situation_first(cfg, catalog.understanding, plan, groups)
        if cfg.definitions and groups:
            groups = ranking.definition_first(catalog, self.reader, normalized, groups, scope)
        if plan is not None and plan.sides:
            groups = ranking.headings_first(catalog, self.reader, plan.sides, groups, scope)
        if self.reranker is not None and groups:
            groups = ranking.rerank(cfg, self.reranker, query, groups)
        return groups

    # ---- direct access ----------------------------------------------------------------------
    def lookup(self, address: LegalAddress) -> Passage | None:
        """The passage at ``address``: the chunk that is or holds it; for an article address
        (or one above the chunks' level), the whole article."""
        article = self.reader.article(address)
        if article is None:
            return None
        label, short = self.catalog.labels(address.doc)
        chunks = article.chunks
        holders = [c for c in chunks if c.address.contains(address)]
        if holders:  # the chunk at the address itself, else the narrowest one holding it
            best = max(holders, key=lambda c: c.address.level)
            return best.passage(doc_label=label, doc_short=short)
        if article.record is not None and address.level == Level.ARTICLE:
            return article.record.passage(doc_label=label, doc_short=short)
        inside = [c for c in chunks if address.contains(c.address)]
        if not inside:
            return None
        joined = replace(inside[0], address=address, text="\n".join(c.text for c in inside), id="")
        return joined.passage(doc_label=label, doc_short=short)


def _filter(scope: tuple[str, ...], doc_types: tuple[str, ...], as_of: str | None) -> Filter | None:
    return (
        Filter(doc_ids=scope, doc_types=doc_types, as_of=as_of)
        if scope or doc_types or as_of
        else None
    )


def _ms(seconds: float) -> float:
    return round(seconds * 1000.0, 3)


def normalize_query(text: str) -> str:
    """The normalisation applied to a query before encoding (same as the document side)."""
    return normalize_for_index(text)
