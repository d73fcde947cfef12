"""Per-process services (``st.cache_resource``) and per-session state for the UI.

The embedder and the store are heavy: they are built once per process and shared by every
browser session. The embedded index (qdrant-edge) can be open in one process only: while the
UI holds it, ``luatqa ingest`` in a terminal fails with "index ... is open in another
process"; upload files in the UI instead, or run a Qdrant server and point both at it with
``LUATQA_INDEX__QDRANT_URL`` / ``--qdrant-url``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

from app.services import QAResult, Turn, UIServices
from app.settings import Settings, load_settings
from legal.address import LegalAddress


@st.cache_resource(show_spinner="Đang mở chỉ mục và mô hình nhúng…")
def _services_for(settings_json: str) -> UIServices:
    return UIServices.from_settings(Settings.model_validate_json(settings_json))


SERVICES_KEY = "luatqa.services"


def services(settings: Settings | None = None) -> UIServices:
    """The process-wide services for the current settings (environment / profile).

    A host that embeds the UI (or a test) may put its own :class:`UIServices` in
    ``st.session_state["luatqa.services"]``; it is used instead."""
    given = st.session_state.get(SERVICES_KEY)
    if isinstance(given, UIServices):
        return given
    return _services_for((settings or load_settings()).model_dump_json())


@dataclass
class Exchange:
    """One question and its answer, as shown in the chat."""

    question: str
    result: QAResult | None = None
    error: str | None = None
    open_source: int | None = None  # index of the opened citation chip
    # an article of the implementation chain opened from the viewer, in the chip's place
    followed: LegalAddress | None = None
    feedback_saved: bool = False


@dataclass
class Conversation:
    exchanges: list[Exchange] = field(default_factory=list)

    def history(self) -> list[Turn]:
        return [Turn(e.question, e.result.text) for e in self.exchanges if e.result is not None]


def conversation() -> Conversation:
    if "conversation" not in st.session_state:
        st.session_state["conversation"] = Conversation()
    conv: Conversation = st.session_state["conversation"]
    return conv
