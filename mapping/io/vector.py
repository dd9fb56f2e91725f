"""Map layers from uploaded bytes: GeoJSON, GeoPackage and zipped Shapefile, through GDAL.

Safety (``../shared/design/SECURITY.md``): the bytes are sniffed (:func:`mapping.io.safety.sniff`)
before GDAL sees them, written to a temporary file whose name palmap chooses, and opened only if
GDAL picks the driver the content promised (``GeoJSON``, ``GPKG`` or ``ESRI Shapefile``). A
zipped Shapefile is checked by its central directory (:func:`mapping.io.safety.check_zip`) and read
through ``/vsizip/`` on the temporary copy, never extracted. No user string is ever handed to GDAL
as a path.

Geometry rules, the same for every file and every reader (:func:`check_geometries`), reported per
feature:

* null or empty geometry: error (or kept as None where a reader allows rows without a point);
* NaN or infinite coordinates: error;
* Z and M values: dropped (info);
* coordinates outside the area of use of the source CRS: error;
* invalid polygons: repaired with :func:`shapely.make_valid`, keeping only the polygonal parts
  (warning); when nothing polygonal remains: error.

CRS: the file's CRS if it declares one; else the ``crs`` argument (``--crs``); else detected from
the coordinates: longitude/latitude when every coordinate fits, PUWG 1992 (EPSG:2180) when every
coordinate fits Poland's grid (the report says so); else :class:`~mapping.errors.CRSError` naming
``--crs``. Everything returned is in EPSG:4326.
"""

from __future__ import annotations

import io
import tempfile
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError as PyprojCRSError

from mapping.crs import METRIC_CRS, WEB_CRS
from mapping.errors import CRSError, RefusedInputError, ValidationError
from mapping.io.report import ImportReport
from mapping.io.safety import DEFAULT_LIMITS, Limits, check_size, check_zip, sniff
from mapping.io.tabular import column_key, decode_text

__all__ = [
    "ALLOWED_DRIVERS",
    "area_bounds",
    "check_geometries",
    "classify_coordinates",
    "list_layers",
    "parse_crs",
    "read_vector",
    "resolve_crs",
    "vector_from_table",
]

#: The only GDAL drivers palmap opens, by the kind :func:`mapping.io.safety.sniff` found.
ALLOWED_DRIVERS: dict[str, str] = {
    "geojson": "GeoJSON",
    "gpkg": "GPKG",
    "zip": "ESRI Shapefile",
}
_SUFFIX = {"geojson": ".geojson", "gpkg": ".gpkg", "zip": ".zip"}
# PUWG 1992 over Poland's area of use: eastings about 144,000-877,000 m, northings about
# 125,000-909,000 m. A little margin either way; degrees never reach these values.
_PUWG_RANGE = (100_000.0, 1_000_000.0)
_POLYGONAL = (3, 6)  # shapely type ids of Polygon and MultiPolygon
_WKT_KEYS = ("wkt", "geometry", "geometria", "geom")
MissingGeometry = Literal["error", "keep"]


# ---------------------------------------------------------------------------------------------
# CRS


def parse_crs(value: str | int | CRS) -> CRS:
    """Return the CRS a user named: ``"EPSG:2180"``, ``"2180"``, ``2180`` or any pyproj input.

    Raises
    ------
    CRSError
        If pyproj does not know the CRS.

    Examples
    --------
    >>> parse_crs("2180").to_epsg(), parse_crs("epsg:4326").to_epsg()
    (2180, 4326)
    >>> parse_crs("PUWG")
    Traceback (most recent call last):
    ...
    mapping.errors.CRSError: expected a coordinate reference system such as EPSG:2180 or 4326, \
got 'PUWG'; pass --crs EPSG:2180 for PUWG 1992 or --crs EPSG:4326 for longitude/latitude
    """
    if isinstance(value, CRS):
        return value
    text = str(value).strip()
    try:
        if text.isdigit():
            return CRS.from_epsg(int(text))
        return CRS.from_user_input(text)
    except PyprojCRSError:
        raise CRSError(
            f"expected a coordinate reference system such as EPSG:2180 or 4326, got {text!r}; "
            "pass --crs EPSG:2180 for PUWG 1992 or --crs EPSG:4326 for longitude/latitude"
        ) from None


