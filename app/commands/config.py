"""``luatqa config show [--json]``: the effective settings, each with where it came from.

    luatqa --profile prod config show
    retrieval.fusion = dbsf  (default)  Dense + sparse fusion method.
    llm.base_url = http://vllm:8000/v1  (profile YAML profiles/prod.yaml)  vLLM server, …

Origins: ``default``, ``profile YAML PATH``, ``config file PATH``, ``env LUATQA_…`` or
``CLI flag`` (:func:`app.settings.explain_settings`). Decisions: secrets (API keys) are
shown as ``***`` when set; the settings are also translated into the component configs
(:mod:`app.wiring`), so settings that contradict each other fail here as they would when
a command starts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from app.context import CliState
from app.settings_security import SECRET_KEYS

app = typer.Typer(
    help="Inspect the settings (profiles, config file, LUATQA_* environment, flags).",
    no_args_is_help=True,
    rich_markup_mode=None,  # plain help, like the top-level app (app.cli)
)

SECRETS = SECRET_KEYS  # shown as *** (app/settings_security.py)


def _shown(key: str, value: Any) -> Any:
    if value is not None and key in SECRETS:
        return "***"
    return str(value) if isinstance(value, Path) else value


def rows(state: CliState) -> list[dict[str, Any]]:
    """One row per setting: key, value, origin, description."""
    from app.settings import descriptions
    from app.wiring import retriever_config

    effective = state.effective()
    retriever_config(effective.settings)  # contradictions fail as they would at start
    values = effective.values()
    about = descriptions()
    return [
        {
            "key": key,
            "value": _shown(key, values[key]),
            "origin": origin,
            "description": about.get(key, ""),
        }
        for key, origin in effective.origins.items()
    ]


@app.command("show")
def show_command(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the rows as JSON.")] = False,
) -> None:
    """Print every setting's effective value, where it came from, and what it does."""
    state: CliState = ctx.obj
    table = rows(state)
    if as_json:
        typer.echo(json.dumps(table, ensure_ascii=False, indent=2))
        return
    for row in table:
        value = json.dumps(row["value"], ensure_ascii=False)
        typer.echo(f"{row['key']} = {value}  ({row['origin']})  {row['description']}")


def register(cli: typer.Typer) -> None:
    cli.add_typer(app, name="config")
