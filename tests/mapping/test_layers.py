"""Map layers, small-count suppression, the resource listing and the choropleth helpers, on the
demo frames (no database)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mapping.analysis import AnalysisData, needs_table
from mapping.demo import load_demo_frames
from mapping.indicators import IndicatorRegistry, rates, values_for_year
from mapping.layers import (
    find_layer,
    layer_by_year,
    layer_change,
    layer_history,
    layer_values,
    layer_years,
    list_layers,
)
from mapping.listing import filter_resources, resources_csv, resources_geojson
from mapping.privacy import suppress
from mapping.render.choropleth import class_colours, palette

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"


@pytest.fixture(scope="module")
def data() -> AnalysisData:
    demo = load_demo_frames(DEMO)
    categories = pd.DataFrame(
        {"code": sorted(set(demo.resources["category"])), "name_pl": "x", "name_en": "x"}
    )
    return AnalysisData(
        districts=demo.districts,
        resources=demo.resources.assign(id=range(1, len(demo.resources) + 1)),
        categories=categories,
        registry=IndicatorRegistry(demo.indicators),
        values=demo.indicator_values,
    )


def test_layers_are_indicators_rates_and_the_needs_index(data: AnalysisData) -> None:
    codes = [layer.code for layer in list_layers(data.registry)]
    assert codes[-1] == "needs_index"
    assert "residents" in codes and "residents_rate" not in codes
    assert "social_assistance_rate" in codes
    assert layer_years(data, find_layer(data.registry, "needs_index")) == [
        2010,
        2011,
        2012,
        2013,
        2021,
    ]


@pytest.mark.parametrize("code", ["residents", "social_assistance_rate", "children_assisted"])
def test_values_follow_the_indicator_functions_and_ranks_follow_direction(
    data: AnalysisData, code: str
) -> None:
    layer = find_layer(data.registry, code)
    off = suppress(data.values, data.registry, min_count=0)
    got = layer_values(data, layer, year=2021, suppression=off).shown
    if layer.kind == "rate":
        want = rates(data.values, data.registry, indicator="social_assistance", year=2021)
    else:
        want = values_for_year(data.values, indicator=code, year=2021)
    pd.testing.assert_series_equal(got.sort_index(), want, check_names=False)
    table = layer_values(data, layer, year=2021, suppression=off).table.set_index("district_code")
    top = table["rank"].idxmin()
    # Rank 1 is the most need: the largest value, or the smallest for residents.
    assert top == (want.idxmin() if code == "residents" else want.idxmax())


def test_layer_by_year_equals_each_year_of_layer_values(data: AnalysisData) -> None:
    off = suppress(data.values, data.registry, min_count=0)
    for code in ("social_assistance_rate", "disability_support", "needs_index"):
        layer = find_layer(data.registry, code)
        table = layer_by_year(data, layer)
        for year in layer_years(data, layer):
            one = layer_values(data, layer, year=year, suppression=off).shown
            np.testing.assert_allclose(table[year].to_numpy(), one.to_numpy(), rtol=1e-12)


def test_small_counts_and_rates_built_from_them_are_hidden(data: AnalysisData) -> None:
    on = suppress(data.values, data.registry, min_count=5)
    assert on.is_small("lubiechow", "children_assisted", 2021)
    assert not on.is_small("lubiechow", "children_assisted", 2013)  # 7 children
    assert on.hides_rate("lubiechow", "children_assisted", 2021)
    count = layer_values(
        data, find_layer(data.registry, "children_assisted"), year=2021, suppression=on
    ).table.set_index("district_code")
    assert count.loc["lubiechow", "small"] and np.isnan(count.loc["lubiechow", "shown"])
    rate = layer_values(
        data, find_layer(data.registry, "children_assisted_rate"), year=2021, suppression=on
    ).table.set_index("district_code")
    assert rate.loc["lubiechow", "hidden"] and not rate.loc["lubiechow", "small"]
    assert pd.isna(rate.loc["lubiechow", "rank"])
    # Ranks run 1..20 among the shown rates: no gap places the hidden one.
    assert sorted(rate["rank"].dropna().astype(int)) == list(range(1, 21))
    history = layer_history(
        data, find_layer(data.registry, "children_assisted_rate"), district="lubiechow",
        suppression=on,
    )  # fmt: skip
    assert history.set_index("year").loc[2021, "hidden"]
    # Per the 79 children aged 0-17 of Lubiechów in 2013 (issue 14), not per all 513 residents.
    assert history.set_index("year").loc[2013, "shown"] == pytest.approx(7 / 79 * 1000)
    change = layer_change(
        data,
        find_layer(data.registry, "children_assisted"),
        from_year=2013,
        to_year=2021,
        suppression=on,
    ).set_index("district_code")
    assert change.loc["lubiechow", "status"] == "hidden"
    assert np.isnan(change.loc["lubiechow", "change_shown"])
    assert change.loc["lubiechow", "from_shown"] == 7


def test_the_needs_index_uses_true_values_whatever_is_shown(data: AnalysisData) -> None:
    layer = find_layer(data.registry, "needs_index")
    shown = [
        layer_values(
            data, layer, year=2021, suppression=suppress(data.values, data.registry, min_count=m)
        ).shown
        for m in (0, 5, 1000)
    ]
    truth = needs_table(data, year=2021).scores.set_index("district_code")["needs_index"]
    for series in shown:
        pd.testing.assert_series_equal(series.sort_index(), truth.sort_index(), check_names=False)


def test_filtered_resources_and_their_downloads_hold_the_same_rows(data: AnalysisData) -> None:
    chosen = filter_resources(data.resources, data.districts, category="swietlica")
    assert len(chosen) and set(chosen["category"]) == {"swietlica"}
    csv_ids = [line.split(",", 1)[0] for line in resources_csv(chosen).splitlines()[1:]]
    geo_ids = [f["id"] for f in resources_geojson(chosen)["features"]]
    assert csv_ids == [str(i) for i in chosen["id"]]
    assert geo_ids == list(chosen["id"])
    in_district = filter_resources(data.resources, data.districts, district="srodmiescie")
    assert set(in_district["district_code"]) == {"srodmiescie"}
    assert filter_resources(data.resources, data.districts, q="zzzz-nothing").empty


def test_palette_and_class_colours() -> None:
    assert palette("viridis", 9)[0] == "#fde725" and palette("viridis", 9)[-1] == "#440154"
    assert len(set(palette("cividis", 5))) == 5
    fills = class_colours(pd.Series({"a": 1.0, "b": 2.5, "c": 9.0}), [2.0, 9.0], ["#1", "#2"])
    assert fills == {"a": "#1", "b": "#2", "c": "#2"}