def _crs_label(crs: CRS) -> str:
    code = crs.to_epsg()
    if code == 2180:
        return "EPSG:2180 (PUWG 1992)"
    if code == 4326:
        return "EPSG:4326 (longitude, latitude)"
    return f"EPSG:{code} ({crs.name})" if code else crs.name


def area_bounds(crs: CRS) -> tuple[float, float, float, float]:
    """Return the area of use of ``crs`` as (west, south, east, north) in degrees.

    A CRS without a declared area of use gets the whole world.

    Examples
    --------
    >>> area_bounds(CRS.from_epsg(2180))
    (14.14, 49.0, 24.15, 55.93)
    >>> area_bounds(CRS.from_epsg(4326))
    (-180.0, -90.0, 180.0, 90.0)
    """
    area = crs.area_of_use
    if area is None:
        return (-180.0, -90.0, 180.0, 90.0)
    return (float(area.west), float(area.south), float(area.east), float(area.north))


def classify_coordinates(
    first: np.ndarray, second: np.ndarray
) -> Literal["degrees", "puwg1992", "unknown", "empty"]:
    """Tell degrees from PUWG 1992 metres by the values alone.

    ``degrees`` when every finite value of both arrays lies within ±180; ``puwg1992`` when every
    finite value of both lies between 100,000 and 1,000,000 (metres of Poland's grid, whichever
    axis comes first); ``empty`` when there is no finite value; ``unknown`` otherwise.

    Examples
    --------
    >>> classify_coordinates(np.array([16.28]), np.array([50.77]))
    'degrees'
    >>> classify_coordinates(np.array([328000.0]), np.array([308000.0]))
    'puwg1992'
    >>> classify_coordinates(np.array([16.28, 328000.0]), np.array([50.77, 308000.0]))
    'unknown'
    """
    a = np.asarray(first, dtype=float)
    b = np.asarray(second, dtype=float)
    values = np.concatenate([a[np.isfinite(a)], b[np.isfinite(b)]])
    if values.size == 0:
        return "empty"
    if np.all(np.abs(values) <= 180):
        return "degrees"
    low, high = _PUWG_RANGE
    if np.all((values >= low) & (values <= high)):
        return "puwg1992"
    return "unknown"


def _none_in_degrees(first: np.ndarray, second: np.ndarray) -> bool:
    values = np.concatenate([np.asarray(first, dtype=float), np.asarray(second, dtype=float)])
    values = values[np.isfinite(values)]
    return bool(values.size) and not bool(np.any(np.abs(values) <= 180))


