"""Is the database sound? The start-up check and ``palmap check-db``.

SQLite: the file itself is checked before palmap opens it with SpatiaLite (which would write
spatial metadata into an empty file): not empty, SQLite's header, as long as its header says,
and ``PRAGMA quick_check`` (every b-tree page readable and well formed; ``full=True`` runs
``PRAGMA integrity_check``, which also compares every index with its table). The check opens the
file read-only with Python's own :mod:`sqlite3` (no extension needed) and takes about 0.02 s on
the demo database and 0.1 s with 100,000 resources. A file that fails it is refused by every
command and by the web app at start-up: palmap neither serves nor writes into a damaged file,
and never turns an existing empty file into a new database (which ``make run`` would then fill
with the demo data).

PostgreSQL: the server answers, PostGIS is installed and the schema's revision (Alembic) is
the newest; ``quick_check`` is SQLite's.

:func:`database_error` turns the driver's errors that reach a command (locked, conflicting,
damaged) into palmap's errors with words and a fix.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from mapping.db.locking import is_busy_error
from mapping.errors import (
    ConfigurationError,
    DatabaseBusyError,
    DatabaseDamagedError,
    MappingError,
)

__all__ = [
    "Finding",
    "Health",
    "check_database",
    "database_error",
    "require_healthy",
    "sqlite_path",
    "startup_problem",
]

#: The first 16 bytes of every SQLite database file.
SQLITE_HEADER = b"SQLite format 3\x00"
#: How many of quick_check's findings a message quotes.
QUOTED = 3
#: What SQLite says about a damaged file (messages of SQLITE_CORRUPT, SQLITE_NOTADB, ...).
_DAMAGE_MESSAGES = ("malformed", "not a database", "disk i/o error", "file is encrypted")

RESTORE = (
    "stop palmap, move the damaged file aside, copy your last good backup (made with `palmap "
    "backup FILE`) to {path} (delete {path}-wal and {path}-shm if they exist) and run `palmap "
    "check-db`. Without a backup, the sqlite3 shell's `.recover` command may save part of the "
    "data into a new file"
)


@dataclass(frozen=True)
class Finding:
    """One thing checked: ``name`` (``file``, ``integrity``, ``schema``, ``server``, ``postgis``),
    whether it is fine, and what was found, in words."""

    name: str
    ok: bool
    text: str


@dataclass(frozen=True)
class Health:
    """What ``palmap check-db`` found: every finding, and what to do when one is not fine."""

    database: str
    findings: tuple[Finding, ...]
    advice: str = ""

    @property
    def ok(self) -> bool:
        """Whether every check passed."""
        return all(finding.ok for finding in self.findings)


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for another backend).

    Examples
    --------
    >>> sqlite_path("sqlite:////srv/palmap/palmap.sqlite")
    PosixPath('/srv/palmap/palmap.sqlite')
    >>> sqlite_path("postgresql+psycopg://db/palmap") is None
    True
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    return Path(parsed.database)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _header_finding(path: Path) -> Finding | None:
    """Empty, too short, not SQLite, or shorter than its header says (None: the header is fine)."""
    size = path.stat().st_size
    if size == 0:
        if _size(Path(f"{path}-wal")) > 0:
            return None  # every page may still be in the write-ahead log: let SQLite read it
        return Finding(
            "file",
            False,
            f"{path} exists but is empty (0 bytes), so it is not a palmap database",
        )
    with path.open("rb") as handle:
        header = handle.read(100)
    if not header.startswith(SQLITE_HEADER):
        return Finding(
            "file",
            False,
            f"{path} does not start with SQLite's header, so it is not a SQLite database (another"
            " file may have been copied over it, or its start was overwritten)",
        )
    if len(header) < 100:
        return Finding("file", False, f"{path} is {size} bytes long: it was cut short")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    valid_for, changes = header[92:96], header[24:28]
    expected = pages * page_size
    if valid_for == changes and pages and size < expected and _size(Path(f"{path}-wal")) == 0:
        return Finding(
            "file",
            False,
            f"{path} is {size:,} bytes long, but its header says {expected:,} ({pages:,} pages of "
            f"{page_size:,} bytes): it was cut short",
        )
    return None


def _read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection to the file with Python's sqlite3 (no SpatiaLite; writes nothing)."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _problems(rows: list[tuple[object, ...]]) -> list[str]:
    lines: list[str] = []
    for row in rows:
        lines.extend(str(row[0]).splitlines())
    return [line for line in lines if line.strip() and not line.startswith("*** in database")]


def _integrity_finding(path: Path, *, full: bool) -> Finding:
    pragma = "integrity_check" if full else "quick_check"
    started = time.perf_counter()
    try:
        db = _read_only(path)
        try:
            rows = db.execute(f"PRAGMA {pragma}").fetchall()
        finally:
            db.close()
    except sqlite3.OperationalError as error:
        if "unable to open" not in str(error):
            raise
        return Finding("file", False, f"SQLite cannot open {path}: {error}")
    except sqlite3.DatabaseError as error:
        return Finding(
            "integrity", False, f"SQLite cannot read {path}: {error} (the file is damaged)"
        )
    problems = _problems(rows)
    if problems == ["ok"]:
        return Finding(
            "integrity", True, f"PRAGMA {pragma}: ok ({time.perf_counter() - started:.2f} s)"
        )
    quoted = "; ".join(problems[:QUOTED])
    if len(problems) > QUOTED:
        quoted += f"; and {len(problems) - QUOTED} more"
    return Finding(
        "integrity",
        False,
        f"{path} is damaged: SQLite's PRAGMA {pragma} found {len(problems)} problem(s): {quoted}",
    )


def _file_findings(path: Path, *, full: bool) -> list[Finding]:
    header = _header_finding(path)
    if header is not None:
        return [header]
    return [
        Finding("file", True, f"{path}, {_size(path):,} bytes"),
        _integrity_finding(path, full=full),
    ]


def _what_to_do(path: Path, bad: Finding) -> str:
    """What to do about a file that is not fine."""
    if "exists but is empty" in bad.text:
        return (
            "palmap will neither create a new database in a file that was already there nor "
            "load the demo data into it. If it should hold your data, copy your last good backup "
            f"(made with `palmap backup FILE`) to {path}. To start a new database there, delete "
            f"the empty file {path} and run `palmap init-db` (and `palmap load-demo` for the "
            "demo data)"
        )
    if "cannot open" in bad.text:
        return (
            "palmap cannot check it. Make sure the user palmap runs as may read and write the file"
            f" and its folder {path.parent}, then run `palmap check-db`"
        )
    return (
        f"palmap will neither serve it nor write into it. What to do: {RESTORE.format(path=path)}"
    )


def _first_bad(findings: list[Finding]) -> Finding:
    return next(finding for finding in findings if not finding.ok)


def startup_problem(url: str) -> str | None:
    """Why palmap must not open the database at ``url`` (None: it may; a SQLite file that does not
    exist yet may be created; other backends are not checked here)."""
    path = sqlite_path(url)
    if path is None or not path.exists():
        return None
    findings = _file_findings(path, full=False)
    if all(finding.ok for finding in findings):
        return None
    bad = _first_bad(findings)
    return f"{bad.text}. {_what_to_do(path, bad)}"


def require_healthy(url: str) -> None:
    """Raise :class:`DatabaseDamagedError` when :func:`startup_problem` finds one."""
    problem = startup_problem(url)
    if problem is not None:
        raise DatabaseDamagedError(problem)


def _revision_finding(revision: str | None) -> Finding:
    from mapping.db.migrate import head_revision, known_revision

    head = head_revision()
    if revision is None:
        return Finding(
            "schema", False, "no palmap schema (never migrated): run `palmap init-db` to create it"
        )
    if revision == head:
        return Finding("schema", True, f"at revision {revision}, the newest")
    if not known_revision(revision):
        return Finding(
            "schema",
            False,
            f"at revision {revision}, which this palmap does not know (newest {head}): a newer "
            "palmap wrote it; run that palmap",
        )
    return Finding(
        "schema",
        False,
        f"at revision {revision}, newest {head}: run `palmap init-db` to upgrade it (nothing is "
        "lost)",
    )


def _sqlite_revision(path: Path) -> str | None:
    db = _read_only(path)
    try:
        row = db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()
        if row is None:
            return None
        version = db.execute("SELECT version_num FROM alembic_version").fetchone()
        return None if version is None else str(version[0])
    finally:
        db.close()


def _check_sqlite(path: Path, *, full: bool) -> Health:
    if not path.exists():
        finding = Finding("file", False, f"{path} does not exist")
        return Health(str(path), (finding,), "run `palmap init-db` to create the database")
    findings = _file_findings(path, full=full)
    if all(finding.ok for finding in findings):
        findings.append(_revision_finding(_sqlite_revision(path)))
    advice = ""
    if not all(finding.ok for finding in findings[:2]):
        advice = _what_to_do(path, _first_bad(findings))
    elif not findings[-1].ok:
        advice = findings[-1].text
    return Health(str(path), tuple(findings), advice)


def _check_postgresql(url: str) -> Health:
    from mapping.db.engine import create_engine

    engine = create_engine(url)
    try:
        return _postgresql_health(engine)
    finally:
        engine.dispose()


def _postgresql_health(engine: Engine) -> Health:
    from mapping.db.migrate import current_revision

    shown = engine.url.render_as_string(hide_password=True)
    try:
        with engine.connect() as conn:
            server = str(conn.exec_driver_sql("SHOW server_version").scalar_one())
            postgis = conn.exec_driver_sql(
                "SELECT extversion FROM pg_extension WHERE extname = 'postgis'"
            ).scalar()
    except sa.exc.DBAPIError as error:
        reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
        finding = Finding("server", False, f"cannot connect: {reason}")
        return Health(
            shown,
            (finding,),
            f"cannot connect to {shown}: {reason}; check PALMAP_DATABASE_URL and that the server "
            "runs and accepts this user",
        )
    findings = [Finding("server", True, f"PostgreSQL {server} answers")]
    if postgis is None:
        findings.append(Finding("postgis", False, "the PostGIS extension is not installed"))
        return Health(
            shown,
            tuple(findings),
            "run `CREATE EXTENSION postgis` in the database (as its owner), then `palmap init-db`",
        )
    findings.append(Finding("postgis", True, f"PostGIS {postgis}"))
    findings.append(_revision_finding(current_revision(engine)))
    return Health(shown, tuple(findings), "" if findings[-1].ok else findings[-1].text)


def check_database(url: str, *, full: bool = False) -> Health:
    """Check the database at ``url`` without changing it (``palmap check-db``).

    SQLite: the file (present, not empty, SQLite's header, its whole length), ``PRAGMA
    quick_check`` (``integrity_check`` with ``full``) and the schema revision. PostgreSQL: the
    connection, PostGIS and the schema revision.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> empty = pathlib.Path(tempfile.mkdtemp()) / "palmap.sqlite"
    >>> empty.touch()
    >>> health = check_database(f"sqlite:///{empty}")
    >>> health.ok, health.findings[0].text.endswith("so it is not a palmap database")
    (False, True)
    """
    path = sqlite_path(url)
    if path is not None:
        return _check_sqlite(path, full=full)
    return _check_postgresql(url)


def database_error(error: BaseException) -> MappingError | None:
    """palmap's error for a database driver's error that reached a command, or None.

    "database is locked" (another program held SQLite's write lock past the busy timeout) and a
    unique-key conflict (another writer saved the same rows at the same time) become
    :class:`DatabaseBusyError`; a damaged file becomes :class:`DatabaseDamagedError`.
    """
    if not isinstance(error, sa.exc.DBAPIError):
        return None
    reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
    if is_busy_error(error):
        return DatabaseBusyError(
            f"expected to write to the database, got it locked by another program for longer "
            f"than the wait ({reason}); nothing was written. Run this again when it has finished"
        )
    if isinstance(error, sa.exc.IntegrityError):
        return DatabaseBusyError(
            f"expected the database to accept the rows, got a conflict ({reason}); nothing was "
            "written. If another program wrote the same rows at the same time, run this again: "
            "palmap then updates them"
        )
    if any(message in reason.lower() for message in _DAMAGE_MESSAGES):
        return DatabaseDamagedError(
            f"expected a sound database, got SQLite saying: {reason}. The file is damaged: run "
            "`palmap check-db` for what is wrong, and restore your last good backup (made with "
            "`palmap backup FILE`)"
        )
    if isinstance(error, sa.exc.OperationalError) and error.connection_invalidated:
        return ConfigurationError(
            f"expected to reach the database, got: {reason}; check PALMAP_DATABASE_URL and that "
            "the database server runs"
        )
    return None
