"""Editing in the browser's requests: the role matrix of every state-changing route, the
conflict view, the audit log and hostile text (README, "For administrators")."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.app.form_matrix import TOKEN, expected_status, post_form

PASSWORD = "correct horse battery"


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


def _form(client: FlaskClient, url: str) -> dict[str, str]:
    """The fields of the edit form at ``url`` as a browser would send them."""
    html = client.get(url).get_data(True)
    fields = dict(re.findall(r'<input id="f-(\w+)" name="\w+" value="([^"]*)"', html))
    selects = re.findall(r'<select id="f-(\w+)".*?</select>', html, flags=re.S)
    for name in selects:
        block = re.search(rf'<select id="f-{name}".*?</select>', html, flags=re.S)
        assert block
        chosen = re.search(r'<option value="([^"]*)" selected>', block[0])
        fields[name] = chosen[1] if chosen else ""
    description = re.search(r'<textarea id="f-description"[^>]*>(.*?)</textarea>', html, re.S)
    fields["description"] = description[1] if description else ""
    version = re.search(r'name="version" value="(\d+)"', html)
    token = TOKEN.search(html)
    assert version and token, html[:300]
    return {**fields, "version": version[1], "csrf_token": token[1]}


#: Pages with private data (the form shows the history; the log names people).
PRIVATE_PAGES = [
    "/zasoby/5/edycja",
    "/resources/5/edit",
    "/dziennik",
    "/audit",
    "/dziennik.csv",
    "/audit.csv",
    "/dzielnice/lubiechow/edycja",
    "/districts/lubiechow/edit",
]
#: Every route that changes data.
CHANGING = ["/zasoby/5/edycja", "/resources/5/edit"]
#: The district form's routes (a fingerprint instead of a version: tests/app/test_district_edit.py).
DISTRICT_CHANGING = ["/dzielnice/lubiechow/edycja", "/districts/lubiechow/edit"]


@pytest.mark.parametrize("who", [None, "jan", "ola"])
def test_role_matrix_of_the_private_pages(accounts: Flask, who: str | None) -> None:
    """Anonymous: 302 to the login page; editor and admin: 200, never cached."""
    client = _client(accounts, who)
    for url in PRIVATE_PAGES:
        answer = client.get(url)
        assert answer.status_code == (302 if who is None else 200), (who, url)
        if who is None:
            assert answer.headers["Location"] == f"/logowanie?next={url}"
        else:
            assert "no-store" in answer.headers["Cache-Control"], url


@pytest.mark.parametrize("who", [None, "jan", "ola"])
@pytest.mark.parametrize("token", ["valid", "missing", "forged"])
@pytest.mark.parametrize("stale", [False, True])
@pytest.mark.parametrize("url", CHANGING)
def test_role_matrix_of_every_change(
    accounts: Flask, who: str | None, token: str, stale: bool, url: str
) -> None:
    """Without a valid token: 400. With one: anonymous 403; editor and admin 302 after a save,
    409 from a stale form. Nothing is saved unless the answer is 302."""
    client, editor = _client(accounts, who), _client(accounts, "ola")
    name = f"Saved by {who} {token} {stale}"
    _sent, status = post_form(
        client,
        editor,
        url,
        _form,
        who=who,
        token=token,
        stale=stale,
        change={"name": name},
        other_change={"phone": "74 123 45 67"},
    )
    expected = expected_status(who, token, stale)
    assert status == expected, (who, token, stale, url, status)
    assert (name in editor.get(url).get_data(True)) == (expected == 302)


@pytest.mark.parametrize("who", [None, "jan", "ola"])
@pytest.mark.parametrize("token", ["valid", "missing", "forged"])
@pytest.mark.parametrize("stale", [False, True])
@pytest.mark.parametrize("url", DISTRICT_CHANGING)
def test_role_matrix_of_the_district_form(
    accounts: Flask, who: str | None, token: str, stale: bool, url: str
) -> None:
    """The same matrix for a district's name and code: 400 without a valid token, 403 for
    anonymous, 302 for editor and admin, 409 from a stale form; saved only on 302."""
    from tests.app.test_district_edit import district_form

    client, editor = _client(accounts, who), _client(accounts, "ola")
    name = f"Saved by {who} {token} {stale}"
    _sent, status = post_form(
        client,
        editor,
        url,
        district_form,
        who=who,
        token=token,
        stale=stale,
        change={"name": name},
        other_change={"source": "another source"},
    )
    expected = expected_status(who, token, stale)
    assert status == expected, (who, token, stale, url, status)
    assert (name in editor.get(url).get_data(True)) == (expected == 302)


def test_the_conflict_view_shows_their_change_beside_mine_and_reapplies(accounts: Flask) -> None:
    first, second = _client(accounts, "jan"), _client(accounts, "ola")
    mine, theirs = _form(first, "/zasoby/7/edycja"), _form(second, "/zasoby/7/edycja")
    assert (
        second.post("/zasoby/7/edycja", data={**theirs, "phone": "74 000 11 22"}).status_code == 302
    )
    conflict = first.post("/zasoby/7/edycja", data={**mine, "phone": "74 999 88 77"})
    assert conflict.status_code == 409
    html = conflict.get_data(True)
    assert "74 000 11 22" in html and "74 999 88 77" in html
    again = _form_from_conflict(html)
    assert first.post("/zasoby/7/edycja", data=again).status_code == 302
    assert 'value="74 999 88 77"' in first.get("/zasoby/7/edycja").get_data(True)


def _form_from_conflict(html: str) -> dict[str, str]:
    fields = dict(re.findall(r'<input id="f-(\w+)" name="\w+" value="([^"]*)"', html))
    for name in ("category", "district"):
        block = re.search(rf'<select id="f-{name}".*?</select>', html, flags=re.S)
        chosen = re.search(r'<option value="([^"]*)" selected>', block[0]) if block else None
        fields[name] = chosen[1] if chosen else ""
    version = re.search(r'name="version" value="(\d+)"', html)
    token = TOKEN.search(html)
    assert version and token
    return {**fields, "version": version[1], "csrf_token": token[1]}


def test_a_wrong_field_names_the_field_and_saves_nothing(accounts: Flask) -> None:
    client = _client(accounts, "jan")
    form = _form(client, "/zasoby/5/edycja")
    answer = client.post("/zasoby/5/edycja", data={**form, "capacity": "-4", "name": ""})
    assert answer.status_code == 422
    html = answer.get_data(True)
    assert "Pojemność" in html and "Nazwa" in html and "-4" in html
    _, total = _audit(accounts)
    assert total == 0


def _audit(app: Flask) -> tuple[list[dict], int]:
    from app.db import get_engine
    from mapping.db import audit

    with app.app_context():
        entries, total = audit.list_entries(get_engine())
    return entries.to_dict("records"), total


def test_every_change_is_in_the_audit_log_and_hostile_text_stays_text(accounts: Flask) -> None:
    client = _client(accounts, "jan")
    form = _form(client, "/zasoby/5/edycja")
    hostile = '<img src=x onerror=alert(1)>"=HYPERLINK("http://x")'
    assert client.post("/zasoby/5/edycja", data={**form, "name": hostile}).status_code == 302
    entries, total = _audit(accounts)
    assert total == 1 and entries[0]["actor"] == "jan" and entries[0]["how"] == "form"
    assert entries[0]["field"] == "name" and entries[0]["new_value"] == hostile
    for url in ("/dziennik", "/zasoby/5/edycja", "/zasoby"):
        html = client.get(url).get_data(True)
        assert "<img src=x" not in html and "&lt;img src=x" in html, url
    csv = client.get("/dziennik.csv?record=resource:5&actor=jan").get_data(True)
    assert csv.count("\n") == 2 and "'<img" not in csv  # text starting with < is not a formula
    assert client.get("/dziennik?since=yesterday").status_code == 400


def test_editors_see_edit_links_and_visitors_do_not(accounts: Flask) -> None:
    assert "/zasoby/1/edycja" not in accounts.test_client().get("/zasoby").get_data(True)
    assert "/zasoby/1/edycja" in _client(accounts, "jan").get("/zasoby").get_data(True)


def test_commands_write_to_the_audit_log_too(app: Flask, tmp_path) -> None:
    """Imports and category changes made with commands are logged as ``cli:<user>``."""
    import getpass

    runner = app.test_cli_runner()
    path = tmp_path / "zasoby.csv"
    path.write_text(
        "nazwa;kategoria;szerokość;długość\nKlub Iskra;świetlica;50,771;16,281\n",
        encoding="utf-8",
    )
    assert runner.invoke(args=["import", "resources", str(path)]).exit_code == 0
    added = runner.invoke(
        args=[
            "categories",
            "add",
            "klub_seniora",
            "--name-pl",
            "klub seniora",
            "--name-en",
            "senior club",
            "--colour",
            "#123456",
        ]
    )
    assert added.exit_code == 0, added.output
    renamed = runner.invoke(args=["categories", "rename", "klub_seniora", "--name-en", "seniors"])
    assert renamed.exit_code == 0, renamed.output
    entries, total = _audit(app)
    actor = f"cli:{getpass.getuser()}"
    assert total == 4 and {e["actor"] for e in entries} == {actor}
    created = [e for e in entries if e["table_name"] == "resource"]
    assert len(created) == 1 and created[0]["field"] is None  # the new record, by its id
    assert '"name": "Klub Iskra"' in created[0]["new_value"]
    assert {e["how"] for e in entries} == {"cli"}
    by_table = {(e["table_name"], e["field"]): e for e in entries}
    upload = by_table[("resources", None)]
    assert upload["record_id"] == "cli:zasoby.csv" and '"loaded": 1' in upload["new_value"]
    assert by_table[("resource_category", None)]["record_id"] == "klub_seniora"
    name = by_table[("resource_category", "name_en")]
    assert (name["old_value"], name["new_value"]) == ("senior club", "seniors")


def test_a_reimport_logs_each_changed_field_with_its_old_value(app: Flask, tmp_path) -> None:
    """An import that changes stored resources logs every changed field, a moved point as WKT."""
    runner = app.test_cli_runner()
    path = tmp_path / "zasoby.csv"
    header = "external_id;nazwa;kategoria;szerokość;długość;pojemność\n"
    path.write_text(header + "k-1;Klub Iskra;świetlica;50,771;16,281;20\n", encoding="utf-8")
    assert runner.invoke(args=["import", "resources", str(path)]).exit_code == 0
    path.write_text(header + "k-1;Klub Iskra;świetlica;50,772;16,281;25\n", encoding="utf-8")
    assert runner.invoke(args=["import", "resources", str(path)]).exit_code == 0
    entries, _total = _audit(app)
    fields = {e["field"]: e for e in entries if e["table_name"] == "resource"}
    assert set(fields) == {None, "capacity", "geometry"}  # created by the first import
    assert fields[None]["record_id"] == fields["capacity"]["record_id"]
    assert (fields["capacity"]["old_value"], fields["capacity"]["new_value"]) == ("20", "25")
    assert fields["geometry"]["old_value"] == "POINT (16.281 50.771)"
    assert fields["geometry"]["new_value"] == "POINT (16.281 50.772)"
    assert len({e["record_id"] for e in fields.values()}) == 1  # one record throughout


def test_loading_the_demo_is_logged_per_table_and_per_value(empty_app: Flask) -> None:
    runner = empty_app.test_cli_runner()
    for command in (["init-db"], ["load-demo"]):
        assert runner.invoke(args=command).exit_code == 0
    entries, total = _audit(empty_app)
    batches = {e["table_name"]: e for e in entries if e["record_id"].startswith("load-demo:")}
    assert set(batches) == {
        "districts",
        "resources",
        "indicators",
        "indicator values",
        "partnerships",
        "actions",
        "surveys",
        "categories",  # the capacity units of data/demo/categories.csv
    }
    assert batches["districts"]["record_id"] == "load-demo:demo"
    assert '"loaded": 21' in batches["districts"]["new_value"]
    cells = [e for e in entries if e["table_name"] == "indicator_value"]
    made = ("partnership", "action", "resource", "survey_count")
    created = [e for e in entries if e["table_name"] in made]
    assert len(created) == 2 + 15 + 116 + 17  # each record (a survey: an action's wave) made
    assert cells and all(e["old_value"] is None for e in cells)
    units = [e for e in entries if e["table_name"] == "resource_category"]
    assert {e["record_id"]: e["new_value"] for e in units}[
        "pracownia_komputerowa"
    ] == "workstations"
    assert len(units) == 4 and all(e["field"] == "capacity_unit" for e in units)
    assert total == len(batches) + len(cells) + len(created) + len(units)


def test_account_commands_and_load_demo_are_logged(accounts: Flask) -> None:
    import getpass

    app = accounts
    runner = app.test_cli_runner()
    password = "correct horse battery\n"
    steps = [
        ["user", "add", "ewa", "--role", "editor", "--password-stdin"],
        ["user", "role", "ewa", "admin"],
        ["user", "passwd", "ewa", "--password-stdin"],
        ["user", "disable", "ewa"],
        ["user", "enable", "ewa"],
    ]
    for args in steps:
        done = runner.invoke(args=args, input=password)
        assert done.exit_code == 0, done.output
    entries, total = _audit(app)
    assert total == 5 and {e["actor"] for e in entries} == {f"cli:{getpass.getuser()}"}
    logged = {(e["field"], e["new_value"]) for e in entries}
    assert logged == {
        (None, '{"role": "editor"}'),
        ("role", "admin"),
        ("password", "changed"),
        ("active", "false"),
        ("active", "true"),
    }
    assert "correct horse" not in repr(entries)
    done = runner.invoke(args=["load-demo"])  # the app fixture's database holds the demo
    assert done.exit_code == 0, done.output
    assert _audit(app)[1] == 5  # loading the same data again changes nothing, logs nothing


def test_add_delete_and_restore_by_role(accounts: Flask) -> None:
    """Editors add and delete resources; only admins see the deleted ones and restore them."""
    editor, admin = _client(accounts, "jan"), _client(accounts, "ola")
    form = _form(editor, "/zasoby/5/edycja")
    new = {k: v for k, v in form.items() if k != "version"}
    new.update(name="Klub Iskra", csrf_token=_form(editor, "/zasoby/5/edycja")["csrf_token"])
    anonymous = accounts.test_client()
    assert anonymous.get("/zasoby/nowy").status_code == 302
    assert editor.post("/zasoby/nowy", data={**new, "csrf_token": "forged"}).status_code == 400
    bad = editor.post("/zasoby/nowy", data={**new, "name": ""})
    assert bad.status_code == 422
    added = editor.post("/zasoby/nowy", data=new)
    assert added.status_code == 302
    resource_id = int(re.search(r"/zasoby/(\d+)/edycja", added.headers["Location"])[1])
    page = _form(editor, f"/zasoby/{resource_id}/edycja")
    assert "Klub Iskra" in editor.get("/zasoby?q=Iskra").get_data(True)
    stale = editor.post(
        f"/zasoby/{resource_id}/usun", data={**page, "version": str(int(page["version"]) + 1)}
    )
    assert stale.status_code == 409
    gone = editor.post(f"/zasoby/{resource_id}/usun", data=page)
    assert gone.status_code == 302
    assert "Klub Iskra" not in editor.get("/zasoby?q=Iskra").get_data(True)
    assert "Klub Iskra" not in anonymous.get("/zasoby?q=Iskra").get_data(True)
    assert editor.get("/kosz").status_code == 403
    trash = admin.get("/kosz").get_data(True)
    assert "Klub Iskra" in trash
    deleted_id = re.search(r"/kosz/(\d+)/przywroc", trash)[1]
    token = TOKEN.search(trash)[1]
    editor_token = _form(editor, "/zasoby/5/edycja")["csrf_token"]
    refused = editor.post(f"/kosz/{deleted_id}/przywroc", data={"csrf_token": editor_token})
    assert refused.status_code == 403
    back = admin.post(f"/kosz/{deleted_id}/przywroc", data={"csrf_token": token})
    assert back.status_code == 302
    assert "Klub Iskra" in anonymous.get("/zasoby?q=Iskra").get_data(True)
    entries, _total = _audit(accounts)
    assert [e["actor"] for e in entries][:3] == ["ola", "jan", "jan"]


def test_admins_manage_accounts_in_the_browser(accounts: Flask) -> None:
    admin, editor = _client(accounts, "ola"), _client(accounts, "jan")
    assert editor.get("/konta").status_code == 403
    page = admin.get("/konta")
    assert page.status_code == 200 and "jan" in page.get_data(True)
    token = TOKEN.search(page.get_data(True))[1]
    new = {"login": "Ewa.Nowak", "role": "editor", "csrf_token": token}
    short = admin.post("/konta", data={**new, "password": "short", "password_again": "short"})
    assert "12" in admin.get(short.headers["Location"]).get_data(True)  # the reason, flashed
    differ = {**new, "password": PASSWORD, "password_again": PASSWORD + "x"}
    admin.post("/konta", data=differ)
    assert "ewa.nowak" not in admin.get("/konta").get_data(True).split("<h2>")[0]
    assert admin.post("/konta", data={**new, "password": PASSWORD, "password_again": PASSWORD})
    assert "ewa.nowak" in admin.get("/konta").get_data(True)
    # a new role ends the editor's session; an editor cannot change roles
    forged = editor.post("/konta/jan/role", data={"role": "admin", "csrf_token": _token_of(editor)})
    assert forged.status_code == 403
    assert (
        admin.post("/konta/jan/role", data={"role": "admin", "csrf_token": token}).status_code
        == 302
    )
    assert "jan (" not in editor.get("/zasoby").get_data(True)
    assert _client(accounts, "jan").get("/konta").status_code == 200  # an admin now
    # the last active admin cannot be disabled: the reason is shown, nothing changes
    admin.post("/konta/jan/disable", data={"csrf_token": token})
    last = admin.post("/konta/ola/disable", data={"csrf_token": token})
    assert "ostatni aktywny administrator" in admin.get(last.headers["Location"]).get_data(True)
    pw = {"password": "a new long password", "password_again": "a new long password"}
    assert (
        admin.post("/konta/ewa.nowak/password", data={**pw, "csrf_token": token}).status_code == 302
    )
    entries, _total = _audit(accounts)
    logged = {(e["record_id"], e["field"]) for e in entries if e["table_name"] == "account"}
    assert {
        ("ewa.nowak", None),
        ("jan", "role"),
        ("jan", "active"),
        ("ewa.nowak", "password"),
    } <= logged
    assert all("argon2" not in str(e["new_value"]) for e in entries)


def _token_of(client: FlaskClient) -> str:
    found = TOKEN.search(client.get("/logowanie").get_data(True))
    assert found
    return found[1]


def test_admins_manage_categories_in_the_browser(accounts: Flask) -> None:
    admin, editor = _client(accounts, "ola"), _client(accounts, "jan")
    assert editor.get("/kategorie").status_code == 403
    page = admin.get("/kategorie").get_data(True)
    assert "swietlica" in page
    token = TOKEN.search(page)[1]
    new = {
        "code": "klub_seniora",
        "name_pl": "klub seniora",
        "name_en": "senior club",
        "colour": "#123456",
        "csrf_token": token,
    }
    bad = admin.post("/kategorie", data={**new, "colour": "red"})
    assert "#RRGGBB" in admin.get(bad.headers["Location"]).get_data(True)
    assert admin.post("/kategorie", data=new).status_code == 302
    listed = admin.get("/kategorie").get_data(True)
    assert "klub seniora" in listed and "#123456" in listed
    renamed = admin.post(
        "/kategorie/klub_seniora",
        data={
            "name_pl": "klub seniora",
            "name_en": "seniors",
            "colour": "#123456",
            "capacity_unit": "miejsca",
            "aliases": "",
            "csrf_token": token,
        },
    )
    assert renamed.status_code == 302
    assert "seniors" in admin.get("/zasoby?lang=en").get_data(True)  # in the filters at once
    entries, _total = _audit(accounts)
    changed = {e["field"] for e in entries if e["table_name"] == "resource_category"}
    assert {None, "name_en", "capacity_unit"} <= changed
    refused = editor.post("/kategorie/klub_seniora", data={**new, "csrf_token": _token_of(editor)})
    assert refused.status_code == 403


def test_account_errors_read_in_the_page_language(accounts: Flask) -> None:
    admin = _client(accounts, "ola")
    token = TOKEN.search(admin.get("/konta").get_data(True))[1]
    form = {"login": "jan", "role": "editor", "csrf_token": token}
    taken = {**form, "password": "correct horse battery", "password_again": "correct horse battery"}
    page = admin.post("/konta", data=taken, follow_redirects=True).get_data(True)
    assert "login: konto &#39;jan&#39; już istnieje; wybierz inną nazwę" in page
    short = {**form, "login": "ewa", "password": "krótkie", "password_again": "krótkie"}
    page = admin.post("/konta", data=short, follow_redirects=True).get_data(True)
    assert "hasło: co najmniej 12 znaków, wpisano 7" in page
    english = admin.post("/accounts?lang=en", data=short, follow_redirects=True).get_data(True)
    assert "password: expected at least 12 characters, got 7" in english
