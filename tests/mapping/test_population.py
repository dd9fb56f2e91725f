"""Demand at the points where people live (mapping.population, issue 14 point 2).

A 3-district toy checked by hand, the grid fallback's conservation of residents, a district too
small for any grid centre, the surface model, and agreement with pysal ``access`` on the demo to
1e-9 (an all-pairs cost table built here, independently of the k-d tree the core uses).
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import Point, box

from mapping.access import DEFAULT_STEPS
from mapping.analysis import AnalysisData, access_table, demand_for
from mapping.demo import load_demo_frames
from mapping.errors import ValidationError
from mapping.indicators import IndicatorRegistry
from mapping.population import (
    Demand,
    demand_access,
    demand_model_description,
    grid_demand,
    surface_demand,
)

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"


def toy_districts() -> gpd.GeoDataFrame:
    """Three 2 km x 1 km districts in a row, west to east: a, b, c (EPSG:2180)."""
    return gpd.GeoDataFrame(
        {"code": ["a", "b", "c"], "name": ["A", "B", "C"]},
        geometry=[
            box(300_000, 400_000, 302_000, 401_000),
            box(302_000, 400_000, 304_000, 401_000),
            box(304_000, 400_000, 306_000, 401_000),
        ],
        crs=2180,
    )


def toy_people() -> gpd.GeoDataFrame:
    """Known population points: a has 300 at its west end and 100 at its east end; b 200 in
    its middle; c 50 at its west end and 150 at its east end."""
    return gpd.GeoDataFrame(
        {
            "district_code": ["a", "a", "b", "c", "c"],
            "population": [300.0, 100.0, 200.0, 50.0, 150.0],
        },
        geometry=[
            Point(300_200, 400_500),
            Point(301_800, 400_500),
            Point(303_000, 400_500),
            Point(304_200, 400_500),
            Point(305_800, 400_500),
        ],
        crs=2180,
    )


def test_toy_population_weighted_nearest_distance_and_coverage_of_people_by_hand() -> None:
    # One resource at x = 300,200 (a's west people), one at x = 303,400 (400 m east of b's).
    resources = gpd.GeoDataFrame(
        {"category": ["x", "x"]},
        geometry=[Point(300_200, 400_500), Point(303_400, 400_500)],
        crs=2180,
    )
    out = demand_access(toy_districts(), resources, toy_people(), radius_m=500).set_index(
        "district_code"
    )
    # a: 300 people at 0 m, 100 at 1,600 m (to 300,200) -> (0 + 160,000) / 400 = 400 m;
    #    within 500 m: 300 of 400 = 0.75.
    # b: 200 people at 400 m -> 400 m; all within 500 m -> 1.0.
    # c: 50 at 800 m (304,200 - 303,400), 150 at 2,400 m -> (40,000 + 360,000) / 200 = 2,000 m;
    #    nobody within 500 m -> 0.0.
    assert out["demand"].tolist() == [400.0, 200.0, 200.0]
    assert out["nearest_m"].tolist() == pytest.approx([400.0, 400.0, 2000.0], abs=1e-9)
    assert out["coverage"].tolist() == pytest.approx([0.75, 1.0, 0.0], abs=1e-12)
    # The old measure (one centroid per district, share of area) says something else for a:
    # its centroid is 800 m from the resource, and a circle of 500 m covers under half its area.


def test_toy_2sfca_from_points_by_hand() -> None:
    # One resource of capacity 60 at b's people; catchment 1,500 m (2SFCA: weight 1 inside).
    resources = gpd.GeoDataFrame({"capacity": [60.0]}, geometry=[Point(303_000, 400_500)], crs=2180)
    out = demand_access(
        toy_districts(), resources, toy_people(), radius_m=500, steps=((1500.0, 1.0),)
    ).set_index("district_code")
    # Within 1,500 m of x = 303,000: a's east people (1,200 m, 100), b's 200, c's west 50
    # (1,200 m). R = 60 / 350. a: 100 of its 400 people reach it -> 0.25 R; b: R; c: 0.25 R.
    ratio = 60 / 350
    assert out["2sfca_raw"].tolist() == pytest.approx([0.25 * ratio, ratio, 0.25 * ratio])
    # City mean weighted by population: (400 * 0.25 R + 200 R + 200 * 0.25 R) / 800 = 0.4375 R.
    assert out["2sfca"].tolist() == pytest.approx([0.25 / 0.4375, 1 / 0.4375, 0.25 / 0.4375])


def test_grid_fallback_conserves_each_districts_residents() -> None:
    demo = load_demo_frames(DEMO)
    values = demo.indicator_values
    residents = values[(values["indicator"] == "residents") & (values["year"] == 2013)]
    residents = residents.set_index("district_code")["value"]
    demand = grid_demand(demo.districts, residents, cell_m=100)
    totals = demand.per_district()
    assert sorted(totals.index) == sorted(demo.districts["code"])
    for code, value in residents.items():
        assert math.isclose(totals[code], value, rel_tol=1e-12, abs_tol=1e-9), code
    assert math.isclose(demand.points["population"].sum(), residents.sum(), rel_tol=1e-12)
    # Every point lies inside its own district.
    metric = demo.districts.to_crs(2180).set_index("code").geometry
    inside = [
        metric[c].covers(p)
        for c, p in zip(demand.points["district_code"], demand.points.geometry, strict=True)
    ]
    assert all(inside)
    # A regular 100 m grid: one point per hectare, about the district's area.
    area_ha = metric.area / 10_000
    counts = demand.points.groupby("district_code").size()
    assert all(abs(counts[c] - area_ha[c]) < 0.1 * area_ha[c] + 10 for c in counts.index)


def test_a_district_with_no_grid_centre_still_gets_its_residents() -> None:
    districts = gpd.GeoDataFrame(
        {"code": ["big", "tiny"]},
        geometry=[box(300_000, 400_000, 301_000, 401_000), box(301_010, 400_010, 301_040, 400_040)],
        crs=2180,
    )
    demand = grid_demand(districts, pd.Series({"big": 1000, "tiny": 37}), cell_m=100)
    tiny = demand.points[demand.points["district_code"] == "tiny"]
    assert len(tiny) == 1
    assert tiny["population"].tolist() == [37.0]
    assert districts.geometry[1].covers(tiny.geometry.iloc[0])
    big = demand.points[demand.points["district_code"] == "big"]
    assert len(big) == 100 and big["population"].sum() == pytest.approx(1000)


def test_grid_on_residential_areas_only_dasymetric() -> None:
    districts = toy_districts().iloc[:2]
    # Only a's western half is residential; b has none and keeps its whole area.
    residential = gpd.GeoSeries([box(300_000, 400_000, 301_000, 401_000)], crs=2180)
    demand = grid_demand(
        districts, pd.Series({"a": 100, "b": 200}), cell_m=250, residential=residential
    )
    a = demand.points[demand.points["district_code"] == "a"]
    assert (a.geometry.x < 301_000).all() and len(a) == 16
    assert len(demand.points[demand.points["district_code"] == "b"]) == 32
    assert demand_model_description(demand)["dasymetric"] is True


def test_surface_points_belong_to_their_district_and_empty_districts_fall_back() -> None:
    surface = gpd.GeoDataFrame(
        {"population": [30.0, 70.0, 5.0]},
        geometry=[Point(300_500, 400_500), Point(302_500, 400_500), Point(0, 0)],
        crs=2180,
    ).to_crs(4326)
    residents = pd.Series({"a": 999, "b": 999, "c": 400})
    demand = surface_demand(toy_districts(), surface, residents=residents, cell_m=500, year=2021)
    totals = demand.per_district()
    assert totals["a"] == pytest.approx(30) and totals["b"] == pytest.approx(70)
    assert totals["c"] == pytest.approx(400)  # no surface point: its residents on the grid
    assert demand.fallback == ("c",) and demand.outside == pytest.approx(5)
    description = demand_model_description(demand)
    assert description["model"] == "surface" and description["fallback_districts"] == ["c"]
    assert "surface" in description["text"]


def test_bad_grid_size_and_missing_residents_are_refused() -> None:
    with pytest.raises(ValidationError, match="grid cell size"):
        grid_demand(toy_districts(), pd.Series({"a": 1, "b": 1, "c": 1}), cell_m=0)
    with pytest.raises(ValidationError, match="residents >= 0 for every district"):
        grid_demand(toy_districts(), pd.Series({"a": 1, "b": 1}))
    with pytest.raises(ValidationError, match="grid points"):
        grid_demand(toy_districts(), pd.Series({"a": 1, "b": 1, "c": 1}), cell_m=0.01)


@pytest.fixture(scope="module")
def demo_data() -> AnalysisData:
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


def _pysal_reference(
    data: AnalysisData, points: gpd.GeoDataFrame, category: str | None, factor: float = 1.0
) -> pd.DataFrame:
    """2SFCA and E2SFCA with pysal ``access`` on the full cost table (every pair), aggregated
    to districts by population here."""
    from access import Access, weights
    from scipy.spatial.distance import cdist

    resources = data.resources
    if category is not None:
        resources = resources[resources["category"] == category]
    resources = resources[resources.geometry.notna()].to_crs(2180)
    origins = np.column_stack([points.geometry.x, points.geometry.y])
    destinations = np.column_stack([resources.geometry.x, resources.geometry.y])
    cost = cdist(origins, destinations) * factor
    i, j = np.meshgrid(np.arange(len(origins)), np.arange(len(destinations)), indexing="ij")
    cost_df = pd.DataFrame({"o": i.ravel(), "d": j.ravel(), "c": cost.ravel()})
    supply = pd.to_numeric(resources["capacity"], errors="coerce").fillna(1.0).to_numpy()
    model = Access(
        demand_df=pd.DataFrame(
            {"pop": points["population"].to_numpy()},
            index=pd.Index(np.arange(len(points)), name="o"),
        ),
        demand_index=True,
        demand_value="pop",
        supply_df=pd.DataFrame({"cap": supply}, index=pd.Index(np.arange(len(supply)), name="d")),
        supply_index=True,
        supply_value="cap",
        cost_df=cost_df,
        cost_origin="o",
        cost_dest="d",
        cost_name="c",
    )
    two = model.two_stage_fca(name="t", max_cost=1500)["t_cap"]
    enhanced = model.enhanced_two_stage_fca(
        name="e", max_cost=1500, weight_fn=weights.step_fn(dict(DEFAULT_STEPS))
    )["e_cap"]
    frame = pd.DataFrame(
        {
            "district_code": points["district_code"].to_numpy(),
            "p": points["population"].to_numpy(),
            "t": two.reindex(range(len(points))).fillna(0).to_numpy(),
            "e": enhanced.reindex(range(len(points))).fillna(0).to_numpy(),
        }
    )
    out = {}
    for name in ("t", "e"):
        mean = (frame[name] * frame["p"]).sum() / frame["p"].sum()
        per = frame.groupby("district_code").apply(
            lambda g, n=name: (g[n] * g["p"]).sum() / g["p"].sum(), include_groups=False
        )
        out[name] = per / mean
    return pd.DataFrame(out)


# One category at a time: without a category the categories' own scores are averaged, never
# their capacities summed (tests/mapping/test_units.py), so there is no pysal run to compare with.
# Straight distances, and straight x the detour factor (the default without a walking network).
@pytest.mark.parametrize("category", ["swietlica", "sala_gimnastyczna"])
@pytest.mark.parametrize(("distance", "factor"), [("straight", 1.0), ("detour", 1.3)])
def test_demo_agrees_with_pysal_access_to_1e9(
    demo_data: AnalysisData, category: str | None, distance: str, factor: float
) -> None:
    demand = demand_for(demo_data, year=2013, grid_m=250)
    table = access_table(demo_data, year=2013, category=category, grid_m=250, distance=distance)
    reference = _pysal_reference(demo_data, demand.points, category, factor)
    table = table.set_index("district_code")
    assert np.allclose(table["2sfca"], reference["t"].reindex(table.index), rtol=0, atol=1e-9)
    assert np.allclose(table["e2sfca"], reference["e"].reindex(table.index), rtol=0, atol=1e-9)


def test_access_table_measures_from_residents_not_from_centroids(
    demo_data: AnalysisData,
) -> None:
    table = access_table(demo_data, year=2013, category="swietlica", distance="straight")
    demand = demand_for(demo_data, year=2013)
    assert isinstance(demand, Demand) and demand.model == "grid" and demand.cell_m == 100
    residents = demo_data.indicator_for_year("residents", 2013)
    assert table.set_index("district_code")["demand"].to_dict() == pytest.approx(
        residents.to_dict()
    )
    # Coverage is a share of residents: with every resident on a 100 m grid point, the covered
    # share is a multiple of one point's share in each district.
    points = demand.points
    resources = demo_data.resources[demo_data.resources["category"] == "swietlica"].to_crs(2180)
    xy = np.column_stack([resources.geometry.x, resources.geometry.y])
    from scipy.spatial.distance import cdist

    near = cdist(np.column_stack([points.geometry.x, points.geometry.y]), xy).min(axis=1)
    by_hand = (
        points.assign(w=points["population"] * (near <= 500), d=points["population"] * near)
        .groupby("district_code")[["w", "d", "population"]]
        .sum()
    )
    expected_cov = by_hand["w"] / by_hand["population"]
    expected_near = by_hand["d"] / by_hand["population"]
    got = table.set_index("district_code")
    assert np.allclose(got["coverage"], expected_cov.reindex(got.index), atol=1e-12)
    assert np.allclose(got["nearest_m"], expected_near.reindex(got.index), atol=1e-6)


def test_demand_model_description_names_the_model(demo_data: AnalysisData) -> None:
    description = demand_model_description(demand_for(demo_data, year=2013))
    assert description["model"] == "grid"
    assert description["cell_m"] == 100
    assert description["population"] == pytest.approx(
        demo_data.indicator_for_year("residents", 2013).sum()
    )
    assert "100 m grid" in description["text"]
    assert demand_model_description(None)["model"] == "centroid"
