"""Open the store a :class:`StoreConfig` names: a Qdrant server when a URL is set, else the
embedded store in ``dir``. ``app.wiring`` builds the config from the ``index`` settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from retrieval.store.base import VectorStore


@dataclass(frozen=True)
class StoreConfig:
    """Where the chunks live (the ``index`` settings section, same names)."""

    dir: Path = Path(".luatqa/index")  # the embedded store's folder
    qdrant_url: str | None = None  # a Qdrant server instead of the folder
    qdrant_api_key: str | None = None
    collection: str = "luatqa"
    timeout_s: float = 30.0  # server requests only


def open_store(config: StoreConfig) -> VectorStore:
    if config.qdrant_url:
        from retrieval.store.server import ServerStore

        return ServerStore(
            url=config.qdrant_url,
            api_key=config.qdrant_api_key,
            collection=config.collection,
            timeout_s=config.timeout_s,
        )
    from retrieval.store.edge import EdgeStore

    return EdgeStore(config.dir, collection=config.collection)
