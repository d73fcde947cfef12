"""The door of the web UI (``auth`` settings, app/settings_security.py).

Order: no login required → open. An identity provider configured for Streamlit (``[auth]`` in
``.streamlit/secrets.toml``) → Streamlit's OIDC login (``st.login``). Else the shared password
(``auth.password_hash``). Required but nothing configured → closed, with what to set.
Decisions: nothing of the app (pages, sidebar, index, models) is built or shown before the
door opens — the UI's services are made after :func:`admitted` returns True; a wrong password
costs a second and a browser session is locked after ``auth.max_attempts`` of them.
"""

from __future__ import annotations

import time

import streamlit as st

from app.auth import verify_password
from app.settings_security import AuthSettings
from legal.errors import ConfigError

USER_KEY = "luatqa.user"
FAILS_KEY = "luatqa.login_failures"
WRONG_DELAY_S = 1.0


def oidc_configured() -> bool:
    """Whether Streamlit has an identity provider: an ``[auth]`` table in its secrets."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets.toml (Streamlit raises its own error types), or a bad one
        return False


def _logged_in() -> bool:
    """Streamlit's OIDC state; ``st.user`` lacks the key until Streamlit knows of a login."""
    return bool(st.user.get("is_logged_in", False))


def admitted(auth: AuthSettings) -> bool:
    """Whether this browser session may use the app; draws the login when not."""
    if not auth.required or st.session_state.get(USER_KEY):
        return True
    if oidc_configured():
        if _logged_in():
            st.session_state[USER_KEY] = str(st.user.get("email") or st.user.get("name") or "")
            return True
        st.title("luatqa — đăng nhập")
        st.button("Đăng nhập", type="primary", on_click=st.login, key="oidc-login")
        return False
    if not auth.password_hash:
        st.error(
            "Giao diện yêu cầu đăng nhập nhưng chưa cấu hình: đặt LUATQA_AUTH__PASSWORD_HASH "
            "(tạo bằng `luatqa auth hash-password`) hoặc mục [auth] OIDC trong "
            ".streamlit/secrets.toml."
        )
        return False
    return _password_form(auth)


def _password_form(auth: AuthSettings) -> bool:
    st.title("luatqa — đăng nhập")
    fails = int(st.session_state.get(FAILS_KEY, 0))
    if fails >= auth.max_attempts:
        st.error("Đã nhập sai mật khẩu quá nhiều lần. Hãy mở lại trình duyệt sau.")
        return False
    with st.form("login", border=True):
        password = st.text_input("Mật khẩu", type="password", key="login-password")
        sent = st.form_submit_button("Đăng nhập", type="primary")
    if not sent:
        return False
    try:
        ok = verify_password(password, str(auth.password_hash))
    except ConfigError as exc:
        st.error(str(exc))
        return False
    if not ok:
        time.sleep(WRONG_DELAY_S)
        st.session_state[FAILS_KEY] = fails + 1
        if fails + 1 >= auth.max_attempts:
            st.rerun()  # the next run shows the lock, not the form
        st.error("Sai mật khẩu.")
        return False
    st.session_state[USER_KEY] = "password"
    st.rerun()
    return True  # pragma: no cover - st.rerun() does not return


def logout_button() -> None:
    """In the sidebar once logged in (with a login configured)."""
    if not st.session_state.get(USER_KEY):
        return
    if st.button("Đăng xuất", key="logout"):
        st.session_state.pop(USER_KEY, None)
        if oidc_configured() and _logged_in():
            st.logout()
        st.rerun()
