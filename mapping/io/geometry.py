"""CRS and geometry rules shared by every map layer and coordinate column palmap reads.

Geometry rules, the same for every file and every reader (:func:`check_geometries`), reported per
feature:

* null or empty geometry: error (or kept as None where a reader allows rows without a point);
* NaN or infinite coordinates: error;
* Z and M values: dropped (info);
* coordinates outside the area of use of the source CRS: error;
* invalid polygons: repaired with :func:`shapely.make_valid`, keeping only the polygonal parts
  (warning); when nothing polygonal remains: error.

CRS (:func:`resolve_crs`): the file's CRS if it declares one; else the CRS given in the import
options; else detected from the coordinates: longitude/latitude when every coordinate fits, PUWG
1992 (EPSG:2180) when every coordinate fits Poland's grid (the report says so); else
:class:`~mapping.errors.CRSError` asking for the CRS. Everything returned is in EPSG:4326.
"""

from __future__ import annotations

from typing import Literal

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError as PyprojCRSError

from mapping.crs import METRIC_CRS, WEB_CRS
from mapping.errors import CRSError, msg
from mapping.io.report import ImportReport

__all__ = [
    "MissingGeometry",
    "area_bounds",
    "check_geometries",
    "classify_coordinates",
    "crs_label",
    "parse_crs",
    "resolve_crs",
]

# PUWG 1992 over Poland's area of use: eastings about 144,000-877,000 m, northings about
# 125,000-909,000 m. A little margin either way; degrees never reach these values.
_PUWG_RANGE = (100_000.0, 1_000_000.0)
_POLYGONAL = (3, 6)  # shapely type ids of Polygon and MultiPolygon
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
got 'PUWG'; set the coordinate reference system (CRS) to EPSG:2180 for PUWG 1992 or EPSG:4326 \
for longitude/latitude
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
            msg(
                "expected a coordinate reference system such as EPSG:2180 or 4326, got {value!r}; "
                "set the coordinate reference system (CRS) to EPSG:2180 for PUWG 1992 or "
                "EPSG:4326 for longitude/latitude",
                value=text,
            )
        ) from None


def crs_label(crs: CRS) -> str:
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
        1992; the message asks for the CRS.

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
                f"the file declares {crs_label(declared)} but its {what} are not degrees; "
                "the declaration was ignored"
            )
        else:
            if given is not None and parse_crs(given) != declared:
                report.add(
                    msg(
                        "the file declares {declared}; the CRS given, {given}, was not used",
                        declared=crs_label(declared),
                        given=crs_label(parse_crs(given)),
                    ),
                    field="crs",
                    value=str(given),
                    fix=msg(
                        "leave the coordinate reference system (CRS) unset, or correct the .prj / "
                        "crs of the file"
                    ),
                    severity="info",
                )
            return declared
    if given is not None:
        crs = parse_crs(given)
        report.assume(f"{what} read as {crs_label(crs)} as given in the import options")
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
        msg(
            "{source}: expected {what} that are all degrees (longitude, latitude) or all PUWG "
            "1992 metres, got a mixture or values of another grid; set the coordinate reference "
            "system (CRS), e.g. EPSG:2180 or EPSG:4326",
            source=report.source or "file",
            what=msg("coordinates") if what == "coordinates" else what,
        )
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
                problem=msg("expected a geometry, got a null or empty one"),
                fix=msg("draw the feature or delete the row"),
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
            problem=msg("Z (height) or M values found and dropped; palmap keeps 2D geometry"),
            fix=msg("nothing to do"),
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
            problem=msg("expected finite coordinates, got NaN or infinity"),
            fix=msg("correct or delete the coordinates"),
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
            problem=msg(
                "expected coordinates within the area of use of {crs} (longitude {west:g} to "
                "{east:g}, latitude {south:g} to {north:g}), got some outside",
                crs=crs_label(crs),
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
                msg(
                    "expected a polygon with an area, got an invalid one ({reason}) with nothing "
                    "polygonal left after repair",
                    reason=reason,
                ),
                row=index[position],
                field=field,
                value=_short_wkt(source[position]),
                fix=msg("redraw the polygon in a GIS"),
            )
            keep[position] = False
            continue
        values[position] = repaired
        report.repaired += 1
        report.add(
            msg(
                "repaired an invalid polygon ({reason}) with make_valid, keeping its polygonal "
                "parts",
                reason=reason,
            ),
            row=index[position],
            field=field,
            value=_short_wkt(source[position]),
            fix=msg(
                "check the boundary in a GIS (Fix geometries) and import it again if it is wrong"
            ),
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
