"""Editors change a district's name and code in the browser (issue 12, "District names and
codes"): the import's checks, a 409 from a stale form, the audit log, and hostile names as text
on every page that prints district names."""

from __future__ import annotations

import json
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.app.conftest import PASSWORD
from tests.browser.test_accessibility import HTML_PAGES

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
URL = "/dzielnice/lubiechow/edycja"


def _client(app: Flask, login: str | None) -> FlaskClient:
    client = app.test_client()
    if login:
        token = TOKEN.search(client.get("/logowanie").get_data(True))
        assert token
        answer = client.post(
            "/logowanie", data={"login": login, "password": PASSWORD, "csrf_token": token[1]}
        )
        assert answer.status_code == 302
    return client


def district_form(client: FlaskClient, url: str = URL, html: str | None = None) -> dict[str, str]:
    """The fields of the district form at ``url`` (or in ``html``) as a browser sends them."""
    html = client.get(url).get_data(True) if html is None else html
    fields = dict(re.findall(r'<input id="f-(name|code|source)" name="\w+" value="([^"]*)"', html))
    hidden = dict(
        re.findall(r'<input type="hidden" name="(district_id|fingerprint)" value="(\w+)"', html)
    )
    token = TOKEN.search(html)
    assert token and len(hidden) == 2 and len(fields) == 3, html[:500]
    schematic = re.search(r'id="f-schematic" name="schematic" value="true" checked', html)
    form = {**fields, **hidden, "csrf_token": token[1]}
    if schematic:
        form["schematic"] = "true"
    return {k: _unescape(v) for k, v in form.items()}


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def _audit(app: Flask) -> list[dict]:
    from app.db import get_engine
    from mapping.db import audit

    with app.app_context():
        entries, _total = audit.list_entries(get_engine())
    return entries.to_dict("records")


def _names(app: Flask) -> dict[str, str]:
    from app.db import get_engine
    from mapping.db.districts import load_districts

    with app.app_context():
        districts = load_districts(get_engine())
    return dict(zip(districts["code"], districts["name"], strict=True))


def test_a_new_name_shows_on_every_page_at_once(accounts: Flask) -> None:
    anonymous, editor = accounts.test_client(), _client(accounts, "jan")
    for url in ("/dzielnice/lubiechow", "/", "/zasoby", "/dzielnice"):  # in the page cache now
        assert "Nowy Lubiechów" not in anonymous.get(url).get_data(True)
    form = district_form(editor)
    answer = editor.post(URL, data={**form, "name": "Nowy Lubiechów"})
    assert answer.status_code == 302 and answer.headers["Location"].startswith(URL)
    assert "Zapisano" in editor.get(answer.headers["Location"]).get_data(True)
    pages = (
        "/dzielnice/lubiechow",
        "/",
        "/zasoby",
        "/dzielnice",
        "/mapa/needs_index",
        "/embed/mapa/needs_index",
    )
    for url in pages:
        assert _shows(anonymous.get(url).get_data(True), "Nowy Lubiechów"), url
        assert _shows(editor.get(url).get_data(True), "Nowy Lubiechów"), url


def _shows(html: str, name: str) -> bool:
    """``name`` is in the page as text, or in a map's data (JSON, non-ASCII escaped)."""
    return name in html or json.dumps(name)[1:-1] in html


def test_a_new_code_moves_the_district_and_says_so_before(accounts: Flask) -> None:
    editor, anonymous = _client(accounts, "jan"), accounts.test_client()
    page = editor.get(URL).get_data(True)
    assert "Zmiana kodu zmienia adresy dzielnicy: /dzielnice/lubiechow" in page
    assert 'href="/dane/import"' in page  # where the boundary changes
    english = _client(accounts, "ola").get("/districts/lubiechow/edit?lang=en").get_data(True)
    assert "Changing the code changes the district's addresses: /districts/lubiechow" in english
    answer = editor.post(URL, data={**district_form(editor), "code": "lubiechow-nowy"})
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/dzielnice/lubiechow-nowy/edycja")
    assert anonymous.get("/dzielnice/lubiechow-nowy").status_code == 200
    assert anonymous.get("/dzielnice/lubiechow").status_code == 404
    assert "lubiechow" not in _names(accounts) and "lubiechow-nowy" in _names(accounts)


@pytest.mark.parametrize(
    ("field", "value", "label", "words"),
    [
        ("code", "Biały Kamień", "Kod", "bez spacji"),
        ("code", "gaj", "Kod", "inna dzielnica ma już kod"),
        ("code", "x" * 65, "Kod", "64"),
        ("name", "", "Nazwa", "dzielnica musi mieć nazwę"),
        ("name", "  ", "Nazwa", "dzielnica musi mieć nazwę"),
        ("name", "Gaj", "Nazwa", "inna dzielnica ma już nazwę"),
        ("name", "N" * 201, "Nazwa", "200"),
    ],
)
def test_a_wrong_field_is_refused_naming_it_and_nothing_is_saved(
    accounts: Flask, field: str, value: str, label: str, words: str
) -> None:
    editor = _client(accounts, "jan")
    before = _names(accounts)
    assert before["gaj"] == "Gaj"
    answer = editor.post(URL, data={**district_form(editor), field: value})
    assert answer.status_code == 422
    problems = re.search(r'id="problems".*?</div>', answer.get_data(True), re.S)
    assert problems and f"{label}:" in problems[0] and words in problems[0], problems
    assert _names(accounts) == before and _audit(accounts) == []


