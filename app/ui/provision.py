"""A provision's full text with the cited clause highlighted, its place and its source."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from app.services import ArticleView, Source
from app.services.render import safe_inline, safe_markdown
from legal.address import LegalAddress
from legal.validity import Currency

HIGHLIGHT = "background:#fff3b0;padding:0.1rem 0.2rem;border-radius:3px"


def _para(text: str) -> str:
    return "<br>".join(html.escape(line) for line in text.splitlines())


def provision_html(view: ArticleView, cited: LegalAddress) -> str:
    """The article's clauses; the ones the citation points at are wrapped in <mark>."""
    if not view.clauses:
        body = _para(view.text)
        return f'<div class="luatqa-provision"><mark style="{HIGHLIGHT}">{body}</mark></div>'
    parts = []
    for clause in view.clauses:
        hit = cited.level.value > 1 and cited.overlaps(clause.address)
        text = _para(clause.text)
        if hit:
            parts.append(f'<p><mark class="luatqa-cited" style="{HIGHLIGHT}">{text}</mark></p>')
        else:
            parts.append(f"<p>{text}</p>")
    return '<div class="luatqa-provision">' + "".join(parts) + "</div>"


BADGES = {
    Currency.IN_FORCE: ":green-badge[Còn hiệu lực]",
    Currency.EXPIRED: ":red-badge[Hết hiệu lực]",
    Currency.NOT_YET: ":orange-badge[Chưa có hiệu lực]",
    Currency.UNKNOWN: ":gray-badge[Chưa rõ hiệu lực]",
}


Follow = Callable[[LegalAddress], None]


def render_validity(view: ArticleView, on: str | None, follow: Follow | None = None) -> None:
    """The badge on the chosen date, the article's history, its guidance and the link back
    (``follow``: what opening a linked article does; without it, its text in an expander)."""
    v = view.validity
    st.markdown(BADGES[v.badge(on)])
    if v.history:
        with st.expander("Lịch sử hiệu lực"):
            for line in v.history:
                st.markdown(f"- {safe_markdown(line)}")
    for heading, links in (("Văn bản hướng dẫn", v.guided_by), ("Hướng dẫn thi hành", v.guides)):
        if not links:
            continue
        st.markdown(f"**{heading}**")
        for j, link in enumerate(links):
            st.markdown(f"- {safe_inline(link.label)}")
            if follow is not None:
                st.button(
                    f"Mở {link.address.display()}",
                    key=f"follow-{view.address.canonical}-{heading}-{j}",
                    on_click=follow,
                    args=(link.address,),
                )
            if link.text:
                with st.expander(f"Xem {safe_inline(link.address.display())}"):
                    st.markdown(_para(link.text), unsafe_allow_html=True)


def render_provision(
    view: ArticleView | None, source: Source, on: str | None = None, follow: Follow | None = None
) -> None:
    """What clicking a citation chip opens (``on``: the date the badge is for, ISO;
    ``follow``: opens an article of the implementation chain in its place)."""
    with st.container(border=True):
        if view is None:
            st.markdown(f"**{safe_inline(source.label)}**")
            st.caption("Không tìm thấy toàn văn điều này trong chỉ mục; trích đoạn được dẫn:")
            st.markdown("> " + safe_markdown(" ".join(source.quote.split())))
            return
        title = safe_inline(f"Điều {view.address.article}. {view.title}")
        st.markdown(f"**{title}** — {safe_inline(view.doc_label)}")
        render_validity(view, on, follow)
        place = [p for p in (view.hierarchy, view.page_label) if p]
        src = f"Nguồn: {Path(view.source).name}" if view.source else ""
        st.caption(safe_markdown(" · ".join([*place, src] if src else place) or view.doc_label))
        st.markdown(provision_html(view, source.address), unsafe_allow_html=True)
        for note in view.amendment_notes:
            st.info(f"Ghi chú sửa đổi: {safe_markdown(note)}")
