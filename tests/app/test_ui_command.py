"""``luatqa ui``: the Streamlit command line, the environment that carries the global
options to the UI process, and the UI really serving."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.commands.ui import streamlit_command, ui_environment
from app.context import CliState
from app.settings import load_settings


def test_ui_environment_passes_global_options(tmp_path: Path) -> None:
    env = ui_environment(
        CliState(index=tmp_path / "idx", profile="local"),
        base={"LUATQA_INDEX__QDRANT_URL": "http://q:6333", "PATH": "/bin"},
    )
    assert env["LUATQA_INDEX__DIR"] == str((tmp_path / "idx").resolve())
    assert env["LUATQA_INDEX__QDRANT_URL"] == "null" and env["LUATQA_PROFILE"] == "local"
    assert env["PATH"] == "/bin"
    env = ui_environment(CliState(qdrant_url="http://q:6333"), base={})
    assert env == {"LUATQA_INDEX__QDRANT_URL": "http://q:6333"}
    cmd = streamlit_command("0.0.0.0", 9000)
    assert cmd[1:4] == ["-m", "streamlit", "run"] and cmd[4].endswith("app/ui/main.py")
    assert cmd[cmd.index("--server.port") + 1] == "9000"
    assert cmd[cmd.index("--server.maxUploadSize") + 1] == "50"


def test_luatqa_ui_prints_url_and_serves(tmp_path: Path) -> None:
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    repo = Path(__file__).resolve().parents[2]
    args = ["--index", str(tmp_path / "idx"), "ui", "--port", str(port)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli", *args],
        cwd=repo,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().decode()
        assert first.strip() == f"luatqa UI: http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health") as r:
                    assert r.read() == b"ok"
                    break
            except OSError:
                assert proc.poll() is None, "the UI process exited"
                assert time.monotonic() < deadline, "the UI did not answer in 60 s"
                time.sleep(0.3)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


def test_index_beats_a_profile_that_names_a_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression (issue 10): ``luatqa --profile prod --index DIR ui`` opened the Qdrant
    server of the prod profile instead of DIR."""
    env = ui_environment(CliState(index=tmp_path / "idx", profile="prod"), base={})
    for name in [n for n in os.environ if n.startswith("LUATQA_")]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = load_settings()  # what the UI process reads
    assert settings.index.qdrant_url is None
    assert settings.index.dir == (tmp_path / "idx").resolve()
    assert settings.profile == "prod" and settings.llm.base_url == "http://vllm:8000/v1"


def test_only_loopback_hosts_count_as_this_machine() -> None:
    from app.commands.ui import is_loopback

    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    assert not is_loopback("example.org")


def test_an_open_ui_beyond_this_machine_is_warned_about(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`luatqa ui --host 0.0.0.0` without a login warns before it starts (execve stubbed)."""
    import app.commands.ui as ui_cmd
    from app.cli import _register, cli

    started: list[list[str]] = []
    monkeypatch.setattr(ui_cmd.os, "execve", lambda exe, cmd, env: started.append(cmd))
    monkeypatch.delenv("LUATQA_AUTH__REQUIRED", raising=False)
    _register()
    out = CliRunner().invoke(cli, ["--index", str(tmp_path), "ui", "--host", "0.0.0.0"])
    assert "no login" in out.output and started
    monkeypatch.setenv("LUATQA_AUTH__REQUIRED", "true")
    out = CliRunner().invoke(cli, ["--index", str(tmp_path), "ui", "--host", "0.0.0.0"])
    assert "no login" not in out.output
    out = CliRunner().invoke(cli, ["--index", str(tmp_path), "ui"])  # 127.0.0.1
    assert "no login" not in out.output
