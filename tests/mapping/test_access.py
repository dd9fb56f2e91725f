"""Nearest distance and 2SFCA / E2SFCA on box districts, checked by hand, through the one
access engine (:func:`mapping.population.demand_access`) with one demand point per district at
its centroid (what the centroid functions ``fca`` and ``nearest_distance`` measured before they
were folded into it).

Districts, built in EPSG:2180 (easting, northing in metres) and stored in EPSG:4326:

* ``a``: 300,000-302,000 x 400,000-402,000, centroid (301,000, 401,000)
* ``b``: 302,000-304,000 x 400,000-402,000, centroid (303,000, 401,000)
* ``c``: 310,000-312,000 x 400,000-402,000, centroid (311,000, 401,000), far from the others
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import Point, box

from mapping.access import DEFAULT_STEPS
from mapping.errors import CRSError, ValidationError
from mapping.population import demand_access

BOXES = {
    "a": (300_000, 400_000, 302_000, 402_000),
    "b": (302_000, 400_000, 304_000, 402_000),
    "c": (310_000, 400_000, 312_000, 402_000),
}


def make_districts() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": list(BOXES)}, geometry=[box(*b) for b in BOXES.values()], crs=2180
    ).to_crs(4326)


def make_resources(rows: list[tuple[str, float | None, tuple | None]]) -> gpd.GeoDataFrame:
    """rows: (category, capacity, (easting, northing) or None)."""
    return gpd.GeoDataFrame(
        {
            "category": [r[0] for r in rows],
            "district_code": [None] * len(rows),
            "capacity": [np.nan if r[1] is None else r[1] for r in rows],
        },
        geometry=[Point(*r[2]) if r[2] is not None else None for r in rows],
        crs=2180,
    ).to_crs(4326)


CENTROIDS = {"a": (301_000, 401_000), "b": (303_000, 401_000), "c": (311_000, 401_000)}


def centroid_points(
    demand: pd.Series | dict | None = None, where: dict | None = None
) -> gpd.GeoDataFrame:
    """One demand point per district (its centroid unless ``where`` says) carrying its demand."""
    demand = pd.Series(demand if demand is not None else {"a": 1.0, "b": 1.0, "c": 1.0})
    where = where or CENTROIDS
    codes = list(BOXES)
    return gpd.GeoDataFrame(
        {"district_code": codes, "population": [float(demand[c]) for c in codes]},
        geometry=[Point(*where[c]) for c in codes],
        crs=2180,
    ).to_crs(4326)


def nearest_distance(districts, resources, *, category=None, where=None):
    out = demand_access(
        districts, resources, centroid_points(where=where), radius_m=500, category=category
    )
    return out[["district_code", "nearest_m"]]


def fca(districts, resources, *, demand, category=None, steps=DEFAULT_STEPS):
    out = demand_access(
        districts,
        resources,
        centroid_points(demand),
        radius_m=500,
        category=category,
        steps=steps,
    )
    return out[["district_code", "demand", "2sfca", "e2sfca", "2sfca_raw", "e2sfca_raw"]]


# --- nearest distance --------------------------------------------------------------------------


def test_nearest_distance_by_hand():
    """A library at a's centroid: a 0 m, b 2,000 m (centroid to centroid), c 10,000 m.
    The club 500 m north of b's centroid is left out by the category."""
    r = make_resources([("library", None, (301_000, 401_000)), ("club", None, (303_000, 401_500))])
    out = nearest_distance(make_districts(), r, category="library")
    assert out["district_code"].tolist() == ["a", "b", "c"]
    assert out["nearest_m"].tolist() == pytest.approx([0.0, 2000.0, 10_000.0], abs=1e-3)
    every = nearest_distance(make_districts(), r)
    assert every["nearest_m"].tolist() == pytest.approx([0.0, 500.0, 8_015.61], abs=0.01)


def test_nearest_distance_without_resources_is_nan():
    r = make_resources([("club", None, (303_000, 401_500))])
    out = nearest_distance(make_districts(), r, category="library")
    assert out["nearest_m"].isna().all()


def test_nearest_distance_ignores_resources_without_point():
    r = make_resources([("library", None, None), ("library", None, (304_000, 401_000))])
    out = nearest_distance(make_districts(), r, category="library")
    assert out["nearest_m"].tolist() == pytest.approx([3000.0, 1000.0, 7000.0], abs=1e-3)


