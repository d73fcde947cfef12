"""``luatqa ask``: a question → an answer whose every shown source is a verified citation.

    luatqa --index DIR ask "QUESTION" [--stream] [--json] [--type dung-sai|trac-nghiem]
                                      [--choices TEXT ...] [--doc DOC_ID ...]
                                      [--backend auto|vllm|extractive]
                                      [--llm-url URL] [--model NAME]

Without an LLM configured (``LUATQA_LLM__BASE_URL`` / ``--llm-url``) the answer is extractive:
quoted clauses with their citations. With ``--json`` stdout carries exactly one JSON object
(streamed text, if any, goes to stderr).
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from app.context import CliState, fail
from legal.errors import LuatqaError

if TYPE_CHECKING:
    from app.settings import Settings
    from generation.answer import Answer

MODE_LABELS = {
    "generated": "Câu trả lời do mô hình tạo, kèm trích dẫn đã kiểm chứng",
    "extractive": "Trích nguyên văn (không dùng mô hình ngôn ngữ)",
    "abstained": "Không tìm thấy câu trả lời trong các văn bản đã nạp",
}


def _settings(state: CliState, overrides: dict[str, Any]) -> Settings:
    settings = state.settings()
    if not overrides:
        return settings
    llm = settings.llm.model_copy(update=overrides)
    return settings.model_copy(update={"llm": llm})


def render(answer: Answer, *, text_shown: bool = False) -> str:
    """The answer for a terminal: mode, (label), text, verified sources, warnings."""
    lines = [f"# {MODE_LABELS[answer.mode.value]}"]
    if answer.label is not None:
        lines.append(f"Đáp án: {answer.label}")
    if not text_shown:
        body = answer.reasoning if answer.reasoning is not None else answer.text
        lines += ["", body.strip()]
    if answer.sources:
        lines += ["", "Căn cứ pháp lý (đã kiểm chứng):"]
        quoted = answer.mode.value == "extractive"  # the text already holds the quotes
        for c in answer.sources:
            lines.append(f"  {c.marker} {c.display}")
            if not quoted:
                quote = " ".join(c.quote.split())
                if len(quote) > 240:
                    quote = quote[:240].rsplit(" ", 1)[0] + " …"
                lines.append(f"      “{quote}”")
    if answer.warnings:
        lines += ["", "Cảnh báo:"] + [f"  ! {w}" for w in answer.warnings]
    return "\n".join(lines)


def register(cli: typer.Typer) -> None:
    @cli.command("ask")
    def ask(
        ctx: typer.Context,
        question: Annotated[str, typer.Argument(help="The question, in Vietnamese.")],
        stream: Annotated[
            bool, typer.Option("--stream", help="Print the answer as the model writes it.")
        ] = False,
        as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
        qtype: Annotated[
            str,
            typer.Option(
                "--type", help="tu-luan (free text), dung-sai (true/false) or trac-nghiem (A–D)."
            ),
        ] = "tu-luan",
        choices: Annotated[
            list[str] | None,
            typer.Option(
                "--choices", help="A choice of a trac-nghiem question (repeat, in order)."
            ),
        ] = None,
        docs: Annotated[
            list[str] | None, typer.Option("--doc", help="Search only this document (repeat).")
        ] = None,
        backend: Annotated[
            str | None, typer.Option("--backend", help="auto, vllm or extractive.")
        ] = None,
        llm_url: Annotated[
            str | None, typer.Option("--llm-url", help="vLLM OpenAI API, e.g. http://h:8000/v1")
        ] = None,
        model: Annotated[
            str | None, typer.Option("--model", help="Served model or LoRA adapter name.")
        ] = None,
    ) -> None:
        """Answer a question from the indexed law, with verified citations."""
        from app.wiring import Services
        from generation.answer import Answer, QuestionType

        state: CliState = ctx.obj
        try:
            kind = QuestionType(qtype)
        except ValueError:
            typer.secho(
                f"Lỗi: --type {qtype!r}: use tu-luan, dung-sai or trac-nghiem",
                err=True,
                fg=typer.colors.RED,
            )
            raise typer.Exit(code=2) from None
        overrides: dict[str, Any] = {}
        if backend is not None:
            if backend not in ("auto", "vllm", "extractive"):
                typer.secho("Lỗi: --backend must be auto, vllm or extractive", err=True)
                raise typer.Exit(code=2)
            overrides["backend"] = backend
        if llm_url is not None:
            overrides["base_url"] = llm_url
        if model is not None:
            overrides["model"] = model
        out = sys.stderr if as_json else sys.stdout
        streamed = False
        try:
            with Services(_settings(state, overrides)) as services:
                service = services.answers
                answer: Answer | None = None
                if stream:
                    for item in service.stream(
                        question, qtype=kind, choices=choices or (), docs=docs or ()
                    ):
                        if isinstance(item, Answer):
                            answer = item
                        else:
                            streamed = True
                            out.write(item)
                            out.flush()
                    if streamed:
                        out.write("\n")
                else:
                    answer = service.ask(
                        question, qtype=kind, choices=choices or (), docs=docs or ()
                    )
        except LuatqaError as exc:
            raise fail(exc) from exc
        assert answer is not None
        if as_json:
            typer.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
            return
        shown = streamed and answer.mode.value == "generated" and answer.label is None
        typer.echo(render(answer, text_shown=shown))
