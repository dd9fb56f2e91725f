"""Issue 14 (domains) on /obszary: a weight per domain in the form, carried in the share link,
the embed, the sheet and the saved target area, ranked as mapping.analysis.rank_table ranks
with the same weights; bad values answer 400 naming the field and the fix."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mapping.analysis import rank_table

NEEDS = ("social_assistance", "long_term_unemployed", "children_assisted", "disability_support")


def _order(html: str) -> list[str]:
    table = html.split('id="ranking-table"')[1].split("</table>")[0]
    return re.findall(r'<tr data-district="([^"]+)"', table)


def _expected(app: Flask, domain_weights: dict[str, float] | None) -> list[str]:
    from app.cache import analysis_data

    with app.test_request_context("/"):
        data = analysis_data()
        ranking = rank_table(
            data,
            year=2013,
            weights=dict.fromkeys(NEEDS, 1.0),
            runs=50,
            domain_weights=domain_weights,
        )
    return list(ranking.sort_values("rank")["district_code"])


def test_a_domain_weighted_0_ranks_as_rank_table_does(app: Flask, client: FlaskClient) -> None:
    default = client.get("/obszary?year=2013")
    without = client.get("/obszary?year=2013&d_income=0")
    assert default.status_code == without.status_code == 200
    assert _order(default.get_data(True)) == _expected(app, None)
    assert _order(without.get_data(True)) == _expected(app, {"income": 0.0})
    assert _order(default.get_data(True)) != _order(without.get_data(True))
    # An explicit default (the mean weight of its one indicator) ranks as the default.
    same = client.get("/obszary?year=2013&d_income=1").get_data(True)
    assert _order(same) == _order(default.get_data(True))


def test_the_form_has_a_labelled_field_per_domain_and_the_links_keep_it(
    client: FlaskClient,
) -> None:
    html = client.get("/obszary?year=2013&d_labour=2.5&lang=pl").get_data(True)
    for domain, name in (
        ("income", "dochody i pomoc społeczna"),
        ("labour", "praca"),
        ("children", "dzieci i rodzina"),
        ("disability", "niepełnosprawność"),
    ):
        assert f'<label for="d-{domain}">{name}</label>' in html
        assert f'id="d-{domain}" name="d_{domain}" type="number"' in html
    assert (
        'id="d-labour" name="d_labour" type="number" min="0" max="100" step="0.5" value="2.5"'
        in html
    )
    assert (
        'id="d-income" name="d_income" type="number" min="0" max="100" step="0.5" value=""' in html
    )
    share = re.search(r'id="share-link" type="text" readonly value="([^"]+)"', html)
    assert share and "d_labour=2.5" in share[1] and "d_income" not in share[1]
    sheet = re.search(r'href="([^"]*/obszary/karta\?[^"]*)"', html)
    assert sheet and "d_labour=2.5" in sheet[1]
    english = client.get("/targets?year=2013&lang=en").get_data(True)
    assert '<label for="d-children">children and family</label>' in english
    default_embed = client.get("/embed/obszary?year=2013").get_data(True)
    embed = client.get("/embed/obszary?year=2013&d_income=0").get_data(True)
    assert embed != default_embed


@pytest.mark.parametrize("value", ["nan", "-1", "101", "abc", "1e400"])
def test_a_bad_domain_weight_is_a_400_naming_the_field_and_the_range(
    client: FlaskClient, value: str
) -> None:
    answer = client.get(f"/targets?year=2013&d_income={value}&lang=en")
    assert answer.status_code == 400
    text = answer.get_data(True)
    assert "Weight of the domain income and assistance: expected a number from 0 to 100" in text
    data = client.get(
        f"/targets?year=2013&d_income={value}", headers={"Accept": "application/json"}
    ).get_json()
    assert data["error"] == "invalid_setting" and "income and assistance" in data["message"]


def test_every_domain_weighted_0_is_a_400(client: FlaskClient) -> None:
    zero = "&".join(f"d_{d}=0" for d in ("income", "labour", "children", "disability"))
    answer = client.get(f"/targets?year=2013&{zero}&lang=en")
    assert answer.status_code == 400
    assert (
        "Give at least one domain with a weighted indicator a weight above 0."
        in answer.get_data(True)
    )


def test_the_saved_target_area_keeps_the_domain_weights(accounts: Flask) -> None:
    from tests.app.test_editing import TOKEN, _client

    runner = accounts.test_cli_runner()
    assert runner.invoke(args=["edition", "publish", "2013", "--title", "x"]).exit_code == 0
    editor = _client(accounts, "jan")
    page = editor.get("/obszary?edition=2013&d_income=0").get_data(True)
    assert 'name="d_income" value="0"' in page  # the choice form carries it
    token = TOKEN.search(page)
    assert token
    saved = editor.post(
        "/obszary/wybor",
        data={
            "csrf_token": token[1],
            "edition": "2013",
            "partnership": "pal-polnoc",
            "district": "podgorze-i",
            "year": "2013",
            "d_income": "0",
        },
    )
    assert saved.status_code == 302, saved.get_data(True)
    from app.db import get_engine
    from mapping.db import target_areas

    with accounts.app_context():
        found = target_areas.list_target_areas(get_engine(), partnership="pal-polnoc")
    ranking = next(t for t in found if t.edition == "2013").ranking
    assert ranking["d_income"] == "0"
    sheet = editor.get("/partnerstwa").get_data(True)
    link = re.search(r'href="([^"]*karta[^"]*d_income=0[^"]*)"', sheet)
    assert link, "the justification sheet of the saved area keeps the domain weight"
