"""Supply per district: how many resources of each category a district has, and how much.

One row per district and category (long format): the number of resources, their total capacity,
resources per 1,000 residents and per km². Which district a resource is in follows the rule of
:func:`mapping.join.assign_districts` (a point in the polygon, a shared boundary to the smallest
code, a resource without a point to the district it was assigned to). Resources in no district are
reported in rows whose ``district_code`` is ``None``; they are never dropped silently.

Areas are measured in EPSG:2180 (:func:`mapping.crs.to_metric`).

Units of supply (:func:`category_supply`)
    A capacity counts something different in each category (gym places, day-room places, m² of
    premises): the category's ``capacity_unit`` says what. Capacities are therefore only ever
    added within one category, never across categories. In a category where at least one
    resource has a capacity, a resource without one counts the median of the known capacities
    of its category (it exists, and counting it 1 place or 0 would be wrong); in a category
    where none has a capacity, every resource counts 1 and the unit is "resources".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from mapping.crs import to_metric
from mapping.errors import MappingError, ValidationError

__all__ = [
    "COUNT_UNIT",
    "SUPPLY_COLUMNS",
    "CategorySupply",
    "category_supply",
    "supply_per_district",
]

#: The unit of a category whose resources have no capacity: each resource counts 1.
COUNT_UNIT = "resources"

#: The unit named when a category's resources have capacities but its ``capacity_unit`` is empty.
UNNAMED_UNIT = "capacity (unit not set)"

#: Columns of :func:`supply_per_district`, in order.
SUPPLY_COLUMNS: tuple[str, ...] = (
    "district_code",
    "category",
    "count",
    "capacity",
    "per_1000",
    "per_km2",
)


def _require(frame: pd.DataFrame, columns: tuple[str, ...], *, name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise MappingError(
            f"expected {name} with columns {', '.join(columns)}, got none named "
            f"{', '.join(missing)}; rename the columns or read the file with mapping.io"
        )


def _capacities(resources: pd.DataFrame) -> pd.Series:
    """The ``capacity`` column as floats (NaN where unknown), checked: numbers >= 0."""
    if "capacity" not in resources.columns:
        return pd.Series(np.nan, index=resources.index, dtype="float64")
    try:
        capacity = pd.to_numeric(resources["capacity"], errors="raise").astype("float64")
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            "expected numeric capacities (or empty), got text; fix the capacity column"
        ) from exc
    if (capacity < 0).any():
        raise ValidationError(
            "expected capacities >= 0, got negative values; fix the capacity column"
        )
    return capacity


@dataclass(frozen=True)
class CategorySupply:
    """How the supply of one category is measured (see "Units of supply" above)."""

    #: The category code.
    code: str
    #: ``capacity`` (the resources' capacities) or ``count`` (each resource counts 1).
    measure: Literal["capacity", "count"]
    #: What one unit of supply is: the category's ``capacity_unit``, :data:`UNNAMED_UNIT`, or
    #: :data:`COUNT_UNIT`.
    unit: str
    #: Resources of the category (with or without a point).
    resources: int
    #: Resources whose unknown capacity counted as the category's median (``fill``).
    imputed: int = 0
    #: The median capacity given to resources without one; None when nothing was filled.
    fill: float | None = None


def category_supply(
    resources: pd.DataFrame, code: str, *, capacity_unit: str | None = None
) -> tuple[pd.Series, CategorySupply]:
    """The supply of every resource of category ``code``, in the category's own unit.

    Parameters
    ----------
    resources
        Resources with ``category`` and optionally ``capacity``.
    code
        The category.
    capacity_unit
        The category's unit (places, seats, m²); None or empty when it is not set.

    Returns
    -------
    tuple
        The supply of each resource of the category (a float Series indexed like
        ``resources``, only that category's rows), and how it was measured.

    Examples
    --------
    Three day rooms, one with an unknown capacity (it counts the median, 20), and two NGOs
    without capacities (each counts 1):

    >>> import pandas as pd
    >>> r = pd.DataFrame({"category": ["room", "room", "room", "ngo", "ngo"],
    ...                   "capacity": [15, 25, None, None, None]})
    >>> units, how = category_supply(r, "room", capacity_unit="places")
    >>> units.tolist(), how.unit, how.imputed, how.fill
    ([15.0, 25.0, 20.0], 'places', 1, 20.0)
    >>> units, how = category_supply(r, "ngo")
    >>> units.tolist(), how.measure, how.unit
    ([1.0, 1.0], 'count', 'resources')
    """
    _require(resources, ("category",), name="resources")
    rows = resources[resources["category"] == code]
    capacity = _capacities(rows)
    known = capacity.dropna()
    if not len(known):
        return pd.Series(1.0, index=rows.index, dtype="float64"), CategorySupply(
            code, "count", COUNT_UNIT, len(rows)
        )
    unknown = int(capacity.isna().sum())
    fill = float(known.median())
    how = CategorySupply(
        code,
        "capacity",
        (capacity_unit or "").strip() or UNNAMED_UNIT,
        len(rows),
        imputed=unknown,
        fill=fill if unknown else None,
    )
    return capacity.fillna(fill), how


def _check_residents(residents: pd.Series) -> pd.Series:
    if not isinstance(residents, pd.Series):
        raise ValidationError(
            f"expected residents as a pandas Series indexed by district_code, got "
            f"{type(residents).__name__}; pass values_for_year(..., indicator='residents', year=Y)"
        )
    if residents.index.has_duplicates:
        dupes = sorted({str(c) for c in residents.index[residents.index.duplicated()]})
        raise ValidationError(
            f"expected one residents value per district, got several for {', '.join(dupes)}; "
            "keep one value per district and year"
        )
    try:
        numbers = pd.to_numeric(residents, errors="raise").astype("float64")
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            f"expected numeric residents, got {residents.dtype}; fix the non-numeric values"
        ) from exc
    negative = numbers[numbers < 0]
    if len(negative):
        raise ValidationError(
            "expected residents >= 0, got negative values for "
            f"{', '.join(map(str, negative.index))}; fix the source data"
        )
    numbers.index = numbers.index.astype(str)
    return numbers


def supply_per_district(
    resources: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    *,
    residents: pd.Series | None = None,
    categories: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Count resources and sum their capacity per district and category.

    Parameters
    ----------
    resources
        Resources with ``category``, ``district_code`` (used when a resource has no point),
        ``geometry`` (points, may be missing) and optionally ``capacity``.
    districts
        Districts with unique ``code`` and polygon ``geometry``.
    residents
        Residents per district (a Series indexed by ``district_code``), for ``per_1000``.
        ``None`` leaves ``per_1000`` empty (NaN).
    categories
        Category codes to report, in any order. Every district gets a row for every one of them,
        with zeros where it has no resource of that category; resources of other categories are
        left out (as asked). ``None`` reports every category present in ``resources``, and then
        a resource without a category is an error.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SUPPLY_COLUMNS`:

        * ``district_code``: the district, or ``None`` for resources in no district (such rows
          appear only for categories that have such resources);
        * ``category``;
        * ``count`` (int): number of resources;
        * ``capacity`` (float): total capacity of the resources whose capacity is known; 0 when
          none is known (unknown capacities count as nothing, not as NaN);
        * ``per_1000``: ``count`` per 1,000 residents; NaN where residents are missing or 0,
          and for the ``None`` rows;
        * ``per_km2``: ``count`` per km² of district area measured in EPSG:2180; NaN for the
          ``None`` rows.

        Sorted by district code (``None`` last), then category.

    Raises
    ------
    MappingError
        If a required column is missing.
    ValidationError
        If district codes repeat, capacities or residents are not numbers or are negative, or
        a resource has no category while ``categories`` is ``None``.
    CRSError
        If a frame has no CRS.

    Examples
    --------
    Two 2 km x 2 km districts (4 km² each), a library in ``a``, a club known only by district in
    ``b`` and a library outside both:

    >>> import geopandas as gpd
    >>> import pandas as pd
    >>> from shapely import Point, box
    >>> d = gpd.GeoDataFrame({"code": ["a", "b"]},
    ...     geometry=[box(300_000, 400_000, 302_000, 402_000),
    ...               box(302_000, 400_000, 304_000, 402_000)], crs=2180)
    >>> r = gpd.GeoDataFrame(
    ...     {"category": ["library", "club", "library"], "district_code": [None, "b", None],
    ...      "capacity": [40, None, 10]},
    ...     geometry=[Point(301_000, 401_000), None, Point(390_000, 401_000)], crs=2180)
    >>> out = supply_per_district(r, d, residents=pd.Series({"a": 2000, "b": 0}))
    >>> out[["district_code", "category", "count", "capacity", "per_1000"]].to_dict("records")
    ... # doctest: +NORMALIZE_WHITESPACE
    [{'district_code': 'a', 'category': 'club', 'count': 0, 'capacity': 0.0, 'per_1000': 0.0},
     {'district_code': 'a', 'category': 'library', 'count': 1, 'capacity': 40.0, 'per_1000': 0.5},
     {'district_code': 'b', 'category': 'club', 'count': 1, 'capacity': 0.0, 'per_1000': nan},
     {'district_code': 'b', 'category': 'library', 'count': 0, 'capacity': 0.0, 'per_1000': nan},
     {'district_code': None, 'category': 'library', 'count': 1, 'capacity': 10.0,
      'per_1000': nan}]
    >>> out["per_km2"].round(3).tolist()
    [0.0, 0.25, 0.25, 0.0, nan]
    """
    _require(resources, ("category", "district_code", "geometry"), name="resources")
    _require(districts, ("code", "geometry"), name="districts")
    if districts["code"].isna().any():
        raise ValidationError(
            "expected a code for every district, got empty codes; give every district a code"
        )
    district_codes = districts["code"].astype(str)
    if district_codes.duplicated().any():
        dupes = sorted(set(district_codes[district_codes.duplicated()]))
        raise ValidationError(
            f"expected unique district codes, got repeats: {', '.join(dupes)}; "
            "give every district its own code"
        )

    capacity = _capacities(resources)

    category = resources["category"]
    if categories is None:
        if category.isna().any():
            raise ValidationError(
                f"expected a category for every resource, got {int(category.isna().sum())} "
                "without one; give them a category or pass categories=[...] to report only some"
            )
        wanted = sorted({str(c) for c in category})
    else:
        if isinstance(categories, str):
            raise ValidationError(
                f"expected a sequence of category codes, got the string {categories!r}; "
                f"pass categories=[{categories!r}]"
            )
        wanted = sorted({str(c) for c in categories})

    # Imported here, not at the top: join.py re-exports this module's function, and a
    # function-level import keeps that circle harmless whichever module is imported first.
    from mapping.join import assign_districts

    assigned = assign_districts(resources, districts)
    frame = pd.DataFrame(
        {
            "district_code": assigned.astype(object).where(assigned.notna(), None),
            "category": category.astype(object),
            "capacity": capacity,
        },
        index=resources.index,
    )
    frame = frame[frame["category"].isin(wanted)]

    inside = frame[frame["district_code"].notna()]
    grouped = inside.groupby(["district_code", "category"]).agg(
        count=("category", "size"), capacity=("capacity", "sum")
    )
    grid = pd.MultiIndex.from_product(
        [sorted(district_codes), wanted], names=["district_code", "category"]
    )
    table = grouped.reindex(grid)
    table["count"] = table["count"].fillna(0).astype("int64")
    # Unknown capacities count as nothing; a district with none known has capacity 0.
    table["capacity"] = table["capacity"].fillna(0.0).astype("float64")
    table = table.reset_index()

    if residents is not None:
        people = _check_residents(residents).reindex(table["district_code"]).to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            per_1000 = np.where(people > 0, table["count"].to_numpy() * 1000.0 / people, np.nan)
        table["per_1000"] = per_1000
    else:
        table["per_1000"] = np.nan

    metric = to_metric(districts, name="districts")
    area_km2 = pd.Series(metric.geometry.area.to_numpy() / 1e6, index=district_codes.to_numpy())
    area = area_km2.reindex(table["district_code"]).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        table["per_km2"] = np.where(area > 0, table["count"].to_numpy() / area, np.nan)

    outside = frame[frame["district_code"].isna()]
    if len(outside):
        apart = (
            outside.groupby("category")
            .agg(count=("category", "size"), capacity=("capacity", "sum"))
            .reset_index()
        )
        apart.insert(0, "district_code", None)
        apart["count"] = apart["count"].astype("int64")
        apart["capacity"] = apart["capacity"].astype("float64")
        apart["per_1000"] = np.nan
        apart["per_km2"] = np.nan
        table = pd.concat([table, apart], ignore_index=True)

    table["district_code"] = table["district_code"].astype(object)
    table["district_code"] = table["district_code"].where(table["district_code"].notna(), None)
    table = table.sort_values(
        ["district_code", "category"], na_position="last", kind="stable"
    ).reset_index(drop=True)
    return table[list(SUPPLY_COLUMNS)]
