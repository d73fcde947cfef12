from pathlib import Path

import pytest

from app.cli import hoist_global_options, main

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo" / "labor-code-2019_excerpt.txt"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["ingest", "f.pdf", "--index", "/i"], ["--index", "/i", "ingest", "f.pdf"]),
        (
            ["search", "q", "--qdrant-url=http://h:6333", "-k", "3"],
            ["--qdrant-url=http://h:6333", "search", "q", "-k", "3"],
        ),
        (["--index", "/i", "ask", "q"], ["--index", "/i", "ask", "q"]),
        (
            ["eval", "--profile", "prod", "--gold", "g"],
            ["--profile", "prod", "eval", "--gold", "g"],
        ),
        (["ask", "--", "--index"], ["ask", "--", "--index"]),  # after --, words are words
    ],
)
def test_global_options_are_moved_before_the_command(argv: list[str], expected: list[str]) -> None:
    assert hoist_global_options(argv) == expected


def test_main_accepts_index_after_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        main(["parse", str(DEMO), "--index", str(tmp_path / "idx"), "--json"])
    assert done.value.code == 0
    assert '"45/2019/QH14"' in capsys.readouterr().out


def test_a_command_keeps_its_own_option_of_a_global_name() -> None:
    """`finetune train --config X.yaml` is the training config, not the settings file."""
    from app.cli import _register

    _register()
    assert hoist_global_options(["finetune", "train", "--config", "x.yaml"]) == [
        "finetune",
        "train",
        "--config",
        "x.yaml",
    ]
    assert hoist_global_options(["ingest", "f", "--config", "s.yaml"]) == [
        "--config",
        "s.yaml",
        "ingest",
        "f",
    ]
