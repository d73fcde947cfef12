"""``kill -9`` of the UI process in the middle of an upload, then a restart: the index
converges (the CLI's version of this test: tests/ingest/test_pipeline.py).

A real ``streamlit run`` over a copy of the demo index, a real browser uploading a statute
of our own on the upload page; the server is SIGKILLed once the ingest has written a few
batches. The restarted UI opens the index (the folder lock died with the process), the same
upload is made again, and the index ends exactly as a clean ingest leaves it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.settings import load_settings
from app.wiring import Services
from ingest.audit import audit_index, indexed_ids
from tests.app.browser_tools import REPO, DevTools, _free_port, _stop, _wait_http
from tests.fakes import cache_rows

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(900)]
TOPICS = ("thư viện công cộng", "tài nguyên thông tin", "người sử dụng thư viện",
          "liên thông thư viện", "thư viện số", "kinh phí hoạt động")  # fmt: skip


def statute(path: Path, articles: int = 24) -> Path:
    lines = ["QUỐC HỘI", "Luật số: 46/2019/QH14", "LUẬT THƯ VIỆN", "Chương I", "QUY ĐỊNH CHUNG"]
    for i in range(1, articles + 1):
        topic = TOPICS[i % len(TOPICS)]
        lines.append(f"Điều {i}. Quy định về {topic} số {i}")
        lines += [f"{k}. Nội dung {i}.{k} về {topic} theo quy định của Luật này." for k in (1, 2)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class UI:
    """``streamlit run`` over ``index``, restartable; ``kill()`` is SIGKILL."""

    def __init__(self, source: Path, index: Path, data: Path, cache: Path) -> None:
        self.source = source  # the index copied (never written)
        self.env = dict(os.environ)
        self.env.update(
            LUATQA_INDEX__DIR=str(index), LUATQA_DATA_DIR=str(data),
            LUATQA_LLM__BACKEND="extractive", LUATQA_EMBEDDER__CACHE_DIR=str(cache),
            LUATQA_EMBEDDER__BATCH_SIZE="2", OMP_NUM_THREADS="1",
        )  # fmt: skip
        self.env.pop("LUATQA_INDEX__QDRANT_URL", None)
        self.log = data.parent / "streamlit.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self) -> str:
        port = _free_port()
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", str(REPO / "app/ui/main.py"),
                 "--server.headless", "true", "--server.address", "127.0.0.1",
                 "--server.port", str(port), "--browser.gatherUsageStats", "false"],
                cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        self.url = f"http://127.0.0.1:{port}"
        _wait_http(self.url + "/_stcore/health", 60, self.proc)
        return self.url

    def kill(self) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None:
            _stop(self.proc)


@pytest.fixture()
def ui(demo_index: Path, tmp_path: Path) -> Iterator[UI]:
    index = tmp_path / "index"
    shutil.copytree(demo_index, index, ignore=shutil.ignore_patterns(".lock"))
    (tmp_path / "data").mkdir()
    running = UI(demo_index, index, tmp_path / "data", tmp_path / "cache")
    try:
        yield running
    finally:
        running.stop()


def upload(browser: DevTools, url: str, file: Path) -> None:
    """Open the upload page, choose ``file``, press the ingest button."""
    browser.call("Page.navigate", url=url)
    browser.wait_for("document.body.innerText.includes('Nạp văn bản')", 90)
    browser.js(
        "[...document.querySelectorAll('[data-testid=\"stSidebar\"] label')]"
        ".find(l => l.innerText.trim() === 'Nạp văn bản').click()"
    )
    browser.wait_for("!!document.querySelector('input[type=\"file\"]')", 60)
    root = browser.call("DOM.getDocument", depth=-1)["root"]["nodeId"]
    node = browser.call("DOM.querySelector", nodeId=root, selector='input[type="file"]')
    browser.call("DOM.setFileInputFiles", files=[str(file)], nodeId=node["nodeId"])
    button = "[...document.querySelectorAll('button')].find(b => b.innerText.includes('Nạp vào'))"
    browser.wait_for(f"{button} && !{button}.disabled", 60)
    browser.js(f"{button}.click()")


def test_kill_9_mid_upload_then_restart_converges(
    ui: UI, browser: DevTools, tmp_path: Path
) -> None:
    file = statute(tmp_path / "luat-thu-vien.txt")
    settings = load_settings(overrides={"index": {"dir": tmp_path / "index"}})
    with Services(settings) as s:
        before = indexed_ids(s.store)
    browser.call("Page.enable")
    upload(browser, ui.start(), file)
    db = tmp_path / "cache" / "embeddings.sqlite"
    deadline = time.monotonic() + 180
    while cache_rows(db) < 8 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert cache_rows(db) >= 8, "the upload never started embedding"
    ui.kill()

    with Services(settings) as s:  # the lock died with the process
        left = audit_index(s.store)
        assert indexed_ids(s.store) >= before  # what was there is intact
    assert any("without a record" in p for p in left), f"expected a half-written upload: {left}"

    upload(browser, ui.start(), file)  # restart, the same upload again
    browser.wait_for("document.body.innerText.includes('46/2019/QH14: 24 điều')", 300)
    ui.stop()
    with Services(settings) as s:
        assert audit_index(s.store) == []
        after = indexed_ids(s.store)
    # the reference: the demo index and a clean ingest of the same file, by the CLI
    clean = tmp_path / "clean"
    shutil.copytree(ui.source, clean, ignore=shutil.ignore_patterns(".lock"))
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "--index", str(clean), "ingest", str(file)],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    with Services(load_settings(overrides={"index": {"dir": clean}})) as s:
        assert indexed_ids(s.store) == after