def resolve_crs(
    first: np.ndarray,
    second: np.ndarray,
    report: ImportReport,
    *,
    declared: CRS | None = None,
    given: str | int | CRS | None = None,
    what: str = "coordinates",
) -> CRS:
    """Choose the CRS of coordinates: declared by the file, else given, else detected.

    ``first`` and ``second`` are the coordinates in the order the geometry stores them (easting,
    northing for projected CRSs; longitude, latitude for degrees). A file that declares a
    geographic CRS but whose coordinates are all far outside ±180 (a GeoJSON in metres without a
    ``crs`` member) is treated as declaring nothing. Every choice other than a declared CRS is
    recorded in ``report.assumptions``.

    Raises
    ------
    CRSError
        If there is no declared or given CRS and the values are neither all degrees nor all PUWG
        1992; the message names ``--crs``.

    Examples
    --------
    >>> report = ImportReport()
    >>> resolve_crs(np.array([308000.0]), np.array([328000.0]), report).to_epsg()
    2180
    >>> report.assumptions
    ['coordinates read as EPSG:2180 (PUWG 1992): the file names no CRS and every value fits \
the Polish grid']
    """
    kind = classify_coordinates(first, second)
    if declared is not None:
        if declared.is_geographic and _none_in_degrees(first, second):
            report.assume(
                f"the file declares {_crs_label(declared)} but its {what} are not degrees; "
                "the declaration was ignored"
            )
        else:
            if given is not None and parse_crs(given) != declared:
                report.add(
                    f"the file declares {_crs_label(declared)}; --crs "
                    f"{_crs_label(parse_crs(given))} was not used",
                    field="crs",
                    value=str(given),
                    fix="leave out --crs, or correct the .prj / crs of the file",
                    severity="info",
                )
            return declared
    if given is not None:
        crs = parse_crs(given)
        report.assume(f"{what} read as {_crs_label(crs)} as given with --crs")
        return crs
    if kind in ("degrees", "empty"):
        if kind == "degrees":
            report.assume(
                f"{what} read as EPSG:4326 (longitude, latitude): the file names no CRS and "
                "every value is within ±180"
            )
        return WEB_CRS
    if kind == "puwg1992":
        report.assume(
            f"{what} read as EPSG:2180 (PUWG 1992): the file names no CRS and every value fits "
            "the Polish grid"
        )
        return METRIC_CRS
    raise CRSError(
        f"{report.source or 'file'}: expected {what} that are all degrees (longitude, latitude) "
        "or all PUWG 1992 metres, got a mixture or values of another grid; give the CRS with "
        "--crs (for example --crs EPSG:2180 or --crs EPSG:4326)"
    )


# ---------------------------------------------------------------------------------------------
# Geometry rules


def _short_wkt(geom: object) -> str | None:
    if geom is None:
        return None
    text = shapely.to_wkt(geom, rounding_precision=6, trim=True)
    return text if len(text) <= 60 else text[:59] + "…"


