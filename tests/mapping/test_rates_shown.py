"""The smoothed rate beside the raw one, and the small-denominator flag, on the map page's
table, tooltips and CSV (issue 14, point 4), on the demo frames (no database)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mapping.analysis import AnalysisData
from mapping.categories import DEFAULT_CATEGORIES
from mapping.demo import load_demo_frames
from mapping.indicators import IndicatorRegistry, rate_table
from mapping.pages.data import PageData
from mapping.pages.indicator_map import TABLE_COLUMNS, build_indicator_map, indicator_table
from mapping.pages.query import parse_map_query
from mapping.pages.text import Translator

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
tr = Translator.plain("en")


@pytest.fixture(scope="module")
def data() -> PageData:
    demo = load_demo_frames(DEMO)
    analysis = AnalysisData(
        districts=demo.districts,
        resources=demo.resources.assign(id=range(1, len(demo.resources) + 1)),
        categories=pd.DataFrame([c._asdict() for c in DEFAULT_CATEGORIES]),
        registry=IndicatorRegistry(demo.indicators),
        values=demo.indicator_values,
    )
    return PageData.from_analysis(analysis, min_count=5)


def test_a_rate_layer_shows_the_smoothed_rate_and_flags_small_denominators(
    data: PageData,
) -> None:
    query = parse_map_query({"year": "2013"}, data.analysis, tr, layer="social_assistance_rate")
    page = build_indicator_map(data, query, tr)
    assert page.rate
    expected = rate_table(
        data.analysis.values, data.analysis.registry, indicator="social_assistance", year=2013
    )
    table = page.choropleth.values.table.set_index("district_code")
    np.testing.assert_allclose(
        table["smoothed"].to_numpy(), expected["smoothed_rate"].reindex(table.index).to_numpy()
    )
    flagged = set(table.index[table["small_denominator"]])
    assert flagged == {"lubiechow", "ksiaz", "rusinowa", "kozice"}  # 513, 636, 779, 846 people
    rows = {row["code"]: row for row in page.rows}
    assert rows["lubiechow"]["small_denominator"] and not rows["podzamcze"]["small_denominator"]
    assert rows["lubiechow"]["smoothed"] == tr.number(table.loc["lubiechow", "smoothed"], 1)
    tip = dict(page.choropleth.tooltips["lubiechow"])
    assert tip["Smoothed rate (empirical Bayes)"].startswith(rows["lubiechow"]["smoothed"])
    assert "fewer than 1,000 people in the denominator" in tip["Small numbers"]
    assert "Small numbers" not in dict(page.choropleth.tooltips["podzamcze"])

    csv = {row["district_code"]: row for row in indicator_table(data, query)}
    assert list(csv["ksiaz"]) == list(TABLE_COLUMNS)
    assert csv["ksiaz"]["small_denominator"] == "true"
    assert csv["podzamcze"]["small_denominator"] == "false"
    assert csv["ksiaz"]["smoothed_value"] == pytest.approx(table.loc["ksiaz", "smoothed"], abs=1e-6)
    assert csv["ksiaz"]["value"] != csv["ksiaz"]["smoothed_value"]


def test_a_hidden_rate_hides_its_smoothed_rate_too(data: PageData) -> None:
    # Lubiechów's 2021 count of children in assisted families is below 5: its rate is hidden,
    # and so is the smoothed rate (it would tell the count back).
    query = parse_map_query({"year": "2021"}, data.analysis, tr, layer="children_assisted_rate")
    page = build_indicator_map(data, query, tr)
    table = page.choropleth.values.table.set_index("district_code")
    assert table.loc["lubiechow", "hidden"] and np.isnan(table.loc["lubiechow", "smoothed"])
    assert {row["code"]: row for row in page.rows}["lubiechow"]["smoothed"] == "–"
    csv = {row["district_code"]: row for row in indicator_table(data, query)}
    assert csv["lubiechow"]["smoothed_value"] is None


def test_a_count_or_index_layer_has_no_smoothed_column(data: PageData) -> None:
    for layer in ("social_assistance", "needs_index"):
        query = parse_map_query({"year": "2013"}, data.analysis, tr, layer=layer)
        page = build_indicator_map(data, query, tr)
        assert not page.rate
        assert ("empirical Bayes" in page.index_note) == (layer == "needs_index")
        assert "Small numbers" not in dict(page.choropleth.tooltips["lubiechow"])
        row = indicator_table(data, query)[0]
        assert row["smoothed_value"] is None and row["small_denominator"] is None
