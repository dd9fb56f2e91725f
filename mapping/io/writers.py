"""Writers of palmap's frames, one per file format; :mod:`mapping.io.formats` names them.

Every writer has the signature ``write(frame, path_or_buffer, *, layer, excel)`` and writes the
file whole or not at all (a temporary file next to the target, then renamed). The formats' rules
are in :mod:`mapping.io.export`.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from mapping.crs import WEB_CRS, ensure_crs
from mapping.errors import MappingError
from mapping.frames import BOOLEAN_TEXT
from mapping.io.safety import guard_formula

__all__ = [
    "SHP_FIELD_NAMES",
    "PathOrBuffer",
    "write_csv",
    "write_geojson",
    "write_gpkg",
    "write_shp",
    "write_workbook",
    "write_xlsx",
]

PathOrBuffer = str | os.PathLike[str] | IO[bytes]

FORMATS: tuple[str, ...] = ("geojson", "gpkg", "csv", "xlsx", "shp")

#: Shapefile field names for palmap's columns longer than 10 characters.
SHP_FIELD_NAMES: dict[str, str] = {
    "external_id": "ext_id",
    "district_code": "district",
    "district_name": "dist_name",
    "opening_hours": "hours",
    "description": "descr",
    "updated_at": "updated",
    "higher_is_more_need": "higher_nd",
    "denominator": "denominatr",
}
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_GEOJSON_DECIMALS = 8
_DBF_TEXT_BYTES = 254
# Characters XML cannot carry (or normalises away, like CR) and text that looks like an escape.
_XML_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\r\x0e-\x1f]")
_OOXML_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


def write_csv(
    frame: pd.DataFrame, path_or_buffer: PathOrBuffer, *, layer: str, excel: bool = False
) -> None:
    """CSV: UTF-8, ``,``, CRLF; with ``excel`` a BOM, ``;`` and decimal commas."""
    data = _csv_bytes(frame, excel=excel)
    with _target(path_or_buffer) as handle:
        handle.write(data)


def write_xlsx(
    frame: pd.DataFrame, path_or_buffer: PathOrBuffer, *, layer: str, excel: bool = False
) -> None:
    """One sheet named after the layer."""
    write_workbook({layer: frame}, path_or_buffer)


def write_geojson(
    frame: pd.DataFrame, path_or_buffer: PathOrBuffer, *, layer: str, excel: bool = False
) -> None:
    """RFC 7946 GeoJSON, 8 decimals."""
    _write_ogr(frame, path_or_buffer, format="geojson", layer=layer)


def write_gpkg(
    frame: pd.DataFrame, path_or_buffer: PathOrBuffer, *, layer: str, excel: bool = False
) -> None:
    """A GeoPackage with one layer."""
    _write_ogr(frame, path_or_buffer, format="gpkg", layer=layer)


def write_shp(
    frame: pd.DataFrame, path_or_buffer: PathOrBuffer, *, layer: str, excel: bool = False
) -> None:
    """A zipped Shapefile."""
    _write_shp(frame, path_or_buffer, layer=layer)


def write_workbook(sheets: Mapping[str, pd.DataFrame], path_or_buffer: PathOrBuffer) -> None:
    """Write several frames as the sheets of one XLSX workbook (for ``palmap template``).

    Geometry, guards and number handling as for :func:`write_frame` with ``format="xlsx"``.

    Examples
    --------
    >>> import io
    >>> buffer = io.BytesIO()
    >>> write_workbook({"a": pd.DataFrame({"x": [1]}), "b": pd.DataFrame({"y": ["@me"]})}, buffer)
    >>> buffer.getvalue()[:2]
    b'PK'
    """
    from openpyxl import Workbook  # imported here: only XLSX needs it

    workbook = Workbook(write_only=True)
    used: set[str] = set()
    for name, frame in sheets.items():
        title = _SHEET_FORBIDDEN.sub("_", str(name))[:31] or "sheet"
        while title.lower() in used:
            title = title[:28] + f"_{len(used)}"
        used.add(title.lower())
        sheet = workbook.create_sheet(title=title)
        if isinstance(frame, gpd.GeoDataFrame) and len(frame):
            frame = ensure_crs(frame, name=title)
        table = _tabular(frame, excel=False, as_text=False)
        sheet.append([str(c) for c in table.columns])
        for row in table.itertuples(index=False, name=None):
            sheet.append([_xlsx_escape(v) if isinstance(v, str) else v for v in row])
    with _target(path_or_buffer) as handle:
        workbook.save(handle)


# ---------------------------------------------------------------------------------------------
# Targets


@contextmanager
def _target(path_or_buffer: PathOrBuffer) -> Iterator[IO[bytes]]:
    """A binary handle: the caller's buffer, or a temporary file renamed over the path.

    The temporary file is created with mode 0666 minus the umask, as ``open()`` would create the
    file itself (:func:`tempfile.NamedTemporaryFile` makes it 0600, which left every export, and
    every file an export replaced, readable by its owner alone).
    """
    if hasattr(path_or_buffer, "write"):
        yield path_or_buffer  # type: ignore[misc]
        return
    path = Path(os.fspath(path_or_buffer))
    temporary, handle = _new_file_beside(path)
    try:
        with handle:
            yield handle
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _new_file_beside(path: Path) -> tuple[Path, IO[bytes]]:
    """A new file with a random name in ``path``'s folder, opened for writing (never an existing
    file: ``O_EXCL``), with the mode the umask gives."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            descriptor = os.open(temporary, flags, 0o666)
        except FileExistsError:
            continue
        return temporary, os.fdopen(descriptor, "wb")
    raise FileExistsError(f"could not create a temporary file beside {path}")


