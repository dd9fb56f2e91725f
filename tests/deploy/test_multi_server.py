"""Issue 16, "More than one server": two gunicorn servers and a Redis on one PostGIS, as behind a
load balancer. A change made through one is served by the other on the next request, a login
and a form's CSRF token made on one are valid on the other, a page one rendered is served by the
other from the shared cache, and the login limit counts the attempts made on both.

The servers are told apart only by their port; each has its own instance folder (so nothing
but the settings, the database and Redis is shared) and the same ``PALMAP_SECRET_KEY``."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import create_app
from tests.app.conftest import PASSWORD
from tests.conftest import POSTGIS_SKIP, POSTGIS_URL, _reset_postgis
from tests.deploy.conftest import free_port

SECRET = "a-secret-that-every-server-of-this-site-shares-0123456789"
#: Attempts one client address may make on the login page (on all servers together).
LOGIN_LIMIT = 4
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


class Browser:
    """One visitor's cookies, sent to whichever server it asks (as a load balancer would)."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(
        self, url: str, data: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, str, dict[str, str]]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            with _OPENER.open(
                urllib.request.Request(url, data=body, headers=sent), timeout=60
            ) as r:
                status, text, answer = r.status, r.read().decode(), r.headers
        except urllib.error.HTTPError as error:
            status, text, answer = error.code, error.read().decode(), error.headers
        for cookie in answer.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return status, text, dict(answer.items())

    def token(self, url: str) -> str:
        status, page, _ = self.request(url)
        assert status == 200, (url, status)
        found = TOKEN.search(page)
        assert found, page[:300]
        return found[1]


def _form(page: str) -> dict[str, str]:
    """The fields of a resource's edit form as a browser sends them."""
    fields = dict(re.findall(r'<input id="f-(\w+)" name="\w+" value="([^"]*)"', page))
    for name in re.findall(r'<select id="f-(\w+)"', page):
        block = re.search(rf'<select id="f-{name}".*?</select>', page, flags=re.S)
        chosen = re.search(r'<option value="([^"]*)" selected>', block[0]) if block else None
        fields[name] = chosen[1] if chosen else ""
    description = re.search(r'<textarea id="f-description"[^>]*>(.*?)</textarea>', page, re.S)
    fields["description"] = description[1] if description else ""
    version = re.search(r'name="version" value="(\d+)"', page)
    token = TOKEN.search(page)
    assert version and token, page[:300]
    fields = {k: html.unescape(v) for k, v in fields.items()}
    return {**fields, "version": version[1], "csrf_token": token[1]}


