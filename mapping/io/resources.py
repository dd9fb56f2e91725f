"""Build resources (:data:`mapping.frames.RESOURCE_COLUMNS`) from tables and point layers.

Every builder takes the frame a reader returned (its index is the row number as in the file) and
that reader's :class:`~mapping.io.report.ImportReport`, checks every row, records findings, and
returns only the rows without errors, still indexed by their row number. The caller
(:func:`mapping.io.flow.run_import`) decides: refuse the whole import, or load the valid rows when
the options say to skip invalid ones.

Rules (shared with indicator values through :mod:`mapping.io.matching`):

* districts are matched by code, then by name ignoring case, diacritics, punctuation and extra
  spaces; an unmatched name is reported with the closest known names;
* categories are matched by code, Polish name, alias (``|``-separated) or English name, the same
  way; an unknown category fails the row with the list of known codes, or takes the default
  category of the options (warning);
* coordinates come from lat/lon, X/Y or WKT columns (:mod:`mapping.io.points`);
* a point outside every district is a warning (it is kept and counted apart); when swapping the
  two coordinates would put it inside a district it is an error whose fix suggests the swap, since
  the row is almost certainly wrong; palmap never swaps by itself;
* a row without coordinates but with a district is "known only by district": it is counted in the
  district's supply and listed on its pages but not drawn (``geometry`` None, ``district_code``
  set; the report lists it as info). A row with a point gets the district the point lies in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from mapping.crs import WEB_CRS, ensure_crs
from mapping.errors import Message, ValidationError, msg
from mapping.frames import RESOURCE_COLUMNS
from mapping.io.fields import as_object, attributes_as_text, booleans, nones, or_none, texts
from mapping.io.matching import (
    district_problem,
    match_categories,
    match_districts,
    need,
    resolve_fields,
)
from mapping.io.options import DEFAULT_OPTIONS, ImportOptions
from mapping.io.points import Location, locate_points, points_from_table, report_outside
from mapping.io.report import ImportReport, unit_word
from mapping.io.tabular import parse_numbers

__all__ = ["resources_from_table", "resources_from_vector"]

_URL_PATTERN = r"(?i)https?://[^\s/?#]+\.[^\s/?#]+[^\s]*"


def resources_from_table(
    table: pd.DataFrame,
    report: ImportReport,
    *,
    districts: gpd.GeoDataFrame,
    categories: pd.DataFrame,
    options: ImportOptions = DEFAULT_OPTIONS,
    source: str | None = None,
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
    options
        The columns chosen instead of the recognised ones (names, categories, addresses,
        districts, identifiers; lat/lon or X/Y pairs, or WKT points), the CRS of the coordinates
        (detected, degrees or PUWG 1992, when None) and the default category given to rows whose
        category is empty or unknown (a warning each) instead of failing.
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
        A chosen column does not exist, the name or location columns are missing, or the default
        category is not a known code.
    CRSError
        No CRS and the coordinates are neither all degrees nor all PUWG 1992.

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
    fields = resolve_fields(table, report, kind="resources", explicit=options.resource_fields())
    for first, second in (("lat", "lon"), ("x", "y")):
        if (first in fields) != (second in fields):
            have, lack = (first, second) if first in fields else (second, first)
            raise ValidationError(
                msg(
                    "{source}: expected both {first} and {second} columns, got only {have} "
                    "({column!r}); add the {lack} column or choose the column that holds the "
                    "{lack}",
                    source=report.source or "file",
                    first=first,
                    second=second,
                    have=have,
                    column=fields[have],
                    lack=lack,
                )
            )
    location = points_from_table(table, report, fields, options.crs)
    return _build_resources(
        table,
        report,
        _Context(fields, location, districts, categories, options.default_category, source),
        has_location=any(k in fields for k in ("lat", "x", "wkt")),
    )


def _single_points(values: np.ndarray) -> np.ndarray:
    single = np.array(
        [g is not None and g.geom_type == "MultiPoint" and len(g.geoms) == 1 for g in values],
        dtype=bool,
    )
    if single.any():
        values[single] = [g.geoms[0] for g in values[single]]
    return values


def resources_from_vector(
    gdf: gpd.GeoDataFrame,
    report: ImportReport,
    *,
    districts: gpd.GeoDataFrame,
    categories: pd.DataFrame,
    options: ImportOptions = DEFAULT_OPTIONS,
    source: str | None = None,
) -> gpd.GeoDataFrame:
    """Build resources from a point layer read by :func:`mapping.io.vector.read_vector`.

    Read the layer with ``missing_geometry="keep"`` so that features without a point but with a
    district are kept as known only by district. Attributes are turned into text and checked as in
    :func:`resources_from_table` (the coordinate columns of the options do not apply: the layer's
    geometry is the location); a single-point MultiPoint counts as its point, other geometry
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
    ...                             options=ImportOptions(external_id_field="ext"))
    >>> out[["external_id", "category", "district_code"]].to_dict("records")
    [{'external_id': '17', 'category': 'boisko', 'district_code': 'a'}]
    """
    gdf = ensure_crs(gdf, name="resources") if len(gdf) else gdf
    table = attributes_as_text(gdf)
    explicit = {
        k: v
        for k, v in options.resource_fields().items()
        if k not in ("lat", "lon", "x", "y", "wkt")
    }
    fields = resolve_fields(table, report, kind="resources", explicit=explicit)
    for canonical in ("lat", "lon", "x", "y", "wkt"):
        fields.pop(canonical, None)  # the layer's geometry is the location
    values = _single_points(np.array(gdf.geometry.array, dtype=object))
    wrong = ~shapely.is_missing(values) & (shapely.get_type_id(values) != 0)
    if wrong.any():
        report.add_rows(
            gdf.index[wrong],
            [g.geom_type for g in values[wrong]],
            problem=msg("expected a point, got a {value}"),
            fix=msg("export the resources as points (for areas, use their centroids)"),
            field="geometry",
        )
        values[wrong] = None
    geometry = gpd.GeoSeries(values, index=gdf.index, crs=WEB_CRS)

    def swap(rows: pd.Index) -> tuple[gpd.GeoSeries, Message]:
        xy = shapely.get_coordinates(geometry.loc[rows].to_numpy())
        swapped = np.full(len(rows), None, dtype=object)
        plausible = (np.abs(xy[:, 1]) <= 180) & (np.abs(xy[:, 0]) <= 90)
        swapped[plausible] = shapely.points(xy[plausible, 1], xy[plausible, 0])
        return (
            gpd.GeoSeries(swapped, index=rows, crs=WEB_CRS),
            msg("the file's longitude and latitude look swapped: correct them in a GIS"),
        )

    return _build_resources(
        table,
        report,
        _Context(
            fields,
            Location(geometry, swap, "geometry", None),
            districts,
            categories,
            options.default_category,
            source,
        ),
        has_location=True,
    )


class _Context(NamedTuple):
    """What every step of :func:`_build_resources` needs besides the table and the report."""

    fields: Mapping[str, str]
    location: Location
    districts: gpd.GeoDataFrame
    categories: pd.DataFrame
    default_category: str | None
    source: str | None


class _Placement(NamedTuple):
    """Where each row goes: its district, whether it has a point, what the file said."""

    district_code: pd.Series
    given_code: pd.Series
    has_point: pd.Series
    column: str


def _check_columns(
    table: pd.DataFrame, report: ImportReport, context: _Context, *, has_location: bool
) -> str:
    """The name column; a ValidationError for missing columns or an unknown default category."""
    fields, default_category = context.fields, context.default_category
    name_column = need(fields, "name", report, "nazwa/name")
    if "category" not in fields and default_category is None:
        hint = msg("kategoria/category, or choose a default category")
        need(fields, "category", report, hint)
    if not has_location and "district" not in fields and len(table.index):
        raise ValidationError(
            msg(
                "{source}: expected coordinate columns (lat/lon, X/Y or WKT) or a district "
                "column, got columns {columns}; add the location, or choose the latitude and "
                "longitude, the X and Y or the district column",
                source=report.source or "file",
                columns=", ".join(map(repr, table.columns)),
            )
        )
    known_codes = [str(c) for c in context.categories["code"]]
    if default_category is not None and default_category not in known_codes:
        raise ValidationError(
            msg(
                "expected the default category to be a known category code, got {value!r}; use "
                "one of {known}",
                value=default_category,
                known=", ".join(known_codes),
            )
        )
    return name_column


def _names(table: pd.DataFrame, report: ImportReport, column: str) -> pd.Series:
    names = texts(table[column])
    missing = (names == "").to_numpy()
    if missing.any():
        report.add_rows(
            table.index[missing],
            problem=msg("expected a name, got an empty field"),
            fix=msg("give every resource a name"),
            field=column,
            values=[""] * int(missing.sum()),
        )
    return names


def _categories(table: pd.DataFrame, report: ImportReport, context: _Context) -> pd.Series:
    index = table.index
    default = context.default_category
    known = ", ".join(str(c) for c in context.categories["code"])
    if "category" in context.fields:
        column = context.fields["category"]
        raw = texts(table[column])
        category = match_categories(raw, context.categories)
    else:
        column, raw, category = "category", pd.Series("", index=index), nones(index)
    unknown = category.isna().to_numpy()
    if not unknown.any():
        return category
    if default is None:
        report.add_rows(
            index[unknown],
            raw[unknown],
            problem=msg(
                "expected a known category (code, Polish or English name, or alias), got {value!r}"
            ),
            fix=msg("use one of {known}, or choose a default category", known=known),
            field=column,
        )
        return category
    report.add_rows(
        index[unknown],
        raw[unknown],
        problem=msg(
            "expected a known category, got {value!r}; the default category {default!r} was used",
            default=default,
        ),
        fix=msg("use one of {known} if {default!r} is wrong", known=known, default=default),
        field=column,
        severity="warning",
    )
    return category.where(~unknown, default)


def _report_district_names(
    report: ImportReport,
    raw: pd.Series,
    rows: pd.Index,
    unmatched: dict[str, list[str]],
    context: _Context,
    *,
    column: str,
    has_point: bool,
) -> None:
    for row in rows:
        value = raw.loc[row]
        problem, fix = district_problem(value, unmatched.get(value, []), context.districts)
        if has_point:
            report.add(
                msg("{problem}; the point was used to place the row", problem=problem),
                row=row,
                field=column,
                value=value,
                fix=fix,
                severity="warning",
            )
        else:
            report.add(problem, row=row, field=column, value=value, fix=fix)


def _place(table: pd.DataFrame, report: ImportReport, context: _Context) -> _Placement:
    """The district of each row: the one its point lies in, else the one the file names."""
    index, districts, geometry = table.index, context.districts, context.location.geometry
    if "district" in context.fields:
        column = context.fields["district"]
        raw = texts(table[column])
        given_code, unmatched = match_districts(raw, districts)
    else:
        column, raw, given_code, unmatched = (
            "district",
            pd.Series("", index=index),
            nones(index),
            {},
        )
    has_point = (geometry.notna() & ~geometry.is_empty).reindex(index, fill_value=False)
    located = pd.Series(
        locate_points(np.asarray(geometry.reindex(index).array, dtype=object), districts),
        index=index,
        dtype=object,
    )
    outside = has_point & located.isna()
    if outside.any() and len(districts):
        report_outside(index[outside.to_numpy()], report, context.location, districts)
    district_code = located.where(has_point, given_code)
    district_code = district_code.where(district_code.notna() | ~has_point, given_code)
    bad_name = ((raw != "") & given_code.isna()).to_numpy()
    for point in (False, True):
        rows = index[bad_name & (has_point.to_numpy() == point)]
        _report_district_names(
            report, raw, rows, unmatched, context, column=column, has_point=point
        )
    differs = has_point & located.notna() & given_code.notna() & (located != given_code)
    for row in index[differs.to_numpy()]:
        report.add(
            msg(
                "the point lies in district {located!r} but the {column} column says {given!r}; "
                "the point was used",
                located=located.loc[row],
                column=column,
                given=given_code.loc[row],
            ),
            row=row,
            field=column,
            value=raw.loc[row],
            fix=msg("correct the coordinates or the district"),
            severity="warning",
        )
    # Rows whose coordinates failed already have an error; do not add a second one.
    nowhere = (~has_point & (raw == "")).to_numpy() & ~index.isin(list(report.error_rows()))
    if nowhere.any():
        report.add_rows(
            index[nowhere],
            problem=msg("expected coordinates or a district, got neither"),
            fix=msg("fill in lat/lon (or X/Y) or the district of the resource"),
            field=column,
        )
    return _Placement(district_code, given_code, has_point, column)


def _details(table: pd.DataFrame, report: ImportReport, context: _Context) -> dict[str, object]:
    """Capacity, website, external id, synthetic flag and the optional text columns."""
    index, fields = table.index, context.fields

    def optional(canonical: str) -> pd.Series:
        if canonical not in fields:
            return nones(index)
        return or_none(texts(table[fields[canonical]]))

    details: dict[str, object] = {
        name: as_object(optional(name))
        for name in ("address", "operator", "phone", "opening_hours", "description")
    }
    capacity = pd.array([pd.NA] * len(index), dtype="Int64")
    if "capacity" in fields:
        capacity = _capacity(table[fields["capacity"]], report, fields["capacity"])
    details["capacity"] = pd.Series(capacity, index=index, dtype="Int64")
    website = nones(index)
    if "website" in fields:
        website = _websites(table[fields["website"]], report, fields["website"])
    details["website"] = as_object(website)
    external_id = nones(index)
    if "external_id" in fields:
        external_id = _external_ids(table[fields["external_id"]], report, fields["external_id"])
    details["external_id"] = as_object(external_id)
    synthetic = pd.Series(False, index=index, dtype=bool)
    if "synthetic" in fields:
        synthetic = booleans(table[fields["synthetic"]], report, fields["synthetic"], default=False)
    details["synthetic"] = synthetic.astype(bool)
    row_source = optional("source")
    details["source"] = as_object(
        row_source.where(row_source.notna(), context.source or report.source)
    )
    return details


def _build_resources(
    table: pd.DataFrame, report: ImportReport, context: _Context, *, has_location: bool
) -> gpd.GeoDataFrame:
    index = table.index
    name_column = _check_columns(table, report, context, has_location=has_location)
    context = context._replace(districts=ensure_crs(context.districts, name="districts"))
    names = _names(table, report, name_column)
    category = _categories(table, report, context)
    placement = _place(table, report, context)
    details = _details(table, report, context)
    frame = gpd.GeoDataFrame(
        {
            "id": pd.Series(pd.NA, index=index, dtype="Int64"),
            "name": as_object(names),
            "category": as_object(category),
            "district_code": as_object(placement.district_code),
            "updated_at": nones(index),
            **details,
        },
        geometry=gpd.GeoSeries(
            context.location.geometry.reindex(index).to_numpy(), index=index, crs=WEB_CRS
        ),
        crs=WEB_CRS,
        index=index,
    )
    ok = ~index.isin(list(report.error_rows()))
    by_district = ok & (~placement.has_point & placement.given_code.notna()).to_numpy()
    if by_district.any():
        report.add_rows(
            index[by_district],
            placement.given_code[by_district],
            problem=msg(
                "no coordinates: known only by district {value!r} (counted in its supply, "
                "listed on its pages, not drawn on maps)"
            ),
            fix=msg("add coordinates to draw it on the map"),
            field=placement.column,
            severity="info",
        )
    frame = frame[ok][list(RESOURCE_COLUMNS)]
    report.valid = len(frame)
    return frame


def _capacity(values: pd.Series, report: ImportReport, column: str) -> pd.arrays.IntegerArray:
    numbers, bad = parse_numbers(values)
    raw = texts(values)
    whole = numbers.isna() | (numbers.mod(1) == 0)
    negative = numbers < 0
    wrong = bad | ~whole | negative
    if wrong.any():
        report.add_rows(
            values.index[wrong.to_numpy()],
            raw[wrong],
            problem=msg(
                "expected the capacity as a whole number of places (0 or more), got {value!r}"
            ),
            fix=msg("write a whole number such as 25, or leave the field empty"),
            field=column,
        )
    return numbers.where(~wrong).astype("Int64").array


def _websites(values: pd.Series, report: ImportReport, column: str) -> pd.Series:
    text = texts(values)
    ok = text.str.fullmatch(_URL_PATTERN)
    dropped = (text != "") & ~ok
    if dropped.any():
        report.add_rows(
            values.index[dropped.to_numpy()],
            text[dropped],
            problem=msg(
                "expected a web address starting with http:// or https://, got {value!r}; "
                "it was left out"
            ),
            fix=msg("write the full address, such as https://www.example.pl"),
            field=column,
            severity="warning",
        )
    return text.where(ok, None).astype(object)


def _external_ids(values: pd.Series, report: ImportReport, column: str) -> pd.Series:
    text = texts(values)
    present = text != ""
    repeated = present & text.duplicated(keep="first")
    if repeated.any():
        first = text[present & ~text.duplicated(keep="first")]
        first_row = pd.Series(first.index, index=first.to_numpy())
        for row in values.index[repeated.to_numpy()]:
            value = text.loc[row]
            report.add(
                msg(
                    "expected a unique id, got {value!r} again (first on {unit} {first})",
                    value=value,
                    unit=unit_word(report.unit),
                    first=first_row.loc[value],
                ),
                row=row,
                field=column,
                value=value,
                fix=msg("give every resource its own id"),
            )
    return or_none(text)