# ---------------------------------------------------------------------------------------------
# CSV and XLSX


def _geometry_columns(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, pd.Series]]:
    """Drop the geometry; return lat/lon (all points) or wkt columns to put in its place."""
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame:
        return pd.DataFrame(frame), {}
    geometry = frame.geometry
    attributes = pd.DataFrame(frame.drop(columns=geometry.name))
    values = np.asarray(geometry.array, dtype=object)
    present = ~(shapely.is_missing(values) | shapely.is_empty(values))
    type_ids = shapely.get_type_id(values)
    if bool(np.all(type_ids[present] == 0)):
        lat = np.full(len(values), np.nan)
        lon = np.full(len(values), np.nan)
        lon[present] = shapely.get_x(values[present])
        lat[present] = shapely.get_y(values[present])
        return attributes, {
            "lat": pd.Series(lat, index=frame.index),
            "lon": pd.Series(lon, index=frame.index),
        }
    wkt = np.full(len(values), None, dtype=object)
    wkt[present] = shapely.to_wkt(values[present], rounding_precision=-1, trim=True)
    return attributes, {"wkt": pd.Series(wkt, index=frame.index, dtype=object)}


def _tabular(frame: pd.DataFrame, *, excel: bool, as_text: bool) -> pd.DataFrame:
    """A frame ready for CSV (all text) or XLSX (numbers, bools and guarded text)."""
    attributes, geometry = _geometry_columns(frame)
    for name, column in geometry.items():
        attributes[name] = column
    out: dict[str, pd.Series] = {}
    for name in attributes.columns:
        out[str(name)] = _column(attributes[name], excel=excel, as_text=as_text)
    return pd.DataFrame(out, index=attributes.index)


def _column(values: pd.Series, *, excel: bool, as_text: bool) -> pd.Series:
    missing = values.isna()
    if pd.api.types.is_bool_dtype(values):
        cells = values.map(BOOLEAN_TEXT) if as_text else values.astype(object)
    elif pd.api.types.is_integer_dtype(values):
        cells = values.astype(object).map(lambda v: None if pd.isna(v) else int(v))
        if as_text:
            cells = cells.map(lambda v: "" if v is None else str(v))
    elif pd.api.types.is_float_dtype(values):
        cells = values.astype(object).map(lambda v: None if pd.isna(v) else float(v))
        if as_text:
            cells = cells.map(lambda v: "" if v is None else _float_text(v, excel=excel))
    elif pd.api.types.is_datetime64_any_dtype(values):
        cells = values.map(lambda v: None if pd.isna(v) else v.isoformat())
        cells = cells.map(lambda v: "" if v is None else v) if as_text else cells
    else:
        cells = values.astype(object).map(lambda v: _cell(v, excel=excel, as_text=as_text))
        return cells
    if as_text:
        cells = cells.where(~missing, "")
    else:
        cells = cells.astype(object).where(~missing, None)
    return cells


def _xlsx_escape(text: str) -> str:
    """Escape what XML cannot hold as OOXML does (``_x000D_``); read_table undoes it."""
    text = _OOXML_ESCAPE.sub(r"_x005F_\1", text)
    return _XML_UNSAFE.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def _float_text(value: float, *, excel: bool) -> str:
    text = repr(value)
    return text.replace(".", ",") if excel else text


