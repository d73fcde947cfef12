"""Upload statutes and ingest them, with a progress bar and one result per file."""

from __future__ import annotations

import streamlit as st

from app.services import UPLOAD_SUFFIXES, UIServices
from app.services.render import safe_inline, safe_markdown


def page(services: UIServices) -> None:
    st.header("Nạp văn bản")
    st.caption(
        f"PDF (có lớp văn bản), .txt, .md, .docx hoặc law.json kiểu ALQAC; tối đa "
        f"{services.ingest.max_mb} MB mỗi tệp. Tệp lỗi không làm thay đổi chỉ mục."
    )
    files = st.file_uploader(
        "Chọn tệp văn bản luật",
        type=[s.lstrip(".") for s in UPLOAD_SUFFIXES],
        accept_multiple_files=True,
        key="uploads",
    )
    if st.button("Nạp vào chỉ mục", type="primary", disabled=not files, key="ingest"):
        bar = st.progress(0.0, text="Bắt đầu…")

        def progress(frac: float, text: str) -> None:
            bar.progress(min(max(frac, 0.0), 1.0), text=text)

        results = services.ingest.ingest_uploads(
            [(f.name, f.getvalue()) for f in files or []], progress=progress
        )
        st.session_state["ingest_results"] = results
    for r in st.session_state.get("ingest_results", []):
        if r.ok:
            st.success(
                f"{safe_inline(r.name)} — {safe_inline(r.message)} ({r.seconds:.1f} s)", icon="✅"
            )
        else:
            st.error(f"{safe_inline(r.name)}\n\n{safe_markdown(r.message)}", icon="❌")
    st.divider()
    st.caption(
        "Chỉ mục nhúng (thư mục .luatqa/index) chỉ mở được bởi một tiến trình: khi giao diện "
        "đang chạy, lệnh `luatqa ingest` ở terminal sẽ báo «index … is open in another "
        "process». Hãy nạp tại đây, hoặc chạy một Qdrant server và dùng "
        "`LUATQA_INDEX__QDRANT_URL` / `--qdrant-url` cho cả giao diện lẫn CLI."
    )
