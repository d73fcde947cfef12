"""The real UI in a real browser: ``streamlit run app/ui/main.py`` over a small index of
data/demo (extractive backend, no LLM), driven by headless Chromium over the DevTools
protocol. Chromium comes from ``scripts/install-chromium.sh`` (the Makefile's test target
runs it); in CI (``CI=true``) a missing Chromium fails instead of skipping."""

from __future__ import annotations

import base64
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.app.browser_tools import CHIPS_JS, DevTools, streamlit_ui

QUESTION = "Thời giờ làm việc bình thường tối đa bao nhiêu giờ một ngày?"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_browser_asks_and_sees_answer_with_citation(
    ui_url: str, browser: DevTools, tmp_path: Path
) -> None:
    browser.call("Page.enable")
    browser.call(
        "Emulation.setDeviceMetricsOverride",
        width=1280,
        height=1200,
        deviceScaleFactor=1,
        mobile=False,
    )
    browser.call("Page.navigate", url=ui_url)
    browser.wait_for(
        "!!document.querySelector('textarea[data-testid=\"stChatInputTextArea\"]')", 90
    )
    browser.js("document.querySelector('textarea[data-testid=\"stChatInputTextArea\"]').focus()")
    browser.call("Input.insertText", text=QUESTION)
    for kind in ("keyDown", "keyUp"):
        browser.call(
            "Input.dispatchKeyEvent",
            type=kind,
            key="Enter",
            code="Enter",
            windowsVirtualKeyCode=13,
            text="\r" if kind == "keyDown" else "",
        )
    chips = browser.wait_for(CHIPS_JS, 120)
    assert "Điều 105" in chips, chips
    answer = browser.js(
        "[...document.querySelectorAll('[data-testid=\"stChatMessage\"]')]"
        ".map(m => m.innerText).join('\\n---\\n')"
    )
    assert QUESTION in answer
    assert "08 giờ" in answer, answer
    assert "Trích nguyên văn" in answer
    # open the first citation: the cited clause is highlighted in the article's text
    browser.js(
        "[...document.querySelectorAll('button')].find(b => b.innerText.startsWith('§ ')).click()"
    )
    cited = browser.wait_for("(document.querySelector('mark.luatqa-cited') || {}).innerText", 60)
    assert "08 giờ trong 01 ngày" in cited
    time.sleep(1.0)  # let the last render settle before the picture
    shot = browser.call("Page.captureScreenshot", format="png")
    png = base64.b64decode(shot["data"])
    assert png.startswith(b"\x89PNG")
    (tmp_path / "ui-screenshot.png").write_bytes(png)
    out_dir = os.environ.get("LUATQA_SCREENSHOT_DIR")
    if out_dir:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        (Path(out_dir) / "ui-screenshot.png").write_bytes(png)


# ---- the login (#13) -------------------------------------------------------------------------
LOGIN_PASSWORD = "mật-khẩu-đúng"


@pytest.fixture()
def login_ui_url(tmp_path: Path) -> Iterator[str]:
    """The UI with its login on (a password), over an index folder that must stay unopened."""
    from app.auth import hash_password

    with streamlit_ui(
        tmp_path,
        LUATQA_INDEX__DIR=str(tmp_path / "index"),
        LUATQA_DATA_DIR=str(tmp_path / "data"),
        LUATQA_LLM__BACKEND="extractive",
        LUATQA_AUTH__REQUIRED="true",
        LUATQA_AUTH__PASSWORD_HASH=hash_password(LOGIN_PASSWORD),
        LUATQA_SECRETS_DIR=str(tmp_path / "no-secrets"),
    ) as url:
        yield url


PASSWORD_INPUT = "document.querySelector('input[type=\"password\"]')"
APP_VISIBLE = (
    "!!(document.querySelector('textarea[data-testid=\"stChatInputTextArea\"]') || "
    'document.querySelector(\'[data-testid="stSidebar"] [role="radiogroup"]\'))'
)


def _submit_password(browser: DevTools, password: str) -> None:
    browser.js(f"{PASSWORD_INPUT}.focus()")
    browser.call("Input.insertText", text=password)
    browser.js(
        "[...document.querySelectorAll('button')]"
        ".find(b => b.innerText.trim() === 'Đăng nhập').click()"
    )


def test_browser_unauthenticated_sees_only_the_login_and_a_wrong_password_is_refused(
    login_ui_url: str, browser: DevTools, tmp_path: Path
) -> None:
    browser.call("Page.enable")
    browser.call("Page.navigate", url=login_ui_url)
    browser.wait_for(f"!!{PASSWORD_INPUT}", 90)
    time.sleep(1.0)  # the whole first render
    assert not browser.js(APP_VISIBLE)
    body = browser.js("document.body.innerText")
    assert "Hỏi đáp" not in body and "Nạp văn bản" not in body
    _submit_password(browser, "sai-mật-khẩu")
    refused = browser.wait_for(
        "[...document.querySelectorAll('[data-testid=\"stAlert\"]')]"
        ".map(a => a.innerText).join(' ')",
        30,
    )
    assert "Sai mật khẩu" in refused
    assert not browser.js(APP_VISIBLE)
    assert not (tmp_path / "index").exists()  # the app was never built
    browser.js(f"{PASSWORD_INPUT}.value = ''")
    _submit_password(browser, LOGIN_PASSWORD)
    assert browser.wait_for(APP_VISIBLE, 90)
