"""A district typed into a form is checked with the district import's own checks."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely import MultiPolygon, box

from mapping.errors import NotFoundError
from mapping.pages.district_form import check_district_form, form_values

DISTRICTS = gpd.GeoDataFrame(
    {
        "id": [1, 2],
        "code": ["gaj", "ksiaz"],
        "name": ["Gaj", "Książ"],
        "source": [None, "plan"],
        "schematic": [False, True],
    },
    geometry=[MultiPolygon([box(0, 0, 1, 1)]), MultiPolygon([box(1, 0, 2, 1)])],
    crs=4326,
)


def check(**changed: str):
    form = {**form_values(DISTRICTS.iloc[0].to_dict()), **changed}
    return check_district_form(form, districts=DISTRICTS, district_id=1, code_max=64, name_max=200)


def test_good_values_come_back_typed() -> None:
    values, problems = check(name="  Gaj Nowy ", code="gaj-nowy", schematic="true")
    assert problems == []
    assert values == {"code": "gaj-nowy", "name": "Gaj Nowy", "source": None, "schematic": True}


@pytest.mark.parametrize(
    ("changed", "field", "rule"),
    [
        ({"code": "gaj nowy"}, "code", "code_format"),
        ({"code": "-gaj"}, "code", "code_format"),
        ({"code": "ksiaz"}, "code", "code_taken"),
        ({"name": ""}, "name", "name_empty"),
        ({"name": "KSIĄŻ "}, "name", "name_taken"),
        ({"name": "x" * 201}, "name", "too_long"),
        ({"code": "x" * 65}, "code", "too_long"),
    ],
)
def test_each_rule_names_the_field(changed: dict[str, str], field: str, rule: str) -> None:
    values, problems = check(**changed)
    assert values is None
    assert [(p.field, p.rule) for p in problems] == [(field, rule)]
    assert problems[0].problem.startswith("expected")


def test_a_district_gone_meanwhile_is_not_found() -> None:
    with pytest.raises(NotFoundError):
        check_district_form({}, districts=DISTRICTS, district_id=9, code_max=64, name_max=200)
