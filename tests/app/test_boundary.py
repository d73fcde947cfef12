"""The CLI's one error boundary (app/boundary.py): one message form, documented exit codes
(2 bad input, 1 failure or bug), through the real ``luatqa`` group and its test seam."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from app.boundary import EXIT_BAD_INPUT, EXIT_FAILED, BoundaryGroup, exit_code
from app.cli import _register, cli
from app.context import CliState
from app.wiring import Services
from legal.errors import (
    CitationError,
    ConfigError,
    GenerationError,
    GoldError,
    InputError,
    LuatqaError,
    QuestionError,
    StoreError,
)


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (InputError("x"), 2),
        (ConfigError("x"), 2),
        (GoldError("x"), 2),
        (CitationError("x"), 2),
        (QuestionError("x"), 2),
        (StoreError("x"), 1),
        (GenerationError("x"), 1),
        (LuatqaError("x"), 1),
    ],
)
def test_exit_code_by_error_type(error: LuatqaError, code: int) -> None:
    assert exit_code(error) == code


def _app(raise_: BaseException) -> typer.Typer:
    app = typer.Typer(cls=BoundaryGroup, rich_markup_mode=None)

    @app.callback()
    def _root() -> None: ...

    @app.command("go")
    def _go() -> None:
        raise raise_

    return app


def test_a_project_error_is_one_line_with_hint_and_exit_code() -> None:
    error = StoreError("index is locked", path="/idx", hint="close the UI")
    res = CliRunner().invoke(_app(error), ["go"])
    assert res.exit_code == EXIT_FAILED
    assert res.stderr == "Error: [index] /idx: index is locked\n  → close the UI\n"
    res = CliRunner().invoke(_app(InputError("no Điều found", path="a.pdf")), ["go"])
    assert res.exit_code == EXIT_BAD_INPUT
    assert res.stderr == "Error: [ingest] a.pdf: no Điều found\n"


def test_a_bug_is_not_dressed_up_as_a_project_error() -> None:
    res = CliRunner().invoke(_app(KeyError("boom")), ["go"])
    assert res.exit_code == 1 and isinstance(res.exception, KeyError)
    assert "Error:" not in res.output


class FailingServices(Services):
    """The seam: the CLI builds its components through ``CliState.make_services``."""

    @property
    def pipeline(self) -> object:  # the index fails as soon as a command uses it
        raise StoreError("the index is open in another process", hint="stop the UI")


def test_the_cli_seam_and_the_codes_of_real_commands(tmp_path: Path) -> None:
    _register()
    runner = CliRunner()
    law = tmp_path / "law.txt"
    law.write_text("Điều 1. Phạm vi\nNội dung.", encoding="utf-8")
    failed = runner.invoke(
        cli,
        ["--index", str(tmp_path / "i"), "ingest", str(law)],
        obj=CliState(make_services=FailingServices),
    )
    assert failed.exit_code == EXIT_FAILED
    assert failed.stderr.startswith("Error: [index] the index is open in another process")
    usage = runner.invoke(cli, ["search"])  # QUERY missing: click's usage error, same prefix
    assert usage.exit_code == EXIT_BAD_INPUT and "Error: Missing argument 'query'" in usage.output
    bad = runner.invoke(cli, ["parse", str(tmp_path / "none.pdf")])
    assert bad.exit_code == EXIT_BAD_INPUT and bad.stderr.startswith("Error: [ingest]")


def test_help_documents_the_exit_codes() -> None:
    _register()
    out = CliRunner().invoke(cli, ["--help"]).output
    assert "Exit codes: 0 done; 1 failed" in " ".join(out.split())
    assert "2 bad input" in " ".join(out.split())
