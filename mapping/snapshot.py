"""Frames frozen as bytes and read back exactly: the content of a published edition.

An edition (:mod:`mapping.editions`) keeps the frames every page reads (:class:`
mapping.analysis.AnalysisData`) as they were when it was published. Each frame is written as
gzip-compressed JSON that names every column's dtype; floats are written with ``repr`` (JSON
keeps every digit), geometries as WKB in hex, times as ISO 8601 with their offset, missing values
as ``null``. Reading gives back a frame equal to the one written, dtypes included, so that a page
of an edition is the page of the data as published, byte for byte.

Nothing here runs code from the bytes (no pickle): a damaged or forged snapshot is a
:class:`~mapping.errors.ValidationError`, never an execution.
"""

from __future__ import annotations

import gzip
import json
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from mapping.errors import ValidationError

__all__ = ["FORMAT", "dumps", "loads"]

#: Written into every snapshot; a reader refuses another.
FORMAT = "palmap-frame/1"

#: dtypes a snapshot may hold, by their name as pandas writes it.
_DTYPES: frozenset[str] = frozenset(
    {"int64", "Int64", "float64", "Float64", "bool", "boolean", "object", "string", "str"}
)


def _cell(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def _column(series: pd.Series) -> tuple[str, list[Any]]:
    dtype = str(series.dtype)
    if dtype.startswith("datetime64"):
        return dtype, [None if pd.isna(v) else pd.Timestamp(v).isoformat() for v in series]
    if dtype not in _DTYPES:
        raise ValueError(f"column {series.name}: a snapshot cannot keep dtype {dtype}")
    if dtype == "object":
        values = [_cell(v) for v in series]
        odd = next((v for v in values if not isinstance(v, str | int | float | bool | None)), None)
        if odd is not None:
            return "object:str", [None if v is None else str(v) for v in values]
        return dtype, values
    return dtype, [_cell(v) for v in series]


def dumps(frame: pd.DataFrame) -> bytes:
    """``frame`` (a GeoDataFrame too) as the bytes of a snapshot.

    >>> frame = pd.DataFrame({"code": ["a", None], "n": pd.array([1, None], dtype="Int64")})
    >>> loads(dumps(frame)).equals(frame)
    True
    """
    columns = []
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    for name in frame.columns:
        if name == geometry:
            wkb = shapely.to_wkb(np.asarray(frame[name].array), hex=True, output_dimension=2)
            columns.append({"name": name, "dtype": "geometry", "values": list(wkb)})
            continue
        dtype, values = _column(frame[name])
        columns.append({"name": str(name), "dtype": dtype, "values": values})
    document = {
        "format": FORMAT,
        "rows": len(frame),
        "geometry": geometry,
        "crs": None if geometry is None or frame.crs is None else frame.crs.to_string(),
        "columns": columns,
    }
    text = json.dumps(document, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return gzip.compress(text.encode("utf-8"), mtime=0)


def _series(column: dict[str, Any], rows: int) -> pd.Series | gpd.GeoSeries:
    name, dtype, values = column["name"], column["dtype"], column["values"]
    if len(values) != rows:
        raise ValidationError(f"snapshot column {name}: expected {rows} values, got {len(values)}")
    if dtype == "geometry":
        geoms = shapely.from_wkb([None if v is None else bytes.fromhex(v) for v in values])
        return gpd.GeoSeries(geoms, name=name)
    if dtype.startswith("datetime64"):
        parsed = pd.to_datetime(pd.Series(values, dtype="object"), utc="UTC" in dtype)
        return parsed.astype(dtype).rename(name)
    if dtype == "object:str":
        return pd.Series(values, dtype="object", name=name)
    if dtype not in _DTYPES:
        raise ValidationError(f"snapshot column {name}: unknown dtype {dtype!r}")
    if dtype == "object":
        return pd.Series(values, dtype="object", name=name)
    return pd.Series(values, name=name).astype(dtype)


def loads(data: bytes) -> pd.DataFrame:
    """The frame a snapshot holds (a GeoDataFrame when it had a geometry column)."""
    try:
        document = json.loads(gzip.decompress(data).decode("utf-8"))
    except (OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValidationError(f"snapshot: not a palmap snapshot ({error})") from error
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValidationError(f"snapshot: expected format {FORMAT}")
    rows = int(document["rows"])
    series = {c["name"]: _series(c, rows) for c in document["columns"]}
    frame = pd.DataFrame({name: s.reset_index(drop=True) for name, s in series.items()})
    if not len(frame.columns):
        frame = pd.DataFrame(index=pd.RangeIndex(rows))
    geometry = document.get("geometry")
    if geometry is None:
        return frame
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=document.get("crs"))
