"""The parts of app/mcp/tools.py that need no server: resource paths ↔ addresses, as_of, and
``luatqa mcp`` without the extra; and the server over streamable HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import pytest

from app.mcp.tools import address_from_path, parse_day, resource_uri
from legal.address import LegalAddress
from legal.errors import CitationError, QuestionError

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("path", "address"),
    [
        ("45/2019/QH14", LegalAddress("45/2019/QH14")),
        ("45/2019/QH14/dieu-35", LegalAddress("45/2019/QH14", "35")),
        ("45/2019/QH14/dieu-35/khoan-2/diem-đ", LegalAddress("45/2019/QH14", "35", "2", "đ")),
        ("01/VBHN-VPQH/dieu-418", LegalAddress("01/VBHN-VPQH", "418")),
        ("Luật Viên chức/dieu-5", LegalAddress("Luật Viên chức", "5")),
    ],
)
def test_resource_paths_and_addresses_round_trip(path: str, address: LegalAddress) -> None:
    assert address_from_path(path) == address
    assert resource_uri(address) == f"luatqa://{path}"


def test_a_resource_path_needs_a_document() -> None:
    with pytest.raises(CitationError, match="names no document"):
        address_from_path("dieu-35/khoan-2")


def test_as_of_is_a_date_or_an_error() -> None:
    assert parse_day(None) is None and parse_day(" ") is None
    assert parse_day("2021-01-01") is not None
    with pytest.raises(QuestionError, match="is not a date"):
        parse_day("01/01/2021")


def test_without_the_extra_the_command_says_how_to_install_it(tmp_path: Path) -> None:
    code = (
        "import sys; sys.modules['mcp'] = None; import app.cli; "
        f"app.cli.main(['--index', {str(tmp_path)!r}, 'mcp'])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2, done.stderr
    assert "[config] the MCP server needs the 'mcp' package" in done.stderr
    assert "pip install 'luatqa[mcp]'" in done.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_the_server_over_streamable_http(demo_index: Path) -> None:
    pytest.importorskip("mcp", reason="needs the 'mcp' extra")
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    port = _free_port()
    args = ["-m", "app.cli", "--index", str(demo_index), "mcp", "--http", "--port", str(port)]
    server = subprocess.Popen(
        [sys.executable, *args], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )

    async def main() -> Any:
        async with (
            streamable_http_client(f"http://127.0.0.1:{port}/mcp") as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            names = [t.name for t in (await session.list_tools()).tools]
            found = await session.call_tool("get_provision", {"citation": "Điều 169 BLLĐ"})
            return names, found

    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            time.sleep(0.3)
        names, found = anyio.run(main)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert "verify_citations" in names
    (prov,) = json.loads(found.content[0].text)["provisions"]
    assert prov["address"] == "45/2019/QH14 › Điều 169"
    assert prov["text"].startswith("1. Người lao động bảo đảm điều kiện")


@pytest.mark.slow
def test_the_catalog_is_read_again_only_when_the_documents_change(
    demo_index: Path, tmp_path: Path
) -> None:
    import shutil

    from app.mcp.tools import LawTools
    from app.settings import load_settings
    from app.wiring import Services
    from retrieval.records import DocumentRecord
    from retrieval.store.base import PointRecord
    from retrieval.store.edge import EdgeStore

    index = tmp_path / "idx"
    shutil.copytree(demo_index, index)
    tools = LawTools(Services(load_settings({"index": {"dir": index, "qdrant_url": None}})))
    first = tools.list_documents()["documents"]
    assert tools._catalog is not None
    read = tools._catalog[1]
    assert tools.get_provision("Điều 35 BLLĐ")["provisions"]
    assert tools._catalog[1] is read  # same documents: the catalog of the first call
    store = EdgeStore(index)  # another process ingests a document meanwhile
    new = DocumentRecord(
        doc_id="Luật Mới", doc_version="v1", id=f"{'3' * 8}-0000-4000-8000-{'0' * 12}"
    )
    store.upsert([PointRecord(new.id, new.to_payload(), None)])
    store.close()
    again = tools.list_documents()["documents"]
    assert tools._catalog[1] is not read
    assert {d["id"] for d in again} == {d["id"] for d in first} | {"Luật Mới"}
    tools.close()