def test_nearest_distance_from_given_demand_points():
    """Population of c sits in its west edge, 6,000 m from the library at (304,000, 401,000)."""
    r = make_resources([("library", None, (304_000, 401_000))])
    where = {**CENTROIDS, "c": (310_000, 401_000)}
    out = nearest_distance(make_districts(), r, where=where)
    assert out["nearest_m"].tolist() == pytest.approx([3000.0, 1000.0, 6000.0], abs=1e-3)


def test_demand_points_must_name_known_districts_and_have_a_crs():
    r = make_resources([("library", None, (304_000, 401_000))])
    points = centroid_points().assign(district_code=["a", "b", "x"])
    with pytest.raises(ValidationError, match="unknown district codes"):
        demand_access(make_districts(), r, points, radius_m=500)
    with pytest.raises(CRSError):
        demand_access(
            make_districts(), r, centroid_points().set_crs(None, allow_override=True), radius_m=500
        )


# --- 2SFCA and E2SFCA --------------------------------------------------------------------------

#: Resources for the hand computation: (category, capacity, point).
FCA_RESOURCES = [
    ("library", 5, (301_000, 401_400)),  # r0: 400 m from a; 2,040 m from b (out)
    ("library", 10, (301_600, 401_000)),  # r1: 600 m from a, 1,400 m from b
    ("library", None, (303_000, 401_700)),  # r2: 700 m from b; 2,119 m from a (out); supply 1
    ("library", 99, (305_000, 401_000)),  # r3: 2,000 m from b, 6,000 m from c: nobody's
    ("club", 50, (301_000, 401_000)),  # another category
]
DEMAND = pd.Series({"a": 100, "b": 300, "c": 50})


def test_fca_by_hand():
    """Demand a 100, b 300, c 50 at the centroids; catchment 1,500 m; c reaches nothing.

    2SFCA (weight 1 within 1,500 m):
        R0 = 5 / 100 = 0.05; R1 = 10 / (100 + 300) = 0.025; R2 = 1 / 300
        A_a = 0.05 + 0.025 = 0.075; A_b = 0.025 + 1/300 = 0.028333; A_c = 0
        city mean = sum(P A) / sum(P) = (7.5 + 8.5) / 450 = 16 / 450 (total supply / demand)
        normalised: a 0.075 * 450 / 16 = 2.109375, b 0.796875, c 0
    E2SFCA (weights 1 up to 500 m, 0.68 up to 1,000 m, 0.22 up to 1,500 m):
        W(a, r0) = 1, W(a, r1) = 0.68, W(b, r1) = 0.22, W(b, r2) = 0.68
        R0 = 5 / 100 = 0.05; R1 = 10 / (100 * 0.68 + 300 * 0.22) = 10 / 134; R2 = 1 / 204
        A_a = 0.05 + 0.68 * 10 / 134 = 0.100746; A_b = 0.22 * 10 / 134 + 0.68 / 204 = 0.019751
        sum(P A) = 10.0746 + 5.9254 = 16 again, so the mean is 16 / 450
        normalised: a 2.833489, b 0.555504, c 0
    """
    out = fca(make_districts(), make_resources(FCA_RESOURCES), demand=DEMAND, category="library")
    assert list(out.columns) == [
        "district_code",
        "demand",
        "2sfca",
        "e2sfca",
        "2sfca_raw",
        "e2sfca_raw",
    ]
    rows = out.set_index("district_code")
    assert rows["2sfca_raw"].tolist() == pytest.approx([0.075, 0.025 + 1 / 300, 0.0])
    assert rows["2sfca"].tolist() == pytest.approx([2.109375, 0.796875, 0.0])
    a_e = 0.05 + 0.68 * 10 / 134
    b_e = 0.22 * 10 / 134 + 0.68 / 204
    assert rows["e2sfca_raw"].tolist() == pytest.approx([a_e, b_e, 0.0])
    assert rows["e2sfca"].tolist() == pytest.approx([a_e * 450 / 16, b_e * 450 / 16, 0.0])
    assert rows["e2sfca"].tolist() == pytest.approx([2.833489, 0.555504, 0.0], rel=1e-6)
    assert rows["demand"].tolist() == [100, 300, 50]


def test_fca_normalised_mean_is_one():
    out = fca(make_districts(), make_resources(FCA_RESOURCES), demand=DEMAND, category="library")
    for column in ("2sfca", "e2sfca"):
        mean = (out[column] * out["demand"]).sum() / out["demand"].sum()
        assert mean == pytest.approx(1.0)


