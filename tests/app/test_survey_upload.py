"""Surveys on /dane/import (counts and anonymous responses, as ``palmap import surveys``),
``palmap export surveys`` (the suppressed tables only), and the programme's row problems in the
page's language."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd
from flask import Flask

from app.db import get_engine
from mapping.db import programme as programme_store
from mapping.db import surveys as survey_store
from tests.app.test_surveys_pages import download
from tests.app.test_upload import _counts, _login, _token, _upload
from tests.mapping.test_survey_privacy import attack_equations, shown_values, solve, subtract

COUNTS = (
    "action,district,wave,question,answer,count\n"
    "demo-2012-03,srodmiescie,initial,Czy poleci Pan/Pani?,tak,12\n"
    "demo-2012-03,srodmiescie,final,Czy poleci Pan/Pani?,tak,15\n"
)
RESPONSES = "action,district,wave,respondent,question,answer\n" + "".join(
    f"demo-2012-03,srodmiescie,initial,r-{i},Czy poleci Pan/Pani?,tak\n" for i in range(7)
)


def _stored(app: Flask) -> list[tuple[str, str, str, str, str, int]]:
    with app.app_context():
        return sorted(
            (c.action, c.district, c.wave, c.question, c.answer, c.count)
            for c in survey_store.load_counts(get_engine())
            if c.question == "Czy poleci Pan/Pani?"
        )


def _confirm(client, location: str):  # noqa: ANN001, ANN202
    return client.post(location + "/zatwierdz", data={"csrf_token": _token(client)})


def test_survey_counts_upload_with_preview_and_confirm(app: Flask) -> None:
    from mapping.db import audit

    client = _login(app)
    form = client.get("/dane/import").get_data(True)
    assert '<option value="surveys">' in form and "/dane/szablon/surveys.xlsx" in form
    assert client.get("/dane/szablon/surveys.csv").get_data(True).startswith("action,district,")
    location = _upload(client, COUNTS.encode(), "ankiety.csv", kind="surveys").headers["Location"]
    preview = client.get(location)
    page = preview.get_data(True)
    assert preview.status_code == 200 and 'id="survey-note"' in page
    assert _stored(app) == []  # a rehearsal writes nothing
    assert _confirm(client, location).status_code == 302
    assert _stored(app) == [
        ("demo-2012-03", "srodmiescie", "final", "Czy poleci Pan/Pani?", "tak", 15),
        ("demo-2012-03", "srodmiescie", "initial", "Czy poleci Pan/Pani?", "tak", 12),
    ]
    with app.app_context():
        entries, _total = audit.list_entries(get_engine(), audit.AuditFilter())
    assert "upload" in set(entries["how"])


def test_responses_are_counted_with_the_key_and_refused_without_it_in_the_clis_words(
    app: Flask, tmp_path: Path
) -> None:
    client = _login(app)
    app.config["SURVEY_KEY"] = None
    path = tmp_path / "odpowiedzi.csv"
    path.write_text(RESPONSES, encoding="utf-8")
    cli = app.test_cli_runner().invoke(args=["import", "surveys", str(path)])
    assert cli.exit_code != 0
    refusal = "expected a secret key of at least 16 characters to hash the respondent ids"
    assert refusal in cli.output
    location = _upload(client, RESPONSES.encode(), "odpowiedzi.csv", kind="surveys").headers[
        "Location"
    ]
    english = client.get(location + "?lang=en")
    assert english.status_code == 422
    said = re.search(r"<h2>The file cannot be read</h2>\s*<p>(.*?)</p>", english.get_data(True))
    assert said and refusal in said[1] and "set PALMAP_SURVEY_KEY" in said[1]
    polish = client.get(location + "?lang=pl").get_data(True)
    assert "ustaw PALMAP_SURVEY_KEY" in polish and "expected a secret key" not in polish
    assert 'id="confirm"' not in polish and _stored(app) == []
    app.config["SURVEY_KEY"] = "k" * 32
    location = _upload(client, RESPONSES.encode(), "odpowiedzi.csv", kind="surveys").headers[
        "Location"
    ]
    assert client.get(location).status_code == 200
    assert _confirm(client, location).status_code == 302
    stored = _stored(app)
    assert stored == [("demo-2012-03", "srodmiescie", "initial", "Czy poleci Pan/Pani?", "tak", 7)]
    assert "r-1" not in repr(stored)


def test_a_failed_survey_upload_writes_nothing(app: Flask) -> None:
    client = _login(app)
    before = _counts(app)
    bad = (
        COUNTS
        + "demo-9999,srodmiescie,final,Czy poleci Pan/Pani?,nie,9\n"
        + "demo-2012-03,srodmiescie,final,Czy poleci Pan/Pani?,nie,-3\n"
    )
    location = _upload(client, bad.encode(), "ankiety.csv", kind="surveys").headers["Location"]
    page = client.get(location + "?lang=pl").get_data(True)
    # the row-level report, in Polish: the unknown action (row 4), the negative count (row 5)
    assert "<tr><td>4</td><td>action</td><td>demo-9999</td><td>oczekiwano kodu zapisanego" in page
    assert "<tr><td>5</td><td>count</td><td>-3</td>" in page
    assert 'id="confirm"' not in page
    assert _confirm(client, location).status_code == 302  # refused: back to the preview
    assert _counts(app) == before and _stored(app) == []


def test_export_surveys_writes_the_suppressed_tables_only(app: Flask, tmp_path: Path) -> None:
    """The file has the /ankiety.csv rows exactly: no count under the minimum, and the
    differencing attack (subtracting shown counts from shown totals, also across the per-action
    and per-district tables, and solving the equations) recovers no hidden count."""
    runner = app.test_cli_runner()
    out = tmp_path / "ankiety.csv"
    done = runner.invoke(args=["export", "surveys", "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert "counts hidden" in done.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows == download(app.test_client())
    assert {r["scope"] for r in rows} == {"all", "district", "action"}
    assert "respondent" not in out.read_text(encoding="utf-8").splitlines()[0]
    numbers = [
        int(r[w])
        for r in rows
        if r["row"] != "mean"
        for w in ("initial", "final")
        if r[w] != "hidden"
    ]
    assert numbers and min(numbers) >= 5
    shown = shown_values(pd.DataFrame(rows))
    with app.app_context():
        links = {a.code: list(a.districts) for a in programme_store.load_actions(get_engine())}
    equations = attack_equations(shown, links)
    assert any(v is None for v in shown.values())
    assert subtract(shown, equations) == {} and solve(shown, equations) == {}
    xlsx = tmp_path / "ankiety.xlsx"
    assert runner.invoke(args=["export", "surveys", "-o", str(xlsx)]).exit_code == 0
    sheet = pd.read_excel(xlsx, dtype=str, keep_default_na=False)
    assert len(sheet) == len(rows) and "hidden" in set(sheet["initial"])
    refused = runner.invoke(args=["export", "surveys", "-o", str(tmp_path / "a.geojson")])
    assert refused.exit_code != 0 and "csv or xlsx" in refused.output


def test_a_polish_page_shows_a_polish_programme_row_problem(app: Flask) -> None:
    client = _login(app)
    bad = b"code,title,type,districts,start_date\nu-1,Kurs,IV.9,gaj,1.13.2013\n"
    location = _upload(client, bad, "a.csv", kind="actions").headers["Location"]
    page = client.get(location + "?lang=pl").get_data(True)
    assert "oczekiwano jednej z wartości IV.1, IV.2" in page and "a wpisano „IV.9”" in page
    assert "oczekiwano daty, np. 2012-06-01 lub 01.06.2012, a wpisano „1.13.2013”" in page
    assert "expected" not in page
    english = client.get(location + "?lang=en").get_data(True)
    assert "expected one of IV.1, IV.2" in english
    # the action form says it in Polish too
    form = client.get("/dzialania/nowe?lang=pl").get_data(True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)[1]
    answer = client.post(
        "/dzialania/nowe",
        data={
            "csrf_token": token,
            "code": "u-2",
            "title": "",
            "type": "IV.6",
            "start_date": "2013-01-01",
            "status": "planned",
        },
    )
    assert answer.status_code == 422
    assert "brak wartości w polu title" in answer.get_data(True)
