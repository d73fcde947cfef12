"""``luatqa ui [--port] [--host]``: start the Streamlit web UI and print its URL.

The global ``--index`` / ``--qdrant-url`` / ``--config`` / ``--profile`` options are passed
to the UI process through the environment (``LUATQA_*``), so the UI opens the same index.
The embedded index can be open in one process only: while the UI runs, ingest through the
UI's upload page, or use a Qdrant server (``--qdrant-url``) for both.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from app.context import CliState

MAIN = Path(__file__).resolve().parent.parent / "ui" / "main.py"


def streamlit_command(host: str, port: int) -> list[str]:
    from app.services.uploads import MAX_UPLOAD_MB

    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(MAIN),
        "--server.headless",
        "true",
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.maxUploadSize",
        str(MAX_UPLOAD_MB),
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "viewer",
    ]


OPEN_WARNING = (
    "warning: the UI listens beyond this machine with no login (auth.required is off): "
    "anyone who reaches the port can read the index and ask questions. Use --profile prod "
    "or LUATQA_AUTH__REQUIRED=true with LUATQA_AUTH__PASSWORD_HASH (luatqa auth hash-password)."
)


def is_loopback(host: str) -> bool:
    """127.0.0.1, ::1, localhost: only this machine can connect."""
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def ui_environment(state: CliState, base: dict[str, str] | None = None) -> dict[str, str]:
    """The UI process's environment: the global options as ``LUATQA_*`` variables, which
    beat the profile's YAML there. ``--index DIR`` also sets the server URL to ``null``
    (:class:`app.settings.Settings` reads it as unset): dropping the variable was not enough
    under a profile that names a server (``--profile prod``), which the UI then opened."""
    env = dict(os.environ if base is None else base)
    if state.index is not None:
        env["LUATQA_INDEX__DIR"] = str(state.index.resolve())
        env["LUATQA_INDEX__QDRANT_URL"] = "null"
    if state.qdrant_url is not None:
        env["LUATQA_INDEX__QDRANT_URL"] = state.qdrant_url
    if state.config is not None:
        env["LUATQA_CONFIG"] = str(state.config.resolve())
    if state.profile is not None:
        env["LUATQA_PROFILE"] = state.profile
    return env


def register(cli: typer.Typer) -> None:
    @cli.command("ui")
    def ui(
        ctx: typer.Context,
        port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8501,
        host: Annotated[
            str, typer.Option("--host", help="Address to bind (0.0.0.0 for all interfaces).")
        ] = "127.0.0.1",
    ) -> None:
        """Start the web UI (Streamlit) and print its URL."""
        state: CliState = ctx.obj
        shown = "localhost" if host in ("0.0.0.0", "::") else host
        typer.echo(f"luatqa UI: http://{shown}:{port}")
        if not is_loopback(host) and not state.settings().auth.required:
            typer.echo(OPEN_WARNING, err=True)
        sys.stdout.flush()
        # become the Streamlit server: Ctrl-C and SIGTERM reach it directly, no orphan
        cmd = streamlit_command(host, port)
        os.execve(cmd[0], cmd, ui_environment(state))
