"""Changes between two editions, and counts carried across redrawn boundaries by areal
weighting (pysal tobler): totals kept, estimates flagged."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.affinity import translate

from mapping.analysis import AnalysisData
from mapping.demo import load_demo_frames
from mapping.edition_diff import carry_counts, diff_editions
from mapping.indicators.registry import IndicatorRegistry

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"


@pytest.fixture(scope="module")
def before() -> AnalysisData:
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


def _merged(districts: gpd.GeoDataFrame, gone: str, into: str) -> gpd.GeoDataFrame:
    frame = districts.copy()
    union = (
        frame.loc[frame["code"] == into]
        .geometry.iloc[0]
        .union(frame.loc[frame["code"] == gone].geometry.iloc[0])
    )
    frame.loc[frame["code"] == into, "geometry"] = union
    return gpd.GeoDataFrame(frame[frame["code"] != gone].reset_index(drop=True), crs=4326)


def test_the_same_data_has_no_changes(before: AnalysisData) -> None:
    found = diff_editions(before, before)
    assert found.districts.empty and found.resources.empty and found.values.empty
    assert not found.estimated


def test_resources_added_removed_moved_and_changed(before: AnalysisData) -> None:
    resources = before.resources.copy()
    with_point = resources[resources.geometry.notna() & ~resources.geometry.is_empty]
    moved_id, changed_id = int(with_point["id"].iloc[0]), int(with_point["id"].iloc[1])
    removed_id = int(resources["id"].iloc[-1])
    row = resources.index[resources["id"] == moved_id][0]
    resources.loc[row, "geometry"] = translate(resources.loc[row, "geometry"], xoff=0.001)
    resources.loc[resources["id"] == changed_id, ["name", "capacity"]] = ["Nowa <b>nazwa</b>", 99]
    added = resources.iloc[[0]].assign(id=10_000, name="Klub Iskra")
    resources = pd.concat([resources[resources["id"] != removed_id], added], ignore_index=True)
    after = dataclasses.replace(before, resources=gpd.GeoDataFrame(resources, crs=4326))
    found = diff_editions(before, after).resources.set_index("id")
    assert found.loc[10_000, "change"] == "added"
    assert found.loc[removed_id, "change"] == "removed"
    assert found.loc[moved_id, "change"] == "moved"
    assert 60 < found.loc[moved_id, "moved_m"] < 80  # 0.001° of longitude at 50.8° N: ~70 m
    assert found.loc[changed_id, "change"] == "changed"
    assert found.loc[changed_id, "fields"] == "name, capacity"
    assert len(found) == 4


def test_redrawn_boundaries_carry_the_counts_with_their_totals(before: AnalysisData) -> None:
    districts = _merged(before.districts, gone="gaj", into="rusinowa")
    districts.loc[districts["code"] == "sobiecin", "name"] = "Sobięcin Nowy"
    values = before.values[before.values["district_code"] != "gaj"]
    after = dataclasses.replace(before, districts=districts, values=values)
    found = diff_editions(before, after)
    changes = dict(zip(found.districts["code"], found.districts["change"], strict=True))
    assert changes == {"gaj": "removed", "rusinowa": "redrawn", "sobiecin": "renamed"}
    assert found.estimated
    carried = carry_counts(before.districts, before.values, districts)
    for (indicator, year), group in before.values.groupby(["indicator", "year"]):
        estimate = carried[(carried["indicator"] == indicator) & (carried["year"] == year)]
        assert estimate["value"].sum() == pytest.approx(group["value"].sum(), rel=1e-4)
    rows = found.values[(found.values["indicator"] == "residents") & (found.values["year"] == 2013)]
    rusinowa = rows[rows["district_code"] == "rusinowa"].iloc[0]
    assert bool(rusinowa["estimated"])
    both = before.values[
        (before.values["indicator"] == "residents")
        & (before.values["year"] == 2013)
        & before.values["district_code"].isin(["gaj", "rusinowa"])
    ]["value"].sum()
    assert rusinowa["before"] == pytest.approx(both, rel=1e-3)  # gaj's count moved in whole
    unchanged = found.values[found.values["district_code"] == "sobiecin"]
    assert unchanged.empty  # a renamed district keeps its values, not estimated


def _with_values(data: AnalysisData, changes: dict[tuple[str, str], float]) -> AnalysisData:
    """``data`` with the 2013 values of (district, indicator) replaced."""
    values = data.values.copy()
    for (district, indicator), value in changes.items():
        row = (
            (values["district_code"] == district)
            & (values["indicator"] == indicator)
            & (values["year"] == 2013)
        )
        assert row.sum() == 1
        values.loc[row, "value"] = value
    return dataclasses.replace(data, values=values)


def test_a_changed_count_gets_the_comparison_pages_chance_status(before: AnalysisData) -> None:
    """Issue 14, point 8, in the edition diff: Konradów's 62.6 -> 62.2 per 1,000 (128 of 2,045,
    then 120 of 1,929) is within the chance variation of the counts; 1,435 -> 1,199 of 10,000
    is not. The p-value is the comparison's own test (rate_change_p_value)."""
    from mapping.indicators.change import rate_change_p_value

    first = _with_values(
        before,
        {
            ("konradow", "social_assistance"): 128,
            ("konradow", "residents"): 2045,
            ("podgorze-ii", "social_assistance"): 1435,
            ("podgorze-ii", "residents"): 10_000,
            ("gaj", "social_assistance"): 100,
        },
    )
    second = _with_values(
        before,
        {
            ("konradow", "social_assistance"): 120,
            ("konradow", "residents"): 1929,
            ("podgorze-ii", "social_assistance"): 1199,
            ("podgorze-ii", "residents"): 10_000,
            ("gaj", "social_assistance"): 200,
        },
    )
    found = diff_editions(first, second).values.set_index(["district_code", "indicator"])
    konradow = found.loc[("konradow", "social_assistance")]
    assert round(konradow["rate_before"], 1) == 62.6 and round(konradow["rate_after"], 1) == 62.2
    assert konradow["status"] == "no_clear_change"
    assert konradow["p_value"] == pytest.approx(rate_change_p_value(128, 2045, 120, 1929))
    assert found.loc[("podgorze-ii", "social_assistance"), "status"] == "improved"
    assert found.loc[("gaj", "social_assistance"), "status"] == "worsened"
    # A count without a denominator is tested on equal bases (residents: 2,045 -> 1,929).
    residents = found.loc[("konradow", "residents")]
    assert residents["p_value"] == pytest.approx(rate_change_p_value(2045, 1, 1929, 1))
    assert residents["status"] == "no_clear_change"  # p = 0.07
    assert pd.isna(found.loc[("konradow", "residents"), "rate_before"])
