"""The status page: index size and backend, the embedder, and whether the LLM answers.

Decisions: the LLM is probed through the server's one client
(:class:`generation.client.VLLMClient`, ``GET /v1/models`` with a short timeout and no
retries), the same client the answer service uses — not a separate HTTP path. The index is
asked once per render, through the store's own summary (``describe()``: backend and
counts); the page used to count documents and chunks itself and then call ``describe()``,
which counted them again (five counts a render, now three, none repeated).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from generation.client import PROBE_TIMEOUT_S, ModelLister
from legal.errors import GenerationError, StoreError


@dataclass(frozen=True)
class Status:
    index: str  # where: folder or URL
    backend: str  # "qdrant-edge" / "qdrant-server"
    documents: int
    chunks: int
    embedder: str
    llm_backend: str
    llm_endpoint: str | None
    llm_reachable: bool | None  # None: no endpoint configured
    llm_detail: str = ""
    index_error: str | None = None


class CountingStore(Protocol):
    """What the status page asks of the store (:class:`retrieval.store.base.VectorStore`):
    its summary, with ``backend``, ``documents`` and ``chunks``."""

    def describe(self) -> dict[str, object]: ...


def _count(value: object) -> int:
    return value if isinstance(value, int) else 0


def probe_llm(client: ModelLister, timeout_s: float = PROBE_TIMEOUT_S) -> tuple[bool, str]:
    """``GET /v1/models``: reachable when it answers at all."""
    try:
        models = client.models(timeout_s=timeout_s)
    except GenerationError as exc:
        return False, f"{client.base_url}/models: {exc.message}"
    return True, "models: " + ", ".join(m.id for m in models)


class StatusService:
    def __init__(
        self,
        *,
        store: CountingStore,
        embedder_name: Callable[[], str],
        llm_backend: str,
        llm: ModelLister | None,
        location: str = "",
    ) -> None:
        self._store = store
        self._embedder_name = embedder_name
        self._llm_backend = llm_backend
        self._llm = llm
        self._location = location

    def status(self) -> Status:
        docs = chunks = 0
        backend = ""
        error = None
        try:
            info = self._store.describe()
            docs, chunks = _count(info.get("documents")), _count(info.get("chunks"))
            backend = str(info.get("backend", ""))
        except StoreError as exc:
            error = str(exc)
        reachable: bool | None = None
        detail = "không cấu hình LLM: dùng chế độ trích nguyên văn"
        if self._llm is not None and self._llm_backend != "extractive":
            reachable, detail = probe_llm(self._llm)
        return Status(
            index=self._location,
            backend=backend,
            documents=docs,
            chunks=chunks,
            embedder=self._embedder_name(),
            llm_backend=self._llm_backend,
            llm_endpoint=self._llm.base_url if self._llm is not None else None,
            llm_reachable=reachable,
            llm_detail=detail,
            index_error=error,
        )
