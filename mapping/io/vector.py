"""Map layers from uploaded bytes: GeoJSON, GeoPackage and zipped Shapefile, through GDAL.

Safety (docs/SECURITY.md): the bytes are sniffed (:func:`mapping.io.formats.sniff`)
before GDAL sees them, written to a temporary file whose name palmap chooses, and opened only if
GDAL picks the driver the content promised (``GeoJSON``, ``GPKG`` or ``ESRI Shapefile``). A
zipped Shapefile is checked by its central directory (:func:`mapping.io.safety.check_zip`) and read
through ``/vsizip/`` on the temporary copy, never extracted. No user string is ever handed to GDAL
as a path.

The CRS and geometry rules are those of :mod:`mapping.io.geometry`; everything returned is in
EPSG:4326.
"""

from __future__ import annotations

import io
import tempfile
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from mapping.crs import WEB_CRS
from mapping.errors import RefusedInputError, ValidationError, msg
from mapping.io.formats import FORMATS, format_named, sniff
from mapping.io.geometry import MissingGeometry, check_geometries, resolve_crs
from mapping.io.matching import WKT_KEYS, column_key
from mapping.io.parsers import decode_text
from mapping.io.report import ImportReport
from mapping.io.safety import DEFAULT_LIMITS, Limits, check_size, check_zip

__all__ = [
    "ALLOWED_DRIVERS",
    "list_layers",
    "read_vector",
    "vector_from_table",
]

#: The only GDAL drivers palmap opens, by the format :func:`mapping.io.formats.sniff` found.
ALLOWED_DRIVERS: dict[str, str] = {f.name: f.driver for f in FORMATS if f.driver is not None}
#: The temporary file GDAL opens: a name palmap chooses, with the format's first extension.
_SUFFIX = {name: format_named(name).extensions[0] for name in ALLOWED_DRIVERS}


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
            msg(
                "expected a map layer kind in {kinds}, got {kind!r}; tables have no layers",
                kinds=tuple(ALLOWED_DRIVERS),
                kind=kind,
            )
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
        raise ValidationError(
            msg("expected a readable map layer, got {error}", error=str(exc))
        ) from exc
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
            msg(
                "{source}: expected a map layer (GeoJSON, GeoPackage or zipped Shapefile), got a "
                "{kind} table; import tables as resources or indicators, or districts with a WKT "
                "column",
                source=name,
                kind=kind,
            )
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
                raise _unreadable(name, exc) from exc
            if info["driver"] != ALLOWED_DRIVERS[kind]:
                raise RefusedInputError(
                    msg(
                        "{source}: expected the {driver} driver to read this file, got {found}; "
                        "export the layer again as {driver}",
                        source=name,
                        driver=ALLOWED_DRIVERS[kind],
                        found=info["driver"],
                    )
                )
            if info["features"] > limits.max_features:
                raise RefusedInputError(
                    msg(
                        "{source}: expected at most {limit} features, got {count}; split the "
                        "layer or raise the limit (PALMAP_MAX_FEATURES)",
                        source=name,
                        limit=limits.max_features,
                        count=info["features"],
                    )
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
                raise _unreadable(name, exc) from exc
    if len(frame) > limits.max_features:
        raise RefusedInputError(
            msg(
                "{source}: expected at most {limit} features, got more; split the layer or "
                "raise the limit (PALMAP_MAX_FEATURES)",
                source=name,
                limit=limits.max_features,
            )
        )
    vertices = int(shapely.get_num_coordinates(np.asarray(frame.geometry.array)).sum())
    if vertices > limits.max_vertices:
        raise _too_many_vertices(name, limits, vertices)
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


def _unreadable(name: str, exc: Exception) -> ValidationError:
    return ValidationError(
        msg("{source}: expected a readable map layer, got {error}", source=name, error=str(exc))
    )


def _too_many_vertices(source: object, limits: Limits, vertices: int) -> RefusedInputError:
    return RefusedInputError(
        msg(
            "{source}: expected at most {limit} vertices, got {count}; simplify the geometries "
            "or raise the limit (PALMAP_MAX_VERTICES)",
            source=source,
            limit=limits.max_vertices,
            count=vertices,
        )
    )


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
                    msg("GDAL: {text}", text=text),
                    fix=msg("check the file in a GIS if features are missing"),
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
            msg(
                "{source}: expected at least one layer with geometry, got none; export a map layer",
                source=report.source,
            )
        )
    return _pick(layers, layer, report)


