"""Build districts (:data:`mapping.frames.DISTRICT_COLUMNS`) from a polygon layer.

The layer comes from :func:`mapping.io.vector.read_vector` (GeoJSON, GeoPackage, zipped Shapefile)
or :func:`mapping.io.vector.vector_from_table` (CSV or XLSX with a WKT column). Codes are the
file's own (the code column of the options) or ASCII slugs of the names; every code must be
unique, every district needs a name and a polygon.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from mapping.crs import WEB_CRS, ensure_crs
from mapping.errors import ValidationError, msg
from mapping.frames import DISTRICT_COLUMNS
from mapping.io.fields import as_object, attributes_as_text, booleans, or_none, row_list, texts
from mapping.io.matching import need, resolve_fields
from mapping.io.options import DEFAULT_OPTIONS, ImportOptions
from mapping.io.report import ImportReport, unit_word
from mapping.text import slugify

__all__ = ["districts_from_vector"]

_CODE_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.-]*"


def districts_from_vector(
    gdf: gpd.GeoDataFrame,
    report: ImportReport,
    *,
    options: ImportOptions = DEFAULT_OPTIONS,
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
    options
        ``code_field``: the column with the district codes (without it codes are ASCII slugs of
        the names); ``name_field``: the column with the names (by default the recognised one:
        nazwa, name, dzielnica, osiedle...).
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
    table = attributes_as_text(gdf)
    code_field = options.code_field
    explicit: dict[str, str | None] = {"name": options.name_field}
    if code_field is not None:
        explicit["code"] = code_field
    fields = resolve_fields(table, report, kind="districts", explicit=explicit)
    if code_field is None:
        fields.pop("code", None)  # without a code column, codes are slugs of the names
    name_column = need(fields, "name", report, "nazwa/name/dzielnica/osiedle")
    index = table.index
    names = texts(table[name_column])
    empty = (names == "").to_numpy()
    if empty.any():
        report.add_rows(
            index[empty],
            problem=msg("expected a district name, got an empty field"),
            fix=msg("give every district a name"),
            field=name_column,
        )
    if code_field is not None:
        codes = _given_codes(texts(table[code_field]), report, code_field)
    else:
        codes = _slug_codes(names, empty, report, name_column)
    _report_repeated(
        codes, names, report, code_column=code_field or name_column, slugs=not code_field
    )
    values = _polygons(np.array(gdf.geometry.array, dtype=object), index, report)
    frame = gpd.GeoDataFrame(
        {
            "id": pd.Series(pd.NA, index=index, dtype="Int64"),
            "code": as_object(codes),
            "name": as_object(names),
            "source": as_object(_sources(table, fields, report, source)),
            "schematic": _schematic(table, fields, report),
        },
        geometry=gpd.GeoSeries(values, index=index, crs=WEB_CRS),
        crs=WEB_CRS,
        index=index,
    )
    frame = frame[~index.isin(list(report.error_rows()))][list(DISTRICT_COLUMNS)]
    report.valid = len(frame)
    return frame


def _given_codes(codes: pd.Series, report: ImportReport, column: str) -> pd.Series:
    bad = ~codes.str.fullmatch(_CODE_PATTERN)
    if bad.any():
        report.add_rows(
            codes.index[bad.to_numpy()],
            codes[bad],
            problem=msg("expected a code of letters, digits, '-', '_' or '.', got {value!r}"),
            fix=msg("write the code without spaces or other characters"),
            field=column,
        )
    return codes


def _slug_codes(
    names: pd.Series, empty: np.ndarray, report: ImportReport, column: str
) -> pd.Series:
    slugs: dict[str, str] = {}
    for value in names[~empty].unique():
        try:
            slugs[value] = slugify(value)
        except ValidationError:
            slugs[value] = ""
    codes = names.map(lambda v: slugs.get(v, ""))
    no_slug = ((codes == "") & ~pd.Series(empty, index=names.index)).to_numpy()
    if no_slug.any():
        report.add_rows(
            names.index[no_slug],
            names[no_slug],
            problem=msg(
                "expected a name with letters or digits to make a code from, got {value!r}"
            ),
            fix=msg("give the districts codes: choose the column that holds them"),
            field=column,
        )
    return codes


def _report_repeated(
    codes: pd.Series, names: pd.Series, report: ImportReport, *, code_column: str, slugs: bool
) -> None:
    repeated = (codes != "") & codes.duplicated(keep=False)
    if not repeated.any():
        return
    for code, group in codes[repeated].groupby(codes[repeated]):
        rows = group.index
        for row in rows:
            others = [r for r in rows if r != row]
            report.add(
                msg(
                    "expected unique district codes, got {code!r} also on {unit} {rows}",
                    code=code,
                    unit=unit_word(report.unit),
                    rows=row_list(pd.Index(others)),
                ),
                row=row,
                field=code_column,
                value=names.loc[row] if slugs else code,
                fix=msg("give each district its own name or code (choose the column of the codes)"),
            )


def _polygons(values: np.ndarray, index: pd.Index, report: ImportReport) -> np.ndarray:
    type_ids = shapely.get_type_id(values)
    polygon = type_ids == 3
    if polygon.any():
        values[polygon] = [shapely.MultiPolygon([g]) for g in values[polygon]]
    wrong = ~shapely.is_missing(values) & ~np.isin(type_ids, (3, 6))
    if wrong.any():
        report.add_rows(
            index[wrong],
            [g.geom_type for g in values[wrong]],
            problem=msg("expected a polygon, got a {value}"),
            fix=msg("export the district boundaries as polygons"),
            field="geometry",
        )
    absent = shapely.is_missing(values)
    if absent.any():
        report.add_rows(
            index[absent],
            problem=msg("expected a polygon, got no geometry"),
            fix=msg("draw the district or delete the row"),
            field="geometry",
        )
    return values


def _sources(
    table: pd.DataFrame, fields: dict[str, str], report: ImportReport, source: str | None
) -> pd.Series:
    if source is None and "source" in fields:
        row_source = or_none(texts(table[fields["source"]]))
        return row_source.where(row_source.notna(), report.source)
    return pd.Series(source or report.source, index=table.index, dtype=object)


def _schematic(table: pd.DataFrame, fields: dict[str, str], report: ImportReport) -> pd.Series:
    """A schematic column (as palmap exports it) keeps unofficial boundaries flagged."""
    if "schematic" not in fields:
        return pd.Series(False, index=table.index, dtype=bool)
    column = fields["schematic"]
    return booleans(table[column], report, column, default=False).astype(bool)
