"""Fixtures of the Streamlit UI tests (test_ui_apptest*.py): the UI script run under
``streamlit.testing.v1.AppTest``, and the text it shows."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app.services import UIServices
from app.ui.state import SERVICES_KEY
from tests.app.browser_tools import (
    DevTools,
    _chromium,
    _free_port,
    _stop,
    _wait_http,
    streamlit_ui,
)

MAIN = str(Path(__file__).resolve().parents[2] / "app" / "ui" / "main.py")


def _run_ui(services: UIServices | None = None, *, timeout: float = 60) -> AppTest:
    """The UI script run once, with ``services`` in its session; without them the UI builds
    its own from the environment (its st.cache_resource path)."""
    at = AppTest.from_file(MAIN, default_timeout=timeout)
    if services is not None:
        at.session_state[SERVICES_KEY] = services
    return at.run()


def _all_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown) + "\n".join(c.value for c in at.caption)


@pytest.fixture(scope="session")
def app_with() -> Callable[..., AppTest]:
    """``app_with(services=None, *, timeout=60)``: see :func:`_run_ui`."""
    return _run_ui


@pytest.fixture(scope="session")
def all_text() -> Callable[[AppTest], str]:
    """``all_text(at)``: the markdown and captions the UI shows, as one text."""
    return _all_text


# ---- a real browser on the real UI (tests/app/browser_tools.py) ------------------------------
@pytest.fixture()
def ui_url(demo_index: Path, tmp_path: Path) -> Iterator[str]:
    with streamlit_ui(
        tmp_path,
        LUATQA_INDEX__DIR=str(demo_index),
        LUATQA_DATA_DIR=str(tmp_path / "data"),
        LUATQA_LLM__BACKEND="extractive",
    ) as url:
        yield url


@pytest.fixture()
def browser(tmp_path: Path) -> Iterator[DevTools]:
    chromium = _chromium()
    port = _free_port()
    proc = subprocess.Popen(
        [
            chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,1600",
            f"--remote-debugging-port={port}", f"--user-data-dir={tmp_path / 'chromium'}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        _wait_http(f"http://127.0.0.1:{port}/json/version", 30, proc)
        targets = json.loads(_wait_http(f"http://127.0.0.1:{port}/json/list", 10, proc))
        page = next(t for t in targets if t.get("type") == "page")
        tools = DevTools(page["webSocketDebuggerUrl"])
        try:
            yield tools
        finally:
            tools.close()
    finally:
        _stop(proc)
