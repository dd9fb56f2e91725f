"""One call per import kind: file bytes and :class:`~mapping.io.options.ImportOptions` in, a
validated frame and its report out.

These functions choose the reader from the file's *content* (:func:`mapping.io.formats.sniff`):
map layers go through GDAL (:func:`mapping.io.vector.read_vector`), tables through
:func:`mapping.io.tabular.read_table`; then the builder of the kind checks every row. They write
nothing: :func:`mapping.io.flow.run_import` decides, from the report, whether to refuse the import,
save only the valid rows or stop after the check.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import pandas as pd

from mapping.io.districts import districts_from_vector
from mapping.io.formats import format_named, sniff
from mapping.io.indicators import indicator_values_from_table, indicators_from_table
from mapping.io.options import DEFAULT_OPTIONS, ImportOptions
from mapping.io.report import ImportReport
from mapping.io.resources import resources_from_table, resources_from_vector
from mapping.io.safety import DEFAULT_LIMITS, Limits, check_size
from mapping.io.tabular import read_table
from mapping.io.vector import read_vector, vector_from_table

__all__ = [
    "read_districts",
    "read_indicator_definitions",
    "read_indicator_values",
    "read_resources",
]


def _is_layer(data: bytes, *, filename: str, limits: Limits) -> bool:
    """Whether the file is a map layer (read through GDAL) rather than a table."""
    check_size(len(data), limits)
    return format_named(sniff(data, filename=filename)).family == "vector"


def read_districts(
    data: bytes,
    *,
    filename: str,
    options: ImportOptions = DEFAULT_OPTIONS,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[gpd.GeoDataFrame, ImportReport]:
    """District boundaries from a map layer, or from a table with a WKT column."""
    if _is_layer(data, filename=filename, limits=limits):
        layer_frame, report = read_vector(
            data, filename=filename, layer=options.layer, crs=options.crs, limits=limits
        )
    else:
        table, report = read_table(data, filename=filename, sheet=options.layer, limits=limits)
        layer_frame = vector_from_table(
            table, report, wkt_field=options.wkt_field, crs=options.crs, limits=limits
        )
    return districts_from_vector(layer_frame, report, options=options), report


def read_resources(
    data: bytes,
    *,
    filename: str,
    districts: gpd.GeoDataFrame,
    categories: pd.DataFrame,
    options: ImportOptions = DEFAULT_OPTIONS,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[gpd.GeoDataFrame, ImportReport]:
    """Resources from a table (coordinates, WKT or only a district) or a point layer."""
    if _is_layer(data, filename=filename, limits=limits):
        points, report = read_vector(
            data,
            filename=filename,
            layer=options.layer,
            crs=options.crs,
            limits=limits,
            missing_geometry="keep",
        )
        frame = resources_from_vector(
            points, report, districts=districts, categories=categories, options=options
        )
    else:
        table, report = read_table(data, filename=filename, sheet=options.layer, limits=limits)
        frame = resources_from_table(
            table, report, districts=districts, categories=categories, options=options
        )
    return frame, report


def read_indicator_values(
    data: bytes,
    *,
    filename: str,
    districts: pd.DataFrame,
    indicators: pd.DataFrame,
    options: ImportOptions = DEFAULT_OPTIONS,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[pd.DataFrame, ImportReport]:
    """Indicator values from a table, long or wide (``options.layout``)."""
    table, report = read_table(data, filename=filename, sheet=options.layer, limits=limits)
    values = indicator_values_from_table(
        table, report, districts=districts, indicators=indicators, options=options
    )
    return values, report


def read_indicator_definitions(
    data: bytes,
    *,
    filename: str,
    limits: Limits = DEFAULT_LIMITS,
    known: Mapping[str, str | None] | None = None,
) -> tuple[pd.DataFrame, ImportReport]:
    """Indicator definitions (code, names, unit, direction, ...) from a table.

    ``known`` (stored codes to their denominators) lets a row's denominator be checked:
    defined here or stored, and no cycle (:func:`mapping.io.indicators.indicators_from_table`).
    """
    table, report = read_table(data, filename=filename, limits=limits)
    return indicators_from_table(table, report, known=known), report
