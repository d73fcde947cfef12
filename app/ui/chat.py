"""The question-and-answer page: streamed answer, citation chips, sources, export, feedback."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator

import streamlit as st

from app.first_screen import example_questions, loaded_summary
from app.services import (
    DocumentInfo,
    Feedback,
    QAResult,
    Source,
    UIServices,
    answer_markdown,
)
from app.services.render import safe_inline, safe_markdown
from app.ui.provision import render_provision
from app.ui.state import Conversation, Exchange, conversation
from legal.address import LegalAddress
from legal.errors import LuatqaError
from legal.validity import vn_date

MODE_BADGE = {
    "generated": ":green-badge[Trả lời có trích dẫn]",
    "extractive": ":blue-badge[Trích nguyên văn — không dùng LLM]",
    "abstained": ":orange-badge[Không tìm thấy trong văn bản đã nạp]",
}


def _open_source(exchange: Exchange, index: int) -> None:
    exchange.open_source = None if exchange.open_source == index else index
    exchange.followed = None


def _follow(exchange: Exchange, address: LegalAddress | None) -> None:
    exchange.followed = address


def _viewer(
    services: UIServices, exchange: Exchange, src: Source, on: str | None, key: str
) -> None:
    """The opened chip's article, or the guiding (or guided) article followed from it, with
    the way back."""
    follow = functools.partial(_follow, exchange)
    address = exchange.followed
    if address is None:
        render_provision(services.corpus.article(src.address), src, on, follow)
        return
    st.button("← Quay lại điều được trích dẫn", key=f"back-{key}", on_click=follow, args=(None,))
    view = services.corpus.article(address)
    label = f"{address.display()} {view.doc_label}" if view else address.display()
    render_provision(view, Source(address, label, label, view.text if view else ""), on, follow)


def render_answer(services: UIServices, exchange: Exchange, key: str) -> None:
    result = exchange.result
    if result is None:
        st.error(safe_markdown(exchange.error or "Không có câu trả lời."))
        return
    st.markdown(MODE_BADGE[result.mode])
    if result.as_of and result.as_of != dt.date.today().isoformat():
        st.caption(f"Theo pháp luật có hiệu lực ngày {vn_date(result.as_of)}")
    if result.model:
        st.caption(f"Mô hình trả lời: {result.model}")
    for warning in result.warnings:
        st.warning(safe_markdown(warning), icon="⚠️")
    st.markdown(safe_markdown(result.text))  # model text: no image, no HTML (render.py)
    if result.unverified:
        st.caption(
            f"Đã loại {len(result.unverified)} trích dẫn không kiểm chứng được trong các văn bản "
            "đã tìm (không dùng làm căn cứ): " + safe_inline(", ".join(result.unverified))
        )
    if result.sources:
        cols = st.columns(min(len(result.sources), 4))
        for i, src in enumerate(result.sources):
            flag = "⚠ " if any(not w.startswith("văn bản hướng dẫn") for w in src.warnings) else ""
            cols[i % len(cols)].button(
                f"{flag}§ {src.chip}",
                key=f"chip-{key}-{i}",
                help="; ".join([src.label, *src.warnings]),
                on_click=_open_source,
                args=(exchange, i),
                type="primary" if exchange.open_source == i else "secondary",
            )
        if exchange.open_source is not None and exchange.open_source < len(result.sources):
            src = result.sources[exchange.open_source]
            _viewer(services, exchange, src, result.as_of, key)
        with st.expander(f"Nguồn đã kiểm chứng ({len(result.sources)})"):
            for i, src in enumerate(result.sources, 1):
                st.markdown(f"**[{i}] {safe_inline(src.label)}**")
                for warning in src.warnings:
                    st.markdown(f":orange[⚠ {safe_markdown(warning)}]")
                st.caption(safe_markdown(src.quote))
    _export(result, key)
    _feedback(services, exchange, key)


def _export(result: QAResult, key: str) -> None:
    md = answer_markdown(result)
    with st.expander("Sao chép / xuất câu trả lời"):
        st.code(md, language="markdown")
        st.download_button(
            "Tải về (Markdown)",
            md,
            file_name=_filename(result.question),
            mime="text/markdown",
            key=f"export-{key}",
        )


def _filename(question: str) -> str:
    slug = re.sub(r"[^\w]+", "-", question.lower()).strip("-")[:40] or "cau-tra-loi"
    return f"luatqa-{slug}.md"


def _feedback(services: UIServices, exchange: Exchange, key: str) -> None:
    result = exchange.result
    assert result is not None
    if not services.feedback.enabled:
        return  # privacy.feedback is off
    if exchange.feedback_saved:
        st.caption("✔ Đã lưu phản hồi. Cảm ơn!")
        return
    with st.form(key=f"feedback-{key}", border=False):
        cols = st.columns([2, 5, 2])
        verdict = cols[0].radio(
            "Đánh giá",
            ["Hữu ích", "Sai"],
            index=None,  # nothing chosen until the lawyer chooses
            horizontal=True,
            key=f"verdict-{key}",
            label_visibility="collapsed",
        )
        comment = cols[1].text_input(
            "Nhận xét", key=f"comment-{key}", placeholder="Nhận xét (không bắt buộc)"
        )
        if cols[2].form_submit_button("Gửi phản hồi"):
            if verdict is None:
                st.warning("Hãy chọn «Hữu ích» hoặc «Sai» trước khi gửi.")
                return
            services.feedback.record(
                Feedback(
                    question=result.question,
                    answer=result.text,
                    verdict="useful" if verdict == "Hữu ích" else "wrong",
                    comment=comment or "",
                    mode=result.mode,
                    citations=tuple(s.address.canonical for s in result.sources),
                )
            )
            exchange.feedback_saved = True
            st.rerun()


def _ask(
    services: UIServices, conv: Conversation, question: str, docs: list[str], as_of: str
) -> None:
    exchange = Exchange(question)
    history = conv.history()
    with st.chat_message("user"):
        st.markdown(safe_markdown(question))
    with st.chat_message("assistant"):
        holder: list[QAResult] = []

        def pieces() -> Iterator[str]:
            for item in services.qa.stream(question, history, docs, as_of):
                if isinstance(item, QAResult):
                    holder.append(item)
                else:
                    yield safe_markdown(item)  # escaped piece by piece: safe

        try:
            with st.spinner("Đang tìm căn cứ pháp lý…"):
                st.write_stream(pieces())
            exchange.result = holder[-1] if holder else None
            if exchange.result is not None:  # kept only when privacy.question_log is on
                cited = [s.address.canonical for s in exchange.result.sources]
                services.questions.record(question, exchange.result.mode, cited)
        except LuatqaError as exc:
            exchange.error = str(exc)
    conv.exchanges.append(exchange)
    st.rerun()


def _first_screen(services: UIServices, docs: list[DocumentInfo]) -> str | None:
    """Before the first question: the answering model, the loaded documents and example
    questions from them (a click asks it). Returns the example clicked, if any."""
    model = services.model.current()
    if model.generated:
        st.markdown(f":green-badge[Mô hình trả lời: {model.label}]")
    else:
        st.markdown(f":blue-badge[{model.label}]")
        if model.down:
            st.caption("Mô hình ngôn ngữ chưa sẵn sàng: câu trả lời sẽ trích nguyên văn.")
    names = [d.label or d.short or d.doc_id for d in docs]
    if not docs:
        st.info("Chỉ mục đang trống. Hãy nạp văn bản ở trang «Nạp văn bản».")
        return None
    st.caption(f"Đã nạp {loaded_summary(names)}")
    titled = [
        (d.label or d.doc_id, [a.title for a in services.corpus.articles(d.doc_id)]) for d in docs
    ]
    examples = example_questions(titled)
    if not examples:
        return None
    st.markdown("**Thử hỏi:**")
    for i, q in enumerate(examples):
        if st.button(q, key=f"example-{i}"):
            return q
    return None


def page(services: UIServices) -> None:
    st.header("Hỏi đáp pháp luật")
    conv = conversation()
    docs = services.corpus.documents()
    options = {d.doc_id: f"{d.short or d.label} ({d.number or d.doc_id})" for d in docs}
    with st.sidebar:
        chosen = st.multiselect(
            "Chỉ tìm trong các văn bản",
            list(options),
            format_func=lambda d: options.get(d, d),
            key="doc_filter",
            placeholder="Tất cả văn bản",
        )
        day = st.date_input(
            "Pháp luật có hiệu lực vào ngày",
            value=dt.date.today(),
            format="DD/MM/YYYY",
            key="as_of",
            help="Chỉ tìm các quy định có hiệu lực vào ngày này; trích dẫn được ghi chú theo "
            "ngày này (hết hiệu lực, chưa có hiệu lực, đã được sửa đổi).",
        )
        as_of = day.isoformat() if isinstance(day, dt.date) else dt.date.today().isoformat()
        if st.button("Cuộc hội thoại mới", key="new-chat"):
            conv.exchanges.clear()
            st.rerun()
    if not conv.exchanges:
        picked = _first_screen(services, docs)
        if picked:
            _ask(services, conv, picked, chosen, as_of)
    for i, exchange in enumerate(conv.exchanges):
        with st.chat_message("user"):
            st.markdown(safe_markdown(exchange.question))
        with st.chat_message("assistant"):
            render_answer(services, exchange, str(i))
    question = st.chat_input("Đặt câu hỏi, ví dụ: Thời giờ làm việc bình thường là bao nhiêu?")
    if question:
        _ask(services, conv, question, chosen, as_of)
