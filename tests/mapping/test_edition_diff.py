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
