"""``luatqa mcp`` driven through the MCP SDK's own client over stdio (a real server process)
on the demo index: the tools and their schemas, each tool, the resources, and bad input
(a malformed citation, an empty query, an article that does not exist, arguments outside the
schema) — after which the server still answers."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

pytest.importorskip("mcp", reason="needs the 'mcp' extra: pip install 'luatqa[mcp]'")

from mcp import ClientSession, StdioServerParameters, stdio_client

REPO = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.slow

CALLS: dict[str, tuple[str, dict[str, Any]]] = {
    "list": ("list_documents", {}),
    "provision": ("get_provision", {"citation": "khoan 2 dieu 35 BLLD"}),
    "canonical": ("get_provision", {"citation": "45/2019/QH14 › Điều 35 › Khoản 2"}),
    "malformed": ("get_provision", {"citation": "khoản hai của điều ba mươi lăm"}),
    "no_article": ("get_provision", {"citation": "Điều 999 Bộ luật Lao động 2019"}),
    "search": ("search_law", {"query": "nghỉ hằng năm bao nhiêu ngày", "k": 2}),
    "search_as_of": ("search_law", {"query": "tuổi nghỉ hưu", "k": 1, "as_of": "2021-01-01"}),
    "bad_date": ("search_law", {"query": "tuổi nghỉ hưu", "as_of": "2021-13-40"}),
    "empty_query": ("search_law", {"query": "   "}),
    "bad_k": ("search_law", {"query": "tuổi nghỉ hưu", "k": 0}),
    "bad_law": ("search_law", {"query": "tuổi nghỉ hưu", "laws": ["Luật Đất đai"]}),
    "verify": (
        "verify_citations",
        {"text": "Theo khoản 2 Điều 35 BLLĐ người lao động được nghỉ; khoản 9 Điều 36 thì không."},
    ),
    "verify_law": ("verify_citations", {"text": "khoản 2 Điều 35", "law": "BLLĐ"}),
    "verify_bad_law": ("verify_citations", {"text": "khoản 2 Điều 35", "law": "Luật Đất đai"}),
    "answer": ("answer", {"question": "Tuổi nghỉ hưu của người lao động là bao nhiêu?"}),
    "empty_question": ("answer", {"question": ""}),
    "bad_type": ("answer", {"question": "Tuổi nghỉ hưu?", "type": "essay"}),
    "after": ("list_documents", {}),  # the server survived everything above
}
RESOURCES = ("luatqa://45/2019/QH14/dieu-35/khoan-2", "luatqa://45/2019/QH14", "luatqa://documents")


def server(index: Path) -> StdioServerParameters:
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "app.cli", "--index", str(index), "mcp"],
        cwd=str(REPO),
        env={"PYTHONPATH": str(REPO)},
    )


def run_session(index: Path, work: Callable[[ClientSession], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        async with (
            stdio_client(server(index)) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            return await work(session)

    return anyio.run(main)


@pytest.fixture(scope="module")
def session_results(demo_index: Path) -> dict[str, Any]:
    """One server process, every call of :data:`CALLS` and :data:`RESOURCES` in order."""

    async def work(session: ClientSession) -> dict[str, Any]:
        out: dict[str, Any] = {"tools": (await session.list_tools()).tools}
        for key, (name, args) in CALLS.items():
            out[key] = await session.call_tool(name, args)
        for uri in RESOURCES:
            out[uri] = await session.read_resource(uri)
        out["templates"] = (await session.list_resource_templates()).resource_templates
        return out

    return run_session(demo_index, work)


def ok(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content[0].text
    return json.loads(result.content[0].text)


def error(result: Any) -> str:
    assert result.is_error, result.content[0].text
    return str(result.content[0].text)


def test_the_five_tools_have_typed_schemas_and_bilingual_descriptions(
    session_results: dict[str, Any],
) -> None:
    tools = {t.name: t for t in session_results["tools"]}
    assert set(tools) == {
        "search_law", "get_provision", "verify_citations", "answer", "list_documents"
    }  # fmt: skip
    search = tools["search_law"].input_schema
    assert search["required"] == ["query"]
    assert search["properties"]["k"]["minimum"] == 1
    assert set(search["properties"]) == {"query", "k", "laws", "as_of"}
    answer = tools["answer"].input_schema["properties"]["type"]
    assert answer["enum"] == ["tu-luan", "dung-sai", "trac-nghiem"]
    for tool in tools.values():
        assert tool.annotations is not None and tool.annotations.read_only_hint
        assert "Điều" in tool.description or "luật" in tool.description  # Vietnamese
    assert "Search" in tools["search_law"].description  # and English


def test_list_documents(session_results: dict[str, Any]) -> None:
    docs = ok(session_results["list"])["documents"]
    ids = {d["id"] for d in docs}
    assert ids == {"45/2019/QH14", "91/2015/QH13", "24/2018/QH14", "01/VBHN-VPQH"}
    labor = next(d for d in docs if d["id"] == "45/2019/QH14")
    assert labor["uri"] == "luatqa://45/2019/QH14" and labor["articles"] == 17
    assert {"effective_from", "effective_to", "replaced_by", "status"} <= set(labor)


def test_get_provision_reads_any_citation_form(session_results: dict[str, Any]) -> None:
    for key in ("provision", "canonical"):
        (prov,) = ok(session_results[key])["provisions"]
        assert prov["citation"] == "khoản 2 Điều 35 Bộ luật Lao động 2019"
        assert prov["address"] == "45/2019/QH14 › Điều 35 › Khoản 2"
        assert prov["text"].startswith("2. Người lao động có quyền đơn phương chấm dứt")
        assert prov["uri"] == "luatqa://45/2019/QH14/dieu-35/khoan-2"


def test_bad_citations_are_tool_errors_with_our_messages(session_results: dict[str, Any]) -> None:
    assert "[citation] no citation found in 'khoản hai của điều ba mươi lăm'" in error(
        session_results["malformed"]
    )
    missing = error(session_results["no_article"])
    assert "[citation] Điều 999 Bộ luật Lao động 2019: Điều 999 không có trong" in missing
    assert "→ indexed documents: 01/VBHN-VPQH" in missing


def test_search_law(session_results: dict[str, Any]) -> None:
    found = ok(session_results["search"])
    assert found["results"][0]["citation"].endswith("Điều 113 Bộ luật Lao động 2019")
    assert found["results"][0]["text"] and found["results"][0]["document_number"] == "45/2019/QH14"
    assert found["as_of"] is None and found["notes"] == []


def test_as_of_is_never_ignored_silently(session_results: dict[str, Any]) -> None:
    found = ok(session_results["search_as_of"])
    assert found["as_of"] == "2021-01-01" and found["as_of_applied"] is True
    # the demo index was built with validity read (its excerpts state no effective date)
    assert found["notes"] == [] and found["results"]
    assert {r["status"] for r in found["results"]} == {"Chưa rõ hiệu lực"}
    assert "[question] as_of '2021-13-40' is not a date" in error(session_results["bad_date"])


def test_bad_arguments_are_errors_and_the_server_survives(
    session_results: dict[str, Any],
) -> None:
    assert "[question] the query is empty" in error(session_results["empty_query"])
    assert "greater than or equal to 1" in error(session_results["bad_k"])
    assert "[ingest] laws 'Luật Đất đai' names no document" in error(session_results["bad_law"])
    assert "[question] the question is empty" in error(session_results["empty_question"])
    assert "tu-luan" in error(session_results["bad_type"])
    assert ok(session_results["after"]) == ok(session_results["list"])


def test_verify_citations(session_results: dict[str, Any]) -> None:
    got = ok(session_results["verify"])
    assert (got["resolved"], got["unresolved"]) == (1, 1)
    first, second = got["citations"]
    assert first["resolved"] and first["wording"].startswith("2. Người lao động có quyền")
    assert second["cited_as"] == "khoản 9 Điều 36"
    assert second["address"] == "45/2019/QH14 › Điều 36 › Khoản 9"
    assert not second["resolved"] and "no such clause" in second["reason"]
    (bare,) = ok(session_results["verify_law"])["citations"]
    assert bare["resolved"] and bare["address"] == "45/2019/QH14 › Điều 35 › Khoản 2"
    assert "law 'Luật Đất đai' names no document" in error(session_results["verify_bad_law"])


def test_answer_is_extractive_without_an_llm_and_says_so(session_results: dict[str, Any]) -> None:
    got = ok(session_results["answer"])
    assert got["mode"] == "extractive"
    assert "no LLM configured" in got["notes"][0]
    assert any(c["address"].startswith("45/2019/QH14 › Điều 169") for c in got["citations"])


def test_resources(session_results: dict[str, Any]) -> None:
    clause = session_results["luatqa://45/2019/QH14/dieu-35/khoan-2"].contents[0].text
    assert clause.startswith("khoản 2 Điều 35 Bộ luật Lao động 2019. Quyền đơn phương")
    toc = session_results["luatqa://45/2019/QH14"].contents[0].text
    assert "Điều 113. Nghỉ hằng năm" in toc
    listed = json.loads(session_results["luatqa://documents"].contents[0].text)
    assert len(listed["documents"]) == 4
    assert [t.uri_template for t in session_results["templates"]] == ["luatqa://{+path}"]


def test_the_embedded_index_is_held_for_one_call_only(demo_index: Path, tmp_path: Path) -> None:
    """While another process holds the embedded index (the UI), a call is a tool error with
    the store's message; once it lets go, the same server answers."""
    from retrieval.store.edge import EdgeStore

    index = tmp_path / "idx"
    shutil.copytree(demo_index, index)

    async def work(session: ClientSession) -> tuple[Any, Any, Any]:
        free = await session.call_tool("list_documents", {})
        holder = EdgeStore(index)  # the UI opening the index between two calls
        try:
            held = await session.call_tool("list_documents", {})
        finally:
            holder.close()
        return free, held, await session.call_tool("list_documents", {})

    free, held, again = run_session(index, work)
    assert len(ok(free)["documents"]) == 4
    assert "open in another process (the UI?)" in error(held)
    assert ok(again) == ok(free)
