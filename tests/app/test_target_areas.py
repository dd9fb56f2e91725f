"""A partnership's target area in a published edition, chosen on the ranking page and saved with
its ranking whole: its justification sheet is the same bytes after later changes."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Flask

from tests.app.test_editing import TOKEN, _audit, _client


def _published(app: Flask) -> None:
    done = app.test_cli_runner().invoke(args=["edition", "publish", "2013", "--title", "Mapy"])
    assert done.exit_code == 0, done.output


def _choice(html: str) -> dict[str, list[str]]:
    form = re.search(r'<form method="post" action="/obszary/wybor".*?</form>', html, re.S)
    assert form, "no choice form"
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form[0]):
        fields.setdefault(name, []).append(value.replace("&amp;", "&"))
    fields["csrf_token"] = [TOKEN.search(form[0])[1]]
    fields["district"] = re.findall(r'name="district" value="([^"]+)" checked', form[0])
    fields["partnership"] = [re.search(r'<option value="([^"]+)"', form[0])[1]]
    return fields


def test_an_editor_saves_a_target_area_whose_sheet_never_changes(accounts: Flask) -> None:
    from app.cache import page_cache
    from app.db import get_engine

    _published(accounts)
    editor = _client(accounts, "jan")
    assert "/obszary/wybor" not in accounts.test_client().get("/obszary?edition=2013").get_data(
        True
    )  # visitors see no form
    assert "/obszary/wybor" not in editor.get("/obszary").get_data(True)  # live data: no form
    fields = _choice(editor.get("/obszary?edition=2013&top=3").get_data(True))
    assert len(fields["district"]) == 3 and fields["edition"] == ["2013"]
    fields["note"] = ["<b>kryzys</b>"]
    saved = editor.post("/obszary/wybor", data=fields)
    assert saved.status_code == 302 and saved.headers["Location"] == "/partnerstwa"
    page = editor.get("/partnerstwa").get_data(True)
    assert "Edycja 2013" in page and "&lt;b&gt;kryzys&lt;/b&gt;" in page
    sheet_url = re.search(r'href="(/obszary/karta\?[^"]+)"', page)[1].replace("&amp;", "&")
    assert "edition=2013" in sheet_url and "top=3" in sheet_url
    anonymous = accounts.test_client()
    before = anonymous.get(sheet_url)
    assert before.status_code == 200
    with accounts.app_context(), get_engine().begin() as conn:
        conn.execute(sa.text("UPDATE indicator_value SET value = value * 3"))
    with accounts.app_context():
        page_cache(accounts).clear()
    assert anonymous.get(sheet_url).get_data() == before.get_data()
    entries, _total = _audit(accounts)
    assert any(e["table_name"] == "target_area" and e["actor"] == "jan" for e in entries)


def test_a_wrong_choice_is_refused_and_saves_nothing(accounts: Flask) -> None:
    from app.db import get_engine
    from mapping.db import target_areas

    _published(accounts)
    editor = _client(accounts, "jan")
    fields = _choice(editor.get("/obszary?edition=2013").get_data(True))
    for bad in ({"district": []}, {"district": ["nowhere"]}, {"partnership": ["nobody"]}):
        answer = editor.post("/obszary/wybor", data={**fields, **bad}, follow_redirects=True)
        assert answer.status_code == 200
        assert re.search(r"osiedla|partnerstwo", answer.get_data(True))
    with accounts.app_context():
        assert target_areas.list_target_areas(get_engine()) == []
    # (anonymous visitors and forged tokens: tests/app/test_role_matrix.py sweeps this route)


def test_the_demo_cycle_publishes_editions_and_target_areas_once(empty_app: Flask) -> None:
    from app.db import get_engine
    from mapping.analysis import AnalysisData
    from mapping.db import target_areas

    runner = empty_app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    done = runner.invoke(args=["load-demo", "--with-editions"])
    assert done.exit_code == 0 and "Demo editions published: 2010, 2011, 2012, 2013." in done.output
    again = runner.invoke(args=["load-demo", "--with-editions"])
    assert "demo editions not published" in again.output
    with empty_app.app_context():
        engine = get_engine()
        assert AnalysisData.from_edition(engine, "2011").years == [2010, 2011]
        areas = target_areas.list_target_areas(engine)
    assert sorted((a.partnership, a.edition) for a in areas) == sorted(
        (p, e) for p in {a.partnership for a in areas} for e in ("2012", "2013")
    )
    assert len(areas) == 4 and all(a.ranking["year"] == a.edition for a in areas)
    client = empty_app.test_client()
    page = client.get("/partnerstwa").get_data(True)
    sheet = re.search(r'href="(/obszary/karta\?[^"]+)"', page)[1].replace("&amp;", "&")
    assert client.get(sheet).status_code == 200


def test_a_ranking_saved_before_method_versions_draws_as_it_did(client) -> None:
    """A saved ranking without ``mv`` is of method version 1 (weights perturbed only): its sheet
    keeps the old sensitivity sentence and columns; a new ranking shows the top-N share."""
    from mapping.target_areas import TargetAreaRecord, sheet_args

    old = sheet_args(TargetAreaRecord("p", "2013", ("a",), {"year": "2013", "top": "5"}))
    assert old["mv"] == "1"
    sheet = client.get("/obszary/karta?year=2013&top=5&mv=1").get_data(True)
    assert "1000 przebiegów" in sheet or "1000 runs" in sheet
    assert "W pierwszej 5" not in sheet
    new = client.get("/obszary/karta?year=2013&top=5").get_data(True)
    assert "W pierwszej 5" in new and "12000" in new


def test_the_ranking_page_warns_of_overlapping_indicators(client) -> None:
    page = client.get("/obszary?year=2013").get_data(True)
    assert 'id="correlation-table"' in page
    assert 'id="correlation-warning"' in page  # the demo's assistance rates correlate > 0.9
    assert "W pierwszej 5" in page
