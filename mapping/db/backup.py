"""Consistent copies of the database (``palmap backup FILE``).

SQLite: the online backup API, which copies a consistent snapshot even while another process
writes (never a file copy, which can catch a half-written page or miss the WAL). PostGIS:
``pg_dump`` in its custom format (restore with ``pg_restore``).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from sqlalchemy.engine import Engine

from mapping.errors import ConfigurationError, MappingError


def libpq_url(engine: Engine) -> str:
    """The engine's URL in the form libpq tools (pg_dump, psql) take, password included."""
    url = engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def backup(engine: Engine, target: str | Path, *, overwrite: bool = False) -> Path:
    """Write a consistent copy of the database to ``target`` and return its path.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from mapping.db.engine import create_engine, default_sqlite_url
    >>> from mapping.db.migrate import upgrade
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> engine = create_engine(default_sqlite_url(folder))
    >>> _ = upgrade(engine)
    >>> backup(engine, folder / "copy.sqlite").name
    'copy.sqlite'
    """
    target = Path(target).resolve()
    if target.exists() and not overwrite:
        raise MappingError(f"expected a new file, got existing {target}; choose another name")
    if not target.parent.is_dir():
        raise MappingError(f"expected the folder {target.parent} to exist; create it first")
    if engine.dialect.name == "sqlite":
        source = Path(engine.url.database or "").resolve()
        if source == target:
            raise MappingError("expected a backup file other than the database itself")
        raw = engine.raw_connection()
        try:
            driver = raw.driver_connection
            dbapi = engine.dialect.dbapi
            if driver is None or dbapi is None:  # an invalidated connection, a DBAPI-less dialect
                raise ConfigurationError("expected a working SQLite connection to back up from")
            copy = dbapi.connect(str(target))
            try:
                driver.backup(copy)
            finally:
                copy.close()
        finally:
            raw.close()
        return target
    if engine.dialect.name == "postgresql":
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise ConfigurationError(
                "expected pg_dump on the PATH to back up PostGIS; install postgresql-client"
            )
        result = subprocess.run(
            [pg_dump, "--format=custom", "--no-owner", f"--file={target}", libpq_url(engine)],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            target.unlink(missing_ok=True)
            raise MappingError(f"pg_dump failed: {result.stderr.strip()}")
        return target
    raise ConfigurationError(f"backup of {engine.dialect.name} databases is not supported")
