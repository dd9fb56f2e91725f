"""Dasymetric demand from the stored residential areas (issue 14, "A population surface"):
AnalysisData carries the residential layer, demand_for spreads each district's residents only
over its residential parts, a district without any keeps its whole area and is named in the
meta, and a surface's fallback districts use the layer too. Checked by hand on a toy."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import Point, box

from mapping.analysis import AnalysisData, access_table, demand_for
from mapping.indicators import IndicatorRegistry
from mapping.method import method_meta
from mapping.population import demand_access, demand_model_description

#: District a: 2 km x 1 km; its residential area is its west half. District b east of it has no
#: residential area.
A = box(300_000, 400_000, 302_000, 401_000)
B = box(302_000, 400_000, 304_000, 401_000)
WEST_HALF = box(300_000, 400_000, 301_000, 401_000)
#: One day room (10 places) at the centre of a's west half.
ROOM = Point(300_500, 400_500)


def toy(*, residential: bool, surface: bool = False) -> AnalysisData:
    districts = gpd.GeoDataFrame(
        {"code": ["a", "b"], "name": ["A", "B"], "schematic": False},
        geometry=[A, B],
        crs=2180,
    ).to_crs(4326)
    resources = gpd.GeoDataFrame(
        {
            "id": [1],
            "category": ["room"],
            "capacity": pd.array([10.0], dtype="Float64"),
            "district_code": ["a"],
        },
        geometry=[ROOM],
        crs=2180,
    ).to_crs(4326)
    categories = pd.DataFrame(
        {
            "code": ["room"],
            "name_pl": ["świetlica"],
            "name_en": ["day room"],
            "capacity_unit": ["places"],
        }
    )
    registry = IndicatorRegistry(
        pd.DataFrame(
            {
                "code": ["residents"],
                "name_pl": ["Mieszkańcy"],
                "name_en": ["Residents"],
                "unit": ["persons"],
                "higher_is_more_need": [False],
                "denominator": [None],
            }
        )
    )
    values = pd.DataFrame(
        {
            "district_code": ["a", "b"],
            "indicator": "residents",
            "year": 2021,
            "value": [1000.0, 500.0],
        }
    )
    layer = gpd.GeoDataFrame(geometry=[WEST_HALF], crs=2180).to_crs(4326)
    population = None
    if surface:  # b has 500 people on a surface point; a has none and falls back to the grid
        point = gpd.GeoSeries([Point(303_000, 400_500)], crs=2180).to_crs(4326)
        population = pd.DataFrame(
            {"year": [2021], "lon": point.x, "lat": point.y, "population": [500.0]}
        )
    return AnalysisData(
        districts,
        resources,
        categories,
        registry,
        values,
        version="toy",
        population=population,
        residential=layer if residential else None,
    )


def _west_half_mean_distance() -> float:
    """By hand: a's 100 grid centres (x, y = 50, 150, ..., 950 m into the west half) and their
    distance to the room at (500, 500)."""
    offsets = (np.arange(10) - 4.5) * 100.0
    dx, dy = np.meshgrid(offsets, offsets)
    return float(np.sqrt(dx**2 + dy**2).mean())


def test_the_residents_live_in_the_west_half_only_and_are_conserved() -> None:
    demand = demand_for(toy(residential=True), year=2021)
    a = demand.points[demand.points["district_code"] == "a"]
    # 100 m grid over the west half: 10 x 10 centres, 10 residents each, all west of 301,000.
    assert len(a) == 100 and (a.geometry.x < 301_000).all()
    assert a["population"].tolist() == pytest.approx([10.0] * 100)
    assert demand.per_district().to_dict() == pytest.approx({"a": 1000.0, "b": 500.0})
    # b has no residential area: its whole area (20 x 10 centres), and it is named.
    assert len(demand.points[demand.points["district_code"] == "b"]) == 200
    assert demand.residential and demand.residential_fallback == ("b",)
    whole = demand_for(toy(residential=False), year=2021)
    assert len(whole.points[whole.points["district_code"] == "a"]) == 200
    assert not whole.residential and whole.residential_fallback == ()


def test_coverage_and_distance_change_as_computed_by_hand() -> None:
    # Radius 640 m around the room at the west half's centre:
    # - west half only: every centre is within sqrt(450² + 450²) = 636.4 m -> coverage 1.0;
    # - whole district: the 100 west centres, and of the east half's columns at dx = 550 m those
    #   with |dy| <= sqrt(640² - 550²) = 327 m (dy = ±50, ±150, ±250: 6 centres); at dx = 650 m
    #   none. 106 of 200 equal shares -> 0.53.
    # Straight-line distances: the figures by hand (the default multiplies by the detour factor).
    dasymetric = access_table(
        toy(residential=True), year=2021, category="room", radius_m=640, distance="straight"
    )
    whole = access_table(
        toy(residential=False), year=2021, category="room", radius_m=640, distance="straight"
    )
    dasymetric, whole = dasymetric.set_index("district_code"), whole.set_index("district_code")
    assert dasymetric.loc["a", "coverage"] == pytest.approx(1.0, abs=1e-12)
    assert whole.loc["a", "coverage"] == pytest.approx(0.53, abs=1e-12)
    assert dasymetric.loc["b", "coverage"] == whole.loc["b", "coverage"] == 0.0
    assert dasymetric.loc["a", "nearest_m"] == pytest.approx(_west_half_mean_distance(), abs=1e-6)
    assert whole.loc["a", "nearest_m"] > dasymetric.loc["a", "nearest_m"] + 200
    # 2SFCA: all 1,000 residents of a's west half are within the room's 1,500 m catchment, b's
    # (x >= 302,050: 1,550 m away) none: 10 places / 1,000 residents for a, nothing for b.
    data = toy(residential=True)
    raw = demand_access(
        data.districts,
        data.resources,
        demand_for(data, year=2021).points,
        radius_m=640,
    ).set_index("district_code")
    assert raw.loc["a", "2sfca_raw"] == pytest.approx(0.01, abs=1e-15)
    assert raw.loc["b", "2sfca_raw"] == 0.0


def test_the_meta_says_dasymetric_and_lists_the_districts_without_residential_area() -> None:
    data = toy(residential=True)
    description = demand_model_description(demand_for(data, year=2021))
    assert description["dasymetric"] is True
    assert description["residential_fallback_districts"] == ["b"]
    assert "residential areas" in description["text"] and "b" in description["text"]
    meta = method_meta("access", data, access=_access(data))
    assert meta["demand_model"]["dasymetric"] is True
    plain = demand_model_description(demand_for(toy(residential=False), year=2021))
    assert plain["dasymetric"] is False and "residential_fallback_districts" not in plain


def _access(data: AnalysisData) -> object:
    from mapping.access_tables import access_categories

    return access_categories(data, year=2021, category="room")


def test_a_surfaces_fallback_districts_use_the_residential_areas() -> None:
    demand = demand_for(toy(residential=True, surface=True), year=2021)
    assert demand.model == "surface" and demand.fallback == ("a",)
    a = demand.points[demand.points["district_code"] == "a"]
    assert len(a) == 100 and (a.geometry.x < 301_000).all()
    assert a["population"].sum() == pytest.approx(1000.0)
    description = demand_model_description(demand)
    assert description["dasymetric"] is True and "residential areas" in description["text"]