@pytest.fixture
def postgis_demo(tmp_path: Path) -> Iterator[tuple[str, int]]:
    """The demo data and an editor ``jan`` on the test PostGIS (emptied afterwards)."""
    if not POSTGIS_URL:
        pytest.skip(POSTGIS_SKIP)
    from mapping.db.engine import create_engine

    engine = create_engine(POSTGIS_URL)
    _reset_postgis(engine)
    app = create_app(
        {"INSTANCE_PATH": str(tmp_path / "setup"), "DATABASE_URL": POSTGIS_URL, "TESTING": True}
    )
    runner = app.test_cli_runner()
    for command in (["init-db"], ["load-demo"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output
    result = runner.invoke(
        args=["user", "add", "jan", "--role", "editor", "--password-stdin"], input=PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output
    from app.db import get_engine

    with app.app_context(), get_engine().connect() as conn:
        ids = sorted(conn.execute(sa.text("SELECT id FROM resource")).scalars())
    get_engine(app).dispose()
    try:
        yield POSTGIS_URL, ids[0]
    finally:
        _reset_postgis(engine)
        engine.dispose()


def _start(tmp_path: Path, name: str, env: dict[str, str]) -> tuple[str, subprocess.Popen, Path]:
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    assert gunicorn, "gunicorn is in the dev extra"
    port = free_port()
    log = tmp_path / f"{name}.log"
    instance = tmp_path / name
    # gunicorn 25 and later open a control socket, by default one path for every server.
    from gunicorn.config import KNOWN_SETTINGS

    control = [f"--control-socket={tmp_path / name}.ctl"] * any(
        setting.name == "control_socket" for setting in KNOWN_SETTINGS
    )
    with log.open("wb") as output:
        server = subprocess.Popen(
            [gunicorn, "--config", "python:app.gunicorn_conf", "--workers", "1", *control]
            + ["--bind", f"127.0.0.1:{port}", "app.wsgi:app"],
            cwd=tmp_path,
            env={**env, "PALMAP_INSTANCE_PATH": str(instance)},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return f"http://127.0.0.1:{port}", server, log


def _wait_ready(base: str, server: subprocess.Popen, log: Path) -> dict:
    deadline = time.monotonic() + 90
    while True:
        try:
            status, body, _ = Browser().request(base + "/gotowosc")
            if status == 200:
                return json.loads(body)
        except OSError:
            pass
        assert server.poll() is None, log.read_text()
        assert time.monotonic() < deadline, f"{base} was not ready in 90 s: {log.read_text()}"
        time.sleep(0.3)


@pytest.fixture
def servers(tmp_path: Path, postgis_demo: tuple[str, int], redis_url: str) -> Iterator[list[str]]:
    env = {
        **os.environ,
        "PALMAP_DATABASE_URL": postgis_demo[0],
        "PALMAP_CACHE_URL": redis_url,
        "PALMAP_SECRET_KEY": SECRET,
        "PALMAP_LOGIN_LIMIT": f"{LOGIN_LIMIT} per hour",
        "PALMAP_LOG_FORMAT": "json",
        "PALMAP_TILES": "none",
    }
    started = [_start(tmp_path, name, env) for name in ("one", "two")]
    try:
        for base, server, log in started:
            ready = _wait_ready(base, server, log)
            assert ready == {"status": "ready", "checks": {"database": "ok", "cache": "ok"}}
        yield [base for base, _, _ in started]
    finally:
        for _, server, _ in started:
            server.terminate()
        for _, server, log in started:
            server.wait(timeout=30)
            print(log.read_text()[-3000:])  # shown when the test fails


def _redis_hits(url: str) -> int:
    import redis

    with redis.Redis.from_url(url) as client:
        return int(client.info("stats")["keyspace_hits"])


def test_two_servers_on_one_postgis_and_one_redis(
    servers: list[str], redis_url: str, tmp_path: Path, postgis_demo: tuple[str, int]
) -> None:
    one, two = servers
    visitor = Browser()
    resource = f"/zasoby/{postgis_demo[1]}"  # its edit form is resource + "/edycja"

    # The cache is hit across them: a page rendered by one is served by the other.
    status, page, headers = visitor.request(one + "/zasoby")
    assert status == 200 and headers["X-Cache"] == "miss"
    assert "Świetlica przez dwa serwery" not in page
    hits = _redis_hits(redis_url)
    status, again, headers = visitor.request(two + "/zasoby")
    assert status == 200 and headers["X-Cache"] == "shared" and again == page
    assert _redis_hits(redis_url) == hits + 1

    # A login on one is valid on the other; a form opened on one is saved through the other.
    editor = Browser()
    data = {"login": "jan", "password": PASSWORD, "csrf_token": editor.token(one + "/logowanie")}
    status, _, headers = editor.request(one + "/logowanie", data)
    assert status == 302, "the login on server one"
    status, form_page, _ = editor.request(two + resource + "/edycja")
    assert status == 200, "server two knows the session made on server one"
    form = _form(form_page)
    form["name"] = "Świetlica przez dwa serwery"
    status, body, _ = editor.request(one + resource + "/edycja", form)
    assert status == 302, body[:500]

    # The change made through one is served by the other on the next request (anonymous
    # visitors, so from the cache of both).
    for base in (two, one):
        status, page, headers = visitor.request(base + "/zasoby")
        assert status == 200 and "Świetlica przez dwa serwery" in page, base
    assert headers["X-Cache"] == "shared"

    # The login limit counts the attempts made on both servers (one made above).
    wrong = Browser()
    answers = []
    for base in (two, one, two, one):
        data = {
            "login": "jan",
            "password": "wrong password!",
            "csrf_token": wrong.token(base + "/logowanie"),
        }
        answers.append(wrong.request(base + "/logowanie", data)[0])
    assert answers == [401, 401, 401, 429]

    # Health needs no limit; each request's id is in its JSON log line.
    status, body, headers = visitor.request(
        two + "/zdrowie", headers={"X-Request-ID": "lb-abcdef-42"}
    )
    assert status == 200 and headers["X-Request-ID"] == "lb-abcdef-42"
    deadline = time.monotonic() + 10
    while '"request_id": "lb-abcdef-42"' not in (tmp_path / "two.log").read_text():
        assert time.monotonic() < deadline, (tmp_path / "two.log").read_text()[-2000:]
        time.sleep(0.2)
    lines = [
        json.loads(x)
        for x in (tmp_path / "two.log").read_text().splitlines()
        if '"lb-abcdef-42"' in x
    ]
    assert [(x["path"], x["status"]) for x in lines] == [("/zdrowie", 200)]
