"""A pydantic :class:`~pydantic.ValidationError` as one :class:`ConfigError` a person can act on.

Decisions: settings (``app.settings``) and the fine-tuning config (``finetune.config``) are
both parsed by pydantic with ``extra="forbid"``; this one translator turns its errors into
``retrieval.fusoin: unknown key (did you mean retrieval.fusion?)``, naming every bad key by
its dotted path, the file (or environment) it came from, and the keys the section accepts.
"""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from legal.errors import ConfigError

Loc = tuple[str | int, ...]
# how pydantic says "no such key": models (extra="forbid") and dataclasses
UNKNOWN_KEY = ("extra_forbidden", "unexpected_keyword_argument")


def dotted(loc: Loc) -> str:
    """``("retrieval", "fusion")`` → ``"retrieval.fusion"``."""
    return ".".join(str(part) for part in loc)


def _model_of(annotation: Any) -> type | None:
    """The model or dataclass inside ``annotation`` (``X | None`` → ``X``), if any."""
    if isinstance(annotation, type) and (
        issubclass(annotation, BaseModel) or dataclasses.is_dataclass(annotation)
    ):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _model_of(arg)
            if found is not None:
                return found
    return None


def fields_of(root: type) -> dict[str, Any]:
    """Field name → annotation of a pydantic model or (pydantic) dataclass."""
    if issubclass(root, BaseModel):
        return {name: f.annotation for name, f in root.model_fields.items()}
    pyd = getattr(root, "__pydantic_fields__", None)
    if pyd is not None:
        return {name: f.annotation for name, f in pyd.items()}
    if dataclasses.is_dataclass(root):
        return {f.name: f.type for f in dataclasses.fields(root)}
    return {}


def known_keys(root: type, section: Sequence[str | int]) -> list[str]:
    """The keys the section at ``section`` (a path below ``root``) accepts; [] if unknown."""
    current: type | None = root
    for part in section:
        if current is None:
            return []
        current = _model_of(fields_of(current).get(str(part)))
    return sorted(fields_of(current)) if current is not None else []


def suggest(name: str, known: Sequence[str]) -> str | None:
    """The known key ``name`` was probably meant to be (``fusoin`` → ``fusion``), if one."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return close[0] if close else None


def config_error(
    exc: ValidationError,
    root: type,
    *,
    where: Callable[[Loc], str | None] = lambda loc: None,
    key: Callable[[Loc], str] = dotted,
    hint: str | None = None,
) -> ConfigError:
    """One error naming every bad key: ``where(loc)`` says which file (or "environment") the
    value came from, ``key(loc)`` how to spell the key there (``retrieval.candidates``, or
    ``LUATQA_RETRIEVAL__CANDIDATES`` for the environment)."""
    problems: list[str] = []
    sources: list[str] = []
    accepts: str | None = None
    for err in exc.errors():
        loc: Loc = tuple(p for p in err["loc"] if isinstance(p, str | int))
        source = where(loc)
        if source and source not in sources:
            sources.append(source)
        if err["type"] in UNKNOWN_KEY:
            known = known_keys(root, loc[:-1])
            guess = suggest(str(loc[-1]), known)
            text = f"{key(loc)}: unknown key"
            if guess is not None:
                text += f" (did you mean {key((*loc[:-1], guess))}?)"
            problems.append(text)
            section = dotted(loc[:-1]) or "the top level"
            accepts = accepts or f"{section} accepts: {', '.join(known)}"
        else:
            problems.append(f"{key(loc)}: {err['msg']} (got {err.get('input')!r})")
    path = "; ".join(sources) or None
    return ConfigError("; ".join(problems), path=path, hint=accepts or hint)
