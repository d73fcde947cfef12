"""The vLLM launcher without vLLM: arguments, adapter names, readiness and shutdown of the
whole process group (a stand-in server process: a Python HTTP server on loopback)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generation.server import Adapter, ServeSpec, VllmProcess, adapters_from, free_port
from legal.errors import ConfigError, GenerationError


def test_spec_arguments() -> None:
    spec = ServeSpec(
        Path("/m"), "base", (Adapter("luatqa-demo", Path("/a")),), max_model_len=768,
        enforce_eager=True,
    )  # fmt: skip
    args = spec.args(8123)
    assert args[:4] == ["--model", "/m", "--host", "127.0.0.1"]
    assert args[args.index("--port") + 1] == "8123"
    assert args[args.index("--served-model-name") + 1] == "base"
    assert args[args.index("--lora-modules") + 1] == "luatqa-demo=/a"
    assert "--enable-lora" in args and "--enforce-eager" in args
    assert args[args.index("--max-loras") + 1] == "1"
    two = ServeSpec(Path("/m"), adapters=(Adapter("a", Path("/a")), Adapter("b", Path("/b"))))
    assert two.args(1)[two.args(1).index("--max-loras") + 1] == "2"
    assert '"disable_any_whitespace": true' in args[args.index("--structured-outputs-config") + 1]


def test_adapters_are_named_by_their_training_card(tmp_path: Path) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "adapter_config.json").write_text("{}")
    (folder / "training_card.json").write_text(json.dumps({"adapter_name": "luatqa-demo"}))
    assert adapters_from([str(folder)]) == (Adapter("luatqa-demo", folder),)
    assert adapters_from([f"mine={folder}"]) == (Adapter("mine", folder),)
    with pytest.raises(ConfigError, match="not a LoRA adapter"):
        adapters_from([str(tmp_path)])


def _fake(tmp_path: Path, script: str) -> VllmProcess:
    port = free_port()
    log = tmp_path / "log"
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-c", script.replace("PORT", str(port))],
            stdout=fh, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    return VllmProcess(f"http://127.0.0.1:{port}/v1", proc, log)


HEALTHY = """
import http.server, subprocess, sys
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers()
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", PORT), H).serve_forever()
"""


def test_ready_then_stop_ends_the_whole_group(tmp_path: Path) -> None:
    server = _fake(tmp_path, HEALTHY)
    try:
        assert server.wait_ready(30, poll_s=0.1) < 30
        assert server.healthy()
    finally:
        server.stop()
    assert not server.alive()
    # the forked worker got the signal too: nothing of the group is left
    for _ in range(50):
        done = subprocess.run(["pgrep", "-g", str(server.proc.pid)], capture_output=True)
        if done.returncode == 1:
            break
        time.sleep(0.1)
    assert done.returncode == 1, done.stdout


def test_a_server_that_dies_reports_its_log(tmp_path: Path) -> None:
    server = _fake(tmp_path, "import sys; print('boom: no model'); sys.exit(3)")
    with pytest.raises(GenerationError, match="exited with code 3") as info:
        server.wait_ready(30, poll_s=0.1)
    assert "boom: no model" in str(info.value)
