"""A year's indicator values edited as a table or pasted from a spreadsheet (``/wskazniki/dane``):
the import's checks, a fingerprint against lost updates, the audit log."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from tests.app.test_editing import _audit, _client

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def _table(client: FlaskClient, year: int = 2013) -> dict[str, str]:
    html = client.get(f"/wskazniki/dane?year={year}").get_data(True)
    fields = dict(re.findall(r'<input name="(v:[^"]+)"[^>]*?value="([^"]*)"', html, flags=re.S))
    token = TOKEN.search(html)
    fingerprint = re.search(r'name="fingerprint" value="([^"]+)"', html)
    assert token and fingerprint and fields
    return {**fields, "csrf_token": token[1], "fingerprint": fingerprint[1], "year": str(year)}


def _stored(app: Flask, district: str, indicator: str, year: int) -> float:
    from app.db import get_engine
    from mapping.db import store

    with app.app_context():
        frame = store.load_indicator_values(get_engine(), indicator=indicator, year=year)
    return float(frame.set_index("district_code").loc[district, "value"])


def test_a_typed_value_is_saved_and_logged(accounts: Flask) -> None:
    editor = _client(accounts, "jan")
    form = _table(editor)
    assert form["v:srodmiescie:residents"]  # the stored value is shown
    answer = editor.post("/wskazniki/dane", data={**form, "v:srodmiescie:residents": "12345"})
    assert answer.status_code == 302
    assert _stored(accounts, "srodmiescie", "residents", 2013) == 12345
    assert "zmienione 1" in editor.get(answer.headers["Location"]).get_data(True)
    entries, _total = _audit(accounts)
    assert entries[0]["actor"] == "jan" and entries[0]["how"] == "form"
    assert entries[0]["record_id"] == "form:tabela 2013"
    assert '"updated": 1' in entries[0]["new_value"]


def test_a_stale_table_is_a_409_and_saves_nothing(accounts: Flask) -> None:
    first, second = _client(accounts, "jan"), _client(accounts, "ola")
    old, other = _table(first), _table(second)
    saved = second.post("/wskazniki/dane", data={**other, "v:gaj:residents": "999"})
    assert saved.status_code == 302
    stale = first.post("/wskazniki/dane", data={**old, "v:gaj:residents": "111"})
    assert stale.status_code == 409 and 'id="stale"' in stale.get_data(True)
    assert _stored(accounts, "gaj", "residents", 2013) == 999


def test_pasted_cells_are_imported_and_bad_ones_refused_with_the_cell(accounts: Flask) -> None:
    editor = _client(accounts, "jan")
    paste = "district_code\tresidents\tsocial_assistance\nsobiecin\t4321\t77\n"
    answer = editor.post("/wskazniki/dane", data={**_table(editor), "paste": paste})
    assert answer.status_code == 302
    assert _stored(accounts, "sobiecin", "social_assistance", 2013) == 77
    bad = "district_code\tresidents\nsobiecin\tdużo\n"
    refused = editor.post("/wskazniki/dane", data={**_table(editor), "paste": bad})
    assert refused.status_code == 422 and "dużo" in refused.get_data(True)
    assert _stored(accounts, "sobiecin", "residents", 2013) == 4321


def test_only_editors_reach_the_table(accounts: Flask) -> None:
    anonymous = accounts.test_client()
    assert anonymous.get("/wskazniki/dane").status_code == 302
    assert anonymous.get("/indicators/data?year=2012").status_code == 302
    editor = _client(accounts, "jan")
    assert editor.get("/indicators/data?year=2012").status_code == 200
    assert editor.get("/wskazniki/dane?year=abc").status_code == 400