def check_geometries(
    geometry: gpd.GeoSeries,
    report: ImportReport,
    *,
    crs: CRS,
    missing: MissingGeometry = "error",
    field: str = "geometry",
) -> gpd.GeoSeries:
    """Apply palmap's geometry rules and reproject to EPSG:4326.

    Parameters
    ----------
    geometry
        Geometries indexed by row number as in the file (the finding rows).
    report
        Where the findings go; ``report.repaired`` counts repaired polygons.
    crs
        The CRS the coordinates are in.
    missing
        ``"error"``: a null or empty geometry fails the row; ``"keep"``: it stays as None (rows
        known only by district).
    field
        Field name for the findings.

    Returns
    -------
    geopandas.GeoSeries
        EPSG:4326, 2D, valid; rows with an error left out.

    Examples
    --------
    >>> from shapely import Point, Polygon
    >>> bowtie = Polygon([(16, 50), (16.1, 50.1), (16.1, 50), (16, 50.1)])
    >>> report = ImportReport(unit="feature")
    >>> s = gpd.GeoSeries([Point(16.2, 50.7, 300), None, bowtie, Point(200, 95)],
    ...                   index=[1, 2, 3, 4])
    >>> out = check_geometries(s, report, crs=CRS.from_epsg(4326))
    >>> out.index.tolist(), out.geom_type.tolist()
    ([1, 3], ['Point', 'MultiPolygon'])
    >>> [(f.row, f.severity) for f in report.findings]
    [(2, 'error'), (1, 'info'), (4, 'error'), (3, 'warning')]
    """
    index = geometry.index
    values = np.array(geometry.array, dtype=object)
    keep = np.ones(len(values), dtype=bool)

    absent = shapely.is_missing(values) | shapely.is_empty(values)
    if absent.any():
        if missing == "error":
            report.add_rows(
                index[absent],
                problem="expected a geometry, got a null or empty one",
                fix="draw the feature or delete the row",
                field=field,
            )
            keep &= ~absent
        values[absent] = None
    present = ~absent

    zm = present & (shapely.has_z(values) | _has_m(values))
    if zm.any():
        values[zm] = shapely.force_2d(values[zm])
        report.add_rows(
            index[zm],
            problem="Z (height) or M values found and dropped; palmap keeps 2D geometry",
            fix="nothing to do",
            field=field,
            severity="info",
        )

    positions = np.flatnonzero(present)
    coordinates, owner = shapely.get_coordinates(values[positions], return_index=True)
    not_finite = ~np.isfinite(coordinates).all(axis=1)
    if not_finite.any():
        bad = positions[np.unique(owner[not_finite])]
        report.add_rows(
            index[bad],
            [_short_wkt(values[p]) for p in bad],
            problem="expected finite coordinates, got NaN or infinity",
            fix="correct or delete the coordinates",
            field=field,
        )
        keep[bad] = False
    usable = present & keep

    source = values.copy()  # as in the file, for the findings
    if not CRS.from_user_input(crs).equals(WEB_CRS):
        transformer = Transformer.from_crs(crs, WEB_CRS, always_xy=True)

        def project(xy: np.ndarray) -> np.ndarray:
            x, y = transformer.transform(xy[:, 0], xy[:, 1], errcheck=False)
            return np.column_stack([x, y])

        values[usable] = shapely.transform(values[usable], project)
    west, south, east, north = area_bounds(CRS.from_user_input(crs))
    bounds = shapely.bounds(values[usable])
    lon_ok = (
        (bounds[:, 0] >= west) & (bounds[:, 2] <= east)
        if west <= east
        else ((bounds[:, 0] >= west) | (bounds[:, 0] <= east))
        & ((bounds[:, 2] >= west) | (bounds[:, 2] <= east))
    )
    inside = np.isfinite(bounds).all(axis=1) & lon_ok & (bounds[:, 1] >= south)
    inside &= bounds[:, 3] <= north
    if not inside.all():
        bad = np.flatnonzero(usable)[~inside]
        report.add_rows(
            index[bad],
            [_short_wkt(source[p]) for p in bad],
            problem=f"expected coordinates within the area of use of {_crs_label(crs)} "
            f"(longitude {west:g} to {east:g}, latitude {south:g} to {north:g}), got some outside",
            fix="check the coordinates and the CRS (--crs); swapped X and Y are a common cause",
            field=field,
        )
        keep[bad] = False
        usable = present & keep

    polygonal = np.flatnonzero(usable & np.isin(shapely.get_type_id(values), _POLYGONAL))
    invalid = np.zeros(len(values), dtype=bool)
    invalid[polygonal] = ~shapely.is_valid(values[polygonal])
    for position in np.flatnonzero(invalid):
        reason = shapely.is_valid_reason(values[position])
        repaired = _polygonal_part(shapely.make_valid(values[position]))
        if repaired is None:
            report.add(
                f"expected a polygon with an area, got an invalid one ({reason}) with nothing "
                "polygonal left after repair",
                row=index[position],
                field=field,
                value=_short_wkt(source[position]),
                fix="redraw the polygon in a GIS",
            )
            keep[position] = False
            continue
        values[position] = repaired
        report.repaired += 1
        report.add(
            f"repaired an invalid polygon ({reason}) with make_valid, keeping its polygonal parts",
            row=index[position],
            field=field,
            value=_short_wkt(source[position]),
            fix="check the boundary in a GIS (Fix geometries) and import it again if it is wrong",
            severity="warning",
        )
    return gpd.GeoSeries(values[keep], index=index[keep], crs=WEB_CRS, name="geometry")


def _has_m(values: np.ndarray) -> np.ndarray:
    has_m = getattr(shapely, "has_m", None)  # shapely >= 2.1
    return has_m(values) if has_m is not None else np.zeros(len(values), dtype=bool)


def _polygonal_part(geom: shapely.Geometry) -> shapely.Geometry | None:
    polygons = [
        part
        for part in shapely.get_parts(shapely.get_parts(geom))
        if shapely.get_type_id(part) == 3 and not part.is_empty
    ]
    if not polygons:
        return None
    merged = shapely.unary_union(polygons)
    if shapely.get_type_id(merged) == 3:
        merged = shapely.MultiPolygon([merged])
    return merged if not merged.is_empty else None


