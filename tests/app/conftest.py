"""Fixtures of the Streamlit UI tests (test_ui_apptest*.py): the UI script run under
``streamlit.testing.v1.AppTest``, and the text it shows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app.services import UIServices
from app.ui.state import SERVICES_KEY

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
