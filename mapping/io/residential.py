"""A residential-area layer read from a file: polygons of where people live.

What it reads (``palmap import residential FILE``): a map layer (GeoJSON, GeoPackage, zipped
Shapefile) through GDAL, or a table (CSV, XLSX) with a WKT column, through the same readers, size
limits and content checks as every import (:mod:`mapping.io.vector`, :mod:`mapping.io.tabular`,
:mod:`mapping.io.safety`). Typical sources: BDOT10k's residential built-up areas (class
``PTZB``, "zabudowa mieszkaniowa") or OpenStreetMap's ``landuse=residential`` exported as a layer.

Every feature is checked and each finding names the row, the field and the fix:

* a null or empty geometry, NaN coordinates, coordinates outside the CRS's area of use: error
  (:func:`mapping.io.geometry.check_geometries`);
* an invalid polygon (self-intersection, bow tie): repaired with :func:`shapely.make_valid`,
  keeping its polygonal parts, and reported as a warning (the area a repaired polygon covers is
  what a GIS's "Fix geometries" gives); nothing polygonal left after repair: error;
* a geometry that is not a polygon (points, lines): error;
* a polygon outside Poland (:data:`POLAND_BOUNDS`, a little margin): error.

One error refuses the whole file (nothing written) unless invalid rows are skipped.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from mapping.crs import WEB_CRS
from mapping.errors import msg
from mapping.io.formats import format_named, sniff
from mapping.io.matching import WKT_KEYS, column_key
from mapping.io.options import DEFAULT_OPTIONS, ImportOptions
from mapping.io.report import ImportReport
from mapping.io.safety import DEFAULT_LIMITS, Limits, check_size
from mapping.io.tabular import read_table
from mapping.io.vector import read_vector, vector_from_table

__all__ = ["POLAND_BOUNDS", "read_residential"]

#: West, south, east, north (degrees, EPSG:4326) of Poland with a margin of about 0.2 degrees:
#: a residential area beyond them is not in a Polish city.
POLAND_BOUNDS: tuple[float, float, float, float] = (13.8, 48.8, 24.4, 55.1)
_POLYGONAL = (3, 6)


def _layer(
    data: bytes, filename: str, options: ImportOptions, limits: Limits
) -> tuple[gpd.GeoDataFrame, ImportReport, str]:
    """The checked layer, its report and the name of its geometry field in the file."""
    check_size(len(data), limits)
    if format_named(sniff(data, filename=filename)).family == "vector":
        layer, report = read_vector(
            data, filename=filename, layer=options.layer, crs=options.crs, limits=limits
        )
        return layer, report, "geometry"
    table, report = read_table(data, filename=filename, sheet=options.layer, limits=limits)
    field = options.wkt_field or next(
        (str(c) for c in table.columns if column_key(c) in WKT_KEYS), "wkt"
    )
    frame = vector_from_table(
        table, report, wkt_field=options.wkt_field, crs=options.crs, limits=limits
    )
    return frame, report, field


def _polygons(layer: gpd.GeoDataFrame, report: ImportReport, field: str) -> np.ndarray:
    """Whether each row is a polygon inside Poland; findings for the others."""
    values = np.asarray(layer.geometry.array, dtype=object)
    polygonal = np.isin(shapely.get_type_id(values), _POLYGONAL)
    wrong = ~polygonal & ~shapely.is_missing(values)
    if wrong.any():
        report.add_rows(
            layer.index[wrong],
            [g.geom_type for g in values[wrong]],
            problem=msg("expected a polygon, got a {value}"),
            fix=msg("export the residential areas as polygons"),
            field=field,
        )
    west, south, east, north = POLAND_BOUNDS
    bounds = shapely.bounds(values)
    with np.errstate(invalid="ignore"):
        inside = (
            (bounds[:, 0] >= west)
            & (bounds[:, 1] >= south)
            & (bounds[:, 2] <= east)
            & (bounds[:, 3] <= north)
        )
    outside = polygonal & ~inside
    if outside.any():
        report.add_rows(
            layer.index[outside],
            [f"{b[0]:.4f} {b[1]:.4f} {b[2]:.4f} {b[3]:.4f}" for b in bounds[outside]],
            problem=msg(
                "expected a residential area in Poland (longitude {west:g} to {east:g}, "
                "latitude {south:g} to {north:g}), got one outside: {value}",
                west=west,
                east=east,
                south=south,
                north=north,
            ),
            fix=msg(
                "check the coordinates and the coordinate reference system (CRS); swapped X and "
                "Y are a common cause"
            ),
            field=field,
        )
    return polygonal & inside


def read_residential(
    data: bytes,
    *,
    filename: str,
    options: ImportOptions = DEFAULT_OPTIONS,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[gpd.GeoSeries, ImportReport]:
    """The residential areas of a file: the valid polygons and the report.

    Returns
    -------
    areas : geopandas.GeoSeries
        Polygons and MultiPolygons in EPSG:4326 (repaired where they were invalid), indexed by
        the row number in the file.
    report : ImportReport
        The findings (row, field, value, problem, fix); ``valid`` counts the areas returned,
        ``repaired`` the polygons repaired.

    Raises
    ------
    mapping.errors.ValidationError, mapping.errors.CRSError
        No geometry column, or a CRS that cannot be told.
    mapping.errors.RefusedInputError
        An unsafe file or one over a limit.
    """
    layer, report, field = _layer(data, filename, options, limits)
    ok = _polygons(layer, report, field)
    areas = gpd.GeoSeries(
        np.asarray(layer.geometry.array, dtype=object)[ok], index=layer.index[ok], crs=WEB_CRS
    )
    if not len(areas):  # also after skipping: an empty layer would erase the stored one
        report.add(
            msg("expected at least one residential area (a polygon), got none"),
            fix=msg("add the polygons of the residential areas"),
        )
    report.valid = len(areas)
    return areas, report