# ---------------------------------------------------------------------------------------------
# Reading


def _name(filename: str) -> str:
    return PurePosixPath(filename.replace("\\", "/")).name


def _shapefile_layers(entries: list[zipfile.ZipInfo]) -> dict[str, str]:
    """Layer name (the .shp entry without extension) to entry name."""
    return {
        info.filename[:-4]: info.filename
        for info in entries
        if not info.is_dir() and info.filename.lower().endswith(".shp")
    }


def list_layers(data: bytes, *, kind: str) -> list[str]:
    """Return the names of the vector layers in a GeoPackage, zipped Shapefile or GeoJSON.

    Parameters
    ----------
    data
        The whole file (already sniffed as ``kind``).
    kind
        ``"gpkg"``, ``"zip"`` or ``"geojson"``.

    Examples
    --------
    >>> list_layers(b'{"type": "FeatureCollection", "name": "osiedla", "features": []}',
    ...             kind="geojson")
    ['osiedla']
    """
    if kind not in ALLOWED_DRIVERS:
        raise RefusedInputError(
            f"expected a map layer kind in {tuple(ALLOWED_DRIVERS)}, got {kind!r}; "
            "tables have no layers"
        )
    sniff(data, filename=f"input{_SUFFIX[kind]}")  # the content must be what kind says
    if kind == "zip":
        return list(_shapefile_layers(check_zip(data)))
    with tempfile.TemporaryDirectory(prefix="palmap-") as tmp:
        path = Path(tmp) / f"input{_SUFFIX[kind]}"
        path.write_bytes(data)
        return _spatial_layers(str(path))


def _spatial_layers(path: str) -> list[str]:
    try:
        layers = pyogrio.list_layers(path)
    except pyogrio.errors.DataSourceError as exc:
        raise ValidationError(f"expected a readable map layer, got {exc}") from exc
    return [str(name) for name, geometry_type in layers if geometry_type is not None]


