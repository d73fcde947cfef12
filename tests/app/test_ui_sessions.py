"""Four real browser sessions at once against one ``streamlit run`` (#13): each asks its own
question at the same moment, and each sees its own question and the citations that
question gets when asked alone — nothing of another session."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.services import UIServices
from app.settings import load_settings
from app.wiring import Services
from tests.app.browser_tools import CHIPS_JS, DevTools, _chromium, _free_port, _stop, _wait_http

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(900)]

QUESTIONS = (
    "Thời giờ làm việc bình thường tối đa bao nhiêu giờ một ngày?",
    "Người lao động được nghỉ hằng năm bao nhiêu ngày?",
    "Hành vi bị nghiêm cấm về an ninh mạng gồm những gì?",
    "Năng lực hành vi dân sự của cá nhân là gì?",
)
TEXTAREA = "document.querySelector('textarea[data-testid=\"stChatInputTextArea\"]')"


@pytest.fixture()
def chromium_debug_port(tmp_path: Path) -> Iterator[int]:
    """A headless Chromium; its tabs are opened through the DevTools HTTP endpoint."""
    port = _free_port()
    proc = subprocess.Popen(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-dev-shm-usage",
         "--window-size=1280,1600", f"--remote-debugging-port={port}",
         f"--user-data-dir={tmp_path / 'chromium'}", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        _wait_http(f"http://127.0.0.1:{port}/json/version", 30, proc)
        yield port
    finally:
        _stop(proc)


def expected_chips(index: Path, tmp_path: Path) -> dict[str, list[str]]:
    """Each question asked alone, in process, on a copy of the same index."""
    copy = tmp_path / "alone"
    shutil.copytree(index, copy, ignore=shutil.ignore_patterns(".lock"))
    settings = load_settings(
        overrides={
            "index": {"dir": copy},
            "data_dir": tmp_path / "d",
            "llm": {"backend": "extractive"},
        }
    )
    with Services(settings) as components:
        ui = UIServices.from_services(components, settings)
        return {q: [f"§ {s.chip}" for s in ui.qa.ask(q).sources] for q in QUESTIONS}


def _tabs(debug_port: int, n: int) -> list[DevTools]:
    tabs = []
    for _ in range(n):
        req = urllib.request.Request(
            f"http://127.0.0.1:{debug_port}/json/new?about:blank", method="PUT"
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            tabs.append(DevTools(json.loads(resp.read())["webSocketDebuggerUrl"]))
    return tabs


def _ask(tab: DevTools, question: str) -> None:
    # keys go to the tab in front: bring each forward to type (a few ms), so that all four
    # questions are still in flight together
    tab.call("Page.bringToFront")
    tab.js(f"{TEXTAREA}.focus()")
    tab.call("Input.insertText", text=question)
    for kind in ("keyDown", "keyUp"):
        tab.call("Input.dispatchKeyEvent", type=kind, key="Enter", code="Enter",
                 windowsVirtualKeyCode=13, text="\r" if kind == "keyDown" else "")  # fmt: skip


def test_four_browser_sessions_at_once_see_only_their_own_answers(
    ui_url: str, demo_index: Path, tmp_path: Path, chromium_debug_port: int
) -> None:
    expected = expected_chips(demo_index, tmp_path)
    assert all(expected.values()), expected  # each question has citations to compare
    tabs = _tabs(chromium_debug_port, len(QUESTIONS))
    try:
        for tab in tabs:
            # a background tab is not throttled and believes it has the focus
            tab.call("Emulation.setFocusEmulationEnabled", enabled=True)
            tab.call("Page.navigate", url=ui_url)
        for tab in tabs:
            tab.wait_for(f"!!{TEXTAREA}", 120)
        for tab, question in zip(tabs, QUESTIONS, strict=True):
            _ask(tab, question)  # all four in flight together
        started = time.monotonic()
        for tab, question in zip(tabs, QUESTIONS, strict=True):
            chips = tab.wait_for(CHIPS_JS, 300)
            shown = tab.js("[...document.querySelectorAll('[data-testid=\"stChatMessage\"]')]"
                           ".map(m => m.innerText).join('\\n')")  # fmt: skip
            assert question in shown
            assert not [q for q in QUESTIONS if q != question and q in shown]
            # a chip may be drawn twice while a rerun replaces stale elements: compare the
            # distinct chips, in order
            assert list(dict.fromkeys(chips.split("\n"))) == expected[question], (question, chips)
        assert time.monotonic() - started < 300
    finally:
        for tab in tabs:
            tab.close()
