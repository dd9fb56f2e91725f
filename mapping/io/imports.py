"""One call per import kind: file bytes in, validated frame and report out.

These functions choose the reader from the file's *content* (:func:`mapping.io.safety.sniff`),
read, validate and build the frame that :mod:`mapping.db.store` saves. They write nothing: the
caller decides, from the report, whether to refuse the import (any error), save only the valid
rows (``--skip-invalid``) or stop after the check (``--dry-run``).
"""

from __future__ import annotations

from typing import Literal

import geopandas as gpd
import pandas as pd

from mapping.io.report import ImportReport
from mapping.io.resources import (
    districts_from_vector,
    indicator_values_from_table,
    indicators_from_table,
    resources_from_table,
    resources_from_vector,
)
from mapping.io.safety import DEFAULT_LIMITS, Limits, check_size, sniff
from mapping.io.tabular import read_table
from mapping.io.vector import read_vector, vector_from_table

VECTOR_KINDS = frozenset({"geojson", "gpkg", "zip"})
TABLE_KINDS = frozenset({"csv", "xlsx"})


def _kind(data: bytes, *, filename: str, limits: Limits) -> str:
    check_size(len(data), limits)
    return sniff(data, filename=filename)


def read_districts(
    data: bytes,
    *,
    filename: str,
    layer: str | None = None,
    crs: str | None = None,
    code_field: str | None = None,
    name_field: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[gpd.GeoDataFrame, ImportReport]:
    """District boundaries from GeoJSON, GeoPackage, zipped Shapefile, or CSV/XLSX with WKT."""
    kind = _kind(data, filename=filename, limits=limits)
    if kind in VECTOR_KINDS:
        layer_frame, report = read_vector(
            data, filename=filename, layer=layer, crs=crs, limits=limits
        )
    else:
        table, report = read_table(data, filename=filename, sheet=layer, limits=limits)
        layer_frame = vector_from_table(table, report, crs=crs, limits=limits)
    districts = districts_from_vector(
        layer_frame, report, code_field=code_field, name_field=name_field
    )
    return districts, report


def read_resources(
    data: bytes,
    *,
    filename: str,
    districts: gpd.GeoDataFrame,
    categories: pd.DataFrame,
    layer: str | None = None,
    crs: str | None = None,
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
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[gpd.GeoDataFrame, ImportReport]:
    """Resources from a table (coordinates, WKT or only a district) or a point layer."""
    kind = _kind(data, filename=filename, limits=limits)
    fields = {
        "name_field": name_field,
        "category_field": category_field,
        "address_field": address_field,
        "district_field": district_field,
        "external_id_field": external_id_field,
        "default_category": default_category,
    }
    if kind in VECTOR_KINDS:
        points, report = read_vector(
            data,
            filename=filename,
            layer=layer,
            crs=crs,
            limits=limits,
            missing_geometry="keep",
        )
        frame = resources_from_vector(
            points, report, districts=districts, categories=categories, **fields
        )
    else:
        table, report = read_table(data, filename=filename, sheet=layer, limits=limits)
        frame = resources_from_table(
            table,
            report,
            districts=districts,
            categories=categories,
            crs=crs,
            lat_field=lat_field,
            lon_field=lon_field,
            x_field=x_field,
            y_field=y_field,
            **fields,
        )
    return frame, report


def read_indicator_values(
    data: bytes,
    *,
    filename: str,
    districts: pd.DataFrame,
    indicators: pd.DataFrame,
    layout: Literal["long", "wide_indicators", "wide_years"] = "long",
    year: int | None = None,
    indicator: str | None = None,
    sheet: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[pd.DataFrame, ImportReport]:
    """Indicator values from CSV or XLSX, long or wide."""
    _kind(data, filename=filename, limits=limits)
    table, report = read_table(data, filename=filename, sheet=sheet, limits=limits)
    values = indicator_values_from_table(
        table,
        report,
        districts=districts,
        indicators=indicators,
        layout=layout,
        year=year,
        indicator=indicator,
    )
    return values, report


def read_indicator_definitions(
    data: bytes, *, filename: str, limits: Limits = DEFAULT_LIMITS
) -> tuple[pd.DataFrame, ImportReport]:
    """Indicator definitions (the ``--define`` sidecar: code, names, unit, direction, ...)."""
    _kind(data, filename=filename, limits=limits)
    table, report = read_table(data, filename=filename, limits=limits)
    return indicators_from_table(table, report), report
