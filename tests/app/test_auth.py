"""Who gets in (app/auth.py, app/ui/login.py, app/settings_security.py): the password hash,
secrets read from files, and the UI's door under AppTest (in a real browser:
test_ui_browser.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from app.auth import hash_password, verify_password
from app.settings import explain_settings, load_settings
from legal.errors import ConfigError

MAIN = str(Path(__file__).resolve().parents[2] / "app" / "ui" / "main.py")
HASH = hash_password("đúng-mật-khẩu")


def test_a_hash_verifies_its_password_only() -> None:
    assert HASH.startswith("scrypt:16384:8:1:") and "đúng" not in HASH
    assert verify_password("đúng-mật-khẩu", HASH)
    assert not verify_password("sai", HASH) and not verify_password("", HASH)
    assert hash_password("x") != hash_password("x")  # salted


@pytest.mark.parametrize("bad", ["plain password", "scrypt:1:2:3:zz:00", "scrypt:16384:8:1:ab:cd"])
def test_a_configured_plain_password_is_refused(bad: str) -> None:
    with pytest.raises(ConfigError, match="not a password hash"):
        verify_password("plain password", bad)


def test_cli_prints_a_hash_of_stdin() -> None:
    from app.cli import _register, cli

    _register()
    out = CliRunner().invoke(cli, ["auth", "hash-password"], input="mk-123\n")
    assert out.exit_code == 0, out.output
    assert verify_password("mk-123", out.output.strip())


def test_secrets_come_from_files_below_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "LUATQA_AUTH__PASSWORD_HASH").write_text(HASH + "\n")
    (tmp_path / "LUATQA_LLM__API_KEY").write_text("key-from-file")
    (tmp_path / "LUATQA_LLM__BASE_URL").write_text("http://ignored")  # not a secret key
    monkeypatch.setenv("LUATQA_SECRETS_DIR", str(tmp_path))
    effective = explain_settings()
    assert effective.settings.auth.password_hash == HASH
    assert effective.settings.llm.api_key == "key-from-file"
    assert effective.settings.llm.base_url is None
    assert effective.origins["llm.api_key"] == f"secret file {tmp_path}"
    monkeypatch.setenv("LUATQA_LLM__API_KEY", "key-from-env")
    assert load_settings().llm.api_key == "key-from-env"


def test_config_show_hides_the_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.cli import _register, cli

    monkeypatch.setenv("LUATQA_AUTH__PASSWORD_HASH", HASH)
    _register()
    out = CliRunner().invoke(cli, ["config", "show", "--json"])
    rows = {r["key"]: r["value"] for r in json.loads(out.output)}
    assert rows["auth.password_hash"] == "***" and HASH not in out.output


def test_the_prod_profile_asks_for_a_login_and_keeps_no_question_log() -> None:
    prod = load_settings(profile="prod")
    assert prod.auth.required and not prod.privacy.question_log
    plain = load_settings()
    assert not plain.auth.required  # make run on 127.0.0.1


# ---- the UI's door ----------------------------------------------------------------------------
def _ui(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str) -> AppTest:
    monkeypatch.setenv("LUATQA_INDEX__DIR", str(tmp_path / "index"))
    monkeypatch.setenv("LUATQA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LUATQA_LLM__BACKEND", "extractive")
    monkeypatch.setenv("LUATQA_SECRETS_DIR", str(tmp_path / "no-secrets"))
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return AppTest.from_file(MAIN, default_timeout=60).run()


def _shows_the_app(at: AppTest) -> bool:
    return bool(at.chat_input) or bool(at.radio) or bool(at.sidebar.children)


def test_unauthenticated_sees_only_the_login(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    at = _ui(monkeypatch, tmp_path, LUATQA_AUTH__REQUIRED="true", LUATQA_AUTH__PASSWORD_HASH=HASH)
    assert not at.exception
    assert [t.label for t in at.text_input] == ["Mật khẩu"]
    assert not _shows_the_app(at)
    assert not (tmp_path / "index").exists()  # nothing was even opened


def test_a_wrong_password_is_refused_and_the_right_one_admits(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    at = _ui(monkeypatch, tmp_path, LUATQA_AUTH__REQUIRED="true", LUATQA_AUTH__PASSWORD_HASH=HASH)
    at.text_input[0].input("sai-mật-khẩu")
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["Sai mật khẩu."]
    assert not _shows_the_app(at)
    at.text_input[0].input("đúng-mật-khẩu")
    at.button[0].click().run()
    assert not at.exception and not at.error
    assert at.chat_input and at.radio  # the app itself


def test_too_many_wrong_passwords_lock_the_session(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    at = _ui(monkeypatch, tmp_path, LUATQA_AUTH__REQUIRED="true",
             LUATQA_AUTH__PASSWORD_HASH=HASH, LUATQA_AUTH__MAX_ATTEMPTS="2")  # fmt: skip
    for _ in range(2):
        at.text_input[0].input("sai")
        at.button[0].click().run()
    assert not at.text_input  # no more form
    assert "quá nhiều lần" in at.error[0].value
    assert not _shows_the_app(at)


def test_required_without_any_login_configured_stays_closed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    at = _ui(monkeypatch, tmp_path, LUATQA_AUTH__REQUIRED="true")
    assert "LUATQA_AUTH__PASSWORD_HASH" in at.error[0].value
    assert not at.text_input and not _shows_the_app(at)


def test_without_a_login_required_the_app_opens(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    at = _ui(monkeypatch, tmp_path)
    assert not at.text_input or at.text_input[0].label != "Mật khẩu"
    assert at.radio  # the page picker


def test_with_an_identity_provider_the_login_is_streamlits_oidc(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An [auth] table in Streamlit's secrets: the door is Streamlit's OIDC login button,
    not the password (even with a password hash configured)."""
    monkeypatch.setenv("LUATQA_AUTH__REQUIRED", "true")
    monkeypatch.setenv("LUATQA_AUTH__PASSWORD_HASH", HASH)
    monkeypatch.setenv("LUATQA_INDEX__DIR", str(tmp_path / "index"))
    monkeypatch.setenv("LUATQA_SECRETS_DIR", str(tmp_path / "no-secrets"))
    at = AppTest.from_file(MAIN, default_timeout=60)
    at.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "a-long-random-secret",
        "client_id": "luatqa",
        "client_secret": "s",
        "server_metadata_url": "https://idp.example/.well-known/openid-configuration",
    }
    at.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Đăng nhập"]
    assert not at.text_input and not _shows_the_app(at)
