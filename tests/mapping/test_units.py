"""Units that add up (issue 14, point 1): access, gaps and the ranking never add capacities of
different categories; without a category they combine each category's own unitless score.

The toy city: three 2 km x 2 km districts in a row (a, b, c), 1,000 residents each, their
centroids 2 km apart (beyond the 1.5 km catchment, so each district reaches only the resources
at its own centroid). One gym of 100 places in a; day rooms of 10 places in b and 30 in c.

* gym alone: a has 100 / 1,000 = 0.1 places per resident, b and c none; the city has
  100 / 3,000; so a = 3.0, b = c = 0.
* day rooms alone: b 0.01, c 0.03, a 0; the city 40 / 3,000; so a = 0, b = 0.75, c = 2.25.
* combined with equal weights: a = 1.5, b = 0.375, c = 1.125.
* the old sum of capacities (130 "places"): a 0.1, b 0.01, c 0.03; the city 140 / 3,000;
  a = 2.142857, b = 0.214286, c = 0.642857: the gym's larger unit wins.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import Point, box

from mapping.analysis import (
    AnalysisData,
    access_categories,
    access_table,
    demand_for,
    gaps_table,
    rank_table,
    supply_term,
)
from mapping.errors import NotFoundError, ValidationError
from mapping.indicators import IndicatorRegistry
from mapping.population import demand_access
from mapping.supply import category_supply

X0, Y0 = 300_000, 400_000


def toy(
    gym: float | None = 100.0,
    rooms: tuple[float | None, float | None] = (10.0, 30.0),
    *,
    units: tuple[str | None, str | None] = ("places", "places"),
    extra: list[tuple[str, float | None, int]] | None = None,
) -> AnalysisData:
    """The toy city; ``extra`` adds (category, capacity, district index) resources."""
    codes = ["a", "b", "c"]
    districts = gpd.GeoDataFrame(
        {"code": codes, "name": ["A", "B", "C"], "schematic": False},
        geometry=[box(X0 + 2000 * i, Y0, X0 + 2000 * (i + 1), Y0 + 2000) for i in range(3)],
        crs=2180,
    ).to_crs(4326)
    rows = [("gym", gym, 0), ("room", rooms[0], 1), ("room", rooms[1], 2), *(extra or [])]
    resources = gpd.GeoDataFrame(
        {
            "id": range(1, len(rows) + 1),
            "category": [r[0] for r in rows],
            "capacity": pd.array([r[1] for r in rows], dtype="Float64"),
            "district_code": [codes[r[2]] for r in rows],
        },
        geometry=[Point(X0 + 1000 + 2000 * r[2], Y0 + 1000) for r in rows],
        crs=2180,
    ).to_crs(4326)
    categories = pd.DataFrame(
        {
            "code": ["gym", "room", "ngo"],
            "name_pl": ["sala", "świetlica", "NGO"],
            "name_en": ["gym", "day room", "NGO"],
            "capacity_unit": [units[0], units[1], None],
        }
    )
    registry = IndicatorRegistry(
        pd.DataFrame(
            {
                "code": ["residents", "poor"],
                "name_pl": ["Mieszkańcy", "Ubodzy"],
                "name_en": ["Residents", "Poor"],
                "unit": ["persons", "persons"],
                "higher_is_more_need": [False, True],
                "denominator": [None, "residents"],
                "source": ["[pl] ewidencja, 2021 [en] register, 2021", '=HYPERLINK("x"), MOPS'],
            }
        )
    )
    values = pd.DataFrame(
        {
            "district_code": codes * 2,
            "indicator": ["residents"] * 3 + ["poor"] * 3,
            "year": 2021,
            "value": [1000.0, 1000.0, 1000.0, 30.0, 20.0, 10.0],
        }
    )
    # The residents of each district live at its centre (a population surface of one point per
    # district), so that the hand-worked figures do not depend on a grid.
    centres = gpd.GeoSeries(
        [Point(X0 + 1000 + 2000 * i, Y0 + 1000) for i in range(3)], crs=2180
    ).to_crs(4326)
    population = pd.DataFrame(
        {"year": 2021, "lon": centres.x, "lat": centres.y, "population": 1000.0}
    )
    return AnalysisData(
        districts, resources, categories, registry, values, version="toy", population=population
    )


def scores(table: pd.DataFrame, column: str = "e2sfca") -> list[float]:
    return table.set_index("district_code")[column].round(6).tolist()


def test_each_category_in_its_own_unit_by_hand() -> None:
    data = toy()
    assert scores(access_table(data, year=2021, category="gym")) == [3.0, 0.0, 0.0]
    assert scores(access_table(data, year=2021, category="room")) == [0.0, 0.75, 2.25]
    combined = access_table(data, year=2021)
    assert scores(combined) == [1.5, 0.375, 1.125]
    assert scores(combined, "2sfca") == [1.5, 0.375, 1.125]
    # nearest_m and coverage: to any resource of the categories used (metres, a share).
    assert scores(combined, "nearest_m") == [0.0, 0.0, 0.0]


def test_the_old_sum_of_capacities_is_what_this_replaces() -> None:
    """The measure before the fix, for the record: the gym's 100 places outweigh the rooms."""
    data = toy()
    points = demand_for(data, year=2021).points
    old = demand_access(data.districts, data.resources, points, radius_m=500)
    assert old["e2sfca"].round(6).tolist() == [2.142857, 0.214286, 0.642857]