def read_vector(
    data: bytes,
    *,
    filename: str,
    layer: str | None = None,
    crs: str | int | CRS | None = None,
    limits: Limits = DEFAULT_LIMITS,
    missing_geometry: MissingGeometry = "error",
) -> tuple[gpd.GeoDataFrame, ImportReport]:
    """Read a GeoJSON, GeoPackage or zipped Shapefile from bytes into EPSG:4326.

    Parameters
    ----------
    data
        The whole file.
    filename
        The name it came with (its extension must agree with its content).
    layer
        Layer to read when the file has several (GeoPackage layers; ``.shp`` entries of a zip,
        named by their path inside the zip without ``.shp``).
    crs
        CRS of the coordinates when the file declares none (``"EPSG:2180"``, ``"2180"``...).
    limits
        Size, feature, vertex and zip limits.
    missing_geometry
        ``"error"`` (default): a feature without geometry fails; ``"keep"``: it is returned with
        geometry None (resources known only by district).

    Returns
    -------
    frame : geopandas.GeoDataFrame
        The attributes as read and ``geometry`` in EPSG:4326, 2D; index: feature number in file
        order, from 1. Features with an error are left out.
    report : ImportReport
        ``unit="feature"``, findings, ``read``/``valid``/``repaired`` and the assumptions made.

    Raises
    ------
    RefusedInputError
        Unsafe or unsupported content, a driver other than the allowed one, or a limit exceeded.
    ValidationError
        A layer must be chosen (the message lists them), the layer does not exist, a Shapefile
        part is missing (named), or GDAL cannot read the file.
    CRSError
        No CRS declared or given and the coordinates are neither degrees nor PUWG 1992.

    Examples
    --------
    >>> doc = (b'{"type": "FeatureCollection", "features": [{"type": "Feature", '
    ...        b'"properties": {"name": "A"}, "geometry": {"type": "Point", '
    ...        b'"coordinates": [16.28, 50.77]}}]}')
    >>> frame, report = read_vector(doc, filename="points.geojson")
    >>> frame.index.tolist(), frame.crs.to_epsg(), report.valid
    ([1], 4326, 1)
    """
    check_size(len(data), limits)
    name = _name(filename)
    kind = sniff(data, filename=filename)
    if kind not in ALLOWED_DRIVERS:
        raise RefusedInputError(
            f"{name}: expected a map layer (GeoJSON, GeoPackage or zipped Shapefile), got a "
            f"{kind} table; import tables as resources or indicators, or districts with a WKT "
            "column"
        )
    report = ImportReport(source=name, unit="feature")
    with tempfile.TemporaryDirectory(prefix="palmap-") as tmp:
        path = Path(tmp) / f"input{_SUFFIX[kind]}"
        path.write_bytes(data)
        encoding: str | None = None
        if kind == "zip":
            gdal_path, layer_arg, encoding = _shapefile_path(data, path, layer, limits, report)
        else:
            gdal_path = str(path)
            layer_arg = _choose_layer(gdal_path, layer, report) if kind == "gpkg" else None
        with _gdal_messages(report):
            try:
                info = pyogrio.read_info(gdal_path, layer=layer_arg, encoding=encoding)
            except pyogrio.errors.DataSourceError as exc:
                raise ValidationError(f"{name}: expected a readable map layer, got {exc}") from exc
            if info["driver"] != ALLOWED_DRIVERS[kind]:
                raise RefusedInputError(
                    f"{name}: expected the {ALLOWED_DRIVERS[kind]} driver to read this file, got "
                    f"{info['driver']}; export the layer again as {ALLOWED_DRIVERS[kind]}"
                )
            if info["features"] > limits.max_features:
                raise RefusedInputError(
                    f"{name}: expected at most {limits.max_features} features, got "
                    f"{info['features']}; split the layer or raise the limit "
                    "(PALMAP_MAX_FEATURES)"
                )
            try:
                frame = pyogrio.read_dataframe(
                    gdal_path,
                    layer=layer_arg,
                    encoding=encoding,
                    max_features=limits.max_features + 1,
                    on_invalid="ignore",
                )
            except (pyogrio.errors.DataSourceError, pyogrio.errors.FieldError) as exc:
                raise ValidationError(f"{name}: expected a readable map layer, got {exc}") from exc
    if len(frame) > limits.max_features:
        raise RefusedInputError(
            f"{name}: expected at most {limits.max_features} features, got more; split the "
            "layer or raise the limit (PALMAP_MAX_FEATURES)"
        )
    vertices = int(shapely.get_num_coordinates(np.asarray(frame.geometry.array)).sum())
    if vertices > limits.max_vertices:
        raise RefusedInputError(
            f"{name}: expected at most {limits.max_vertices} vertices, got {vertices}; simplify "
            "the geometries or raise the limit (PALMAP_MAX_VERTICES)"
        )
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="feature")
    report.read = len(frame)
    declared = CRS.from_user_input(frame.crs) if frame.crs is not None else None
    coordinates = shapely.get_coordinates(np.asarray(frame.geometry.array))
    source_crs = resolve_crs(
        coordinates[:, 0], coordinates[:, 1], report, declared=declared, given=crs
    )
    geometry = check_geometries(
        gpd.GeoSeries(frame.geometry.array, index=frame.index),
        report,
        crs=source_crs,
        missing=missing_geometry,
    )
    attributes = pd.DataFrame(frame.drop(columns=frame.geometry.name)).loc[geometry.index]
    result = gpd.GeoDataFrame(attributes, geometry=geometry, crs=WEB_CRS)
    report.valid = len(result)
    return result, report