def _cell(value: Any, *, excel: bool, as_text: bool) -> Any:
    """One cell of an object column: numbers stay numbers, text is guarded."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return "" if as_text else None
    if isinstance(value, bool | np.bool_):
        return BOOLEAN_TEXT[bool(value)] if as_text else bool(value)
    if isinstance(value, int | np.integer):
        return str(int(value)) if as_text else int(value)
    if isinstance(value, float | np.floating):
        return _float_text(float(value), excel=excel) if as_text else float(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return guard_formula(str(value))


def _csv_bytes(frame: pd.DataFrame, *, excel: bool) -> bytes:
    table = _tabular(frame, excel=excel, as_text=True)
    # CRLF as RFC 4180 says; it also makes pandas quote a field holding a lone CR.
    text = table.to_csv(index=False, sep=";" if excel else ",", lineterminator="\r\n")
    return text.encode("utf-8-sig" if excel else "utf-8")


# ---------------------------------------------------------------------------------------------
# GeoJSON, GeoPackage, Shapefile


def _ogr_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Datetimes as ISO text (every format reads them back), object columns of text as text."""
    frame = frame.copy()
    geometry_name = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    for column in frame.columns:
        if column == geometry_name:
            continue
        values = frame[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            frame[column] = values.map(lambda v: None if pd.isna(v) else v.isoformat()).astype(
                object
            )
        elif values.dtype == object:
            frame[column] = values.map(
                lambda v: v.isoformat() if hasattr(v, "isoformat") else v
            ).astype(object)
    return frame


def _write_ogr(
    frame: pd.DataFrame, path_or_buffer: PathOrBuffer, *, format: str, layer: str
) -> None:
    frame = _ogr_ready(frame)
    options: dict[str, Any] = {}
    if format == "geojson":
        driver = "GeoJSON"
        options = {"RFC7946": "YES", "COORDINATE_PRECISION": _GEOJSON_DECIMALS}
    else:
        driver = "GPKG"
    if isinstance(frame, gpd.GeoDataFrame):
        frame = frame.set_crs(WEB_CRS, allow_override=True) if frame.crs is None else frame
    with tempfile.TemporaryDirectory(prefix="palmap-") as tmp:
        path = Path(tmp) / f"{layer}.{'geojson' if format == 'geojson' else 'gpkg'}"
        pyogrio.write_dataframe(frame, str(path), layer=layer, driver=driver, **options)
        data = path.read_bytes()
    with _target(path_or_buffer) as handle:
        handle.write(data)


def _shp_names(columns: list[str]) -> dict[str, str]:
    names: dict[str, str] = {}
    used: set[str] = set()
    for column in columns:
        short = SHP_FIELD_NAMES.get(column, column)[:10]
        candidate, n = short, 1
        while candidate.lower() in used:
            suffix = f"_{n}"
            candidate, n = short[: 10 - len(suffix)] + suffix, n + 1
        used.add(candidate.lower())
        names[column] = candidate
    return names


def _cut_utf8(value: Any) -> Any:
    if isinstance(value, str) and len(value.encode("utf-8")) > _DBF_TEXT_BYTES:
        return value.encode("utf-8")[:_DBF_TEXT_BYTES].decode("utf-8", errors="ignore")
    return value


def _write_shp(frame: pd.DataFrame, path_or_buffer: PathOrBuffer, *, layer: str) -> None:
    if not isinstance(frame, gpd.GeoDataFrame):
        raise MappingError(
            f"expected a layer with geometry for a Shapefile, got a table ({layer}); export it "
            "as CSV, XLSX or GeoPackage"
        )
    values = np.asarray(frame.geometry.array, dtype=object)
    kinds = {
        {0: "point", 4: "point", 3: "polygon", 6: "polygon", 1: "line", 5: "line"}.get(t, "other")
        for t in shapely.get_type_id(values[~shapely.is_missing(values)])
    }
    if len(kinds) > 1:
        raise MappingError(
            f"expected one kind of geometry for a Shapefile, got {', '.join(sorted(kinds))}; "
            "export as GeoPackage or GeoJSON instead"
        )
    frame = _ogr_ready(frame)
    attributes = [c for c in frame.columns if c != frame.geometry.name]
    renamed = _shp_names([str(c) for c in attributes])
    frame = frame.rename(columns=renamed)
    for column in renamed.values():
        if frame[column].dtype == object:
            frame[column] = frame[column].map(_cut_utf8)
        elif pd.api.types.is_bool_dtype(frame[column]):
            # dBASE has a logical type but GDAL writes it as an integer: say true/false instead.
            frame[column] = frame[column].map(BOOLEAN_TEXT).astype(object)
    if frame.crs is None:
        frame = frame.set_crs(WEB_CRS)
    with tempfile.TemporaryDirectory(prefix="palmap-") as tmp:
        shp = Path(tmp) / f"{layer}.shp"
        pyogrio.write_dataframe(
            frame,
            str(shp),
            layer=layer,
            driver="ESRI Shapefile",
            encoding="UTF-8",
            promote_to_multi="polygon" in kinds,
        )
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for part in sorted(Path(tmp).iterdir()):
                archive.write(part, arcname=part.name)
    with _target(path_or_buffer) as handle:
        handle.write(buffer.getvalue())
