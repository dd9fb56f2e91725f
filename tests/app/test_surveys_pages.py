"""/ankiety (/surveys) and its CSV download on the demo data: both routes and languages, the
question chosen, errors, hostile text shown as text, the page and the download showing the
same suppressed values, the differencing attack on the download, and an import shown at once."""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from pathlib import Path

import pandas as pd
import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from app.db import get_engine
from mapping.db import programme as programme_store
from tests.mapping.test_survey_privacy import attack_equations, shown_values, solve, subtract

Q1 = "Jak ocenia Pan/Pani swoją aktywność w życiu osiedla? (1 – bardzo źle, 5 – bardzo dobrze)"


def get(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def download(client: FlaskClient) -> list[dict[str, str]]:
    response = client.get("/ankiety.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def table_cells(page: str, anchor: str) -> list[list[str]]:
    """The rows of one table on the page (header cell and data cells, as text)."""
    section = page.split(f'id="{anchor}"', 1)[1].split("</table>", 1)[0]
    body = section.split("<tbody>", 1)[1]
    return [
        [
            unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


@pytest.mark.parametrize(
    ("url", "texts"),
    [
        ("/ankiety", ["<h1>Ankiety</h1>", "Ankieta wstępna", "Wszystkie działania", "ukryte"]),
        ("/surveys?lang=en", ["<h1>Surveys</h1>", "Initial survey", "All actions", "hidden"]),
    ],
)
def test_both_routes_in_both_languages(client: FlaskClient, url: str, texts: list[str]) -> None:
    page = get(client, url)
    for text in texts:
        assert text in page
    assert "Kursy zawodowe i staże (demo)" in page  # an action's table, by its title
    assert "Sobięcin" in page  # a district's table, by its name


def test_a_question_by_number_and_an_unknown_one(client: FlaskClient) -> None:
    page = get(client, "/ankiety?question=1")
    assert "<h2>Czy wie Pan/Pani, gdzie szukać pomocy w trudnej sytuacji?</h2>" in page
    page = get(client, "/surveys?question=9&lang=en", status=404)
    assert "There is no question 9" in page and Q1.split("?")[0] in page
    response = client.get("/ankiety?question=x", headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.json["error"] == "not_found"


def test_the_page_and_the_download_show_the_same_values(client: FlaskClient) -> None:
    page = get(client, "/ankiety?question=2&lang=en")  # questions in alphabetical order
    rows = [r for r in download(client) if r["scope"] == "all" and r["question"] == Q1]
    answers = [r for r in rows if r["row"] in ("answer", "total")]
    on_page = table_cells(page, "all")[: len(answers)]  # the answers, then the respondents
    assert [c[0] for c in on_page] == [r["answer"] for r in answers[:-1]] + ["Respondents"]
    assert [(c[1], c[3]) for c in on_page] == [(r["initial"], r["final"]) for r in answers]
    hidden_in_csv = sum(
        1
        for r in download(client)
        if r["question"] == Q1 and r["row"] != "mean"
        for wave in ("initial", "final")
        if r[wave] == "hidden"
    )
    assert f"{hidden_in_csv} values hidden for this question." in page
    assert hidden_in_csv > 0


def test_no_count_below_the_minimum_and_the_attack_on_the_download_recovers_nothing(
    app: Flask, client: FlaskClient
) -> None:
    rows = download(client)
    numbers = [
        int(r[w])
        for r in rows
        if r["row"] != "mean"
        for w in ("initial", "final")
        if r[w] != "hidden"
    ]
    assert numbers and min(numbers) >= 5
    shown = shown_values(pd.DataFrame([dict(r) for r in rows]))
    links = {a.code: list(a.districts) for a in programme_store.load_actions(get_engine(app))}
    equations = attack_equations(shown, links)
    assert any(v is None for v in shown.values())
    assert subtract(shown, equations) == {}
    assert solve(shown, equations) == {}


def test_min_count_zero_shows_every_count(app: Flask, client: FlaskClient) -> None:
    app.config["MIN_COUNT"] = 0
    assert not any("hidden" in (r["initial"], r["final"]) for r in download(client))


def test_hostile_text_is_shown_as_text_and_an_import_shows_at_once(
    client: FlaskClient, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "s.csv"
    path.write_text(
        "action,district,wave,question,answer,count\n"
        'demo-2012-03,srodmiescie,initial,"<script>alert(""q"")</script>",<b>tak</b>,40\n',
        encoding="utf-8",
    )
    result = runner.invoke(args=["import", "surveys", str(path)])
    assert result.exit_code == 0, result.output
    page = get(client, "/ankiety?question=1")  # "<" sorts before the demo questions
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert "<b>tak</b>" not in page and "&lt;b&gt;tak&lt;/b&gt;" in page
    assert "40" in page