def test_fca_custom_steps_and_supply_defaults():
    """One step of 2,500 m with weight 1: r0, r1, r2 and r3 all within reach of b; with the
    capacity column gone every resource counts 1 (4 in all). R3 = 1/300 (only b reaches it).
    Every resource's users share weight 1, so E2SFCA equals 2SFCA."""
    r = make_resources(FCA_RESOURCES).drop(columns="capacity")
    out = fca(make_districts(), r, demand=DEMAND, category="library", steps=[(2500, 1.0)])
    rows = out.set_index("district_code")
    # a reaches r0, r1, r2 (2,119 m); b reaches all four; c nothing.
    share = 1 / 400
    assert rows.loc["a", "2sfca_raw"] == pytest.approx(3 * share)
    assert rows.loc["b", "2sfca_raw"] == pytest.approx(3 * share + 1 / 300)
    np.testing.assert_allclose(rows["e2sfca_raw"], rows["2sfca_raw"])


def test_fca_without_supply_in_category_gives_nan_scores():
    out = fca(make_districts(), make_resources(FCA_RESOURCES), demand=DEMAND, category="pool")
    assert out["2sfca_raw"].tolist() == [0.0, 0.0, 0.0]
    assert out["2sfca"].isna().all() and out["e2sfca"].isna().all()


def test_fca_beyond_largest_step_contributes_nothing():
    """A resource 1,600 m from a's centroid (and 3,400 m from b's) is out of every catchment."""
    r = make_resources([("x", 1000, (299_400, 401_000))])
    out = fca(make_districts(), r, demand=DEMAND)
    assert out["2sfca_raw"].tolist() == [0.0, 0.0, 0.0]
    assert out["e2sfca_raw"].tolist() == [0.0, 0.0, 0.0]


def test_fca_demand_errors():
    r = make_resources(FCA_RESOURCES)
    with pytest.raises(ValidationError, match="populations >= 0"):
        fca(make_districts(), r, demand=pd.Series({"a": 1, "b": -2, "c": 3}))


def test_fca_step_errors():
    r = make_resources(FCA_RESOURCES)
    for steps in ([], [(1000, 1.0), (500, 0.5)], [(-1, 1.0)], [(500, -0.1)], "500"):
        with pytest.raises(ValidationError, match="increasing distances"):
            fca(make_districts(), r, demand=DEMAND, steps=steps)


def test_default_steps_documented_values():
    assert DEFAULT_STEPS == ((500.0, 1.0), (1000.0, 0.68), (1500.0, 0.22))


def test_fca_zero_demand_district_alone_with_a_resource_is_nan():
    """c has no people and is the only district near a resource: that resource's ratio is
    supply / 0, so c's access is undefined (NaN), and it does not spoil the city mean."""
    r = make_resources([("x", 1, (311_000, 401_000)), ("x", 1, (301_000, 401_000))])
    out = fca(make_districts(), r, demand=pd.Series({"a": 100, "b": 100, "c": 0}))
    rows = out.set_index("district_code")
    assert math.isnan(rows.loc["c", "2sfca"])
    assert rows.loc["a", "2sfca_raw"] == pytest.approx(0.01)
    assert rows.loc["a", "2sfca"] == pytest.approx(2.0)


coords = st.tuples(st.floats(299_000, 313_000), st.floats(399_000, 403_000))


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.tuples(coords, st.integers(1, 20)), min_size=1, max_size=12),
    st.tuples(st.integers(1, 1000), st.integers(1, 1000), st.integers(1, 1000)),
)
def test_fca_conserves_supply(resources, people):
    """sum(P_i * A_i) equals the total supply of the resources some district reaches, for both
    methods, and the normalised scores have a population-weighted mean of 1."""
    rows = [("x", float(cap), xy) for xy, cap in resources]
    demand = pd.Series(dict(zip("abc", people, strict=True)))
    out = fca(make_districts(), make_resources(rows), demand=demand)
    centroids = np.array([[301_000, 401_000], [303_000, 401_000], [311_000, 401_000]])
    surely, maybe = 0.0, 0.0  # reached for certain / within rounding of the 1,500 m edge
    for (x, y), cap in resources:
        nearest = np.hypot(centroids[:, 0] - x, centroids[:, 1] - y).min()
        surely += cap if nearest <= 1500 - 1e-3 else 0
        maybe += cap if nearest <= 1500 + 1e-3 else 0
    reached = surely
    for column in ("2sfca", "e2sfca"):
        total = (out[f"{column}_raw"] * out["demand"]).sum()
        assert surely - 1e-9 <= total <= maybe + 1e-9
        if reached:
            mean = (out[column] * out["demand"]).sum() / out["demand"].sum()
            assert mean == pytest.approx(1.0)
