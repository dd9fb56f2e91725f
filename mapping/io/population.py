"""A population surface read from a file: points or grid cells with a population column.

What it reads (``palmap import population FILE --year Y``): a map layer (GeoJSON, GeoPackage,
zipped Shapefile) through GDAL, or a table (CSV, XLSX) with lat/lon, X/Y or WKT columns, through
the same readers, size limits and content checks as every import (:mod:`mapping.io.vector`,
:mod:`mapping.io.tabular`, :mod:`mapping.io.safety`). Each row is a point with a population:

* points (address points with their residents, building points) are kept as they are;
* polygons (the cells of a census grid such as the national 1 km or 250 m grid, or blocks) become
  one point inside them: the centroid when it lies inside (a grid cell's centre), else a
  representative point; the cell's population goes with it.

The population column is ``population``, ``ludnosc``, ``mieszkancy``, ``residents``, ``pop`` or
``tot`` (the census grid's total), or the one chosen (``population_field``). Every row's number is
checked: a finite number of people from 0 to :data:`MAX_POPULATION`; a bad cell is a finding with
its row, field and fix, and one bad row refuses the whole file (nothing written) unless invalid
rows are skipped. The year is the option's, or the file's ``year``/``rok`` column when it holds
one year.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from mapping.crs import METRIC_CRS, WEB_CRS
from mapping.errors import msg
from mapping.io.formats import format_named, sniff
from mapping.io.matching import COLUMN_ALIASES, column_key
from mapping.io.options import DEFAULT_OPTIONS, ImportOptions, OptionsError
from mapping.io.points import points_from_table
from mapping.io.report import ImportReport
from mapping.io.safety import DEFAULT_LIMITS, Limits, check_size
from mapping.io.tabular import parse_numbers, read_table
from mapping.io.vector import read_vector, vector_from_table

__all__ = ["MAX_POPULATION", "POPULATION_KEYS", "read_population"]

#: Column keys (:func:`mapping.io.matching.column_key`) of the population column, preferred first.
POPULATION_KEYS: tuple[str, ...] = (
    "population",
    "ludnosc",
    "liczbaludnosci",
    "mieszkancy",
    "liczbamieszkancow",
    "residents",
    "pop",
    "tot",
)
_YEAR_KEYS = ("year", "rok")
#: The most people one point or cell may hold (more than any Polish gmina).
MAX_POPULATION: float = 2_000_000.0


def _column(columns: list[str], chosen: str | None, report: ImportReport) -> str:
    if chosen is not None:
        if chosen not in columns:
            raise OptionsError(
                f"{report.source or 'file'}: expected a column {chosen!r} for the population, "
                f"got columns {', '.join(repr(c) for c in columns)}; choose one of them",
                option="population_field",
            )
        return chosen
    keyed = {column_key(c): c for c in reversed(columns)}
    found = next((keyed[k] for k in POPULATION_KEYS if k in keyed), None)
    if found is None:
        raise OptionsError(
            f"{report.source or 'file'}: expected a population column (population, ludnosc, "
            f"mieszkancy, tot), got columns {', '.join(repr(c) for c in columns)}; add it, or "
            "choose the column that holds the number of people",
            option="population_field",
        )
    return found


def _year(table: pd.DataFrame, options: ImportOptions, report: ImportReport) -> int:
    if options.year is not None:
        return int(options.year)
    keyed = {column_key(c): c for c in table.columns}
    column = next((keyed[k] for k in _YEAR_KEYS if k in keyed), None)
    years = set() if column is None else {str(v).strip() for v in table[column]} - {""}
    if len(years) == 1 and next(iter(years)).isdigit():
        return int(next(iter(years)))
    raise OptionsError(
        f"{report.source or 'file'}: expected the year of the population surface, got none (or "
        "several in its year column); give the year the population is for",
        option="year",
    )


def _points(geometry: gpd.GeoSeries) -> gpd.GeoSeries:
    """Points as they are; polygons as their centroid when inside, else a representative
    point (computed in EPSG:2180); in EPSG:4326."""
    metric = geometry.to_crs(METRIC_CRS)
    values = metric.to_numpy()
    polygonal = np.isin(shapely.get_type_id(values), (3, 6))
    if polygonal.any():
        shapes = values[polygonal]
        centroids = shapely.centroid(shapes)
        inside = shapely.contains(shapes, centroids)
        fallback = shapely.point_on_surface(shapes)
        values = values.copy()
        values[polygonal] = np.where(inside, centroids, fallback)
    lines = np.isin(shapely.get_type_id(values), (1, 2, 5))
    values[lines] = shapely.point_on_surface(values[lines])
    multipoints = shapely.get_type_id(values) == 4
    values[multipoints] = shapely.centroid(values[multipoints])
    return gpd.GeoSeries(values, index=geometry.index, crs=METRIC_CRS).to_crs(WEB_CRS)


def _counts(table: pd.DataFrame, column: str, report: ImportReport) -> pd.Series:
    """The population of every row; findings for the cells that are not a number of people."""
    numbers, bad = parse_numbers(table[column].astype(object).where(table[column].notna(), ""))
    text = table[column].astype(str)
    empty = numbers.isna() & ~bad
    if empty.any():
        report.add_rows(
            table.index[empty.to_numpy()],
            problem=msg("expected the number of people, got an empty cell"),
            fix=msg("write the number of people (0 when nobody lives there) or leave the row out"),
            field=column,
        )
    if bad.any():
        report.add_rows(
            table.index[bad.to_numpy()],
            text[bad].str.slice(0, 40),
            problem=msg("expected the number of people, got {value!r}"),
            fix=msg("write a number such as 120"),
            field=column,
        )
    out_of_range = (numbers < 0) | (numbers > MAX_POPULATION)
    if out_of_range.any():
        report.add_rows(
            table.index[out_of_range.to_numpy()],
            text[out_of_range].str.slice(0, 40),
            problem=msg(
                "expected a number of people from 0 to {limit}, got {value}",
                limit=int(MAX_POPULATION),
            ),
            fix=msg("correct the number of people of this point"),
            field=column,
        )
    return numbers.where(~(empty | bad | out_of_range))


def _layer(
    data: bytes, filename: str, options: ImportOptions, limits: Limits
) -> tuple[gpd.GeoDataFrame, ImportReport]:
    check_size(len(data), limits)
    if format_named(sniff(data, filename=filename)).family == "vector":
        return read_vector(
            data, filename=filename, layer=options.layer, crs=options.crs, limits=limits
        )
    table, report = read_table(data, filename=filename, sheet=options.layer, limits=limits)
    fields = options.resource_fields()
    keys = {column_key(c): str(c) for c in table.columns}
    aliases = COLUMN_ALIASES["resources"]
    for name in ("lat", "lon", "x", "y", "wkt"):
        if fields[name] is None:
            fields[name] = next((keys[k] for k in aliases[name] if k in keys), None)
    if fields["lat"] is not None and fields["lon"] is not None:
        chosen = {"lat": fields["lat"], "lon": fields["lon"]}
    elif fields["x"] is not None and fields["y"] is not None:
        chosen = {"x": fields["x"], "y": fields["y"]}
    else:
        return (
            vector_from_table(
                table, report, wkt_field=fields["wkt"], crs=options.crs, limits=limits
            ),
            report,
        )
    location = points_from_table(table, report, chosen, options.crs)
    known = location.geometry.notna()
    missing = ~known & ~table.index.isin([f.row for f in report.errors()])
    if missing.any():
        report.add_rows(
            table.index[missing],
            problem=msg("expected the location of the point, got empty coordinates"),
            fix=msg("fill in both coordinates or leave the row out"),
            field=next(iter(chosen.values())),
        )
    frame = table.drop(columns=list(chosen.values())).loc[known]
    return gpd.GeoDataFrame(frame, geometry=location.geometry[known], crs=WEB_CRS), report


def read_population(
    data: bytes,
    *,
    filename: str,
    options: ImportOptions = DEFAULT_OPTIONS,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[pd.DataFrame, int, ImportReport]:
    """A population surface from a file: the valid points, their year and the report.

    Returns
    -------
    points : pandas.DataFrame
        ``lon``, ``lat`` (EPSG:4326) and ``population`` of every valid row, indexed by the row
        number in the file.
    year : int
        The year the surface is for.
    report : ImportReport
        The findings (row, field, value, problem, fix); ``valid`` counts the points returned.

    Raises
    ------
    mapping.io.options.OptionsError
        No year, or a chosen column that does not exist.
    mapping.errors.ValidationError
        No population column, or no coordinates.
    mapping.errors.RefusedInputError
        An unsafe file or one over a limit.
    """
    layer, report = _layer(data, filename, options, limits)
    columns = [str(c) for c in layer.columns if c != "geometry"]
    column = _column(columns, options.population_field, report)
    year = _year(layer, options, report)
    counts = _counts(layer, column, report)
    ok = counts.notna() & layer.geometry.notna()
    points = _points(layer.geometry[ok])
    frame = pd.DataFrame(
        {
            "lon": shapely.get_x(points.to_numpy()),
            "lat": shapely.get_y(points.to_numpy()),
            "population": counts[ok].astype("float64").to_numpy(),
        },
        index=layer.index[ok.to_numpy()],
    )
    if not len(frame):  # also after skipping: an empty surface would erase the stored year
        report.add(
            msg("expected at least one point with its population, got none"),
            fix=msg("add the points of the population surface"),
        )
    report.valid = len(frame)
    return frame, year, report