def _pick(layers: list[str], layer: str | None, report: ImportReport) -> str:
    listed = ", ".join(repr(n) for n in layers)
    if layer is None:
        if len(layers) > 1:
            raise ValidationError(
                msg(
                    "{source}: expected one layer, got {count}: {layers}; choose one as the layer",
                    source=report.source,
                    count=len(layers),
                    layers=listed,
                )
            )
        return layers[0]
    if layer in layers:
        return layer
    by_base = [n for n in layers if PurePosixPath(n).name == layer]
    if len(by_base) == 1:
        return by_base[0]
    raise ValidationError(
        msg(
            "{source}: expected a layer named {layer!r}, got layers {layers}; give one of them "
            "as the layer",
            source=report.source,
            layer=layer,
            layers=listed,
        )
    )


def _shapefile_path(
    data: bytes, path: Path, layer: str | None, limits: Limits, report: ImportReport
) -> tuple[str, None, str | None]:
    entries = check_zip(data, limits)
    layers = _shapefile_layers(entries)
    if not layers:
        names = ", ".join(repr(e.filename) for e in entries[:10])
        raise ValidationError(
            msg(
                "{source}: expected a zipped Shapefile with a .shp file, got {names}; zip the "
                ".shp, .shx, .dbf, .prj and .cpg of the layer",
                source=report.source,
                names=names or msg("no files"),
            )
        )
    chosen = _pick(list(layers), layer, report)
    shp = layers[chosen]
    if any(ch in shp for ch in "{}"):
        # Braces delimit the archive in the /vsizip/{...}/entry path palmap builds.
        raise RefusedInputError(
            msg(
                "zip entry {entry!r}: expected a plain file name, got braces; rename the file",
                entry=shp,
            )
        )
    by_name = {info.filename.lower(): info for info in entries}
    missing = [ext for ext in (".shx", ".dbf") if (chosen + ext).lower() not in by_name]
    if missing:
        raise _missing_parts(report.source, chosen, missing)
    shp_info = by_name[shp.lower()]
    shx_info = by_name[(chosen + ".shx").lower()]
    # Each record costs at least 8 bytes of index; each vertex 16 bytes of .shp. The .shp must
    # therefore hold at least (size - records * 56) / 16 vertices: refuse before reading it.
    records = max((shx_info.file_size - 100) // 8, 0)
    least_vertices = (shp_info.file_size - 100 - records * 56) // 16
    if least_vertices > limits.max_vertices:
        raise RefusedInputError(
            msg(
                "{source}: expected at most {limit} vertices, got at least {count} by the size "
                "of {entry}; simplify the layer or raise the limit (PALMAP_MAX_VERTICES)",
                source=report.source,
                limit=limits.max_vertices,
                count=least_vertices,
                entry=shp,
            )
        )
    if records > limits.max_features:
        raise RefusedInputError(
            msg(
                "{source}: expected at most {limit} features, got {count}; split the layer or "
                "raise the limit (PALMAP_MAX_FEATURES)",
                source=report.source,
                limit=limits.max_features,
                count=records,
            )
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


def _missing_parts(source: str | None, layer: str, missing: list[str]) -> ValidationError:
    """A Shapefile without its .shx, its .dbf or both (named)."""
    parts = {"source": source, "shp": layer + ".shp", "shx": layer + ".shx", "dbf": layer + ".dbf"}
    if len(missing) > 1:
        return ValidationError(
            msg(
                "{source}: expected {shp}, {shx}, {dbf} in the zip, got no {shx} and no {dbf}; a "
                "Shapefile needs all three files with the same name: add the missing one",
                **parts,
            )
        )
    return ValidationError(
        msg(
            "{source}: expected {shp}, {shx}, {dbf} in the zip, got no {missing}; a Shapefile "
            "needs all three files with the same name: add the missing one",
            **parts,
            missing=layer + missing[0],
        )
    )


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
        wkt_field = next((c for c in table.columns if column_key(c) in WKT_KEYS), None)
    if wkt_field is None or wkt_field not in table.columns:
        raise ValidationError(
            msg(
                "{source}: expected a WKT column (wkt or geometry), got columns {columns}; add "
                "the geometry as WKT or name the column",
                source=report.source or msg("table"),
                columns=", ".join(map(str, table.columns)),
            )
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
            problem=msg("expected WKT such as POLYGON ((...)), got text that is not WKT"),
            fix=msg("write the geometry as WKT or fix the typo"),
            field=wkt_field,
        )
    vertices = int(shapely.get_num_coordinates(geometries).sum())
    if vertices > limits.max_vertices:
        raise _too_many_vertices(report.source or msg("table"), limits, vertices)
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
