"""The filtered list of resources that a page, its map and its downloads share.

:func:`filter_resources` picks resources by category, district (the district a resource's point
lies in, else the one it is assigned to: :func:`mapping.join.assign_districts`) and a text query
(any word of the name, address, operator or description, ignoring case and Polish diacritics).
The page's list, its map and the CSV and GeoJSON downloads are all built from its result, so they
always hold exactly the same rows in the same order.

:func:`resources_csv` guards every text cell that a spreadsheet would run as a formula
(docs/SECURITY.md
point 3: a leading ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a ``'`` prefix).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from mapping.frames import BOOLEAN_TEXT, RESOURCE_EXPORT_COLUMNS
from mapping.io.matching import fold
from mapping.io.safety import guard_formula
from mapping.join import assign_districts

__all__ = [
    "EXPORT_COLUMNS",
    "csv_text",
    "filter_resources",
    "guard_cell",
    "resources_csv",
    "resources_geojson",
]

#: Columns of the downloads, in order: :data:`mapping.frames.RESOURCE_EXPORT_COLUMNS`, the same
#: as ``palmap export resources`` writes (``district_code`` is the district the resource is in).
EXPORT_COLUMNS: tuple[str, ...] = RESOURCE_EXPORT_COLUMNS

_COORD_DECIMALS = 6
_SEARCHED = ("name", "address", "operator", "description")


def filter_resources(
    resources: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    *,
    category: str | None = None,
    district: str | None = None,
    q: str | None = None,
) -> gpd.GeoDataFrame:
    """The resources matching every given filter, ordered by name then id.

    Parameters
    ----------
    resources
        Frame of :data:`mapping.frames.RESOURCE_COLUMNS`.
    districts
        Districts with ``code`` and polygon ``geometry``.
    category
        A category code; None for all.
    district
        A district code; None for all. A resource belongs to the district its point lies in,
        or (without a point) to the district it is assigned to.
    q
        Words that must all appear in the name, address, operator or description (case and
        Polish diacritics ignored: :func:`mapping.io.matching.fold`, the folding every import
        uses); None or blank for no text filter.

    Returns
    -------
    geopandas.GeoDataFrame
        The matching rows with ``district_code`` replaced by the district they belong to
        (<NA> for none), index reset.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point, box
    >>> d = gpd.GeoDataFrame({"code": ["a", "b"]},
    ...     geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=4326)
    >>> r = gpd.GeoDataFrame({"id": [1, 2, 3], "name": ["Świetlica", "Klub", "Boisko"],
    ...     "category": ["s", "k", "s"], "address": [None, "ul. Łąkowa 1", None],
    ...     "operator": [None] * 3, "description": [None] * 3, "district_code": [None, None, "b"]},
    ...     geometry=[Point(0.5, 0.5), Point(1.5, 0.5), None], crs=4326)
    >>> filter_resources(r, d, district="b")["name"].tolist()
    ['Boisko', 'Klub']
    >>> filter_resources(r, d, q="lakowa")["name"].tolist()
    ['Klub']
    >>> filter_resources(r, d, category="s", q="SWIET")["id"].tolist()
    [1]
    """
    frame = resources.copy()
    frame["district_code"] = assign_districts(frame, districts)
    keep = pd.Series(True, index=frame.index)
    if category:
        keep &= frame["category"] == category
    if district:
        keep &= (frame["district_code"] == district).fillna(False).astype(bool)
    words = fold(q).split() if q else []
    if words and len(frame):
        haystack = frame[[c for c in _SEARCHED if c in frame.columns]].apply(
            lambda row: " ".join(fold(v) for v in row), axis=1
        )
        for word in words:
            keep &= haystack.str.contains(word, regex=False)
    frame = frame[keep.astype(bool)]
    order = frame["name"].map(fold)
    frame = frame.assign(_order=order).sort_values(["_order", "id"], kind="stable")
    return frame.drop(columns="_order").reset_index(drop=True)


def guard_cell(value: Any) -> Any:
    """:func:`mapping.io.safety.guard_formula` for any cell: text guarded, other values as given.

    Examples
    --------
    >>> guard_cell("=HYPERLINK(\\"http://x\\")"), guard_cell("-1"), guard_cell(-1)
    ('\\'=HYPERLINK("http://x")', "'-1", -1)
    """
    return guard_formula(value) if isinstance(value, str) else value


def _lon_lat(geometry: object) -> tuple[float | None, float | None]:
    if isinstance(geometry, shapely.Point) and not geometry.is_empty:
        lon, lat = geometry.x, geometry.y
        if math.isfinite(lon) and math.isfinite(lat):
            return round(lon, _COORD_DECIMALS), round(lat, _COORD_DECIMALS)
    return None, None


def _plain(value: Any) -> Any:
    """A JSON/CSV-friendly scalar: None for missing values, Python numbers, text otherwise."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, bool):
        return value
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def _records(frame: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    rows = []
    for record in frame.to_dict("records"):
        lon, lat = _lon_lat(record.get("geometry"))
        row = {c: _plain(record.get(c)) for c in EXPORT_COLUMNS if c not in ("lat", "lon")}
        row["lat"], row["lon"] = lat, lon
        rows.append(row)
    return rows


def csv_text(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """Rows as CSV text with a header of ``columns``; text cells guarded (:func:`guard_cell`),
    booleans as ``true``/``false`` (:data:`mapping.frames.BOOLEAN_TEXT`, as every palmap file
    writes them), None as an empty cell.

    Examples
    --------
    >>> csv_text([{"a": "@SUM(A1)", "b": None}, {"a": 1.5, "b": False}], ["a", "b"]).splitlines()
    ['a,b', "'@SUM(A1),", '1.5,false']
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(row.get(c)) for c in columns])
    return buffer.getvalue()


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return BOOLEAN_TEXT[value]
    return guard_cell(value)


def resources_csv(frame: gpd.GeoDataFrame) -> str:
    """The rows as CSV text (comma-separated, a header of :data:`EXPORT_COLUMNS`).

    Text cells are passed through :func:`guard_cell`; numbers stay numbers.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> r = gpd.GeoDataFrame({"id": [7], "name": ["=cmd|' /C calc'!A0"], "category": ["ngo"]},
    ...     geometry=[Point(16.2812345678, 50.77)], crs=4326)
    >>> print(resources_csv(r).splitlines()[1])
    7,,'=cmd|' /C calc'!A0,ngo,,,,,,,,,,,50.77,16.281235
    """
    return csv_text(_records(frame), EXPORT_COLUMNS)


def resources_geojson(frame: gpd.GeoDataFrame) -> dict[str, Any]:
    """The rows as an RFC 7946 FeatureCollection (a resource without a point has null geometry).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> r = gpd.GeoDataFrame({"id": [1, 2], "name": ["A", "B"]},
    ...     geometry=[Point(16.2, 50.7), None], crs=4326)
    >>> fc = resources_geojson(r)
    >>> [f["geometry"] for f in fc["features"]]
    [{'type': 'Point', 'coordinates': [16.2, 50.7]}, None]
    """
    features = []
    for row in _records(frame):
        lat, lon = row.pop("lat"), row.pop("lon")
        geometry = None if lon is None else {"type": "Point", "coordinates": [lon, lat]}
        features.append(
            {"type": "Feature", "id": row["id"], "properties": row, "geometry": geometry}
        )
    return {"type": "FeatureCollection", "features": features}
