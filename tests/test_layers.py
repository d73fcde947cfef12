"""The layering of docs/architecture.md, checked on every import the code makes:
``legal ← retrieval ← ingest, generation ← eval ← finetune ← app``. A module may import its
own package and the packages of lower layers, never a higher one or a sibling layer."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LAYER = {"legal": 0, "retrieval": 1, "ingest": 2, "generation": 2, "eval": 3, "finetune": 4,
         "app": 5}  # fmt: skip


def imported_packages(source: str) -> set[str]:
    """Top-level names of every absolute import in ``source`` (also inside functions)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module.split(".")[0])
    return out


def violations(package: str) -> list[str]:
    found = []
    for path in sorted((REPO / package).rglob("*.py")):
        for other in imported_packages(path.read_text(encoding="utf-8")) & LAYER.keys():
            if other != package and LAYER[other] >= LAYER[package]:
                found.append(f"{path.relative_to(REPO)} imports {other}")
    return found


@pytest.mark.parametrize("package", sorted(LAYER))
def test_no_import_from_a_higher_or_sibling_layer(package: str) -> None:
    assert violations(package) == []


def test_the_check_sees_imports_inside_functions() -> None:
    source = "import legal\n\ndef f():\n    from app.settings import Settings\n"
    assert imported_packages(source) == {"legal", "app"}
