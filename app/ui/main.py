"""luatqa web UI — run with ``luatqa ui`` (or ``streamlit run app/ui/main.py``).

Settings come from the environment / profile like the CLI (``LUATQA_INDEX__DIR``,
``LUATQA_INDEX__QDRANT_URL``, ``LUATQA_LLM__BASE_URL``, ``LUATQA_PROFILE``...).
"""

from __future__ import annotations

import streamlit as st

from app.settings import load_settings
from app.ui import chat, corpus, status, upload
from app.ui.login import admitted, logout_button
from app.ui.state import services
from legal.errors import LuatqaError

PAGES = {
    "Hỏi đáp": chat.page,
    "Văn bản": corpus.page,
    "Nạp văn bản": upload.page,
    "Trạng thái": status.page,
}


def main() -> None:
    st.set_page_config(page_title="luatqa — Hỏi đáp pháp luật", page_icon="⚖️", layout="wide")
    try:
        settings = load_settings()
    except LuatqaError as exc:
        st.error(str(exc))
        return
    if not admitted(settings.auth):
        return  # nothing of the app before the door opens (app/ui/login.py)
    with st.sidebar:
        st.title("luatqa")
        st.caption("Trả lời có trích dẫn từ văn bản pháp luật Việt Nam")
        name = st.radio("Trang", list(PAGES), key="page")
        logout_button()
    try:
        svc = services(settings)
        PAGES[name](svc)
    except LuatqaError as exc:
        st.error(str(exc))


main()
