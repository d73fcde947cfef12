"""Reading a YAML file that must hold a mapping (the settings file, a fine-tuning config)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from legal.errors import ConfigError


def read_yaml_mapping(path: Path, what: str, holds: str = "a mapping") -> dict[str, Any]:
    """The mapping the YAML file at ``path`` holds (empty for an empty file). A missing file,
    invalid YAML or anything but a mapping is a :class:`ConfigError` naming ``what`` the file
    is and what it must hold."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError as exc:
        raise ConfigError(f"{what} not found", path=path) from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {exc}", path=path) from exc
    if not isinstance(data, dict):
        raise ConfigError(f"a {what} must hold {holds}", path=path)
    return data
