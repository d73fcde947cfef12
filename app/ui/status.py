"""System status: index size, embedder, LLM endpoint reachable or not."""

from __future__ import annotations

import streamlit as st

from app.services import UIServices


def page(services: UIServices) -> None:
    st.header("Trạng thái hệ thống")
    s = services.status.status()
    cols = st.columns(3)
    cols[0].metric("Văn bản", s.documents)
    cols[1].metric("Đoạn đã lập chỉ mục", s.chunks)
    cols[2].metric("Mô hình nhúng", s.embedder)
    st.markdown(f"**Chỉ mục:** `{s.index}` ({s.backend or 'không rõ'})")
    if s.index_error:
        st.error(s.index_error)
    st.markdown(f"**Chế độ trả lời:** `{s.llm_backend}`")
    if s.llm_reachable is None:
        st.info(f"LLM: {s.llm_detail}")
    elif s.llm_reachable:
        st.success(f"LLM tại {s.llm_endpoint} đang hoạt động ({s.llm_detail})")
    else:
        st.error(
            f"Không kết nối được LLM tại {s.llm_endpoint}: {s.llm_detail}. "
            "Câu hỏi sẽ được trả lời bằng trích nguyên văn."
        )
