"""The state of a database: is it migrated, its data version, how many rows each table holds."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import func, select

from mapping.db.base import DISTRICT, RESOURCE, TABLES, VALUE, Bind, connection
from mapping.db.models import Base, DataVersion
from mapping.errors import DatabaseNotReadyError


def schema_ready(bind: Bind) -> bool:
    """True when every palmap table exists (the database was migrated)."""
    with connection(bind) as conn:
        names = set(sa.inspect(conn).get_table_names())
    return set(TABLES) <= names


def require_schema(bind: Bind) -> None:
    """Raise :class:`DatabaseNotReadyError` unless the database was migrated."""
    if not schema_ready(bind):
        raise DatabaseNotReadyError(
            "expected a migrated palmap database, got one without palmap's tables; "
            "run `palmap init-db` first"
        )


def data_version(bind: Bind) -> int:
    """The data version: a counter that every insert, update or delete in palmap's tables raises,
    whoever makes it (database triggers of migration 0002). Pages are cached per version.

    Examples
    --------
    >>> import tempfile
    >>> from mapping.db.engine import create_engine, default_sqlite_url
    >>> from mapping.db.migrate import upgrade
    >>> engine = create_engine(default_sqlite_url(tempfile.mkdtemp()))
    >>> _ = upgrade(engine)
    >>> before = data_version(engine)
    >>> with engine.begin() as conn:
    ...     _ = conn.execute(sa.text("UPDATE resource_category SET colour = '#000000'"))
    >>> data_version(engine) > before
    True
    """
    try:
        with connection(bind) as conn:
            return int(conn.execute(select(DataVersion.version)).scalar_one())
    except (sa.exc.OperationalError, sa.exc.ProgrammingError) as error:
        require_schema(bind)  # no palmap tables at all: say "run init-db" for that
        raise DatabaseNotReadyError(
            "expected a palmap database at the newest schema, got one without its data "
            "version; run `palmap init-db` to upgrade it (nothing is lost)"
        ) from error


def table_counts(bind: Bind) -> dict[str, int]:
    """Number of rows in every palmap table.

    Examples
    --------
    >>> import tempfile
    >>> from mapping.db.engine import create_engine, default_sqlite_url
    >>> from mapping.db.migrate import upgrade
    >>> engine = create_engine(default_sqlite_url(tempfile.mkdtemp()))
    >>> _ = upgrade(engine)
    >>> table_counts(engine)["resource_category"]
    11
    """
    with connection(bind) as conn:
        return {
            name: int(
                conn.execute(
                    select(func.count()).select_from(Base.metadata.tables[name])
                ).scalar_one()
            )
            for name in TABLES
        }


def is_empty(bind: Bind) -> bool:
    """True when no district, resource or indicator value has been loaded yet (the categories
    and indicators that migrations seed do not count)."""
    with connection(bind) as conn:
        return all(
            conn.execute(select(func.count()).select_from(table)).scalar_one() == 0
            for table in (DISTRICT, RESOURCE, VALUE)
        )
