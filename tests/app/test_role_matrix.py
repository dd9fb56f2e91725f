"""The role matrix of every route that changes something, read from the app's own url_map: a
route added later is swept too, and a changing route without a role fails here.

Each POST route is tried as anonymous, editor and admin, with a valid, a missing and a forged
CSRF token. Without a valid token: 400, whoever asks. With one: anonymous 403; an account
without the route's role 403; an account with it gets past both checks (the view's own answer:
302, 400 for a form without its fields, 404, 409 or 422; never 403 nor the token's 400). The
stale-form answers (409) are in test_editing.py and test_values.py.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from werkzeug.routing import Rule

from tests.app.test_editing import TOKEN, _client

#: POST routes anyone may use: logging in and out.
OPEN = {"auth.login", "auth.login_en", "auth.logout", "auth.logout_en"}
#: Error answers as JSON, whose ``error`` names the cause (``csrf_failed``).
JSON = {"Accept": "application/json"}
#: A value for each route variable (the records exist in the demo data and the fixture).
SAMPLE = {"resource_id": 5, "deleted_id": 1, "login": "jan", "code": "gaj", "token": "x" * 32}


def _post_rules(app: Flask) -> list[Rule]:
    return sorted(
        (
            r
            for r in app.url_map.iter_rules()
            if "POST" in (r.methods or ()) and r.endpoint != "static"
        ),
        key=lambda r: r.rule,
    )


def _url(app: Flask, rule: Rule) -> str:
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name]  # noqa: SLF001 - the rule's own converter
        items = getattr(converter, "items", None)
        values[name] = sorted(items)[0] if items else SAMPLE[name]
    with app.test_request_context():
        adapter = app.url_map.bind("localhost")
        return adapter.build(rule.endpoint, values)


def _token(client, who: str | None) -> str:
    found = TOKEN.search(
        client.get("/logowanie" if who is None else "/zasoby/5/edycja").get_data(True)
    )
    assert found
    return found[1]


def test_every_changing_route_has_a_role(accounts: Flask) -> None:
    rules = _post_rules(accounts)
    assert len(rules) >= 20  # the sweep sees the routes (Polish and English)
    for rule in rules:
        role = getattr(accounts.view_functions[rule.endpoint], "palmap_role", None)
        assert rule.endpoint in OPEN or role in ("editor", "admin"), rule.rule


@pytest.mark.parametrize("who", [None, "jan", "ola"])
def test_role_matrix_of_every_changing_route(accounts: Flask, who: str | None) -> None:
    client = _client(accounts, who)
    token = _token(client, who)
    role_of = {"jan": "editor", "ola": "admin"}
    tried = 0
    for rule in _post_rules(accounts):
        if rule.endpoint in OPEN:
            continue
        url = _url(accounts, rule)
        role = accounts.view_functions[rule.endpoint].palmap_role
        for sent in ("missing", "forged"):
            data = {} if sent == "missing" else {"csrf_token": "forged"}
            refused = client.post(url, data=data, headers=JSON)
            assert refused.status_code == 400, (who, sent, url)
            assert "csrf_failed" in refused.get_data(True), (who, sent, url)
        answer = client.post(url, data={"csrf_token": token}, headers=JSON)
        allowed = who is not None and (role == "editor" or role_of[who] == "admin")
        if allowed:  # the view's own answer (a form without its fields may be a 400 of its own)
            assert answer.status_code != 403, (who, url, answer.status_code)
            assert "csrf_failed" not in answer.get_data(True), (who, url)
        else:
            assert answer.status_code == 403, (who, url, answer.status_code)
        tried += 3
    assert tried >= 30
    assert not re.search(r"Traceback", client.get("/").get_data(True))
