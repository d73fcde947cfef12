"""``luatqa mcp [--http] [--port N]``: luatqa as an MCP server for assistants that speak the
Model Context Protocol (desktop chat apps, editors): over stdio by default, or streamable
HTTP on 127.0.0.1 (``http://127.0.0.1:PORT/mcp``). See docs/mcp.md.

The ``mcp`` SDK is an optional extra (``pip install 'luatqa[mcp]'``), imported only here,
when the command runs.
"""

from __future__ import annotations

from typing import Annotated

import typer

from app.context import CliState
from legal.errors import ConfigError


def register(cli: typer.Typer) -> None:
    @cli.command("mcp")
    def mcp_command(
        ctx: typer.Context,
        http: Annotated[
            bool, typer.Option("--http", help="Serve streamable HTTP on 127.0.0.1, not stdio.")
        ] = False,
        port: Annotated[int, typer.Option("--port", help="Port of --http.")] = 8765,
    ) -> None:
        """Serve the index to MCP clients (tools: search_law, get_provision,
        verify_citations, answer, list_documents); stdout is the protocol's."""
        state: CliState = ctx.obj
        settings = state.settings()
        try:
            from app.mcp.server import serve
        except ImportError as exc:
            raise ConfigError(
                f"the MCP server needs the 'mcp' package ({exc})",
                hint="pip install 'luatqa[mcp]'",
            ) from exc
        if http:
            typer.echo(f"luatqa MCP server: http://127.0.0.1:{port}/mcp", err=True)
        serve(settings, http=http, port=port)
