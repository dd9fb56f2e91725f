"""Editors add and change actions in the browser (/dzialania/nowe, /dzialania/<code>/edycja):
the role matrix with the CSRF token and a stale form, the checks of the import, the conflict
view, the audit log and hostile text."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.db import get_engine
from mapping.db import audit
from mapping.db import programme as stored
from tests.app.form_matrix import TOKEN, expected_status, post_form
from tests.app.test_editing import _client

URL = "/dzialania/demo-2012-01/edycja"


def form_of(client: FlaskClient, url: str) -> dict[str, object]:
    """The fields of the action form at ``url`` as a browser would send them."""
    html = client.get(url).get_data(True)
    fields: dict[str, object] = dict(
        re.findall(r'<input id="f-(\w+)" name="\w+"(?: type="date")? value="([^"]*)"', html)
    )
    for name in ("type", "partnership", "status"):
        block = re.search(rf'<select id="f-{name}".*?</select>', html, flags=re.S)
        assert block
        chosen = re.search(r'<option value="([^"]*)" selected>', block[0])
        fields[name] = chosen[1] if chosen else ""
    text = re.search(r'<textarea id="f-description"[^>]*>(.*?)</textarea>', html, re.S)
    fields["description"] = text[1] if text else ""
    fields["districts"] = re.findall(r'name="districts" value="([^"]+)" checked', html)
    version = re.search(r'name="version" value="(\d+)"', html)
    token = TOKEN.search(html)
    assert token, html[:300]
    if version:
        fields["version"] = version[1]
    return {**fields, "csrf_token": token[1]}


def action(app: Flask, code: str):
    with app.app_context():
        return {a.code: a for a in stored.load_actions(get_engine())}.get(code)


@pytest.mark.parametrize("who", [None, "jan", "ola"])
@pytest.mark.parametrize("token", ["valid", "missing", "forged"])
@pytest.mark.parametrize("stale", [False, True])
def test_role_matrix_of_the_action_form(
    accounts: Flask, who: str | None, token: str, stale: bool
) -> None:
    """Without a valid token: 400. With one: anonymous 403; editor and admin 302 after a save,
    409 from a stale form. Nothing is saved unless the answer is 302."""
    client, editor = _client(accounts, who), _client(accounts, "ola")
    form, status = post_form(
        client,
        editor,
        URL,
        form_of,
        who=who,
        token=token,
        stale=stale,
        change={"title": f"Saved by {who} {token} {stale}"},
        other_change={"reserve_list": "13"},
    )
    expected = expected_status(who, token, stale)
    assert status == expected, (who, token, stale, status)
    assert (action(accounts, "demo-2012-01").title == form["title"]) == (expected == 302)


def test_the_form_pages_need_an_editor(accounts: Flask) -> None:
    anonymous = accounts.test_client()
    for url in (URL, "/actions/new"):
        answer = anonymous.get(url)
        assert answer.status_code == 302 and answer.headers["Location"].startswith("/logowanie")
    assert _client(accounts, "jan").get("/dzialania/nope/edycja").status_code == 404


def test_a_saved_change_is_checked_logged_and_shown(accounts: Flask) -> None:
    client = _client(accounts, "jan")
    form = form_of(client, URL)
    before = action(accounts, "demo-2012-01")
    bad = {**form, "status": "planned", "end_date": "2011-01-01", "funding_eu": "x"}
    answer = client.post(URL, data=bad)
    assert answer.status_code == 422
    html = answer.get_data(True)
    assert html.count("<li><strong>") == 3  # actual participants, end date, funding
    assert action(accounts, "demo-2012-01") == before
    good = {**form, "districts": ["podgorze-i"], "funding_sponsor": "1 500,5", "title": "Kurs"}
    answer = client.post(URL, data=good)
    assert answer.status_code == 302 and "saved=1" in answer.headers["Location"]
    after = action(accounts, "demo-2012-01")
    assert after.districts == ("podgorze-i",) and after.title == "Kurs"
    assert [(f.source, f.amount) for f in after.funding][-1] == ("sponsor", 1500.5)
    with accounts.app_context():
        entries, _total = audit.list_entries(
            get_engine(), audit.AuditFilter(table="action", record_id="demo-2012-01")
        )
    assert set(entries["field"]) == {"title", "districts", "funding"}
    assert set(entries["how"]) == {"form"} and set(entries["actor"]) == {"jan"}
    page = client.get(answer.headers["Location"]).get_data(True)
    assert "Zapisano." in page and "podgorze-ii" in page  # the history shows the old districts


def test_a_new_action_is_added_and_a_taken_code_is_refused(accounts: Flask) -> None:
    client = _client(accounts, "jan")
    form = form_of(client, "/dzialania/nowe")
    new = {
        **form,
        "code": "form-1",
        "title": "<img src=x onerror=alert(1)>",
        "type": "IV.4",
        "start_date": "2013-04-01",
        "districts": ["gaj", "sobiecin"],
        "funding_city": "2000",
    }
    answer = client.post("/dzialania/nowe", data=new)
    assert answer.status_code == 302, answer.get_data(True)[:2000]
    created = action(accounts, "form-1")
    assert created.districts == ("gaj", "sobiecin") and created.status == "planned"
    again = client.post("/dzialania/nowe", data={**new, "title": "Inna"})
    assert again.status_code == 422 and "already exists" in again.get_data(True)
    assert action(accounts, "form-1").title == new["title"]
    for url in ("/dzialania/form-1/edycja", "/dzialania"):
        html = client.get(url).get_data(True)
        assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_the_conflict_view_shows_theirs_beside_mine_and_saves_mine_over(accounts: Flask) -> None:
    first, second = _client(accounts, "jan"), _client(accounts, "ola")
    mine, theirs = form_of(first, URL), form_of(second, URL)
    assert second.post(URL, data={**theirs, "reserve_list": "31"}).status_code == 302
    conflict = first.post(URL, data={**mine, "reserve_list": "47"})
    assert conflict.status_code == 409
    html = conflict.get_data(True)
    assert "31" in html and "47" in html and 'id="conflict"' in html
    version = re.search(r'name="version" value="(\d+)"', html)[1]
    assert (
        first.post(URL, data={**mine, "reserve_list": "47", "version": version}).status_code == 302
    )
    assert action(accounts, "demo-2012-01").reserve_list == 47


PARTNERSHIP_URL = "/partnerstwa/pal-polnoc/edycja"


def partnership_form(client: FlaskClient, url: str) -> dict[str, str]:
    html = client.get(url).get_data(True)
    fields = dict(re.findall(r'<input id="f-(\w+)" name="\w+" value="([^"]*)"', html))
    for name in re.findall(r'<select id="f-(kind_\d+)"', html):
        block = re.search(rf'<select id="f-{name}".*?</select>', html, flags=re.S)
        chosen = re.search(r'<option value="([^"]*)" selected>', block[0])
        fields[name] = chosen[1] if chosen else ""
    text = re.search(r'<textarea id="f-description"[^>]*>(.*?)</textarea>', html, re.S)
    fields["description"] = text[1] if text else ""
    version = re.search(r'name="version" value="(\d+)"', html)
    if version:
        fields["version"] = version[1]
    token = TOKEN.search(html)
    assert token
    return {**fields, "csrf_token": token[1]}


def partnership(app: Flask, code: str):
    with app.app_context():
        return {p.code: p for p in stored.load_partnerships(get_engine())}.get(code)


@pytest.mark.parametrize("who", [None, "jan", "ola"])
@pytest.mark.parametrize("token", ["valid", "forged"])
@pytest.mark.parametrize("stale", [False, True])
def test_role_matrix_of_the_partnership_form(
    accounts: Flask, who: str | None, token: str, stale: bool
) -> None:
    client, editor = _client(accounts, who), _client(accounts, "ola")
    form, status = post_form(
        client,
        editor,
        PARTNERSHIP_URL,
        partnership_form,
        who=who,
        token=token,
        stale=stale,
        change={"name": f"Saved by {who} {token} {stale}"},
        other_change={"role_1": "koordynator"},
    )
    expected = expected_status(who, token, stale)
    assert status == expected, (who, token, stale, status)
    assert (partnership(accounts, "pal-polnoc").name == form["name"]) == (expected == 302)


def test_partnership_members_are_changed_added_and_removed_with_the_audit_log(
    accounts: Flask,
) -> None:
    client = _client(accounts, "jan")
    form = partnership_form(client, PARTNERSHIP_URL)
    bad = {**form, "member_6": "Bank", "kind_6": "bank"}
    answer = client.post(PARTNERSHIP_URL, data=bad)
    assert answer.status_code == 422 and "Członek 6" in answer.get_data(True)
    changed = {
        **form,
        "member_2": "",  # removed
        "role_2": "",
        "contact_2": "",
        "member_6": "Klub Seniora <b>(demo)</b>",
        "kind_6": "resident_group",
    }
    answer = client.post(PARTNERSHIP_URL, data=changed)
    assert answer.status_code == 302
    members = partnership(accounts, "pal-polnoc").members
    assert [m.name for m in members][-1] == "Klub Seniora <b>(demo)</b>" and len(members) == 5
    assert "Szkoła Podstawowa „Przykładowa” (demo)" not in [m.name for m in members]
    with accounts.app_context():
        entries, _total = audit.list_entries(
            get_engine(), audit.AuditFilter(table="partnership", record_id="pal-polnoc")
        )
    assert list(entries["field"]) == ["members"] and list(entries["how"]) == ["form"]
    html = client.get("/partnerstwa").get_data(True)
    assert "Klub Seniora &lt;b&gt;(demo)&lt;/b&gt;" in html


def test_a_new_partnership_is_added_and_a_taken_code_is_refused(accounts: Flask) -> None:
    client = _client(accounts, "jan")
    form = partnership_form(client, "/partnerstwa/nowe")
    new = {**form, "code": "pal-nowe", "name": "Nowe", "member_1": "MOPS", "kind_1": "institution"}
    assert client.post("/partnerstwa/nowe", data=new).status_code == 302
    assert [m.kind for m in partnership(accounts, "pal-nowe").members] == ["institution"]
    again = client.post("/partnerstwa/nowe", data={**new, "name": "Inne"})
    assert again.status_code == 422 and "already exists" in again.get_data(True)
    assert partnership(accounts, "pal-nowe").name == "Nowe"
