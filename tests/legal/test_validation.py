"""legal.validation: a pydantic ValidationError as one ConfigError naming every bad key."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.dataclasses import dataclass

from legal.validation import config_error, known_keys, suggest


class Inner(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fusion: str = "dbsf"
    candidates: int = 100


class Outer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    retrieval: Inner | None = None


@dataclass(config=ConfigDict(extra="forbid"))
class Section:
    r: int = 16
    alpha: int = 32


def _error(model: type[BaseModel], data: dict[str, object]) -> ValidationError:
    with pytest.raises(ValidationError) as err:
        model.model_validate(data)
    return err.value


def test_unknown_keys_are_named_with_a_guess_and_the_accepted_keys() -> None:
    exc = _error(Outer, {"retrieval": {"fusoin": "rrf", "candidates": "many"}})
    err = config_error(exc, Outer, where=lambda loc: "x.yaml")
    assert err.path == "x.yaml"
    assert "retrieval.fusoin: unknown key (did you mean retrieval.fusion?)" in err.message
    assert "retrieval.candidates: Input should be a valid integer" in err.message
    assert err.hint == "retrieval accepts: candidates, fusion"


def test_keys_can_be_spelled_as_environment_variables() -> None:
    exc = _error(Outer, {"retrieval": {"fusoin": "rrf"}})
    err = config_error(exc, Outer, key=lambda loc: "X_" + "__".join(map(str, loc)).upper())
    assert err.message == "X_RETRIEVAL__FUSOIN: unknown key (did you mean X_RETRIEVAL__FUSION?)"


def test_dataclass_sections_and_helpers() -> None:
    assert known_keys(Outer, ("retrieval",)) == ["candidates", "fusion"]
    assert known_keys(Outer, ("nosuch",)) == []
    assert known_keys(Section, ()) == ["alpha", "r"]
    assert suggest("alfa", ["alpha", "r"]) == "alpha" and suggest("zzz", ["alpha"]) is None
