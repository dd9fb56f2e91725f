"""Supply per district on box districts built in EPSG:2180 and stored in EPSG:4326.

Districts (easting, northing in metres, EPSG:2180):

* ``a``: 300,000-302,000 x 400,000-402,000, 4 km²
* ``b``: 302,000-304,000 x 400,000-402,000, 4 km²
* ``c``: 300,000-301,000 x 402,000-403,000, 1 km²
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

from mapping.errors import CRSError, MappingError, ValidationError
from mapping.supply import SUPPLY_COLUMNS, supply_per_district

BOXES = {
    "a": (300_000, 400_000, 302_000, 402_000),
    "b": (302_000, 400_000, 304_000, 402_000),
    "c": (300_000, 402_000, 301_000, 403_000),
}


def make_districts() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": list(BOXES)}, geometry=[box(*b) for b in BOXES.values()], crs=2180
    ).to_crs(4326)


def make_resources(rows: list[tuple[str, str | None, float | None, tuple | None]]):
    """rows: (category, district_code, capacity, (easting, northing) or None)."""
    return gpd.GeoDataFrame(
        {
            "category": [r[0] for r in rows],
            "district_code": [r[1] for r in rows],
            "capacity": [np.nan if r[2] is None else r[2] for r in rows],
        },
        geometry=[Point(*r[3]) if r[3] is not None else None for r in rows],
        crs=2180,
    ).to_crs(4326)


RESOURCES = [
    ("library", None, 40, (301_000, 401_000)),  # in a
    ("library", None, None, (300_500, 400_500)),  # in a, capacity unknown
    ("club", None, 15, (303_000, 401_000)),  # in b
    ("club", "c", None, None),  # no point, assigned to c
    ("library", None, 10, (390_000, 401_000)),  # far east: in no district
    ("club", None, None, None),  # no point, no district
    ("club", "zzz", 5, None),  # assigned to a district that does not exist
]


def by_key(frame: pd.DataFrame) -> dict[tuple, dict]:
    return {(row["district_code"], row["category"]): row for row in frame.to_dict("records")}


def test_counts_capacity_and_rates_by_hand():
    """a: 2 libraries (capacity 40 + unknown = 40) for 2,000 residents on 4 km²:
    1.0 per 1,000 and 0.5 per km². b: 1 club (15) for 4,000 residents: 0.25 and 0.25.
    c: 1 club known only by district, no residents value, 1 km²: per_1000 NaN, 1.0 per km².
    Outside: 1 library (10), 2 clubs (none and an unknown district; capacity 5)."""
    out = supply_per_district(
        make_resources(RESOURCES),
        make_districts(),
        residents=pd.Series({"a": 2000, "b": 4000}),
    )
    assert list(out.columns) == list(SUPPLY_COLUMNS)
    rows = by_key(out)
    assert len(out) == 3 * 2 + 2

    a_lib = rows[("a", "library")]
    assert a_lib["count"] == 2
    assert a_lib["capacity"] == 40.0
    assert a_lib["per_1000"] == pytest.approx(1.0)
    assert a_lib["per_km2"] == pytest.approx(0.5, rel=1e-6)

    b_club = rows[("b", "club")]
    assert (b_club["count"], b_club["capacity"]) == (1, 15.0)
    assert b_club["per_1000"] == pytest.approx(0.25)
    assert b_club["per_km2"] == pytest.approx(0.25, rel=1e-6)

    c_club = rows[("c", "club")]
    assert (c_club["count"], c_club["capacity"]) == (1, 0.0)
    assert math.isnan(c_club["per_1000"])
    assert c_club["per_km2"] == pytest.approx(1.0, rel=1e-6)

    assert rows[(None, "library")]["count"] == 1
    assert rows[(None, "library")]["capacity"] == 10.0
    assert rows[(None, "club")]["count"] == 2
    assert rows[(None, "club")]["capacity"] == 5.0
    assert math.isnan(rows[(None, "club")]["per_km2"])
    assert math.isnan(rows[(None, "club")]["per_1000"])


def test_zero_rows_for_missing_combinations():
    out = supply_per_district(make_resources(RESOURCES), make_districts())
    rows = by_key(out)
    for key in [("a", "club"), ("b", "library"), ("c", "library")]:
        assert rows[key]["count"] == 0
        assert rows[key]["capacity"] == 0.0
        assert rows[key]["per_km2"] == 0.0


def test_no_resource_is_dropped():
    out = supply_per_district(make_resources(RESOURCES), make_districts())
    assert out["count"].sum() == len(RESOURCES)


def test_sorted_by_code_with_outside_rows_last():
    out = supply_per_district(make_resources(RESOURCES), make_districts())
    assert out["district_code"].tolist() == ["a", "a", "b", "b", "c", "c", None, None]
    assert out["category"].tolist()[:2] == ["club", "library"]
    assert out["count"].dtype == np.int64
    assert out["capacity"].dtype == np.float64


def test_categories_restrict_and_add_zero_rows():
    out = supply_per_district(
        make_resources(RESOURCES), make_districts(), categories=["playground", "library"]
    )
    assert set(out["category"]) == {"library", "playground"}
    playground = out[out["category"] == "playground"]
    assert playground["district_code"].tolist() == ["a", "b", "c"]
    assert playground["count"].tolist() == [0, 0, 0]
    # The clubs were not asked for, so no row mentions them, outside rows included.
    assert out[out["district_code"].isna()]["category"].tolist() == ["library"]


def test_categories_as_a_single_string_is_refused():
    with pytest.raises(ValidationError, match=r"categories=\['library'\]"):
        supply_per_district(make_resources(RESOURCES), make_districts(), categories="library")


def test_residents_missing_or_zero_give_nan():
    out = supply_per_district(
        make_resources(RESOURCES), make_districts(), residents=pd.Series({"a": 0, "b": 1000})
    )
    rows = by_key(out)
    assert math.isnan(rows[("a", "library")]["per_1000"])
    assert math.isnan(rows[("c", "club")]["per_1000"])
    assert rows[("b", "club")]["per_1000"] == pytest.approx(1.0)


def test_without_residents_per_1000_is_nan():
    out = supply_per_district(make_resources(RESOURCES), make_districts())
    assert out["per_1000"].isna().all()


def test_negative_residents_refused():
    with pytest.raises(ValidationError, match="residents >= 0"):
        supply_per_district(
            make_resources(RESOURCES), make_districts(), residents=pd.Series({"a": -1})
        )


def test_residents_must_be_a_series():
    with pytest.raises(ValidationError, match="Series indexed by district_code"):
        supply_per_district(make_resources(RESOURCES), make_districts(), residents={"a": 1})


def test_empty_resources_give_zero_rows():
    empty = make_resources([]).iloc[0:0]
    out = supply_per_district(empty, make_districts(), categories=["library"])
    assert out["district_code"].tolist() == ["a", "b", "c"]
    assert out["count"].tolist() == [0, 0, 0]


def test_missing_capacity_column_counts_zero_capacity():
    resources = make_resources(RESOURCES).drop(columns="capacity")
    out = supply_per_district(resources, make_districts())
    assert (out["capacity"] == 0).all()
    assert out["count"].sum() == len(RESOURCES)


def test_negative_capacity_refused():
    rows = [("library", None, -3, (301_000, 401_000))]
    with pytest.raises(ValidationError, match="capacities >= 0"):
        supply_per_district(make_resources(rows), make_districts())


def test_duplicate_district_codes_refused():
    districts = make_districts()
    districts.loc[1, "code"] = "a"
    with pytest.raises(ValidationError, match="unique district codes, got repeats: a"):
        supply_per_district(make_resources(RESOURCES), districts)


def test_missing_columns_named():
    with pytest.raises(MappingError, match="category"):
        supply_per_district(make_resources(RESOURCES).drop(columns="category"), make_districts())


def test_resource_without_category_refused_unless_categories_given():
    rows = [*RESOURCES, (None, "a", None, None)]
    with pytest.raises(ValidationError, match="1 without one"):
        supply_per_district(make_resources(rows), make_districts())
    out = supply_per_district(make_resources(rows), make_districts(), categories=["club"])
    assert out["count"].sum() == 4


def test_districts_without_crs_refused():
    districts = make_districts().set_crs(None, allow_override=True)
    with pytest.raises(CRSError):
        supply_per_district(make_resources(RESOURCES), districts)


coords = st.tuples(
    st.floats(299_000, 305_000, allow_nan=False), st.floats(399_000, 404_000, allow_nan=False)
)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["x", "y"]), coords), min_size=0, max_size=25))
def test_every_resource_counted_once_and_densities_consistent(points):
    rows = [(cat, None, 1.0, xy) for cat, xy in points]
    resources = make_resources(rows) if rows else make_resources([]).iloc[0:0]
    out = supply_per_district(resources, make_districts(), categories=["x", "y"])
    assert out["count"].sum() == len(rows)
    assert out["capacity"].sum() == pytest.approx(len(rows))
    inside = out[out["district_code"].notna()]
    area = inside["district_code"].map({"a": 4.0, "b": 4.0, "c": 1.0})
    np.testing.assert_allclose(inside["per_km2"] * area, inside["count"], rtol=1e-6)