@contextmanager
def _gdal_messages(report: ImportReport) -> Iterator[None]:
    """Turn GDAL's warnings (RuntimeWarning through pyogrio) into file-level report warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    seen: set[str] = set()
    for warning in caught:
        if issubclass(warning.category, RuntimeWarning):
            text = str(warning.message)
            if text not in seen:
                seen.add(text)
                report.add(
                    f"GDAL: {text}",
                    fix="check the file in a GIS if features are missing",
                    severity="warning",
                )
        else:
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )


def _choose_layer(path: str, layer: str | None, report: ImportReport) -> str:
    layers = _spatial_layers(path)
    if not layers:
        raise ValidationError(
            f"{report.source}: expected at least one layer with geometry, got none; export a "
            "map layer"
        )
    return _pick(layers, layer, report)


def _pick(layers: list[str], layer: str | None, report: ImportReport) -> str:
    listed = ", ".join(repr(n) for n in layers)
    if layer is None:
        if len(layers) > 1:
            raise ValidationError(
                f"{report.source}: expected one layer, got {len(layers)}: {listed}; choose one "
                "with --layer"
            )
        return layers[0]
    if layer in layers:
        return layer
    by_base = [n for n in layers if PurePosixPath(n).name == layer]
    if len(by_base) == 1:
        return by_base[0]
    raise ValidationError(
        f"{report.source}: expected a layer named {layer!r}, got layers {listed}; give one of "
        "them with --layer"
    )


def _shapefile_path(
    data: bytes, path: Path, layer: str | None, limits: Limits, report: ImportReport
) -> tuple[str, None, str | None]:
    entries = check_zip(data, limits)
    layers = _shapefile_layers(entries)
    if not layers:
        names = ", ".join(repr(e.filename) for e in entries[:10]) or "no files"
        raise ValidationError(
            f"{report.source}: expected a zipped Shapefile with a .shp file, got {names}; zip "
            "the .shp, .shx, .dbf, .prj and .cpg of the layer"
        )
    chosen = _pick(list(layers), layer, report)
    shp = layers[chosen]
    if any(ch in shp for ch in "{}"):
        # Braces delimit the archive in the /vsizip/{...}/entry path palmap builds.
        raise RefusedInputError(
            f"zip entry {shp!r}: expected a plain file name, got braces; rename the file"
        )
    by_name = {info.filename.lower(): info for info in entries}
    missing = [ext for ext in (".shx", ".dbf") if (chosen + ext).lower() not in by_name]
    if missing:
        raise ValidationError(
            f"{report.source}: expected {', '.join(chosen + e for e in ('.shp', '.shx', '.dbf'))}"
            f" in the zip, got no {' and no '.join(chosen + e for e in missing)}; a Shapefile "
            "needs all three files with the same name: add the missing one"
        )
    shp_info = by_name[shp.lower()]
    shx_info = by_name[(chosen + ".shx").lower()]
    # Each record costs at least 8 bytes of index; each vertex 16 bytes of .shp. The .shp must
    # therefore hold at least (size - records * 56) / 16 vertices: refuse before reading it.
    records = max((shx_info.file_size - 100) // 8, 0)
    least_vertices = (shp_info.file_size - 100 - records * 56) // 16
    if least_vertices > limits.max_vertices:
        raise RefusedInputError(
            f"{report.source}: expected at most {limits.max_vertices} vertices, got at least "
            f"{least_vertices} by the size of {shp}; simplify the layer or raise the limit "
            "(PALMAP_MAX_VERTICES)"
        )
    if records > limits.max_features:
        raise RefusedInputError(
            f"{report.source}: expected at most {limits.max_features} features, got {records}; "
            "split the layer or raise the limit (PALMAP_MAX_FEATURES)"
        )
    encoding = None
    cpg = by_name.get((chosen + ".cpg").lower())
    if cpg is None:
        encoding = _guess_dbf_encoding(data, by_name[(chosen + ".dbf").lower()])
        if encoding is not None:
            report.assume(
                f"no {chosen}.cpg in the zip: the .dbf text was read as {encoding} (detected); "
                "add a .cpg file if names look wrong"
            )
    if (chosen + ".prj").lower() not in by_name:
        report.assume(f"no {chosen}.prj in the zip: the layer declares no CRS")
    gdal_path = f"/vsizip/{{{path}}}/{shp}"
    return gdal_path, None, encoding


def _guess_dbf_encoding(data: bytes, dbf: zipfile.ZipInfo) -> str | None:
    """Detect the text encoding of a .dbf without .cpg from its first MiB (read in memory)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(dbf) as handle:
        head = handle.read(1024 * 1024)
    if len(head) < 32:
        return None
    header_size = int.from_bytes(head[8:10], "little")
    body = head[header_size:]
    if not any(b >= 0x80 for b in body):
        return None
    _, encoding = decode_text(body)
    return {"utf-8": "UTF-8", "cp1250": "CP1250", "iso-8859-2": "ISO-8859-2"}.get(encoding)


