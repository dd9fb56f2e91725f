"""Issue 16: every request has an id (the proxy's ``X-Request-ID`` when it is sound, else a new
one) that the response and every log line of the request carry; ``PALMAP_LOG_FORMAT=json``
writes one JSON line per request, with no secret of the query."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask import Flask

from tests.app.conftest import PASSWORD, make_app


def _lines(captured: str) -> list[dict]:
    return [json.loads(line) for line in captured.splitlines() if line.startswith("{")]


@pytest.fixture
def json_app(tmp_path: Path) -> Flask:
    app = make_app(tmp_path, LOG_FORMAT="json")
    runner = app.test_cli_runner()
    for command in (["init-db"], ["load-demo"]):
        assert runner.invoke(args=command).exit_code == 0
    done = runner.invoke(
        args=["user", "add", "jan", "--role", "editor", "--password-stdin"], input=PASSWORD + "\n"
    )
    assert done.exit_code == 0
    return app


def test_a_sound_request_id_is_kept_and_a_bad_one_replaced(app: Flask) -> None:
    client = app.test_client()
    kept = client.get("/zdrowie", headers={"X-Request-ID": "lb-1234:abcd.EF_gh"})
    assert kept.headers["X-Request-ID"] == "lb-1234:abcd.EF_gh"
    for bad in ("short", "x" * 129, "abc def ghi", "abcdefgh\u0105", "<script>alert(1)</script>"):
        answer = client.get("/zdrowie", headers={"X-Request-ID": bad})
        assert re.fullmatch(r"[0-9a-f]{32}", answer.headers["X-Request-ID"]), bad
    one, two = client.get("/dzielnice"), client.get("/dzielnice")
    assert one.headers["X-Request-ID"] != two.headers["X-Request-ID"]


def test_one_json_line_per_request(json_app: Flask, capsys: pytest.CaptureFixture[str]) -> None:
    client = json_app.test_client()
    capsys.readouterr()
    answer = client.get(
        "/dzielnice?lang=en&token=abc123&api_key=zzz", headers={"X-Request-ID": "req-0000001"}
    )
    assert answer.status_code == 200
    lines = [line for line in _lines(capsys.readouterr().err) if line.get("event") == "request"]
    assert len(lines) == 1
    line = lines[0]
    assert line["request_id"] == "req-0000001" and line["level"] == "INFO"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/dzielnice", 200)
    assert line["query"] == "lang=en&token=%5Bhidden%5D&api_key=%5Bhidden%5D"
    assert line["duration_ms"] >= 0 and line["user_id"] is None
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["time"])


def test_every_line_of_a_request_carries_its_id_and_the_account(
    json_app: Flask, capsys: pytest.CaptureFixture[str]
) -> None:
    client = json_app.test_client()
    page = client.get("/logowanie").get_data(True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token
    capsys.readouterr()
    headers = {"X-Request-ID": "login-request-1"}
    data = {"login": "jan", "password": PASSWORD, "csrf_token": token[1]}
    assert client.post("/logowanie", data=data, headers=headers).status_code == 302
    lines = _lines(capsys.readouterr().err)
    assert {line["message"] for line in lines} >= {"login: jan (editor)", "POST /logowanie 302"}
    assert {line["request_id"] for line in lines} == {"login-request-1"}
    assert PASSWORD not in json.dumps(lines)
    client.get("/zasoby/5/edycja", headers={"X-Request-ID": "edit-request-1"})
    (line,) = [x for x in _lines(capsys.readouterr().err) if x.get("event") == "request"]
    assert line["user_id"] == 1 and line["status"] == 200


def test_text_lines_carry_the_request_id(app: Flask) -> None:
    """Flask's own handler (which pytest's log capture stands in for here) writes the id."""
    import logging

    from flask.logging import default_handler

    def line(message: str) -> str:
        record = logging.LogRecord("app", logging.WARNING, __file__, 1, message, None, None)
        assert default_handler.filter(record)
        return default_handler.format(record)

    with app.test_request_context("/", headers={"X-Request-ID": "text-request-1"}):
        assert line("inside").endswith("WARNING in test_logs [text-request-1]: inside")
    assert line("outside").endswith("[-]: outside")


def test_a_wrong_format_is_refused(tmp_path: Path) -> None:
    from mapping.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="PALMAP_LOG_FORMAT: expected one of text, json"):
        make_app(tmp_path, LOG_FORMAT="xml")
