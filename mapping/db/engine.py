"""Engines for the two supported backends: embedded SpatiaLite (default) and PostGIS.

SpatiaLite needs a Python whose :mod:`sqlite3` can load extensions. pyenv's and some other builds
cannot; then the ``pysqlite3`` module (the ``pysqlite3-binary`` wheel) is used instead. On every new
SQLite connection this module loads ``mod_spatialite``, turns on WAL and a busy timeout, enforces
foreign keys and, on a new file, initialises the spatial metadata in one transaction (about 0.04 s
instead of about 11 s; all EPSG SRIDs, because areas are measured in EPSG:2180).

:class:`Engine` is SQLAlchemy's, re-exported so that code outside :mod:`mapping.db` (the app, the
notebooks) can name the type without importing a SQL library.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

# GDAL first, SpatiaLite second. SQLite loads extensions with RTLD_GLOBAL, so mod_spatialite puts
# the system's PROJ and SQLite symbols in the global scope; if pyogrio's bundled GDAL is loaded
# after that, writing a GeoPackage in the same process crashes (segfault, seen with pyogrio 0.13).
# Loading pyogrio before any SpatiaLite connection avoids it; tests/db/test_engine.py checks.
import pyogrio  # noqa: F401  (imported for the load order above)
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url

from mapping.errors import ConfigurationError

__all__ = [
    "DEFAULT_BUSY_TIMEOUT_MS",
    "DEFAULT_SPATIALITE_LIBRARY",
    "Engine",
    "connect",
    "create_engine",
    "default_sqlite_url",
]

log = logging.getLogger(__name__)

#: How long a SQLite writer waits for another one before "database is locked" (milliseconds).
DEFAULT_BUSY_TIMEOUT_MS = 30_000
#: Name (or path) of the SpatiaLite extension, as sqlite3's load_extension takes it.
DEFAULT_SPATIALITE_LIBRARY = "mod_spatialite"


def default_sqlite_url(instance_dir: str | Path, filename: str = "palmap.sqlite") -> str:
    """Return the URL of the embedded database file in ``instance_dir`` (absolute path).

    Examples
    --------
    >>> default_sqlite_url("/srv/palmap/instance")
    'sqlite:////srv/palmap/instance/palmap.sqlite'
    """
    return f"sqlite:///{Path(instance_dir).resolve() / filename}"


def _sqlite_module() -> ModuleType:
    """The DB-API module to use for SQLite: the standard one if it can load extensions."""
    probe = sqlite3.connect(":memory:")
    try:
        if hasattr(probe, "enable_load_extension"):
            return sqlite3
    finally:
        probe.close()
    try:
        from pysqlite3 import dbapi2
    except ImportError as exc:  # pragma: no cover - depends on the machine
        raise ConfigurationError(
            "expected a sqlite3 module that can load extensions (needed for SpatiaLite), got one "
            "without enable_load_extension; install pysqlite3-binary (pip install pysqlite3-binary)"
            " or use a Python built with loadable SQLite extensions"
        ) from exc
    return dbapi2


def _has_spatial_metadata(dbapi_conn: Any) -> bool:
    cur = dbapi_conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'spatial_ref_sys'"
    )
    try:
        return cur.fetchone() is not None
    finally:
        cur.close()


def _sqlite_on_connect(library: str, busy_timeout_ms: int) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.enable_load_extension(True)
        try:
            dbapi_conn.load_extension(library)
        except Exception as exc:
            raise ConfigurationError(
                f"expected the SpatiaLite extension {library!r} to load, got: {exc}; install it "
                "(apt-get install libsqlite3-mod-spatialite) or set PALMAP_SPATIALITE_LIBRARY to "
                "the path of mod_spatialite.so"
            ) from exc
        finally:
            dbapi_conn.enable_load_extension(False)
        for pragma in (
            f"PRAGMA busy_timeout = {int(busy_timeout_ms)}",
            "PRAGMA journal_mode = WAL",
            "PRAGMA synchronous = NORMAL",
            "PRAGMA foreign_keys = ON",
        ):
            dbapi_conn.execute(pragma).close()
        if not _has_spatial_metadata(dbapi_conn):
            # InitSpatialMetaData(1): all SRIDs, inside a single transaction.
            dbapi_conn.execute("SELECT InitSpatialMetaData(1)").close()
            dbapi_conn.commit()
            log.info("initialised SpatiaLite metadata")

    return on_connect


def create_engine(
    url: str | URL,
    *,
    spatialite_library: str = DEFAULT_SPATIALITE_LIBRARY,
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    echo: bool = False,
) -> Engine:
    """Create an engine for a SpatiaLite file or a PostGIS database.

    Parameters
    ----------
    url
        ``sqlite:////absolute/path.sqlite`` (SpatiaLite) or ``postgresql+psycopg://user@host/db``.
    spatialite_library
        Name or path of the SpatiaLite extension.
    busy_timeout_ms
        SQLite busy timeout: how long a writer waits for a lock.
    echo
        Log every SQL statement (debugging).

    Raises
    ------
    ConfigurationError
        For an unsupported URL scheme, an in-memory SQLite URL or a folder that does not exist.

    Examples
    --------
    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> engine = create_engine(default_sqlite_url(folder))
    >>> with engine.connect() as conn:
    ...     conn.exec_driver_sql("PRAGMA journal_mode").scalar()
    'wal'
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:"):
            raise ConfigurationError(
                "expected a SQLite database file, got an in-memory URL; give a path such as "
                "sqlite:////srv/palmap/instance/palmap.sqlite"
            )
        folder = Path(database).parent
        if not folder.is_dir():
            raise ConfigurationError(
                f"expected the folder {folder} of the database file to exist; create it first"
            )
        engine = sa.create_engine(
            parsed.set(drivername="sqlite+pysqlite"),
            module=_sqlite_module(),
            connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
            echo=echo,
        )
        event.listen(engine, "connect", _sqlite_on_connect(spatialite_library, busy_timeout_ms))
        return engine
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return sa.create_engine(parsed, pool_pre_ping=True, echo=echo)
    raise ConfigurationError(
        f"expected a sqlite:/// or postgresql+psycopg:// database URL, got {parsed.drivername!r}"
    )


def connect(url: str | URL, **options: Any) -> Engine:
    """Alias of :func:`create_engine` for notebooks: ``engine = connect(url)``.

    Examples
    --------
    >>> import tempfile
    >>> connect(default_sqlite_url(tempfile.mkdtemp())).dialect.name
    'sqlite'
    """
    return create_engine(url, **options)