def vector_from_table(
    table: pd.DataFrame,
    report: ImportReport,
    *,
    wkt_field: str | None = None,
    crs: str | int | CRS | None = None,
    limits: Limits = DEFAULT_LIMITS,
    missing_geometry: MissingGeometry = "error",
) -> gpd.GeoDataFrame:
    """Turn a table with a WKT column (districts in CSV or XLSX) into a checked GeoDataFrame.

    The geometry rules and the CRS choice are those of :func:`read_vector`; a table declares no
    CRS, so it is ``crs`` or detected.

    Parameters
    ----------
    table
        A frame from :func:`mapping.io.tabular.read_table` (index: row numbers).
    report
        Its report.
    wkt_field
        The WKT column; by default the one named wkt, geometry, geometria or geom.
    crs, limits, missing_geometry
        As for :func:`read_vector`.

    Examples
    --------
    >>> table = pd.DataFrame({"code": ["a"], "wkt": ["POLYGON ((0 0, 1 0, 1 1, 0 1, 0 0))"]},
    ...                      index=pd.Index([2], name="line"))
    >>> gdf = vector_from_table(table, ImportReport(unit="line"))
    >>> gdf.index.tolist(), gdf.geom_type.tolist()
    ([2], ['Polygon'])
    """
    if wkt_field is None:
        wkt_field = next((c for c in table.columns if column_key(c) in _WKT_KEYS), None)
    if wkt_field is None or wkt_field not in table.columns:
        raise ValidationError(
            f"{report.source or 'table'}: expected a WKT column (wkt or geometry), got columns "
            f"{', '.join(map(str, table.columns))}; add the geometry as WKT or name the column"
        )
    text = table[wkt_field].astype(object).where(table[wkt_field].notna(), "").astype(str)
    empty = text.str.strip() == ""
    geometries = shapely.from_wkt(
        np.where(empty, None, text.to_numpy(dtype=object)), on_invalid="ignore"
    )
    unreadable = ~empty.to_numpy() & shapely.is_missing(geometries)
    if unreadable.any():
        report.add_rows(
            table.index[unreadable],
            text[unreadable].str.slice(0, 60),
            problem="expected WKT such as POLYGON ((...)), got text that is not WKT",
            fix="write the geometry as WKT or fix the typo",
            field=wkt_field,
        )
    vertices = int(shapely.get_num_coordinates(geometries).sum())
    if vertices > limits.max_vertices:
        raise RefusedInputError(
            f"{report.source or 'table'}: expected at most {limits.max_vertices} vertices, got "
            f"{vertices}; simplify the geometries or raise the limit (PALMAP_MAX_VERTICES)"
        )
    ok = ~unreadable
    coordinates = shapely.get_coordinates(geometries[ok])
    source_crs = resolve_crs(coordinates[:, 0], coordinates[:, 1], report, given=crs)
    geometry = check_geometries(
        gpd.GeoSeries(geometries[ok], index=table.index[ok]),
        report,
        crs=source_crs,
        missing=missing_geometry,
        field=wkt_field,
    )
    attributes = table.drop(columns=[wkt_field]).loc[geometry.index]
    return gpd.GeoDataFrame(attributes, geometry=geometry, crs=WEB_CRS)
