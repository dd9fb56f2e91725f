"""Points of resources from the coordinate columns of a table: lat/lon, X/Y or WKT.

X/Y in degrees are longitude/latitude; in PUWG 1992 X is the northing and Y the easting (Polish
surveying order; for another projected CRS the order of that CRS's axes). Without a CRS in the
options, degrees or PUWG 1992 are detected from the values and the report says so
(:func:`mapping.io.geometry.resolve_crs`). Every :class:`Location` can also swap the two
coordinates of given rows, so that a point outside every district can be tested the other way
round (:func:`report_outside`; palmap never swaps by itself). Which district each point lies in
comes from :func:`mapping.join.locate_points`, the rule every join of palmap uses.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from mapping.crs import WEB_CRS
from mapping.errors import Message, msg
from mapping.io.fields import nones, texts
from mapping.io.geometry import check_geometries, resolve_crs
from mapping.io.report import ImportReport
from mapping.io.tabular import parse_numbers
from mapping.join import locate_points

__all__ = [
    "Location",
    "SwapFn",
    "locate_points",  # from mapping.join: the one rule of which district a point lies in
    "northing_first",
    "points_from_table",
    "report_outside",
    "to_web",
]

SwapFn = Callable[[pd.Index], tuple[gpd.GeoSeries, Message]]


class Location(NamedTuple):
    """Where the rows are: points (EPSG:4326, None where unknown) and how to report on them."""

    geometry: gpd.GeoSeries
    swap: SwapFn | None  # the same rows with the two coordinates swapped, and the fix to say
    field: str  # field name for findings about the point
    raw: pd.Series | None  # the location as written in the file, for findings


def points_from_table(
    table: pd.DataFrame,
    report: ImportReport,
    fields: Mapping[str, str],
    crs: str | int | CRS | None,
) -> Location:
    """The points of a table's rows from its lat/lon, X/Y or WKT columns (``fields``).

    Examples
    --------
    >>> t = pd.DataFrame({"lat": ["50,77", ""], "lon": ["16,28", ""]}, index=[2, 3])
    >>> location = points_from_table(t, ImportReport(), {"lat": "lat", "lon": "lon"}, None)
    >>> [None if g is None else (g.x, g.y) for g in location.geometry]
    [(16.28, 50.77), None]
    """
    if "lat" in fields or "x" in fields:
        return _pair_points(table, report, fields, crs)
    if "wkt" in fields:
        return _wkt_points(table, report, fields["wkt"], crs)
    empty = gpd.GeoSeries([None] * len(table.index), index=table.index, crs=WEB_CRS)
    return Location(empty, None, "geometry", None)


def _parse_pair(
    table: pd.DataFrame, report: ImportReport, a_col: str, b_col: str
) -> tuple[pd.Series, pd.Series, np.ndarray]:
    """Both coordinate columns as numbers, with findings; and where both are present."""
    index = table.index
    a, a_bad = parse_numbers(table[a_col])
    b, b_bad = parse_numbers(table[b_col])
    for column, bad, values in ((a_col, a_bad, table[a_col]), (b_col, b_bad, table[b_col])):
        if bad.any():
            report.add_rows(
                index[bad.to_numpy()],
                values[bad],
                problem=msg("expected a coordinate as a number, got {value!r}"),
                fix=msg("write it like 50,7712 or 50.7712 (degrees) or 328123,45 (metres)"),
                field=column,
            )
    a_ok = a.notna() & ~a_bad
    b_ok = b.notna() & ~b_bad
    half = (a_ok ^ b_ok) & ~a_bad & ~b_bad
    for row in index[half.to_numpy()]:
        missing = b_col if bool(a_ok.loc[row]) else a_col
        report.add(
            msg("expected both {a} and {b} or neither, got only one", a=a_col, b=b_col),
            row=row,
            field=missing,
            value="",
            fix=msg(
                "fill in {missing} or clear both to locate the row by its district", missing=missing
            ),
        )
    return a, b, (a_ok & b_ok).to_numpy()


def _xy_axes(
    x: np.ndarray, y: np.ndarray, both: np.ndarray, crs: CRS, a_col: str, b_col: str
) -> tuple[np.ndarray, np.ndarray, str | None]:
    """(easting, northing, assumption) of X/Y columns in ``crs``."""
    if not both.any():
        return x, y, None
    if northing_first(crs):
        return (
            y,
            x,
            f"{a_col!r} read as X = northing and {b_col!r} as Y = easting "
            f"({crs.name}; Polish surveying order)",
        )
    what = "longitude and latitude" if crs.is_geographic else f"easting and northing of {crs.name}"
    return x, y, f"{a_col!r} (X) and {b_col!r} (Y) read as {what}"


def _pair_points(
    table: pd.DataFrame,
    report: ImportReport,
    fields: Mapping[str, str],
    crs: str | int | CRS | None,
) -> Location:
    index = table.index
    if "lat" in fields and "x" in fields:
        report.assume(
            f"coordinates read from {fields['lat']!r}/{fields['lon']!r}; the X/Y columns "
            f"{fields['x']!r}/{fields['y']!r} were not used"
        )
    latlon = "lat" in fields
    a_col, b_col = (fields["lat"], fields["lon"]) if latlon else (fields["x"], fields["y"])
    a, b, both = _parse_pair(table, report, a_col, b_col)
    if latlon:
        easting, northing = b.to_numpy(), a.to_numpy()
        source_crs = resolve_crs(easting[both], northing[both], report, given=crs)
        if not source_crs.is_geographic and both.any():
            report.assume(
                f"{a_col!r} read as northing and {b_col!r} as easting of {source_crs.name}"
            )
        swap_fix = msg(
            "swap the columns: use {b!r} as the latitude and {a!r} as the longitude",
            a=a_col,
            b=b_col,
        )
    else:
        x, y = a.to_numpy(), b.to_numpy()
        source_crs = resolve_crs(x[both], y[both], report, given=crs)
        easting, northing, assumption = _xy_axes(x, y, both, source_crs, a_col, b_col)
        if assumption:
            report.assume(assumption)
        swap_fix = msg("swap the columns: use {b!r} as X and {a!r} as Y", a=a_col, b=b_col)
    points = np.full(len(index), None, dtype=object)
    points[both] = shapely.points(easting[both], northing[both])
    field = f"{a_col}/{b_col}"
    geometry = check_geometries(
        gpd.GeoSeries(points, index=index), report, crs=source_crs, missing="keep", field=field
    ).reindex(index)

    def swap(rows: pd.Index) -> tuple[gpd.GeoSeries, Message]:
        positions = index.get_indexer(rows)
        swapped = shapely.points(northing[positions], easting[positions])
        return to_web(swapped, rows, source_crs), swap_fix

    raw = texts(table[a_col]) + "; " + texts(table[b_col])
    return Location(gpd.GeoSeries(geometry, index=index, crs=WEB_CRS), swap, field, raw)


def _single_points(parsed: np.ndarray) -> np.ndarray:
    """A MultiPoint of one point counts as that point."""
    multi_single = np.array(
        [g is not None and g.geom_type == "MultiPoint" and len(g.geoms) == 1 for g in parsed],
        dtype=bool,
    )
    if multi_single.any():
        parsed[multi_single] = [g.geoms[0] for g in parsed[multi_single]]
    return parsed


def _wkt_points(
    table: pd.DataFrame, report: ImportReport, column: str, crs: str | int | CRS | None
) -> Location:
    index = table.index
    text = texts(table[column])
    present = (text != "").to_numpy()
    parsed = np.full(len(index), None, dtype=object)
    parsed[present] = shapely.from_wkt(text.to_numpy()[present], on_invalid="ignore")
    parsed = _single_points(parsed)
    not_point = present & (shapely.is_missing(parsed) | (shapely.get_type_id(parsed) != 0))
    if not_point.any():
        report.add_rows(
            index[not_point],
            text[not_point].str.slice(0, 60),
            problem=msg("expected a point as WKT, such as POINT (16.28 50.77), got {value!r}"),
            fix=msg("write the location as POINT (x y) or use lat/lon columns"),
            field=column,
        )
        parsed[not_point] = None
    coordinates = shapely.get_coordinates(parsed)
    source_crs = resolve_crs(coordinates[:, 0], coordinates[:, 1], report, given=crs)
    geometry = check_geometries(
        gpd.GeoSeries(parsed, index=index), report, crs=source_crs, missing="keep", field=column
    ).reindex(index)

    def swap_wkt(rows: pd.Index) -> tuple[gpd.GeoSeries, Message]:
        positions = index.get_indexer(rows)
        xy = shapely.get_coordinates(parsed[positions])
        swapped = shapely.points(xy[:, 1], xy[:, 0])
        return to_web(swapped, rows, source_crs), msg("swap the two numbers in the WKT point")

    return Location(gpd.GeoSeries(geometry, index=index, crs=WEB_CRS), swap_wkt, column, text)


def northing_first(crs: CRS) -> bool:
    """Whether the first axis of a projected CRS points north (EPSG:2180, 2176-2179).

    Examples
    --------
    >>> northing_first(CRS.from_epsg(2180)), northing_first(CRS.from_epsg(4326))
    (True, False)
    """
    if crs.is_geographic or not crs.axis_info:
        return False
    return crs.axis_info[0].direction.lower() == "north"


def to_web(points: np.ndarray, rows: pd.Index, crs: CRS) -> gpd.GeoSeries:
    """Points in ``crs`` as a GeoSeries in EPSG:4326 indexed by ``rows``."""
    if not crs.equals(WEB_CRS):
        transformer = Transformer.from_crs(crs, WEB_CRS, always_xy=True)
        xy = shapely.get_coordinates(points)
        x, y = transformer.transform(xy[:, 0], xy[:, 1], errcheck=False)
        points = shapely.points(x, y)
    return gpd.GeoSeries(points, index=rows, crs=WEB_CRS)


def _finite(geometry: gpd.GeoSeries) -> np.ndarray:
    """Whether each geometry is present and all its coordinates are finite (vectorised)."""
    array = np.asarray(geometry.array, dtype=object)
    finite = ~shapely.is_missing(array)
    coordinates, owner = shapely.get_coordinates(array, return_index=True)
    finite[owner[~np.isfinite(coordinates).all(axis=1)]] = False
    return finite


def report_outside(
    rows: pd.Index,
    report: ImportReport,
    location: Location,
    districts: gpd.GeoDataFrame,
) -> None:
    """Report points outside every district; an error suggesting the swap when it would help."""
    swap, geometry = location.swap, location.geometry
    swapped_codes = nones(rows)
    fix_text: Message | str = ""
    if swap is not None:
        swapped, fix_text = swap(rows)
        usable = (swapped.notna() & ~swapped.is_empty).to_numpy() & _finite(swapped)
        if usable.any():
            candidates = swapped[usable]
            codes = locate_points(np.asarray(candidates.array, dtype=object), districts)
            swapped_codes.loc[candidates.index] = codes
    suggested = 0
    points = geometry.reindex(rows).tolist()
    raw = location.raw.reindex(rows).tolist() if location.raw is not None else None
    for position, (row, code) in enumerate(zip(rows, swapped_codes.tolist(), strict=True)):
        if raw is not None:
            value = str(raw[position])
        else:
            point = points[position]
            value = f"{point.y:.7f}, {point.x:.7f} (lat, lon)"
        if code is not None:
            suggested += 1
            report.add(
                msg(
                    "expected a point inside a district, got one outside every district; with the "
                    "two coordinates swapped it would lie in {code!r}",
                    code=code,
                ),
                row=row,
                field=location.field,
                value=value,
                fix=fix_text,
            )
        else:
            report.add(
                msg("the point lies outside every district; it is kept and counted apart"),
                row=row,
                field=location.field,
                value=value,
                fix=msg("check the coordinates if the resource should be inside the city"),
                severity="warning",
            )
    if suggested:
        report.add(
            msg(
                "{count} point(s) outside every district would lie inside one with the two "
                "coordinates swapped",
                count=suggested,
            ),
            fix=fix_text,
            severity="warning",
        )
