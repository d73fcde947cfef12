"""Open the store the settings name: a Qdrant server when a URL is set, else the embedded
store in ``index.dir``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from retrieval.store.base import VectorStore

if TYPE_CHECKING:
    from app.settings import IndexSettings


def open_store(index: IndexSettings) -> VectorStore:
    if index.qdrant_url:
        from retrieval.store.server import ServerStore

        return ServerStore(
            url=index.qdrant_url,
            api_key=index.qdrant_api_key,
            collection=index.collection,
            timeout_s=index.timeout_s,
        )
    from retrieval.store.edge import EdgeStore

    return EdgeStore(index.dir, collection=index.collection)
