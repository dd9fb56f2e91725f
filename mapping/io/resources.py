"""Build palmap's frames (:mod:`mapping.frames`) from tables and layers read by :mod:`mapping.io`.

Every builder takes the frame a reader returned (its index is the row number as in the file) and
that reader's :class:`~mapping.io.report.ImportReport`, checks every row, records findings, and
returns only the rows without errors, still indexed by their row number. The caller decides:
``report.raise_if_errors()`` to refuse the whole import (exit 3), or load the frame as it is with
``--skip-invalid``.

Rules shared by resources and indicator values (issue 3, section 2):

* districts are matched by code, then by name ignoring case, diacritics, punctuation and extra
  spaces; an unmatched name is reported with the closest known names;
* categories are matched by code, Polish name, alias (``|``-separated) or English name, the same
  way; an unknown category fails the row with the list of known codes, or takes
  ``default_category`` (warning);
* coordinates come from lat/lon, X/Y or WKT columns; X/Y in degrees are longitude/latitude, in
  PUWG 1992 X is the northing and Y the easting (Polish surveying order; for another projected
  ``--crs`` the order of that CRS's axes); without ``crs`` degrees or PUWG 1992 are detected from
  the values and the report says so;
* a point outside every district is a warning (it is kept and counted apart); when swapping the
  two coordinates would put it inside a district it is an error whose fix suggests the swap, since
  the row is almost certainly wrong; palmap never swaps by itself;
* a row without coordinates but with a district is "known only by district": it is counted in the
  district's supply and listed on its pages but not drawn (``geometry`` None, ``district_code``
  set; the report lists it as info). A row with a point gets the district the point lies in.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from typing import Literal, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from mapping.crs import WEB_CRS, ensure_crs
from mapping.errors import ValidationError
from mapping.frames import (
    DISTRICT_COLUMNS,
    INDICATOR_COLUMNS,
    INDICATOR_VALUE_COLUMNS,
    RESOURCE_COLUMNS,
)
from mapping.io.report import ImportReport
from mapping.io.tabular import (
    canonical_columns,
    cell_texts,
    column_key,
    name_key,
    parse_numbers,
)
from mapping.io.vector import check_geometries, resolve_crs
from mapping.text import slugify

__all__ = [
    "districts_from_vector",
    "locate_points",
    "indicator_values_from_table",
    "indicators_from_table",
    "match_categories",
    "match_districts",
    "resources_from_table",
    "resources_from_vector",
]

_TRUE = frozenset({"true", "tak", "1", "yes", "t", "y", "prawda"})
_FALSE = frozenset({"false", "nie", "0", "no", "f", "n", "falsz", "fałsz"})
_CODE_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.-]*"
_URL_PATTERN = r"(?i)https?://[^\s/?#]+\.[^\s/?#]+[^\s]*"
_DISTRICT_KEYS = frozenset(
    {
        "districtcode",
        "koddzielnicy",
        "kodosiedla",
        "district",
        "dzielnica",
        "osiedle",
        "districtname",
        "nazwadzielnicy",
        "nazwaosiedla",
    }
)


# ---------------------------------------------------------------------------------------------
# Small helpers


def _text(values: pd.Series) -> pd.Series:
    """Stripped text, ``""`` for missing; index kept; object dtype (fast without pyarrow)."""
    return pd.Series(cell_texts(values), index=values.index, dtype=object)


def _nones(index: pd.Index) -> pd.Series:
    return pd.Series([None] * len(index), index=index, dtype=object)


def _obj(values: pd.Series) -> pd.Series:
    """Object column with None (not NaN) for missing values, as :mod:`mapping.frames` wants."""
    out = values.astype(object)
    return out.where(out.notna(), None)


def _or_none(values: pd.Series) -> pd.Series:
    """Object column with None for empty text."""
    out = values.astype(object)
    return out.where(out != "", None)


def _line_list(rows: pd.Index, *, limit: int = 5) -> str:
    shown = ", ".join(str(r) for r in rows[:limit])
    return shown + (" ..." if len(rows) > limit else "")


def _resolve_fields(
    table: pd.DataFrame,
    report: ImportReport,
    *,
    kind: Literal["resources", "districts", "indicators"],
    explicit: Mapping[str, str | None],
) -> dict[str, str]:
    """Canonical field to column: explicit options first, then recognised names."""
    columns = [str(c) for c in table.columns]
    for canonical, column in explicit.items():
        if column is not None and column not in columns:
            raise ValidationError(
                f"{report.source or 'file'}: expected a column {column!r} for {canonical}, got "
                f"columns {', '.join(repr(c) for c in columns)}; give one of them"
            )
    given = {canonical: column for canonical, column in explicit.items() if column is not None}
    recognised = {
        canonical: column
        for column, canonical in canonical_columns(
            [c for c in columns if c not in given.values()], kind
        ).items()
        if canonical not in given
    }
    return {**recognised, **given}


def _need(fields: Mapping[str, str], canonical: str, report: ImportReport, hint: str) -> str:
    if canonical not in fields:
        raise ValidationError(
            f"{report.source or 'file'}: expected a column for {canonical} ({hint}), got none; "
            f"add it or name it with --{canonical.replace('_', '-')}-field"
        )
    return fields[canonical]


# ---------------------------------------------------------------------------------------------
# Districts and categories


def _closest(key: str, names: Mapping[str, str]) -> list[str]:
    close = difflib.get_close_matches(key, list(names), n=3, cutoff=0.6)
    return [names[k] for k in close]


def match_districts(
    values: pd.Series, districts: pd.DataFrame
) -> tuple[pd.Series, dict[str, list[str]]]:
    """Match district codes or names to district codes.

    By code first (exactly, then ignoring case), then by name ignoring case, diacritics,
    punctuation and extra spaces.

    Parameters
    ----------
    values
        Text as in the file (empty means no district).
    districts
        Frame with ``code`` and ``name``.

    Returns
    -------
    codes : pandas.Series
        Object dtype, the matched code or None (empty or unmatched), indexed like ``values``.
    unmatched : dict
        Each unmatched value to the closest known district names (possibly none).

    Examples
    --------
    >>> d = pd.DataFrame({"code": ["bialy-kamien", "srodmiescie"],
    ...                   "name": ["Biały Kamień", "Śródmieście"]})
    >>> codes, unmatched = match_districts(
    ...     pd.Series(["srodmiescie", "  BIAŁY  kamień", "Srodmiescie", "Biały Kamien II", ""]), d)
    >>> codes.tolist()
    ['srodmiescie', 'bialy-kamien', 'srodmiescie', None, None]
    >>> unmatched
    {'Biały Kamien II': ['Biały Kamień']}
    """
    codes = [str(c) for c in districts["code"]]
    names = [str(n) for n in districts["name"]] if "name" in districts else codes
    by_code = {c: c for c in codes}
    by_lower = {c.lower(): c for c in codes}
    by_key: dict[str, str] = {}
    for code, name in zip(codes, names, strict=True):
        by_key.setdefault(name_key(name), code)
    for code in codes:
        by_key.setdefault(name_key(code), code)
    key_names = {name_key(n): n for n in names}
    text = _text(values)
    lookup: dict[str, str | None] = {}
    unmatched: dict[str, list[str]] = {}
    for value in text.unique():
        if value == "":
            lookup[value] = None
            continue
        code = by_code.get(value) or by_lower.get(value.lower()) or by_key.get(name_key(value))
        lookup[value] = code
        if code is None:
            unmatched[value] = _closest(name_key(value), key_names)
    return _obj(text.map(lookup)), unmatched


def _district_problem(value: str, closest: list[str], districts: pd.DataFrame) -> tuple[str, str]:
    problem = f"expected the code or name of a known district, got {value!r}"
    if closest:
        fix = f"did you mean {' or '.join(repr(n) for n in closest)}?"
    else:
        known = sorted(str(n) for n in districts["name"]) if "name" in districts else []
        shown = ", ".join(known[:12]) + (" ..." if len(known) > 12 else "")
        fix = f"use one of the known districts: {shown}" if shown else "import the districts first"
    return problem, fix


def match_categories(values: pd.Series, categories: pd.DataFrame) -> pd.Series:
    """Match category codes, Polish names, aliases or English names to category codes.

    Compared ignoring case, diacritics, punctuation and extra spaces; on a clash a code beats a
    Polish name, which beats an alias, which beats an English name.

    Returns
    -------
    pandas.Series
        Object dtype: the code, or None for an empty or unknown value.

    Examples
    --------
    >>> from mapping.categories import DEFAULT_CATEGORIES
    >>> cats = pd.DataFrame(DEFAULT_CATEGORIES)
    >>> match_categories(pd.Series(["Świetlica", "KIS", "playground", "Plac  zabaw", "?"]),
    ...                  cats).tolist()
    ['swietlica', 'kis', 'plac_zabaw', 'plac_zabaw', None]
    """
    lookup: dict[str, str] = {}
    records = categories.to_dict("records")
    for record in records:
        lookup.setdefault(name_key(str(record["code"])), str(record["code"]))
    for record in records:
        lookup.setdefault(name_key(str(record.get("name_pl") or "")), str(record["code"]))
    for record in records:
        for alias in str(record.get("aliases") or "").split("|"):
            lookup.setdefault(name_key(alias), str(record["code"]))
    for record in records:
        lookup.setdefault(name_key(str(record.get("name_en") or "")), str(record["code"]))
    lookup.pop("", None)
    text = _text(values)
    mapping = {value: lookup.get(name_key(value)) for value in text.unique()}
    return _obj(text.map(mapping))


# ---------------------------------------------------------------------------------------------
# Resources


def resources_from_table(
    table: pd.DataFrame,
    report: ImportReport,
    *,
    districts: gpd.GeoDataFrame,
    categories: pd.DataFrame,
    crs: str | int | CRS | None = None,
    name_field: str | None = None,
    category_field: str | None = None,
    address_field: str | None = None,
    district_field: str | None = None,
    external_id_field: str | None = None,
    lat_field: str | None = None,
    lon_field: str | None = None,
    x_field: str | None = None,
    y_field: str | None = None,
    default_category: str | None = None,
    source: str | None = None,
    wkt_field: str | None = None,
) -> gpd.GeoDataFrame:
    """Build resources (``RESOURCE_COLUMNS``) from a table read by :func:`read_table`.

    Parameters
    ----------
    table
        Text cells, index = row numbers as in the file.
    report
        The reader's report; findings are added, ``valid`` is set.
    districts
        Known districts (``code``, ``name``, polygon ``geometry``).
    categories
        Known categories (``code``, ``name_pl``, ``name_en``, ``aliases``).
    crs
        CRS of the coordinates; detected (degrees or PUWG 1992) when None.
    name_field, category_field, address_field, district_field, external_id_field
        Columns to use instead of the recognised ones.
    lat_field, lon_field, x_field, y_field, wkt_field
        Coordinate columns (lat/lon or X/Y pairs, or WKT points) instead of the recognised ones.
    default_category
        Code given to rows whose category is empty or unknown (a warning each) instead of failing.
    source
        ``source`` of rows whose own source column is empty; by default the file name.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, ``RESOURCE_COLUMNS``; ``id`` <NA>, ``updated_at`` None, ``synthetic`` False
        unless a synthetic column says otherwise, ``capacity`` Int64, ``external_id`` text.
        Rows with an error are left out; the index keeps the row numbers.

    Raises
    ------
    ValidationError
        A named column does not exist, the name or location columns are missing, or
        ``default_category`` is not a known code.
    CRSError
        No ``crs`` and the coordinates are neither all degrees nor all PUWG 1992.

    Examples
    --------
    >>> from shapely import box
    >>> from mapping.categories import DEFAULT_CATEGORIES
    >>> districts = gpd.GeoDataFrame({"code": ["a"], "name": ["Śródmieście"]},
    ...                              geometry=[box(16.2, 50.7, 16.4, 50.8)], crs=4326)
    >>> table = pd.DataFrame({"Nazwa": ["Świetlica", "MOPS"], "Kategoria": ["świetlica", "mops"],
    ...                       "Szer": ["50,75", ""], "Dł": ["16,3", ""],
    ...                       "Dzielnica": ["", "srodmiescie"]},
    ...                      index=pd.Index([2, 3], name="line"))
    >>> report = ImportReport(source="zasoby.csv", unit="line", read=2)
    >>> out = resources_from_table(table, report, districts=districts,
    ...                            categories=pd.DataFrame(DEFAULT_CATEGORIES))
    >>> out[["name", "category", "district_code"]].to_dict("index")
    {2: {'name': 'Świetlica', 'category': 'swietlica', 'district_code': 'a'}, \
3: {'name': 'MOPS', 'category': 'mops', 'district_code': 'a'}}
    >>> [(f.row, f.severity) for f in report.findings]
    [(3, 'info')]
    """
    fields = _resolve_fields(
        table,
        report,
        kind="resources",
        explicit={
            "name": name_field,
            "category": category_field,
            "address": address_field,
            "district": district_field,
            "external_id": external_id_field,
            "lat": lat_field,
            "lon": lon_field,
            "x": x_field,
            "y": y_field,
            "wkt": wkt_field,
        },
    )
    for first, second in (("lat", "lon"), ("x", "y")):
        if (first in fields) != (second in fields):
            have, lack = (first, second) if first in fields else (second, first)
            raise ValidationError(
                f"{report.source or 'file'}: expected both {first} and {second} columns, got "
                f"only {have} ({fields[have]!r}); add the {lack} column or name it with "
                f"--{lack}-field"
            )
    location = _points_from_table(table, report, fields, crs)
    return _build_resources(
        table,
        report,
        fields=fields,
        location=location,
        districts=districts,
        categories=categories,
        default_category=default_category,
        source=source,
        has_location=any(k in fields for k in ("lat", "x", "wkt")),
    )


SwapFn = Callable[[pd.Index], tuple[gpd.GeoSeries, str]]


class _Location(NamedTuple):
    """Where the rows are: points (EPSG:4326, None where unknown) and how to report on them."""

    geometry: gpd.GeoSeries
    swap: SwapFn | None  # the same rows with the two coordinates swapped, and the fix to say
    field: str  # field name for findings about the point
    raw: pd.Series | None  # the location as written in the file, for findings


def _points_from_table(
    table: pd.DataFrame,
    report: ImportReport,
    fields: Mapping[str, str],
    crs: str | int | CRS | None,
) -> _Location:
    index = table.index
    empty = gpd.GeoSeries([None] * len(index), index=index, crs=WEB_CRS)
    if "lat" in fields or "x" in fields:
        if "lat" in fields and "x" in fields:
            report.assume(
                f"coordinates read from {fields['lat']!r}/{fields['lon']!r}; the X/Y columns "
                f"{fields['x']!r}/{fields['y']!r} were not used"
            )
        pair = ("lat", "lon") if "lat" in fields else ("x", "y")
        a_col, b_col = fields[pair[0]], fields[pair[1]]
        a, a_bad = parse_numbers(table[a_col])
        b, b_bad = parse_numbers(table[b_col])
        for column, bad, values in ((a_col, a_bad, table[a_col]), (b_col, b_bad, table[b_col])):
            if bad.any():
                report.add_rows(
                    index[bad.to_numpy()],
                    values[bad],
                    problem="expected a coordinate as a number, got {value!r}",
                    fix="write it like 50,7712 or 50.7712 (degrees) or 328123,45 (metres)",
                    field=column,
                )
        a_ok = a.notna() & ~a_bad
        b_ok = b.notna() & ~b_bad
        half = (a_ok ^ b_ok) & ~a_bad & ~b_bad
        if half.any():
            rows = index[half.to_numpy()]
            for row in rows:
                missing = b_col if bool(a_ok.loc[row]) else a_col
                report.add(
                    f"expected both {a_col} and {b_col} or neither, got only one",
                    row=row,
                    field=missing,
                    value="",
                    fix=f"fill in {missing} or clear both to locate the row by its district",
                )
        both = (a_ok & b_ok).to_numpy()
        field = f"{a_col}/{b_col}"
        raw = _text(table[a_col]) + "; " + _text(table[b_col])
        if pair == ("lat", "lon"):
            lon, lat = b.to_numpy(), a.to_numpy()
            source_crs = resolve_crs(lon[both], lat[both], report, given=crs)
            if not source_crs.is_geographic and both.any():
                report.assume(
                    f"{a_col!r} read as northing and {b_col!r} as easting of {source_crs.name}"
                )
            easting, northing = lon, lat
            swap_fix = f"swap the columns: --lat-field {b_col!r} --lon-field {a_col!r}"
        else:
            x, y = a.to_numpy(), b.to_numpy()
            source_crs = resolve_crs(x[both], y[both], report, given=crs)
            if not both.any():
                easting, northing = x, y
            elif _northing_first(source_crs):
                report.assume(
                    f"{a_col!r} read as X = northing and {b_col!r} as Y = easting "
                    f"({source_crs.name}; Polish surveying order)"
                )
                easting, northing = y, x
            else:
                what = (
                    "longitude and latitude"
                    if source_crs.is_geographic
                    else f"easting and northing of {source_crs.name}"
                )
                report.assume(f"{a_col!r} (X) and {b_col!r} (Y) read as {what}")
                easting, northing = x, y
            swap_fix = f"swap the columns: --x-field {b_col!r} --y-field {a_col!r}"

        points = np.full(len(index), None, dtype=object)
        points[both] = shapely.points(easting[both], northing[both])
        geometry = check_geometries(
            gpd.GeoSeries(points, index=index), report, crs=source_crs, missing="keep", field=field
        )
        geometry = geometry.reindex(index)

        def swap(rows: pd.Index) -> tuple[gpd.GeoSeries, str]:
            positions = index.get_indexer(rows)
            swapped = shapely.points(northing[positions], easting[positions])
            return _to_web(swapped, rows, source_crs), swap_fix

        return _Location(gpd.GeoSeries(geometry, index=index, crs=WEB_CRS), swap, field, raw)
    if "wkt" in fields:
        column = fields["wkt"]
        text = _text(table[column])
        present = (text != "").to_numpy()
        parsed = np.full(len(index), None, dtype=object)
        parsed[present] = shapely.from_wkt(text.to_numpy()[present], on_invalid="ignore")
        multi_single = np.array(
            [g is not None and g.geom_type == "MultiPoint" and len(g.geoms) == 1 for g in parsed]
        )
        if multi_single.any():
            parsed[multi_single] = [g.geoms[0] for g in parsed[multi_single]]
        not_point = present & (shapely.is_missing(parsed) | (shapely.get_type_id(parsed) != 0))
        if not_point.any():
            report.add_rows(
                index[not_point],
                text[not_point].str.slice(0, 60),
                problem="expected a point as WKT, such as POINT (16.28 50.77), got {value!r}",
                fix="write the location as POINT (x y) or use lat/lon columns",
                field=column,
            )
            parsed[not_point] = None
        coordinates = shapely.get_coordinates(parsed)
        source_crs = resolve_crs(coordinates[:, 0], coordinates[:, 1], report, given=crs)
        geometry = check_geometries(
            gpd.GeoSeries(parsed, index=index),
            report,
            crs=source_crs,
            missing="keep",
            field=column,
        ).reindex(index)

        def swap_wkt(rows: pd.Index) -> tuple[gpd.GeoSeries, str]:
            positions = index.get_indexer(rows)
            original = parsed[positions]
            xy = shapely.get_coordinates(original)
            swapped = shapely.points(xy[:, 1], xy[:, 0])
            return _to_web(swapped, rows, source_crs), "swap the two numbers in the WKT point"

        return _Location(gpd.GeoSeries(geometry, index=index, crs=WEB_CRS), swap_wkt, column, text)
    return _Location(empty, None, "geometry", None)


def _northing_first(crs: CRS) -> bool:
    """Whether the first axis of a projected CRS points north (EPSG:2180, 2176-2179)."""
    if crs.is_geographic or not crs.axis_info:
        return False
    return crs.axis_info[0].direction.lower() == "north"


def _to_web(points: np.ndarray, rows: pd.Index, crs: CRS) -> gpd.GeoSeries:
    if not crs.equals(WEB_CRS):
        transformer = Transformer.from_crs(crs, WEB_CRS, always_xy=True)
        xy = shapely.get_coordinates(points)
        x, y = transformer.transform(xy[:, 0], xy[:, 1], errcheck=False)
        points = shapely.points(x, y)
    return gpd.GeoSeries(points, index=rows, crs=WEB_CRS)


def resources_from_vector(
    gdf: gpd.GeoDataFrame,
    report: ImportReport,
    *,
    districts: gpd.GeoDataFrame,
    categories: pd.DataFrame,
    name_field: str | None = None,
    category_field: str | None = None,
    address_field: str | None = None,
    district_field: str | None = None,
    external_id_field: str | None = None,
    default_category: str | None = None,
    source: str | None = None,
) -> gpd.GeoDataFrame:
    """Build resources from a point layer read by :func:`mapping.io.vector.read_vector`.

    Read the layer with ``missing_geometry="keep"`` so that features without a point but with a
    district are kept as known only by district. Attributes are turned into text and checked as in
    :func:`resources_from_table`; a single-point MultiPoint counts as its point, other geometry
    types fail the feature.

    Returns
    -------
    geopandas.GeoDataFrame
        As :func:`resources_from_table`, indexed by feature number.

    Examples
    --------
    >>> from shapely import Point, box
    >>> from mapping.categories import DEFAULT_CATEGORIES
    >>> districts = gpd.GeoDataFrame({"code": ["a"], "name": ["A"]},
    ...                              geometry=[box(16.2, 50.7, 16.4, 50.8)], crs=4326)
    >>> gdf = gpd.GeoDataFrame({"name": ["Boisko"], "category": ["boisko"], "ext": [17]},
    ...                        geometry=[Point(16.3, 50.75)], crs=4326, index=[1])
    >>> out = resources_from_vector(gdf, ImportReport(unit="feature"), districts=districts,
    ...                             categories=pd.DataFrame(DEFAULT_CATEGORIES),
    ...                             external_id_field="ext")
    >>> out[["external_id", "category", "district_code"]].to_dict("records")
    [{'external_id': '17', 'category': 'boisko', 'district_code': 'a'}]
    """
    gdf = ensure_crs(gdf, name="resources") if len(gdf) else gdf
    table = _attributes_as_text(gdf)
    fields = _resolve_fields(
        table,
        report,
        kind="resources",
        explicit={
            "name": name_field,
            "category": category_field,
            "address": address_field,
            "district": district_field,
            "external_id": external_id_field,
        },
    )
    for canonical in ("lat", "lon", "x", "y", "wkt"):
        fields.pop(canonical, None)  # the layer's geometry is the location
    values = np.array(gdf.geometry.array, dtype=object)
    single = np.array(
        [g is not None and g.geom_type == "MultiPoint" and len(g.geoms) == 1 for g in values],
        dtype=bool,
    )
    if single.any():
        values[single] = [g.geoms[0] for g in values[single]]
    wrong = ~shapely.is_missing(values) & (shapely.get_type_id(values) != 0)
    if wrong.any():
        report.add_rows(
            gdf.index[wrong],
            [g.geom_type for g in values[wrong]],
            problem="expected a point, got a {value}",
            fix="export the resources as points (for areas, use their centroids)",
            field="geometry",
        )
        values[wrong] = None
    geometry = gpd.GeoSeries(values, index=gdf.index, crs=WEB_CRS)

    def swap(rows: pd.Index) -> tuple[gpd.GeoSeries, str]:
        xy = shapely.get_coordinates(geometry.loc[rows].to_numpy())
        swapped = np.full(len(rows), None, dtype=object)
        plausible = (np.abs(xy[:, 1]) <= 180) & (np.abs(xy[:, 0]) <= 90)
        swapped[plausible] = shapely.points(xy[plausible, 1], xy[plausible, 0])
        return (
            gpd.GeoSeries(swapped, index=rows, crs=WEB_CRS),
            "the file's longitude and latitude look swapped: correct them in a GIS",
        )

    return _build_resources(
        table,
        report,
        fields=fields,
        location=_Location(geometry, swap, "geometry", None),
        districts=districts,
        categories=categories,
        default_category=default_category,
        source=source,
        has_location=True,
    )


def _attributes_as_text(gdf: pd.DataFrame) -> pd.DataFrame:
    """Attributes of a layer as text cells, as a table reader would give them."""
    columns: dict[str, pd.Series] = {}
    geometry_name = gdf.geometry.name if isinstance(gdf, gpd.GeoDataFrame) else None
    for column in gdf.columns:
        if column == geometry_name:
            continue
        values = gdf[column]
        if pd.api.types.is_bool_dtype(values):
            text = values.map({True: "true", False: "false"}).astype(object)
        elif pd.api.types.is_float_dtype(values):
            finite = values.dropna()
            whole = (
                bool(len(finite))
                and bool(np.all(np.mod(finite.to_numpy(dtype=float), 1) == 0))
                and bool(np.all(np.abs(finite.to_numpy(dtype=float)) < 1e15))
            )
            if whole:
                text = values.map(lambda v: "" if pd.isna(v) else str(int(v)))
            else:
                text = values.map(lambda v: "" if pd.isna(v) else repr(float(v)))
        elif pd.api.types.is_datetime64_any_dtype(values):
            text = values.map(lambda v: "" if pd.isna(v) else v.isoformat())
        else:
            text = values.map(lambda v: "" if v is None or v is pd.NA or _isnan(v) else str(v))
        columns[str(column)] = _text(text)
    return pd.DataFrame(columns, index=gdf.index)


def _isnan(value: object) -> bool:
    return isinstance(value, float) and np.isnan(value)


def _build_resources(
    table: pd.DataFrame,
    report: ImportReport,
    *,
    fields: Mapping[str, str],
    location: _Location,
    districts: gpd.GeoDataFrame,
    categories: pd.DataFrame,
    default_category: str | None,
    source: str | None,
    has_location: bool,
) -> gpd.GeoDataFrame:
    index = table.index
    geometry = location.geometry
    name_column = _need(fields, "name", report, "nazwa/name")
    if "category" not in fields and default_category is None:
        _need(fields, "category", report, "kategoria/category, or give --default-category")
    if not has_location and "district" not in fields:
        if len(index):
            raise ValidationError(
                f"{report.source or 'file'}: expected coordinate columns (lat/lon, X/Y or WKT) "
                f"or a district column, got columns {', '.join(map(repr, table.columns))}; add "
                "the location or name the columns with --lat-field/--lon-field, --x-field/"
                "--y-field or --district-field"
            )
    known_codes = [str(c) for c in categories["code"]]
    if default_category is not None and default_category not in known_codes:
        raise ValidationError(
            f"expected --default-category to be a known category code, got "
            f"{default_category!r}; use one of {', '.join(known_codes)}"
        )
    districts = ensure_crs(districts, name="districts")

    # name
    names = _text(table[name_column])
    missing_name = (names == "").to_numpy()
    if missing_name.any():
        report.add_rows(
            index[missing_name],
            problem="expected a name, got an empty field",
            fix="give every resource a name",
            field=name_column,
            values=[""] * int(missing_name.sum()),
        )

    # category
    if "category" in fields:
        category_column = fields["category"]
        raw_category = _text(table[category_column])
        category = match_categories(raw_category, categories)
    else:
        category_column = "category"
        raw_category = pd.Series("", index=index)
        category = _nones(index)
    unknown = category.isna().to_numpy()
    if unknown.any():
        if default_category is not None:
            report.add_rows(
                index[unknown],
                raw_category[unknown],
                problem=f"expected a known category, got {{value!r}}; {default_category!r} "
                "(--default-category) was used",
                fix=f"use one of {', '.join(known_codes)} if {default_category!r} is wrong",
                field=category_column,
                severity="warning",
            )
            category = category.where(~unknown, default_category)
        else:
            report.add_rows(
                index[unknown],
                raw_category[unknown],
                problem="expected a known category (code, Polish or English name, or alias), "
                "got {value!r}",
                fix=f"use one of {', '.join(known_codes)}, or give --default-category",
                field=category_column,
            )

    # districts: the file's column, and the district each point lies in
    if "district" in fields:
        district_column = fields["district"]
        raw_district = _text(table[district_column])
        given_code, unmatched = match_districts(raw_district, districts)
    else:
        district_column = "district"
        raw_district = pd.Series("", index=index)
        given_code = _nones(index)
        unmatched = {}
    has_point = (geometry.notna() & ~geometry.is_empty).reindex(index, fill_value=False)
    located = pd.Series(
        locate_points(np.asarray(geometry.reindex(index).array, dtype=object), districts),
        index=index,
        dtype=object,
    )
    outside = has_point & located.isna()
    if outside.any() and len(districts):
        _report_outside(index[outside.to_numpy()], report, location, districts)

    district_code = located.where(has_point, given_code)
    district_code = district_code.where(district_code.notna() | ~has_point, given_code)
    # Rows without a point: the district column decides.
    no_point = ~has_point
    raw_present = raw_district != ""
    bad_name = (raw_present & given_code.isna()).to_numpy()
    for row in index[bad_name & no_point.to_numpy()]:
        value = raw_district.loc[row]
        problem, fix = _district_problem(value, unmatched.get(value, []), districts)
        report.add(problem, row=row, field=district_column, value=value, fix=fix)
    for row in index[bad_name & has_point.to_numpy()]:
        value = raw_district.loc[row]
        problem, fix = _district_problem(value, unmatched.get(value, []), districts)
        report.add(
            problem + "; the point was used to place the row",
            row=row,
            field=district_column,
            value=value,
            fix=fix,
            severity="warning",
        )
    differs = (
        has_point & located.notna() & given_code.notna() & (located != given_code)
    ).to_numpy()
    for row in index[differs]:
        report.add(
            f"the point lies in district {located.loc[row]!r} but the {district_column} column "
            f"says {given_code.loc[row]!r}; the point was used",
            row=row,
            field=district_column,
            value=raw_district.loc[row],
            fix="correct the coordinates or the district",
            severity="warning",
        )
    nowhere = (no_point & ~raw_present).to_numpy()
    # Rows whose coordinates failed already have an error; do not add a second one.
    failed = report.error_rows()
    nowhere = nowhere & ~index.isin(list(failed))
    if nowhere.any():
        report.add_rows(
            index[nowhere],
            problem="expected coordinates or a district, got neither",
            fix="fill in lat/lon (or X/Y) or the district of the resource",
            field=district_column,
        )

    # capacity, website, external id, synthetic
    capacity = pd.array([pd.NA] * len(index), dtype="Int64")
    if "capacity" in fields:
        capacity = _capacity(table[fields["capacity"]], report, fields["capacity"])
    website = _nones(index)
    if "website" in fields:
        website = _websites(table[fields["website"]], report, fields["website"])
    external_id = _nones(index)
    if "external_id" in fields:
        external_id = _external_ids(table[fields["external_id"]], report, fields["external_id"])
    synthetic = pd.Series(False, index=index, dtype=bool)
    if "synthetic" in fields:
        synthetic = _booleans(
            table[fields["synthetic"]], report, fields["synthetic"], default=False
        )

    def optional(canonical: str) -> pd.Series:
        if canonical not in fields:
            return _nones(index)
        return _or_none(_text(table[fields[canonical]]))

    default_source = source or report.source
    row_source = optional("source")
    row_source = row_source.where(row_source.notna(), default_source)

    frame = gpd.GeoDataFrame(
        {
            "id": pd.Series(pd.NA, index=index, dtype="Int64"),
            "external_id": _obj(external_id),
            "name": _obj(names),
            "category": _obj(category),
            "address": _obj(optional("address")),
            "district_code": _obj(district_code),
            "capacity": pd.Series(capacity, index=index, dtype="Int64"),
            "operator": _obj(optional("operator")),
            "phone": _obj(optional("phone")),
            "website": _obj(website),
            "opening_hours": _obj(optional("opening_hours")),
            "description": _obj(optional("description")),
            "source": _obj(row_source),
            "synthetic": synthetic.astype(bool),
            "updated_at": _nones(index),
        },
        geometry=gpd.GeoSeries(geometry.reindex(index).to_numpy(), index=index, crs=WEB_CRS),
        crs=WEB_CRS,
        index=index,
    )
    ok = ~index.isin(list(report.error_rows()))
    by_district = ok & (no_point & given_code.notna()).to_numpy()
    if by_district.any():
        report.add_rows(
            index[by_district],
            given_code[by_district],
            problem="no coordinates: known only by district {value!r} (counted in its supply, "
            "listed on its pages, not drawn on maps)",
            fix="add coordinates to draw it on the map",
            field=district_column,
            severity="info",
        )
    frame = frame[ok][list(RESOURCE_COLUMNS)]
    report.valid = len(frame)
    return frame


def locate_points(points: np.ndarray, districts: gpd.GeoDataFrame) -> np.ndarray:
    """Return the code of the district each point lies in (None outside every district).

    The rule of :func:`mapping.join.assign_districts` (a point on a shared boundary goes to the
    smallest code), computed with one spatial-index query and numpy so that 100,000 points take
    a fraction of a second.

    Parameters
    ----------
    points
        Shapely points (None allowed) in EPSG:4326.
    districts
        Districts with ``code`` and polygon ``geometry`` in EPSG:4326.

    Examples
    --------
    >>> from shapely import Point, box
    >>> d = gpd.GeoDataFrame({"code": ["b", "a"]}, geometry=[box(1, 0, 2, 1), box(0, 0, 1, 1)],
    ...                      crs=4326)
    >>> locate_points(np.array([Point(0.5, 0.5), Point(1, 0.5), Point(9, 9), None]), d).tolist()
    ['a', 'a', None, None]
    """
    result = np.full(len(points), None, dtype=object)
    if not len(points) or not len(districts):
        return result
    codes = np.array([str(c) for c in districts["code"]], dtype=object)
    rank = np.empty(len(codes), dtype=np.int64)
    rank[np.argsort(codes, kind="stable")] = np.arange(len(codes))
    tree = shapely.STRtree(np.asarray(districts.geometry.array, dtype=object))
    point_index, district_index = tree.query(points, predicate="intersects")
    if not point_index.size:
        return result
    order = np.lexsort((rank[district_index], point_index))
    point_index, district_index = point_index[order], district_index[order]
    first = np.r_[True, point_index[1:] != point_index[:-1]]
    result[point_index[first]] = codes[district_index[first]]
    return result


def _report_outside(
    rows: pd.Index,
    report: ImportReport,
    location: _Location,
    districts: gpd.GeoDataFrame,
) -> None:
    swap, geometry = location.swap, location.geometry
    swapped_codes = _nones(rows)
    fix_text = ""
    if swap is not None:
        swapped, fix_text = swap(rows)
        usable = swapped.notna() & ~swapped.is_empty
        usable = usable & swapped.apply(
            lambda g: g is not None and bool(np.isfinite(shapely.get_coordinates(g)).all())
        ).astype(bool)
        if usable.any():
            candidates = swapped[usable]
            codes = locate_points(np.asarray(candidates.array, dtype=object), districts)
            swapped_codes.loc[candidates.index] = codes
    suggested = 0
    for row in rows:
        point = geometry.loc[row]
        if location.raw is not None:
            value = str(location.raw.loc[row])
        else:
            value = f"{point.y:.7f}, {point.x:.7f} (lat, lon)"
        code = swapped_codes.loc[row]
        if code is not None:
            suggested += 1
            report.add(
                f"expected a point inside a district, got one outside every district; with the "
                f"two coordinates swapped it would lie in {code!r}",
                row=row,
                field=location.field,
                value=value,
                fix=fix_text,
            )
        else:
            report.add(
                "the point lies outside every district; it is kept and counted apart",
                row=row,
                field=location.field,
                value=value,
                fix="check the coordinates if the resource should be inside the city",
                severity="warning",
            )
    if suggested:
        report.add(
            f"{suggested} point(s) outside every district would lie inside one with the two "
            "coordinates swapped",
            fix=fix_text,
            severity="warning",
        )


def _capacity(values: pd.Series, report: ImportReport, column: str) -> pd.arrays.IntegerArray:
    numbers, bad = parse_numbers(values)
    raw = _text(values)
    whole = numbers.isna() | (numbers.mod(1) == 0)
    negative = numbers < 0
    wrong = bad | ~whole | negative
    if wrong.any():
        report.add_rows(
            values.index[wrong.to_numpy()],
            raw[wrong],
            problem="expected the capacity as a whole number of places (0 or more), got {value!r}",
            fix="write a whole number such as 25, or leave the field empty",
            field=column,
        )
    return numbers.where(~wrong).astype("Int64").array


def _websites(values: pd.Series, report: ImportReport, column: str) -> pd.Series:
    text = _text(values)
    ok = text.str.fullmatch(_URL_PATTERN)
    dropped = (text != "") & ~ok
    if dropped.any():
        report.add_rows(
            values.index[dropped.to_numpy()],
            text[dropped],
            problem="expected a web address starting with http:// or https://, got {value!r}; "
            "it was left out",
            fix="write the full address, such as https://www.example.pl",
            field=column,
            severity="warning",
        )
    return text.where(ok, None).astype(object)


def _external_ids(values: pd.Series, report: ImportReport, column: str) -> pd.Series:
    text = _text(values)
    present = text != ""
    repeated = present & text.duplicated(keep="first")
    if repeated.any():
        first = text[present & ~text.duplicated(keep="first")]
        first_row = pd.Series(first.index, index=first.to_numpy())
        for row in values.index[repeated.to_numpy()]:
            value = text.loc[row]
            report.add(
                f"expected a unique id, got {value!r} again (first on {report.unit} "
                f"{first_row.loc[value]})",
                row=row,
                field=column,
                value=value,
                fix="give every resource its own id",
            )
    return _or_none(text)


def _booleans(
    values: pd.Series, report: ImportReport, column: str, *, default: bool | None
) -> pd.Series:
    text = _text(values)
    lowered = text.str.lower()
    result = pd.Series(default, index=values.index, dtype=object)
    result[lowered.isin(_TRUE)] = True
    result[lowered.isin(_FALSE)] = False
    wrong = ~lowered.isin(_TRUE | _FALSE) & ((lowered != "") | (default is None))
    if wrong.any():
        report.add_rows(
            values.index[wrong.to_numpy()],
            text[wrong],
            problem="expected true or false (tak/nie, 1/0), got {value!r}",
            fix="write true or false",
            field=column,
        )
    return result


# ---------------------------------------------------------------------------------------------
# Districts


def districts_from_vector(
    gdf: gpd.GeoDataFrame,
    report: ImportReport,
    *,
    code_field: str | None = None,
    name_field: str | None = None,
    source: str | None = None,
) -> gpd.GeoDataFrame:
    """Build districts (``DISTRICT_COLUMNS``) from a polygon layer.

    Parameters
    ----------
    gdf
        From :func:`mapping.io.vector.read_vector` or :func:`mapping.io.vector.vector_from_table`
        (EPSG:4326, index = feature or row numbers).
    report
        Its report.
    code_field
        Column with the district codes; without it codes are ASCII slugs of the names.
    name_field
        Column with the names; by default the recognised one (nazwa, name, dzielnica, osiedle...).
    source
        Value of ``source``; by default a source column of the file, else the file name.

    Returns
    -------
    geopandas.GeoDataFrame
        ``DISTRICT_COLUMNS``, MultiPolygon geometry, ``schematic`` False, ``id`` <NA>. Rows with
        an error (no name, bad or repeated code - both rows -, not a polygon) are left out.

    Examples
    --------
    >>> from shapely import box
    >>> gdf = gpd.GeoDataFrame({"NAZWA": ["Biały Kamień", "Biały  kamień", "Podgórze"]},
    ...                        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)],
    ...                        crs=4326, index=[1, 2, 3])
    >>> report = ImportReport(source="osiedla.gpkg", unit="feature")
    >>> out = districts_from_vector(gdf, report)
    >>> out[["code", "name"]].to_dict("records")
    [{'code': 'podgorze', 'name': 'Podgórze'}]
    >>> [(f.row, f.field) for f in report.errors()]
    [(1, 'NAZWA'), (2, 'NAZWA')]
    """
    gdf = ensure_crs(gdf, name="districts") if len(gdf) else gdf
    table = _attributes_as_text(gdf)
    explicit: dict[str, str | None] = {"name": name_field}
    if code_field is not None:
        explicit["code"] = code_field
    fields = _resolve_fields(table, report, kind="districts", explicit=explicit)
    if code_field is None:
        fields.pop("code", None)  # without --code-field, codes are slugs of the names
    name_column = _need(fields, "name", report, "nazwa/name/dzielnica/osiedle")
    index = table.index
    names = _text(table[name_column])
    empty = (names == "").to_numpy()
    if empty.any():
        report.add_rows(
            index[empty],
            problem="expected a district name, got an empty field",
            fix="give every district a name",
            field=name_column,
        )
    if code_field is not None:
        code_column = code_field
        codes = _text(table[code_field])
        bad = ~codes.str.fullmatch(_CODE_PATTERN)
        if bad.any():
            report.add_rows(
                index[bad.to_numpy()],
                codes[bad],
                problem="expected a code of letters, digits, '-', '_' or '.', got {value!r}",
                fix="write the code without spaces or other characters",
                field=code_field,
            )
    else:
        code_column = name_column
        slugs: dict[str, str] = {}
        for value in names[~empty].unique():
            try:
                slugs[value] = slugify(value)
            except ValidationError:
                slugs[value] = ""
        codes = names.map(lambda v: slugs.get(v, ""))
        no_slug = ((codes == "") & ~pd.Series(empty, index=index)).to_numpy()
        if no_slug.any():
            report.add_rows(
                index[no_slug],
                names[no_slug],
                problem="expected a name with letters or digits to make a code from, got {value!r}",
                fix="give the districts codes with --code-field",
                field=name_column,
            )
    present = codes != ""
    repeated = present & codes.duplicated(keep=False)
    if repeated.any():
        groups = codes[repeated].groupby(codes[repeated])
        for code, group in groups:
            rows = group.index
            for row in rows:
                others = [r for r in rows if r != row]
                report.add(
                    f"expected unique district codes, got {code!r} also on {report.unit} "
                    f"{_line_list(pd.Index(others))}",
                    row=row,
                    field=code_column,
                    value=names.loc[row] if code_field is None else code,
                    fix="give each district its own name or code (--code-field)",
                )
    values = np.array(gdf.geometry.array, dtype=object)
    type_ids = shapely.get_type_id(values)
    polygon = type_ids == 3
    if polygon.any():
        values[polygon] = [shapely.MultiPolygon([g]) for g in values[polygon]]
    wrong = ~shapely.is_missing(values) & ~np.isin(type_ids, (3, 6))
    if wrong.any():
        report.add_rows(
            index[wrong],
            [g.geom_type for g in values[wrong]],
            problem="expected a polygon, got a {value}",
            fix="export the district boundaries as polygons",
            field="geometry",
        )
    absent = shapely.is_missing(values)
    if absent.any():
        report.add_rows(
            index[absent],
            problem="expected a polygon, got no geometry",
            fix="draw the district or delete the row",
            field="geometry",
        )
    if source is None and "source" in fields:
        row_source = _or_none(_text(table[fields["source"]]))
        row_source = row_source.where(row_source.notna(), report.source)
    else:
        row_source = pd.Series(source or report.source, index=index, dtype=object)
    # A schematic column (as palmap exports it) keeps unofficial boundaries flagged on re-import.
    schematic = pd.Series(False, index=index, dtype=bool)
    if "schematic" in fields:
        schematic = _booleans(
            table[fields["schematic"]], report, fields["schematic"], default=False
        )
    frame = gpd.GeoDataFrame(
        {
            "id": pd.Series(pd.NA, index=index, dtype="Int64"),
            "code": _obj(codes),
            "name": _obj(names),
            "source": _obj(row_source),
            "schematic": schematic.astype(bool),
        },
        geometry=gpd.GeoSeries(values, index=index, crs=WEB_CRS),
        crs=WEB_CRS,
        index=index,
    )
    frame = frame[~index.isin(list(report.error_rows()))][list(DISTRICT_COLUMNS)]
    report.valid = len(frame)
    return frame


# ---------------------------------------------------------------------------------------------
# Indicators


def _indicator_lookup(indicators: pd.DataFrame) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for column in ("code", "name_pl", "name_en"):
        if column not in indicators:
            continue
        for code, value in zip(indicators["code"], indicators[column], strict=True):
            lookup.setdefault(name_key(str(value or "")), str(code))
    lookup.pop("", None)
    return lookup


def _years(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    text = _text(values)
    ok = text.str.fullmatch(r"(?:19|20|21)\d\d")
    years = pd.to_numeric(text.where(ok, None), errors="coerce")
    return years, ~ok


def indicator_values_from_table(
    table: pd.DataFrame,
    report: ImportReport,
    *,
    districts: pd.DataFrame,
    indicators: pd.DataFrame,
    layout: Literal["long", "wide_indicators", "wide_years"] = "long",
    year: int | None = None,
    indicator: str | None = None,
) -> pd.DataFrame:
    """Build indicator values (``INDICATOR_VALUE_COLUMNS``) from a table.

    Notes
    -----
    Layouts:

    ``long``
        Columns district, year, indicator, value (Polish names work too: osiedle, rok, wskaźnik,
        wartość). An empty value is an error.
    ``wide_indicators``
        A district column and one column per indicator (code or name); ``year`` gives the year
        (a year column, when present, wins). Empty cells are no value.
    ``wide_years``
        A district column and one column per year (``2021`` or ``rok 2021``) for ``indicator``.
        Empty cells are no value.

    Unknown districts and indicators, years that are not four digits, non-numeric values and a
    repeated (district, indicator, year) - on the later row - fail the row: a row with an error is
    left out whole. An unknown indicator or year column is a file-level error; its cells are not
    read.

    Returns
    -------
    pandas.DataFrame
        ``district_code``, ``indicator``, ``year`` (int64), ``value`` (float64); index: the row
        number each value came from (repeated in wide layouts). ``report.valid`` counts rows.

    Raises
    ------
    ValidationError
        If a needed column or option is missing, or ``indicator`` is unknown.

    Examples
    --------
    >>> d = pd.DataFrame({"code": ["a", "b"], "name": ["Śródmieście", "Podgórze"]})
    >>> ind = pd.DataFrame({"code": ["residents"], "name_pl": ["mieszkańcy"],
    ...                     "name_en": ["residents"]})
    >>> t = pd.DataFrame({"Osiedle": ["Śródmieście", "podgorze"], "2020": ["1 200", "900"],
    ...                   "2021": ["1 180", ""]}, index=pd.Index([2, 3], name="line"))
    >>> indicator_values_from_table(t, ImportReport(unit="line"), districts=d, indicators=ind,
    ...                             layout="wide_years", indicator="mieszkańcy").values.tolist()
    [['a', 'residents', 2020, 1200.0], ['a', 'residents', 2021, 1180.0], \
['b', 'residents', 2020, 900.0]]
    """
    lookup = _indicator_lookup(indicators)
    known = ", ".join(str(c) for c in indicators["code"])
    fields = _resolve_fields(table, report, kind="indicators", explicit={})
    district_column = _need(fields, "district", report, "dzielnica/osiedle/district")
    index = table.index
    district_text = _text(table[district_column])
    district_code, unmatched = match_districts(district_text, districts)
    bad_district = ((district_text != "") & district_code.isna()).to_numpy()
    for row in index[bad_district]:
        value = district_text.loc[row]
        problem, fix = _district_problem(value, unmatched.get(value, []), districts)
        report.add(problem, row=row, field=district_column, value=value, fix=fix)
    empty_district = (district_text == "").to_numpy()
    if empty_district.any():
        report.add_rows(
            index[empty_district],
            problem="expected a district, got an empty field",
            fix="fill in the district code or name",
            field=district_column,
        )

    parts: list[pd.DataFrame] = []
    if layout == "long":
        year_column = _need(fields, "year", report, "rok/year")
        indicator_column = _need(fields, "indicator", report, "wskaźnik/indicator")
        value_column = _need(fields, "value", report, "wartość/value")
        years, bad_year = _years(table[year_column])
        if bad_year.any():
            report.add_rows(
                index[bad_year.to_numpy()],
                _text(table[year_column])[bad_year],
                problem="expected a year such as 2021, got {value!r}",
                fix="write the year with four digits",
                field=year_column,
            )
        raw_indicator = _text(table[indicator_column])
        codes = _obj(raw_indicator.map(lambda v: lookup.get(name_key(v))))
        unknown = codes.isna().to_numpy()
        if unknown.any():
            report.add_rows(
                index[unknown],
                raw_indicator[unknown],
                problem="expected a known indicator, got {value!r}",
                fix=f"use one of {known}, or define it with --define",
                field=indicator_column,
            )
        values, bad_value = parse_numbers(table[value_column])
        empty_value = values.isna() & ~bad_value
        wrong = (bad_value | empty_value).to_numpy()
        if wrong.any():
            report.add_rows(
                index[wrong],
                _text(table[value_column])[wrong],
                problem="expected a number, got {value!r}",
                fix="write the value as a number such as 1234,5",
                field=value_column,
            )
        parts.append(
            pd.DataFrame(
                {
                    "district_code": district_code,
                    "indicator": codes,
                    "year": years,
                    "value": values,
                    "_field": value_column,
                },
                index=index,
            )
        )
    elif layout == "wide_indicators":
        if "year" in fields:
            years, bad_year = _years(table[fields["year"]])
            if bad_year.any():
                report.add_rows(
                    index[bad_year.to_numpy()],
                    _text(table[fields["year"]])[bad_year],
                    problem="expected a year such as 2021, got {value!r}",
                    fix="write the year with four digits",
                    field=fields["year"],
                )
        elif year is None:
            raise ValidationError(
                "expected --year with --wide-indicators (or a year column), got neither; give "
                "the year the values are for"
            )
        else:
            years = pd.Series(int(year), index=index)
        skip = {district_column, fields.get("year")}
        for column in table.columns:
            if column in skip or column_key(column) in _DISTRICT_KEYS:
                continue
            code = lookup.get(name_key(str(column)))
            if code is None:
                report.add(
                    f"expected a column per known indicator, got {column!r}; its values were "
                    "not read",
                    field=str(column),
                    fix=f"name the column after one of {known}, or define it with --define",
                )
                continue
            parts.append(_wide_part(table, column, report, district_code, code, years))
    elif layout == "wide_years":
        if indicator is None:
            raise ValidationError(
                "expected --indicator with --wide-years, got none; give the indicator the "
                f"columns hold (one of {known})"
            )
        code = lookup.get(name_key(indicator))
        if code is None:
            raise ValidationError(
                f"expected --indicator to name a known indicator, got {indicator!r}; use one of "
                f"{known}, or define it with --define"
            )
        for column in table.columns:
            if column == district_column or column_key(column) in _DISTRICT_KEYS:
                continue
            key = column_key(column).removeprefix("rok").removeprefix("year")
            if not (key.isdigit() and len(key) == 4):
                report.add(
                    f"expected a column per year such as 2021, got {column!r}; its values were "
                    "not read",
                    field=str(column),
                    fix="name the year columns 2019, 2020, ... or remove the column",
                )
                continue
            years = pd.Series(int(key), index=index)
            parts.append(_wide_part(table, column, report, district_code, code, years))
    else:
        raise ValueError(f"expected layout long, wide_indicators or wide_years, got {layout!r}")

    values = (
        pd.concat(parts)
        if parts
        else pd.DataFrame(columns=["district_code", "indicator", "year", "value", "_field"])
    )
    ok = values[["district_code", "indicator", "year", "value"]].notna().all(axis=1)
    complete = values[ok & ~values.index.isin(list(report.error_rows()))]
    duplicated = complete.duplicated(["district_code", "indicator", "year"], keep="first")
    if duplicated.any():
        keys = ["district_code", "indicator", "year"]
        first = complete[~duplicated].reset_index().set_index(keys)
        row_name = complete.index.name or "index"
        for row, record in complete[duplicated].iterrows():
            key = (record["district_code"], record["indicator"], record["year"])
            first_row = first.loc[key, row_name] if key in first.index else "?"
            report.add(
                f"expected one value per district, indicator and year, got {key[1]!r} for "
                f"{key[0]!r} in {int(key[2])} again (first on {report.unit} {first_row})",
                row=row,
                field=record["_field"],
                value=str(record["value"]),
                fix="keep one value for each district, indicator and year",
            )
    result = values[ok & ~values.index.isin(list(report.error_rows()))].sort_index(kind="stable")
    result = result[list(INDICATOR_VALUE_COLUMNS)].astype(
        {"district_code": object, "indicator": object, "year": "int64", "value": "float64"}
    )
    report.valid = int(result.index.nunique())
    return result


def _wide_part(
    table: pd.DataFrame,
    column: object,
    report: ImportReport,
    district_code: pd.Series,
    code: str,
    years: pd.Series,
) -> pd.DataFrame:
    values, bad = parse_numbers(table[column])
    if bad.any():
        report.add_rows(
            table.index[bad.to_numpy()],
            _text(table[column])[bad],
            problem="expected a number, got {value!r}",
            fix="write the value as a number such as 1234,5 or leave the cell empty",
            field=str(column),
        )
    present = values.notna()
    return pd.DataFrame(
        {
            "district_code": district_code[present],
            "indicator": code,
            "year": years[present],
            "value": values[present],
            "_field": str(column),
        }
    )


def indicators_from_table(table: pd.DataFrame, report: ImportReport) -> pd.DataFrame:
    """Build indicator definitions (``INDICATOR_COLUMNS``) from a ``--define`` sidecar table.

    Columns: code, name_pl (or nazwa), name_en (or name; defaults to name_pl), unit (jednostka),
    higher_is_more_need (true/false, tak/nie, 1/0), denominator (mianownik; a code or empty),
    description (opis), source (źródło).

    Returns
    -------
    pandas.DataFrame
        ``INDICATOR_COLUMNS``; ``higher_is_more_need`` bool; empty text None. Rows with an error
        (empty code, name or unit, a code with spaces, a repeated code - later row -, a bad
        boolean, a denominator equal to the code) are left out.

    Raises
    ------
    ValidationError
        If the code, name_pl, unit or higher_is_more_need column is missing.

    Examples
    --------
    >>> t = pd.DataFrame({"kod": ["bezrobotni"], "nazwa": ["bezrobotni"], "jednostka": ["osoby"],
    ...                   "higher_is_more_need": ["tak"], "mianownik": ["residents"]},
    ...                  index=pd.Index([2], name="line"))
    >>> indicators_from_table(t, ImportReport(unit="line")).iloc[0].to_dict()
    ... # doctest: +NORMALIZE_WHITESPACE
    {'code': 'bezrobotni', 'name_pl': 'bezrobotni', 'name_en': 'bezrobotni', 'unit': 'osoby',
     'higher_is_more_need': True, 'denominator': 'residents', 'description': None,
     'source': None}
    """
    fields = _resolve_fields(table, report, kind="indicators", explicit={})
    index = table.index
    code_column = _need(fields, "code", report, "kod/code")
    name_column = _need(fields, "name_pl", report, "nazwa/name_pl")
    unit_column = _need(fields, "unit", report, "jednostka/unit")
    need_column = _need(fields, "higher_is_more_need", report, "higher_is_more_need")
    codes = _text(table[code_column])
    for column, what in ((code_column, "code"), (name_column, "name"), (unit_column, "unit")):
        empty = (_text(table[column]) == "").to_numpy()
        if empty.any():
            report.add_rows(
                index[empty],
                problem=f"expected the indicator's {what}, got an empty field",
                fix=f"fill in the {what}",
                field=column,
            )
    bad_code = ((codes != "") & ~codes.str.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*")).to_numpy()
    if bad_code.any():
        for row in index[bad_code]:
            value = codes.loc[row]
            suggestion = name_key(value).replace("-", "_")
            report.add(
                f"expected a code of letters, digits, '_' or '-', got {value!r}",
                row=row,
                field=code_column,
                value=value,
                fix=f"write it as {suggestion!r}" if suggestion else "write a short ASCII code",
            )
    repeated = ((codes != "") & codes.duplicated(keep="first")).to_numpy()
    if repeated.any():
        report.add_rows(
            index[repeated],
            codes[repeated],
            problem="expected each indicator code once, got {value!r} again",
            fix="define each indicator once",
            field=code_column,
        )
    need = _booleans(table[need_column], report, need_column, default=None)
    names = _text(table[name_column])
    if "name_en" in fields:
        names_en = _text(table[fields["name_en"]])
    else:
        names_en = pd.Series("", index=index)
    fallback = (names_en == "") & (names != "")
    names_en = names_en.where(~fallback, names)

    def optional(canonical: str) -> pd.Series:
        if canonical not in fields:
            return _nones(index)
        return _or_none(_text(table[fields[canonical]]))

    denominator = optional("denominator")
    self_ref = (denominator == codes).to_numpy()
    if self_ref.any():
        report.add_rows(
            index[self_ref],
            codes[self_ref],
            problem="expected a denominator other than the indicator itself, got {value!r}",
            fix="give the code of another indicator (such as residents) or leave it empty",
            field=fields.get("denominator"),
        )
    frame = pd.DataFrame(
        {
            "code": _obj(codes),
            "name_pl": _obj(names),
            "name_en": _obj(names_en),
            "unit": _obj(_text(table[unit_column])),
            "higher_is_more_need": _obj(need),
            "denominator": _obj(denominator),
            "description": _obj(optional("description")),
            "source": _obj(optional("source")),
        },
        index=index,
    )
    frame = frame[~index.isin(list(report.error_rows()))]
    frame["higher_is_more_need"] = frame["higher_is_more_need"].astype(bool)
    report.valid = len(frame)
    return frame[list(INDICATOR_COLUMNS)]
