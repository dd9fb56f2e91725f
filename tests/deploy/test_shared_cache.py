"""Issue 16, "More than one server": the pages one server rendered are served by another
through the shared cache (``PALMAP_CACHE_URL``), a change of the data shows on the next request,
the limits count in the same store, and such a site needs one secret key on every server.

Two apps over one database stand for two servers (tests/deploy/test_multi_server.py starts two
gunicorn servers on PostGIS)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from app import create_app
from app.cache import page_cache
from mapping.errors import ConfigurationError
from tests.app.conftest import make_app


def _servers(tmp_path: Path, url: str) -> tuple[Flask, Flask]:
    first = make_app(tmp_path, CACHE_URL=url, INSTANCE_PATH=str(tmp_path / "one"))
    runner = first.test_cli_runner()
    for command in (["init-db"], ["load-demo"]):
        assert runner.invoke(args=command).exit_code == 0
    second = make_app(tmp_path, CACHE_URL=url, INSTANCE_PATH=str(tmp_path / "two"))
    return first, second


def test_a_page_rendered_by_one_server_is_served_by_the_other(tmp_path: Path, redis_url: str):
    import redis

    first, second = _servers(tmp_path, redis_url)
    one, two = first.test_client(), second.test_client()
    rendered = one.get("/dzielnice")
    assert rendered.status_code == 200 and rendered.headers["X-Cache"] == "miss"
    assert one.get("/dzielnice").headers["X-Cache"] == "hit"  # this process's own copy
    with redis.Redis.from_url(redis_url) as client:
        hits = client.info("stats")["keyspace_hits"]
        served = two.get("/dzielnice")
        assert served.headers["X-Cache"] == "shared"
        assert client.info("stats")["keyspace_hits"] == hits + 1
        assert len(client.keys("palmap:*:page:*")) == 1
    assert served.get_data() == rendered.get_data()
    assert served.headers["ETag"] == rendered.headers["ETag"]
    assert served.headers["Content-Security-Policy"] == rendered.headers["Content-Security-Policy"]
    assert two.get("/dzielnice").headers["X-Cache"] == "hit"


def test_a_change_through_one_server_shows_on_the_other_at_once(tmp_path: Path, redis_url: str):
    first, second = _servers(tmp_path, redis_url)
    one, two = first.test_client(), second.test_client()
    assert "Gaj" in one.get("/dzielnice/gaj").get_data(True)
    assert two.get("/dzielnice/gaj").headers["X-Cache"] == "shared"
    from app.db import get_engine

    with first.app_context(), get_engine().begin() as conn:
        conn.execute(sa.text("UPDATE district SET name = 'Gaj Wspólny' WHERE code = 'gaj'"))
    again = two.get("/dzielnice/gaj")
    assert again.headers["X-Cache"] == "miss" and "Gaj Wspólny" in again.get_data(True)
    assert one.get("/dzielnice/gaj").headers["X-Cache"] == "shared"


def test_a_value_palmap_did_not_write_is_rendered_again(tmp_path: Path, redis_url: str) -> None:
    import redis

    first, second = _servers(tmp_path, redis_url)
    rendered = first.test_client().get("/dzielnice")
    with redis.Redis.from_url(redis_url) as client:
        (name,) = client.keys("palmap:*:page:*")
        client.set(name, b"<not a page>\n<script>")
    again = second.test_client().get("/dzielnice")
    assert again.status_code == 200 and again.headers["X-Cache"] == "miss"
    assert again.get_data() == rendered.get_data()


def test_without_the_setting_each_process_keeps_its_own(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    assert page_cache(app).shared is None
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_the_limits_count_in_the_shared_cache_unless_told_otherwise(tmp_path: Path) -> None:
    url = "redis://127.0.0.1:1/0"
    assert make_app(tmp_path, CACHE_URL=url).config["RATELIMIT_STORAGE_URI"] == url
    other = make_app(tmp_path, CACHE_URL=url, RATELIMIT_STORAGE="redis://limits:6379/3")
    assert other.config["RATELIMIT_STORAGE_URI"] == "redis://limits:6379/3"


def test_a_cache_that_does_not_answer_leaves_the_pages_served(tmp_path: Path) -> None:
    from tests.deploy.conftest import free_port

    app = make_app(tmp_path, CACHE_URL=f"redis://127.0.0.1:{free_port()}/0")
    runner = app.test_cli_runner()
    for command in (["init-db"], ["load-demo"]):
        assert runner.invoke(args=command).exit_code == 0
    page = app.test_client().get("/dzielnice")
    assert page.status_code == 200 and page.headers["X-Cache"] == "miss"


@pytest.mark.parametrize(
    ("setting", "value"),
    [("CACHE_URL", "redis://cache:6379/0"), ("RATELIMIT_STORAGE", "redis://cache:6379/1")],
)
def test_several_servers_need_one_secret_key(tmp_path: Path, setting: str, value: str) -> None:
    """A key generated in one server's instance folder would make its logins and forms
    unreadable to the others: such a server does not start."""
    config = {"INSTANCE_PATH": str(tmp_path), "TILES": "none", setting: value}
    with pytest.raises(ConfigurationError, match="PALMAP_SECRET_KEY: expected the secret every"):
        create_app(config)
    create_app({**config, "SECRET_KEY": "s" * 64})  # the same key on every server: it starts
    create_app({"INSTANCE_PATH": str(tmp_path), "TILES": "none"})  # one server: its own key


def test_a_wrong_cache_url_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="PALMAP_CACHE_URL: expected a Redis URL"):
        make_app(tmp_path, CACHE_URL="memcached://cache:11211")


def test_logins_are_still_limited_when_the_shared_cache_does_not_answer(tmp_path: Path) -> None:
    """A Redis that is down must not lock everybody out (a 500 on every login, as before) nor
    open the door: the limits fall back to this server's own memory until Redis answers again
    (Flask-Limiter's in-memory fallback)."""
    from tests.app.test_accounts import _add, _login
    from tests.deploy.conftest import free_port

    app = make_app(
        tmp_path,
        CACHE_URL=f"redis://127.0.0.1:{free_port()}/0",
        SECRET_KEY="s" * 64,
        LOGIN_LIMIT="3 per minute",
    )
    runner = app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    assert _add(runner, "ola", "admin").startswith("0:")
    client = app.test_client()
    assert _login(client, "ola").status_code == 302
    other = app.test_client()
    statuses = [_login(other, "ola", "wrong password here").status_code for _ in range(3)]
    assert statuses == [401, 401, 429]  # the successful login above counted too