def test_category_weights_weigh_the_categories_scores() -> None:
    table = access_table(toy(), year=2021, category_weights={"gym": 1, "room": 3})
    assert scores(table) == [0.75, 0.5625, 1.6875]
    only_rooms = access_table(toy(), year=2021, category_weights={"room": 1})
    assert scores(only_rooms) == [0.0, 0.75, 2.25]


@pytest.mark.parametrize("factor", [0.01, 10.0, 1000.0])
def test_a_change_of_one_categorys_unit_changes_nothing_combined(factor: float) -> None:
    """Gym capacity in m² instead of places (x factor): a combined score must not move."""
    before, after = toy(), toy(gym=100.0 * factor)
    for column in ("2sfca", "e2sfca"):
        assert scores(access_table(after, year=2021), column) == scores(
            access_table(before, year=2021), column
        )


def test_a_ranking_without_category_never_mixes_units() -> None:
    """``rank --access-weight`` and ``--supply-weight`` without ``--category``: multiplying the
    gyms' capacities (another unit) leaves the scores and the ranking as they were. On the old
    code the access term was the sum of all capacities and this failed."""
    settings = {"year": 2021, "weights": {"poor": 1}, "runs": 50, "access_weight": 2.0}
    before = rank_table(toy(), **settings)
    after = rank_table(toy(gym=10_000.0), **settings)
    columns = ["district_code", "score", "rank", "access"]
    pd.testing.assert_frame_equal(before[columns], after[columns])
    # The access term is the combined score of the two categories, capped at the city median
    # (surplus cannot outweigh absence: issue 14 point 7), z-scored.
    combined = np.minimum(np.array([1.5, 0.375, 1.125]), 1.125)
    expected = -(combined - combined.mean()) / combined.std()  # ddof 0; poor access = need
    by_code = before.set_index("district_code")["access"].sort_index()
    assert by_code.to_numpy() == pytest.approx(expected, abs=1e-12)


def test_gaps_without_category_use_the_combined_score() -> None:
    table = gaps_table(toy(), year=2021, weights={"poor": 1})
    by_code = table.set_index("district_code")
    assert by_code["e2sfca"].round(6).tolist() == [1.5, 0.375, 1.125]
    assert by_code["access_rank"].tolist() == [1, 3, 2]
    assert by_code.loc["b", "quadrant"] == "low_need_low_access"


def test_the_supply_term_combines_each_categorys_rate_to_the_citys() -> None:
    # gym: a 1 per 1,000, city 1 / 3 -> a 3, b 0, c 0; rooms: b and c 1, city 2 / 3 -> 0, 1.5, 1.5
    term = supply_term(toy(), year=2021)
    assert term.round(6).tolist() == [1.5, 0.75, 0.75]
    assert supply_term(toy(), year=2021, category="room").tolist() == [0.0, 1.0, 1.0]


def test_an_unknown_capacity_counts_the_median_of_its_category() -> None:
    data = toy(extra=[("room", None, 1)])
    amounts, how = category_supply(data.resources, "room", capacity_unit="places")
    assert amounts.tolist() == [10.0, 30.0, 20.0]
    assert (how.measure, how.unit, how.imputed, how.fill) == ("capacity", "places", 1, 20.0)
    # b now has 10 + 20 places: 0.03 per resident, the city 60 / 3,000 -> 1.5 and c 1.5.
    assert scores(access_table(data, year=2021, category="room")) == [0.0, 1.5, 1.5]


def test_a_category_without_capacities_counts_resources_and_says_so() -> None:
    data = toy(extra=[("ngo", None, 0), ("ngo", None, 2)])
    found = access_categories(data, year=2021)
    units = {s.code: (s.measure, s.unit) for s in found.supplies}
    assert units == {
        "gym": ("capacity", "places"),
        "ngo": ("count", "resources"),
        "room": ("capacity", "places"),
    }
    assert found.weights == pytest.approx({"gym": 1 / 3, "ngo": 1 / 3, "room": 1 / 3})
    # ngo: a and c have one each -> 1.5, 0, 1.5; the mean of three categories:
    assert scores(access_table(data, year=2021)) == [1.5, 0.25, 1.25]


def test_a_category_without_resources_is_left_out_and_named() -> None:
    found = access_categories(toy(), year=2021)
    assert found.codes == ["gym", "room"]
    assert found.left_out == {"ngo": "no resource"}


def test_stops_naming_the_categories_when_nothing_can_be_combined() -> None:
    with pytest.raises(ValidationError) as info:
        access_table(toy(), year=2021, category_weights={"ngo": 1})
    assert "categories to choose from: gym, room" in str(info.value)
    with pytest.raises(ValidationError, match="either a category or category weights"):
        access_table(toy(), year=2021, category="gym", category_weights={"gym": 1})
    with pytest.raises(NotFoundError, match="known: gym, room, ngo"):
        access_table(toy(), year=2021, category_weights={"pool": 1})
    with pytest.raises(ValidationError, match="category weights >= 0"):
        access_table(toy(), year=2021, category_weights={"gym": -1})
    with pytest.raises(ValidationError, match="either a category or category weights"):
        rank_table(
            toy(), year=2021, weights={"poor": 1}, category="gym", category_weights={"gym": 1}
        )
