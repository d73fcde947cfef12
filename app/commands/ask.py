"""``luatqa ask``: a question → an answer whose every shown source is a verified citation.

    luatqa --index DIR ask "QUESTION" [--stream] [--json] [--type dung-sai|trac-nghiem]
                                      [--choices TEXT ...] [--doc DOC_ID ...]
                                      [--backend auto|vllm|extractive]
                                      [--llm-url URL] [--model NAME] [--as-of YYYY-MM-DD]

Without an LLM configured (``LUATQA_LLM__BASE_URL`` / ``--llm-url``) the answer is extractive:
quoted clauses with their citations. With ``--json`` stdout carries exactly one JSON object
(streamed text, if any, goes to stderr).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer

from app.commands.asof import AsOf, checked_as_of, stale_notice
from app.context import CliState
from app.services.answers import MODE_LABELS
from generation.answer import Answer, QuestionType
from generation.service import Backend
from legal.validity import vn_date

if TYPE_CHECKING:
    from app.settings import Settings
    from generation.service import AnswerService


def _settings(state: CliState, overrides: dict[str, Any]) -> Settings:
    settings = state.settings()
    if not overrides:
        return settings
    llm = settings.llm.model_copy(update=overrides)
    return settings.model_copy(update={"llm": llm})


def render(answer: Answer, *, text_shown: bool = False) -> str:
    """The answer for a terminal: mode, (label), text, verified sources, warnings."""
    lines = [f"# {MODE_LABELS[answer.mode.value]}"]
    if answer.as_of:
        lines.append(f"(theo pháp luật có hiệu lực ngày {vn_date(answer.as_of)})")
    if answer.label is not None:
        lines.append(f"Đáp án: {answer.label}")
    if not text_shown:
        body = answer.reasoning if answer.reasoning is not None else answer.text
        lines += ["", body.strip()]
    if answer.sources:
        lines += ["", "Căn cứ pháp lý (đã kiểm chứng):"]
        quoted = answer.mode.value == "extractive"  # the text already holds the quotes
        for c in answer.sources:
            # a marker written as the provision itself ("khoản 2 Điều 35") would repeat it
            numbered = c.marker.startswith("[")
            lines.append(f"  {c.marker} {c.display}" if numbered else f"  {c.display}")
            lines += [f"      ⚠ {w}" for w in answer.currency(c)]
            if not quoted:
                quote = " ".join(c.quote.split())
                if len(quote) > 240:
                    quote = quote[:240].rsplit(" ", 1)[0] + " …"
                lines.append(f"      “{quote}”")
    if answer.warnings:
        lines += ["", "Cảnh báo:"] + [f"  ! {w}" for w in answer.warnings]
    return "\n".join(lines)


def register(cli: typer.Typer) -> None:
    cli.command("ask")(ask_command)


def ask_command(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="The question, in Vietnamese.")],
    stream: Annotated[
        bool, typer.Option("--stream", help="Print the answer as the model writes it.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
    qtype: Annotated[
        QuestionType,
        typer.Option(
            "--type", help="tu-luan (free text), dung-sai (true/false) or trac-nghiem (A–D)."
        ),
    ] = QuestionType.FREE,
    choices: Annotated[
        list[str] | None,
        typer.Option("--choices", help="A choice of a trac-nghiem question (repeat, in order)."),
    ] = None,
    docs: Annotated[
        list[str] | None, typer.Option("--doc", help="Search only this document (repeat).")
    ] = None,
    backend: Annotated[
        Backend | None, typer.Option("--backend", help="Where answers come from.")
    ] = None,
    llm_url: Annotated[
        str | None, typer.Option("--llm-url", help="vLLM OpenAI API, e.g. http://h:8000/v1")
    ] = None,
    model: Annotated[
        str | None, typer.Option("--model", help="Served model or LoRA adapter name.")
    ] = None,
    as_of: AsOf = None,
) -> None:
    """Answer a question from the indexed law, with verified citations."""
    state: CliState = ctx.obj
    day = checked_as_of(as_of)
    overrides = {"backend": backend, "base_url": llm_url, "model": model}
    settings = _settings(state, {k: v for k, v in overrides.items() if v is not None})
    out = sys.stderr if as_json else sys.stdout
    with state.services(settings) as services:
        answer, streamed = _answer(
            services.answers,
            question,
            qtype,
            choices or (),
            docs or (),
            out if stream else None,
            day,
        )
        notice = stale_notice(services.retriever)
    if notice:
        typer.echo(notice, err=True)
    if as_json:
        typer.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return
    shown = streamed and answer.mode.value == "generated" and answer.label is None
    typer.echo(render(answer, text_shown=shown))


def _answer(
    service: AnswerService,
    question: str,
    qtype: QuestionType,
    choices: Sequence[str],
    docs: Sequence[str],
    out: TextIO | None,
    as_of: str | None = None,
) -> tuple[Answer, bool]:
    """The answer, and whether text was streamed to ``out`` (None: ask without streaming)."""
    dated: dict[str, Any] = {"as_of": as_of} if as_of else {}  # test doubles may take none
    if out is None:
        return service.ask(question, qtype=qtype, choices=choices, docs=docs, **dated), False
    answer: Answer | None = None
    streamed = False
    for item in service.stream(question, qtype=qtype, choices=choices, docs=docs, **dated):
        if isinstance(item, Answer):
            answer = item
        else:
            streamed = True
            out.write(item)
            out.flush()
    if streamed:
        out.write("\n")
    assert answer is not None  # stream() always ends with the answer or raises
    return answer, streamed
