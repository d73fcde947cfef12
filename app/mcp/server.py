"""``luatqa mcp``: luatqa as an MCP server (the official ``mcp`` SDK, v2's ``MCPServer``),
over stdio or streamable HTTP on 127.0.0.1.

Tools (typed input schemas, descriptions in Vietnamese and English): ``search_law``,
``get_provision``, ``verify_citations``, ``answer``, ``list_documents``. Resources:
``luatqa://documents`` and ``luatqa://{doc}[/dieu-N[/khoan-K[/diem-x]]]``, e.g.
``luatqa://45/2019/QH14/dieu-35``. What the tools do is :class:`app.mcp.tools.LawTools`.

Decision: every :class:`legal.errors.LuatqaError` becomes an MCP tool error carrying the
same one-line message and hint the CLI prints (``[citation] … → hint``); arguments that do
not fit the schema are rejected by the SDK before a tool runs; anything else is a bug, which
the SDK reports as a tool error too (and logs), so no call brings the server down.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from mcp.types import ToolAnnotations
from pydantic import Field

from app.mcp.tools import LawTools
from legal.errors import LuatqaError

if TYPE_CHECKING:
    from app.settings import Settings

T = TypeVar("T")
READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, open_world_hint=False)
INSTRUCTIONS = (
    "luatqa: trích dẫn luật Việt Nam có kiểm chứng (cited answers from Vietnamese law). "
    "Use search_law to find provisions, get_provision to read one by citation, "
    "verify_citations to check every citation of a text against the indexed law, answer for "
    "an answer whose citations are verified, list_documents for what is indexed."
)


def _call(fn: Callable[[], T]) -> T:
    try:
        return fn()
    except LuatqaError as exc:
        raise ToolError(str(exc)) from exc


def build_server(tools: LawTools) -> MCPServer[Any]:
    """The MCP server over ``tools`` (no transport started)."""
    server: MCPServer[Any] = MCPServer("luatqa", instructions=INSTRUCTIONS, log_level="WARNING")
    _reading_tools(server, tools)
    _checking_tools(server, tools)
    _resources(server, tools)
    return server


def _reading_tools(server: MCPServer[Any], tools: LawTools) -> None:
    """search_law, get_provision."""

    @server.tool(
        annotations=READ_ONLY,
        description="Tìm các điều, khoản luật trả lời câu hỏi, kèm trích dẫn và nguyên văn. "
        "Search the indexed Vietnamese law: the provisions that answer a question, best "
        "first, each with its citation, address and text.",
    )
    def search_law(
        query: Annotated[str, Field(description="Câu hỏi hoặc từ khóa / question or keywords")],
        k: Annotated[int, Field(ge=1, le=50, description="Số điều luật / number of articles")] = 5,
        laws: Annotated[
            list[str] | None,
            Field(
                description="Chỉ tìm trong các luật này (số hiệu, tên, viết tắt như BLLĐ) / "
                "only these laws: number, name or abbreviation"
            ),
        ] = None,
        as_of: Annotated[
            str | None,
            Field(description="Ngày áp dụng YYYY-MM-DD / the date the law is read at"),
        ] = None,
    ) -> dict[str, Any]:
        return _call(lambda: tools.search_law(query, k, laws or (), as_of))

    @server.tool(
        annotations=READ_ONLY,
        description="Nguyên văn một quy định theo trích dẫn, ví dụ “khoản 2 Điều 35 Bộ luật Lao "
        "động 2019”, “k2 Đ35 BLLĐ”, “dieu 35 khoan 2 blld”. The full text of the provision a "
        "citation names (any form: with or without diacritics, abbreviations, or the canonical "
        "'45/2019/QH14 › Điều 35 › Khoản 2').",
    )
    def get_provision(
        citation: Annotated[str, Field(description="Trích dẫn / the citation")],
    ) -> dict[str, Any]:
        return _call(lambda: tools.get_provision(citation))


def _checking_tools(server: MCPServer[Any], tools: LawTools) -> None:
    """verify_citations, answer, list_documents."""

    @server.tool(
        annotations=READ_ONLY,
        description="Kiểm tra mọi trích dẫn trong một văn bản (bản ghi nhớ, câu trả lời của mô "
        "hình khác): từng trích dẫn có tồn tại trong luật đã nạp không, kèm nguyên văn. Every "
        "citation found in a text, each resolved against the indexed law or not (with why), "
        "with the cited wording.",
    )
    def verify_citations(
        text: Annotated[str, Field(description="Văn bản cần kiểm tra / the text to check")],
        law: Annotated[
            str | None,
            Field(
                description="Luật mà các trích dẫn không nêu tên luật thuộc về (ví dụ BLLĐ) / "
                "the law a citation naming none refers to"
            ),
        ] = None,
    ) -> dict[str, Any]:
        return _call(lambda: tools.verify_citations(text, law))

    @server.tool(
        annotations=READ_ONLY,
        description="Trả lời câu hỏi pháp luật với trích dẫn đã kiểm chứng (trích nguyên văn khi "
        "không có mô hình ngôn ngữ, và nói rõ điều đó). An answer with verified citations; "
        "extractive when no LLM is configured, and it says so.",
    )
    def answer(
        question: Annotated[str, Field(description="Câu hỏi / the question, in Vietnamese")],
        type: Annotated[
            Literal["tu-luan", "dung-sai", "trac-nghiem"],
            Field(
                description="tu-luan (tự luận / free text), dung-sai (Đúng/Sai), "
                "trac-nghiem (trắc nghiệm A–D)"
            ),
        ] = "tu-luan",
        choices: Annotated[
            list[str] | None,
            Field(description="Các phương án A, B, C, D (trac-nghiem) / the choices, in order"),
        ] = None,
    ) -> dict[str, Any]:
        return _call(lambda: tools.answer(question, type, choices or ()))

    @server.tool(
        annotations=READ_ONLY,
        description="Danh sách văn bản luật đã nạp. The indexed documents: id, number, title, "
        "label, date, number of articles, resource URI.",
    )
    def list_documents() -> dict[str, Any]:
        return _call(tools.list_documents)


def _resources(server: MCPServer[Any], tools: LawTools) -> None:
    """luatqa://documents and luatqa://{doc}[/dieu-N[/khoan-K[/diem-x]]]."""

    @server.resource(
        "luatqa://documents",
        name="documents",
        description="Các văn bản đã nạp / the indexed documents (JSON)",
        mime_type="application/json",
    )
    def documents() -> dict[str, Any]:
        return _resource(tools.list_documents)

    @server.resource(
        "luatqa://{+path}",
        name="provision",
        description="Một văn bản, điều, khoản hoặc điểm / a document, article, clause or point: "
        "luatqa://45/2019/QH14/dieu-35, luatqa://45/2019/QH14/dieu-35/khoan-2",
        mime_type="text/plain",
    )
    def provision(path: str) -> str:
        return _resource(lambda: tools.read_resource(path))


def _resource(fn: Callable[[], T]) -> T:
    try:
        return fn()
    except LuatqaError as exc:
        raise ResourceError(str(exc)) from exc


def serve(settings: Settings, *, http: bool = False, port: int = 8765) -> None:
    """Run the server until the client disconnects (stdio) or Ctrl-C (HTTP)."""
    from app.wiring import Services

    tools = LawTools(Services(settings))
    try:
        server = build_server(tools)
        if http:
            server.run("streamable-http", host="127.0.0.1", port=port)
        else:
            server.run("stdio")
    finally:
        tools.close()