def test_the_fix_is_worded_in_english_on_the_english_page(accounts: Flask) -> None:
    editor = _client(accounts, "jan")
    answer = editor.post(
        "/districts/lubiechow/edit?lang=en",
        data={**district_form(editor), "code": "gaj", "name": ""},
    )
    html = answer.get_data(True)
    assert answer.status_code == 422
    assert "Code: another district already has the code" in html
    assert "Name: a district needs a name" in html


def test_a_stale_form_gets_409_with_both_values_and_reapplies(accounts: Flask) -> None:
    first, second = _client(accounts, "jan"), _client(accounts, "ola")
    mine, theirs = district_form(first), district_form(second)
    assert second.post(URL, data={**theirs, "name": "Lubiechów Ich"}).status_code == 302
    conflict = first.post(URL, data={**mine, "name": "Lubiechów Mój"})
    assert conflict.status_code == 409
    html = conflict.get_data(True)
    table = re.search(r'id="conflict".*?</div>', html, re.S)
    assert table and "Lubiechów Ich" in table[0] and "Lubiechów Mój" in table[0]
    assert _names(accounts)["lubiechow"] == "Lubiechów Ich"  # nothing overwritten
    again = district_form(first, html=html)
    assert again["name"] == "Lubiechów Mój"  # the form keeps mine
    assert first.post(URL, data=again).status_code == 302
    assert _names(accounts)["lubiechow"] == "Lubiechów Mój"
    # a form opened before someone changed the code is stale too, at the old address
    old = district_form(first)
    assert (
        second.post(URL, data={**district_form(second), "code": "lubiechow-2"}).status_code == 302
    )
    moved = first.post(URL, data={**old, "name": "Jeszcze inna"})
    assert moved.status_code == 409 and "lubiechow-2" in moved.get_data(True)
    assert _names(accounts)["lubiechow-2"] == "Lubiechów Mój"


def test_every_changed_field_is_in_the_audit_log(accounts: Flask) -> None:
    editor = _client(accounts, "jan")
    form = district_form(editor)
    assert editor.post(URL, data={**form, "name": "Lubiechów Dolny", "code": "lub-d"}).status_code
    entries = _audit(accounts)
    assert {(e["field"], e["old_value"], e["new_value"]) for e in entries} == {
        ("name", "Lubiechów", "Lubiechów Dolny"),
        ("code", "lubiechow", "lub-d"),
    }
    assert {(e["table_name"], e["record_id"], e["how"], e["actor"]) for e in entries} == {
        ("district", form["district_id"], "form", "jan")
    }
    history = editor.get("/dzielnice/lub-d/edycja").get_data(True)
    assert "Lubiechów Dolny" in history.split("<h2>Historia</h2>")[1]
    # the same values again change nothing and log nothing
    assert editor.post(
        "/dzielnice/lub-d/edycja", data=district_form(editor, "/dzielnice/lub-d/edycja")
    )
    assert len(_audit(accounts)) == 2


def test_editors_see_the_edit_links_and_visitors_do_not(accounts: Flask) -> None:
    anonymous, editor = accounts.test_client(), _client(accounts, "jan")
    for url in ("/dzielnice/lubiechow", "/dzielnice"):
        assert URL not in anonymous.get(url).get_data(True)
        assert URL in editor.get(url).get_data(True)
    assert anonymous.get(URL).status_code == 302
    assert editor.get("/dzielnice/no-such/edycja").status_code == 404
    assert editor.get("/districts/lubiechow/edit").status_code == 200


HOSTILE = "<script>alert(1)</script>"


def test_a_hostile_name_shows_as_text_on_every_page(accounts: Flask) -> None:
    editor = _client(accounts, "jan")
    assert editor.post(URL, data={**district_form(editor), "name": HOSTILE}).status_code == 302
    anonymous = accounts.test_client()
    urls = [*HTML_PAGES.values(), URL, "/dziennik", "/dzielnice/lubiechow?lang=en"]
    for client in (anonymous, editor):
        for url in urls:
            answer = client.get(url)
            html = answer.get_data(True)
            assert HOSTILE not in html, url
            assert "alert(1)</script>" not in html, url
    # it is there, escaped, where names are printed
    for url in ("/dzielnice/lubiechow", "/dzielnice", "/zasoby", URL):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in editor.get(url).get_data(True), url
