"""Population surfaces in the database: one set of points per year (:mod:`mapping.population`).

A surface is saved per year as a whole: importing a year again replaces that year's points (the
surface is one data set, not rows to match one by one), in the caller's transaction, after
taking palmap's write lock. Points are longitude, latitude (EPSG:4326) and population.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mapping.db.base import Bind, SaveResult, connection
from mapping.db.locking import hold_write_lock
from mapping.db.models import Base

__all__ = ["POPULATION", "load_population", "population_years", "save_population"]

POPULATION: sa.Table = Base.metadata.tables["population_point"]
#: Rows per INSERT statement.
_CHUNK = 20_000
_COLUMNS = ("year", "lon", "lat", "population")


def load_population(bind: Bind, *, year: int | None = None) -> pd.DataFrame:
    """The stored surface points (``year``, ``lon``, ``lat``, ``population``), all years or one;
    an empty frame with those columns when there are none (or the table does not exist yet)."""
    with connection(bind) as conn:
        if not sa.inspect(conn).has_table(POPULATION.name):
            return pd.DataFrame({c: pd.Series(dtype="float64") for c in _COLUMNS})
        stmt = sa.select(*(POPULATION.c[c] for c in _COLUMNS)).order_by(POPULATION.c.id)
        if year is not None:
            stmt = stmt.where(POPULATION.c.year == int(year))
        rows = conn.execute(stmt).all()
    frame = pd.DataFrame(rows, columns=list(_COLUMNS))
    frame["year"] = frame["year"].astype("int64")
    for column in ("lon", "lat", "population"):
        frame[column] = frame[column].astype("float64")
    return frame


def population_years(bind: Bind) -> pd.DataFrame:
    """Per year with a surface: ``year``, ``points``, ``population`` (their sum)."""
    stmt = (
        sa.select(
            POPULATION.c.year,
            sa.func.count().label("points"),
            sa.func.sum(POPULATION.c.population).label("population"),
        )
        .group_by(POPULATION.c.year)
        .order_by(POPULATION.c.year)
    )
    with connection(bind) as conn:
        rows = conn.execute(stmt).all()
    return pd.DataFrame(rows, columns=["year", "points", "population"])


def save_population(conn: Connection, points: pd.DataFrame, *, year: int) -> SaveResult:
    """Replace the surface of ``year`` by ``points`` (``lon``, ``lat``, ``population``).

    Returns ``inserted`` (points written) and ``deleted`` (points of the year before); a surface
    equal to the stored one, point for point, is left ``unchanged``.
    """
    hold_write_lock(conn)
    given = points[["lon", "lat", "population"]].astype("float64").reset_index(drop=True)
    stored = load_population(conn, year=year)[["lon", "lat", "population"]]
    if len(stored) == len(given) and bool((stored.to_numpy() == given.to_numpy()).all()):
        return SaveResult(unchanged=len(given))
    deleted = conn.execute(sa.delete(POPULATION).where(POPULATION.c.year == int(year))).rowcount
    records = [
        {"year": int(year), "lon": lon, "lat": lat, "population": population}
        for lon, lat, population in given.itertuples(index=False, name=None)
    ]
    for start in range(0, len(records), _CHUNK):
        conn.execute(sa.insert(POPULATION), records[start : start + _CHUNK])
    return SaveResult(inserted=len(records), deleted=int(deleted or 0))
