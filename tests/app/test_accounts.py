"""Accounts, sessions, CSRF and the login limit (README, "For administrators")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from app import auth
from mapping.errors import ConfigurationError
from tests.app.conftest import make_app

PASSWORD = "correct horse battery"


def _add(runner: FlaskCliRunner, login: str, role: str, password: str = PASSWORD) -> str:
    result = runner.invoke(
        args=["user", "add", login, "--role", role, "--password-stdin"], input=password + "\n"
    )
    return f"{result.exit_code}:{result.output}"


def _token(client: FlaskClient, url: str = "/logowanie") -> str:
    page = client.get(url)
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(True))
    assert found, page.get_data(True)[:500]
    return found.group(1)


def _login(client: FlaskClient, login: str, password: str = PASSWORD, **query: str):
    token = _token(client)
    suffix = "".join(f"&{k}={v}" for k, v in query.items()).replace("&", "?", 1)
    return client.post(
        "/logowanie" + suffix, data={"login": login, "password": password, "csrf_token": token}
    )


@pytest.fixture
def accounts(app: Flask) -> Flask:
    runner = app.test_cli_runner()
    assert _add(runner, "ola", "admin").startswith("0:")
    assert _add(runner, "jan", "editor").startswith("0:")
    return app


def test_user_commands_add_list_change_and_never_show_a_password(app: Flask) -> None:
    runner = app.test_cli_runner()
    assert _add(runner, "Anna.Nowak", "admin") == "0:Account anna.nowak added (admin).\n"
    listed = runner.invoke(args=["user", "list", "--format", "csv"])
    assert listed.exit_code == 0
    assert "anna.nowak,admin,True" in listed.output
    assert PASSWORD not in listed.output and "argon2" not in listed.output
    assert _add(runner, "jan", "editor").startswith("0:")
    role = runner.invoke(args=["user", "role", "jan", "admin"])
    assert role.exit_code == 0 and "jan is now admin" in role.output
    passwd = runner.invoke(
        args=["user", "passwd", "jan", "--password-stdin"], input="another long password\n"
    )
    assert passwd.exit_code == 0, passwd.output
    disable = runner.invoke(args=["user", "disable", "jan"])
    assert disable.exit_code == 0 and "disabled" in disable.output
    assert runner.invoke(args=["user", "enable", "jan"]).exit_code == 0


def test_user_commands_refuse_with_words_and_exit_status(app: Flask) -> None:
    runner = app.test_cli_runner()
    short = _add(runner, "ola", "admin", password="short")
    assert short.startswith("3:") and "at least 12 characters" in short
    bad_login = _add(runner, "a b", "admin")
    assert bad_login.startswith("3:") and "login: expected 3 to 64 characters" in bad_login
    assert _add(runner, "ola", "admin").startswith("0:")
    again = _add(runner, "OLA", "editor")
    assert again.startswith("3:") and "exists already" in again
    # the last active admin can be neither disabled nor made an editor
    for args in (["user", "disable", "ola"], ["user", "role", "ola", "editor"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 3 and "last active admin" in result.output, result.output
    unknown = runner.invoke(args=["user", "role", "nobody", "admin"])
    assert unknown.exit_code != 0 and "palmap user list" in unknown.output
    # without --password-stdin and without a terminal there is nobody to ask
    no_tty = runner.invoke(args=["user", "add", "ewa", "--role", "editor"], input="x\n")
    assert no_tty.exit_code == 2 and "--password-stdin" in no_tty.output


def test_passwords_are_stored_as_argon2id_hashes(accounts: Flask) -> None:
    import sqlalchemy as sa

    from app.db import get_engine

    with accounts.app_context(), get_engine().connect() as conn:
        hashes = conn.execute(sa.text("SELECT password_hash FROM account")).scalars().all()
    assert len(hashes) == 2 and len(set(hashes)) == 2  # salted: same password, two hashes
    assert all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes)


def test_login_and_logout(accounts: Flask) -> None:
    client = accounts.test_client()
    assert b"Zaloguj" in client.get("/zasoby").data
    answer = _login(client, "OLA", next="/zasoby?page=1")
    assert answer.status_code == 302 and answer.headers["Location"] == "/zasoby?page=1"
    page = client.get("/zasoby")
    assert "ola (admin)" in page.get_data(True)
    logout_page = client.get("/wyloguj")
    assert logout_page.status_code == 200
    token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', logout_page.get_data(True)
    )
    assert token
    out = client.post("/wyloguj", data={"csrf_token": token.group(1)})
    assert out.status_code == 302
    assert "ola (admin)" not in client.get("/zasoby").get_data(True)


@pytest.mark.parametrize(
    ("login", "password"),
    [("ola", "wrong password here"), ("nobody", PASSWORD), ("", ""), ("ola" * 30, PASSWORD)],
)
def test_a_failed_login_says_the_same_whatever_was_wrong(
    accounts: Flask, login: str, password: str
) -> None:
    client = accounts.test_client()
    answer = _login(client, login, password)
    assert answer.status_code in (200, 401)
    assert "_user_id" not in (client.get_cookie("session") and _session(client) or {})
    if login and password and len(login) <= 64:
        assert answer.status_code == 401
        assert "Błędny login lub hasło" in answer.get_data(True)


def _session(client: FlaskClient) -> dict:
    with client.session_transaction() as session:
        return dict(session)


def test_a_disabled_account_cannot_log_in_and_its_sessions_end(accounts: Flask) -> None:
    client = accounts.test_client()
    assert _login(client, "jan").status_code == 302
    assert "jan (editor)" in client.get("/zasoby").get_data(True)
    runner = accounts.test_cli_runner()
    assert runner.invoke(args=["user", "disable", "jan"]).exit_code == 0
    assert "jan (editor)" not in client.get("/zasoby").get_data(True)
    assert _login(accounts.test_client(), "jan").status_code == 401


@pytest.mark.parametrize(
    "change",
    [["user", "role", "jan", "admin"], ["user", "passwd", "jan", "--password-stdin"]],
)
def test_a_new_password_or_role_ends_the_sessions_made_before(
    accounts: Flask, change: list[str]
) -> None:
    client = accounts.test_client()
    assert _login(client, "jan").status_code == 302
    result = accounts.test_cli_runner().invoke(args=change, input="another long password\n")
    assert result.exit_code == 0, result.output
    assert "jan (" not in client.get("/zasoby").get_data(True)


@pytest.mark.parametrize(
    "target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:x"]
)
def test_the_next_page_after_login_is_never_another_site(accounts: Flask, target: str) -> None:
    client = accounts.test_client()
    answer = _login(client, "ola", next=target)
    assert answer.status_code == 302 and answer.headers["Location"] == "/"


def test_a_post_without_a_csrf_token_is_refused_with_400(accounts: Flask) -> None:
    client = accounts.test_client()
    client.get("/logowanie")
    answer = client.post(
        "/logowanie",
        data={"login": "ola", "password": PASSWORD},
        headers={"Accept": "application/json"},
    )
    assert answer.status_code == 400
    assert answer.get_json()["error"] == "csrf_failed"
    assert (
        "Reload the page" in answer.get_json()["message"]
        or "Odśwież" in answer.get_json()["message"]
    )
    assert "_user_id" not in _session(client)
    wrong = client.post(
        "/logowanie", data={"login": "ola", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert wrong.status_code == 400
    assert _login(client, "ola").status_code == 302
    assert client.post("/wyloguj").status_code == 400  # logging out needs the token too
    assert "ola (admin)" in client.get("/zasoby").get_data(True)


def test_logins_beyond_the_limit_get_429(tmp_path: Path) -> None:
    app = make_app(tmp_path, LOGIN_LIMIT="3 per minute")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    assert _add(runner, "ola", "admin").startswith("0:")
    client = app.test_client()
    statuses = [_login(client, "ola", "wrong password here").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    refused = _login(client, "ola", "wrong password here")
    assert "Zbyt wiele prób" in refused.get_data(True)
    assert _login(client, "ola").status_code == 429  # the right password waits too
    assert client.get("/logowanie").status_code == 200  # reading the form is not limited


def test_role_required_lets_only_the_role_through(accounts: Flask) -> None:
    @auth.role_required("admin")
    def admin_only() -> str:
        return "admin area"

    @auth.role_required("editor")
    def editors() -> str:
        return "editor area"

    accounts.add_url_rule("/test-admin", view_func=admin_only, methods=["GET", "POST"])
    accounts.add_url_rule("/test-editor", view_func=editors, methods=["GET", "POST"])
    anonymous = accounts.test_client()
    redirect = anonymous.get("/test-admin")
    assert redirect.status_code == 302
    assert redirect.headers["Location"] == "/logowanie?next=/test-admin"
    token = _token(anonymous)
    assert anonymous.post("/test-admin", data={"csrf_token": token}).status_code == 403
    editor = accounts.test_client()
    assert _login(editor, "jan").status_code == 302
    assert editor.get("/test-editor").get_data(True) == "editor area"
    assert editor.get("/test-admin").status_code == 403
    admin = accounts.test_client()
    assert _login(admin, "ola").status_code == 302
    assert admin.get("/test-admin").get_data(True) == "admin area"
    assert admin.get("/test-editor").get_data(True) == "editor area"


def test_a_logged_in_page_is_never_cached_nor_served_from_the_cache(accounts: Flask) -> None:
    anonymous = accounts.test_client()
    public = anonymous.get("/zasoby")
    assert "no-store" not in public.headers["Cache-Control"]
    client = accounts.test_client()
    assert _login(client, "ola").status_code == 302
    mine = client.get("/zasoby")
    assert mine.headers["Cache-Control"] == "private, no-store"
    assert "ola (admin)" in mine.get_data(True)
    again = anonymous.get("/zasoby")
    assert "ola" not in again.get_data(True) and "Zaloguj" in again.get_data(True)


def test_session_cookies_are_httponly_samesite_and_secure_under_https(tmp_path: Path) -> None:
    secret = "k" * 40
    for https, secure in ((0, False), (1, True)):
        app = make_app(tmp_path / str(https), HTTPS=https, SECRET_KEY=secret, TESTING=False)
        runner = app.test_cli_runner()
        assert runner.invoke(args=["init-db"]).exit_code == 0
        assert _add(runner, "ola", "admin").startswith("0:")
        client = app.test_client()
        answer = _login(client, "ola")
        cookie = answer.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert ("Secure" in cookie) is secure


@pytest.mark.parametrize("secret", [None, "dev", "changeme", "short-secret"])
def test_https_refuses_a_missing_default_or_short_secret(
    tmp_path: Path, secret: str | None
) -> None:
    with pytest.raises(ConfigurationError, match="PALMAP_SECRET_KEY"):
        make_app(tmp_path, HTTPS=1, SECRET_KEY=secret, TESTING=False)
    make_app(tmp_path, HTTPS=1, SECRET_KEY=secret, TESTING=False, DEBUG=True)  # debug may
    make_app(tmp_path / "ok", HTTPS=1, SECRET_KEY="s" * 40, TESTING=False)
