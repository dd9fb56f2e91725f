"""What every store module shares: the typed tables, binds, the save result, values and WKB.

Reads take an :class:`~sqlalchemy.engine.Engine` or an open
:class:`~sqlalchemy.engine.Connection` (a :data:`Bind`); writes take a Connection inside the
caller's transaction. Geometry travels as WKB in EPSG:4326 (:data:`~mapping.db.models.SRID`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pandas.api.types import infer_dtype
from sqlalchemy import Table, func
from sqlalchemy.engine import Connection, Engine

from mapping.crs import WEB_CRS
from mapping.db.models import SRID, Base

Bind = Engine | Connection

#: The tables, typed as :class:`~sqlalchemy.Table` (a model's ``__table__`` is a FromClause).
DISTRICT: Table = Base.metadata.tables["district"]
CATEGORY: Table = Base.metadata.tables["resource_category"]
RESOURCE: Table = Base.metadata.tables["resource"]
INDICATOR: Table = Base.metadata.tables["indicator"]
VALUE: Table = Base.metadata.tables["indicator_value"]

#: Tables in the order they can be filled (and backed up, and counted).
TABLES: tuple[str, ...] = (
    "district",
    "resource_category",
    "resource",
    "indicator",
    "indicator_value",
)


@dataclass(frozen=True)
class SaveResult:
    """What a save did: rows inserted, updated, left as they were and deleted, and the changed
    fields for the audit log (:class:`mapping.db.audit.Change`, where the save lists them)."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    changes: tuple[Any, ...] = ()

    def __add__(self, other: SaveResult) -> SaveResult:
        return SaveResult(
            self.inserted + other.inserted,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
            self.deleted + other.deleted,
            self.changes + other.changes,
        )


@contextmanager
def connection(bind: Bind) -> Iterator[Connection]:
    """``bind`` itself when it is a Connection, else a new connection closed afterwards."""
    if isinstance(bind, Connection):
        yield bind
    else:
        with bind.connect() as conn:
            yield conn


def clean(value: Any) -> Any:
    """pandas missing values to None, numpy scalars to Python ones.

    Examples
    --------
    >>> clean(np.int64(3)), clean(float("nan")), clean(pd.NA), clean("x")
    (3, None, None, 'x')
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        return clean(value.item())
    return value


def column_values(column: pd.Series) -> list[Any]:
    """A column as Python values with every kind of missing value as None (vectorised).

    Only a column of mixed Python objects is cleaned value by value; strings, numbers and
    booleans come out of pandas as Python scalars already.

    Examples
    --------
    >>> column_values(pd.Series([1, None], dtype="Int64"))
    [1, None]
    >>> column_values(pd.Series(["a", np.nan, np.int64(2)], dtype=object))
    ['a', None, 2]
    """
    values = column.astype(object)
    plain = values.where(values.notna(), None).tolist()
    if column.dtype == object and infer_dtype(plain, skipna=True) not in ("string", "empty"):
        return [clean(v) for v in plain]
    return plain


def geom_from_wkb(column: Any) -> Any:
    """SQL that turns a WKB value into a geometry in EPSG:4326."""
    return func.ST_GeomFromWKB(column, SRID)


def geometry_param(geom: Any, *, multi: bool) -> bytes | None:
    """2D WKB of one geometry (a Polygon as a MultiPolygon with ``multi``), None for empty."""
    if geom is None or geom.is_empty:
        return None
    geom = shapely.force_2d(geom)
    if multi and geom.geom_type == "Polygon":
        geom = shapely.MultiPolygon([geom])
    return shapely.to_wkb(geom)


def points_wkb(geometry: gpd.GeoSeries) -> list[bytes | None]:
    """2D WKB of every geometry, None for missing or empty ones (vectorised)."""
    array = np.asarray(geometry.array, dtype=object)
    missing = shapely.is_missing(array) | shapely.is_empty(array)
    wkb = np.full(len(array), None, dtype=object)
    present = array[~missing]
    if len(present):
        if shapely.has_z(present).any():
            present = shapely.force_2d(present)
        wkb[~missing] = shapely.to_wkb(present)
    return list(wkb.tolist())


def read_geometry(wkb_values: pd.Series) -> gpd.GeoSeries:
    """Geometries from the WKB a query returned (bytes or memoryview, None for none)."""
    raw = [bytes(v) if v is not None else None for v in wkb_values]
    return gpd.GeoSeries(shapely.from_wkb(raw), index=wkb_values.index, crs=WEB_CRS)


def same_geometry(a: Any, b: Any) -> bool:
    """True for equal geometries, whatever ring start or orientation they were written with."""
    if a is None or b is None:
        return a is None and b is None
    # normalize: the same shape written with another ring start or orientation (SHP, GeoJSON) is
    # the same geometry.
    return bool(shapely.equals_exact(shapely.normalize(a), shapely.normalize(b), tolerance=1e-9))
