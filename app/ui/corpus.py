"""Browse the indexed documents: number, type, date; chapters; articles; an article's text."""

from __future__ import annotations

import streamlit as st

from app.services import Source, UIServices
from app.ui.provision import render_provision
from legal.address import LegalAddress


def page(services: UIServices) -> None:
    st.header("Văn bản đã nạp")
    docs = services.corpus.documents()
    if not docs:
        st.info("Chưa có văn bản nào. Hãy nạp văn bản ở trang «Nạp văn bản».")
        return
    st.dataframe(
        [
            {
                "Số hiệu": d.number or "—",
                "Loại": d.doc_type,
                "Tên": d.title,
                "Ngày ban hành": d.date or "—",
                "Số điều": d.articles,
            }
            for d in docs
        ],
        hide_index=True,
        width="stretch",
    )
    by_id = {d.doc_id: d for d in docs}
    doc_id = st.selectbox(
        "Văn bản",
        list(by_id),
        format_func=lambda d: f"{by_id[d].label} — {by_id[d].number or d}",
        key="browse_doc",
    )
    if doc_id is None:
        return
    articles = services.corpus.articles(doc_id)
    chapters = services.corpus.chapters(doc_id)
    chapter = None
    if chapters:
        chapter = st.selectbox("Chương", ["Tất cả", *chapters], key="browse_chapter")
    shown = (
        articles
        if chapter in (None, "Tất cả")
        else services.corpus.articles_in_chapter(doc_id, str(chapter))
    )
    st.caption(f"{len(shown)} điều")
    if not shown:
        return
    number = st.selectbox(
        "Điều",
        [a.number for a in shown],
        format_func=lambda n: next(f"Điều {a.number}. {a.title}" for a in shown if a.number == n),
        key="browse_article",
    )
    if number is None:
        return
    address = LegalAddress(doc_id, number)
    view = services.corpus.article(address)
    label = address.display(by_id[doc_id].short or by_id[doc_id].label)
    render_provision(view, Source(address, label, label, view.text if view else ""))
