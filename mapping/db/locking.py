"""One writer at a time: palmap's write lock on a database, and who holds it.

Every palmap write (an import, ``load-demo``, ``init-db``'s migrations, ``categories add|rename``)
runs in :func:`write_transaction`, which takes the database's write lock FIRST, before it reads
the rows it will match against, so that a second import started at the same time waits for the
first one's commit and then finds its rows ("unchanged"), never duplicating them:

- SQLite: ``BEGIN IMMEDIATE`` (the write lock at the start of the transaction; readers go on in
  WAL mode). While it waits, SQLite's busy handler retries for up to :attr:`Wait.seconds`.
- PostgreSQL: a transaction-level advisory lock on :data:`ADVISORY_KEY`
  (``pg_advisory_xact_lock``), released by the commit or the rollback; waits at most
  :attr:`Wait.seconds` (``lock_timeout``).

Who holds the lock, and since when (:class:`Holder`): on PostgreSQL the holder names itself in
its ``application_name`` for the transaction, which ``pg_stat_activity`` shows next to the
transaction's start; on SQLite the holder writes a small JSON file next to the database
(``<database>-writer``: process id, host, what, since), removed when it ends; a file left by a
process that no longer runs is ignored.

The store's saves call :func:`hold_write_lock` themselves, so a caller that writes with a plain
``engine.begin()`` (a notebook) is serialised too (waiting as long as the connection's busy
timeout, or on PostgreSQL as long as it takes).
"""

from __future__ import annotations

import json
import os
import re
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from mapping.errors import DatabaseBusyError

__all__ = [
    "ADVISORY_KEY",
    "DEFAULT_WAIT",
    "DEFAULT_WAIT_SECONDS",
    "Holder",
    "Wait",
    "hold_write_lock",
    "is_busy_error",
    "write_transaction",
]

#: How long a writer waits for another one by default (seconds; PALMAP_IMPORT_WAIT).
DEFAULT_WAIT_SECONDS = 600.0
#: palmap's PostgreSQL advisory lock key: "palmap" in ASCII.
ADVISORY_KEY = int.from_bytes(b"palmap", "big")
#: The suffix of the SQLite holder file (next to ``-wal`` and ``-shm``).
HOLDER_SUFFIX = "-writer"
#: SQLite's messages for a lock it could not get within its busy timeout.
_BUSY_MESSAGES = ("database is locked", "database table is locked", "database is busy")
#: PostgreSQL's SQLSTATE for a lock not granted within ``lock_timeout``.
_LOCK_NOT_AVAILABLE = "55P03"
_APPLICATION_NAME = re.compile(r"^palmap: (?P<what>.*) \(pid (?P<pid>\d+)\)$")


@dataclass(frozen=True)
class Holder:
    """Who holds the write lock, as far as the database can tell (None: not known)."""

    what: str | None = None
    pid: int | None = None
    since: datetime | None = None

    @property
    def known(self) -> bool:
        """Whether anything is known about the holder."""
        return self.what is not None or self.pid is not None

    def __str__(self) -> str:
        """``palmap import resources since 17:40:02 (pid 4242)``, or what is known of it
        (the time in the local time zone).

        Examples
        --------
        >>> str(Holder())
        'another writer'
        >>> str(Holder("import resources", 4242))
        'palmap import resources (pid 4242)'
        """
        if not self.known:
            text = "another writer"
        else:
            text = f"palmap {self.what or 'writer'}"
        if self.since is not None:
            text += f" since {self.since.astimezone().strftime('%H:%M:%S')}"
        if self.pid is not None:
            text += f" (pid {self.pid})"
        return text


@dataclass(frozen=True)
class Wait:
    """How a writer waits for the lock: at most ``seconds`` (0: not at all), calling
    ``on_wait(holder, seconds)`` once when it has to wait."""

    seconds: float = DEFAULT_WAIT_SECONDS
    on_wait: Callable[[Holder, float], None] | None = None


DEFAULT_WAIT = Wait()


def is_busy_error(error: BaseException) -> bool:
    """True for SQLite's "database is locked" and PostgreSQL's lock timeout."""
    orig = getattr(error, "orig", error)
    if getattr(orig, "sqlstate", None) == _LOCK_NOT_AVAILABLE:
        return True
    text = str(orig).lower()
    return any(message in text for message in _BUSY_MESSAGES)


def _busy(holder: Holder, seconds: float) -> DatabaseBusyError:
    waited = f"within {seconds:g} s" if seconds > 0 else "at once"
    return DatabaseBusyError(
        f"expected the database to be free for writing {waited}, got it still held by {holder};"
        " nothing was written. Run this again when that has finished, or allow a longer wait"
    )


# ---------------------------------------------------------------------------------------------
# SQLite


def holder_file(engine: Engine) -> Path:
    """The file in which a SQLite writer says who it is."""
    database = Path(str(engine.url.database)).resolve()
    return database.with_name(database.name + HOLDER_SUFFIX)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _read_holder_file(path: Path) -> Holder:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        pid = int(record["pid"])
        since = datetime.fromisoformat(str(record["since"]))
        what = str(record["what"])
        host = str(record.get("host", ""))
    except (OSError, ValueError, KeyError, TypeError):
        return Holder()
    if host == socket.gethostname() and not _running(pid):
        return Holder()  # left by a process that was killed
    return Holder(what, pid, since)


def _write_holder_file(path: Path, what: str) -> bool:
    """Write the holder file (True), or nothing when the folder refuses it (False)."""
    record = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "what": what,
        "since": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    partial = path.with_name(f"{path.name}.{os.getpid()}")
    try:
        partial.write_text(json.dumps(record), encoding="utf-8")
        partial.replace(path)
    except OSError:  # only information for a waiting writer: never fail a write for it
        with suppress(OSError):
            partial.unlink(missing_ok=True)
        return False
    return True


def _in_transaction(conn: Connection) -> bool:
    driver = conn.connection.driver_connection
    return bool(getattr(driver, "in_transaction", False))


def _try_begin_immediate(conn: Connection) -> bool:
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    except sa.exc.OperationalError as error:
        if is_busy_error(error):
            return False
        raise
    return True


def _sqlite_acquire(conn: Connection, engine: Engine, wait: Wait) -> None:
    """``BEGIN IMMEDIATE``: at once if free, else after telling ``wait.on_wait`` who holds it."""
    previous = int(conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one())
    try:
        conn.exec_driver_sql("PRAGMA busy_timeout = 0")
        if _try_begin_immediate(conn):
            return
        holder = _read_holder_file(holder_file(engine))
        if wait.seconds <= 0:
            raise _busy(holder, 0)
        if wait.on_wait is not None:
            wait.on_wait(holder, wait.seconds)
        conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(wait.seconds * 1000)}")
        if not _try_begin_immediate(conn):
            raise _busy(_read_holder_file(holder_file(engine)), wait.seconds)
    finally:
        conn.exec_driver_sql(f"PRAGMA busy_timeout = {previous}")


# ---------------------------------------------------------------------------------------------
# PostgreSQL


def _pg_holder(conn: Connection) -> Holder:
    """The session holding palmap's advisory lock, from ``pg_locks`` and ``pg_stat_activity``."""
    row = conn.execute(
        sa.text(
            "SELECT a.pid, a.application_name, a.xact_start FROM pg_locks l "
            "JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = :high "
            "AND l.objid = :low AND l.objsubid = 1 "
            "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ),
        {"high": ADVISORY_KEY >> 32, "low": ADVISORY_KEY & 0xFFFFFFFF},
    ).first()
    if row is None:
        return Holder()
    named = _APPLICATION_NAME.match(row.application_name or "")
    if named is None:  # not palmap: only since when is known
        return Holder(since=row.xact_start)
    return Holder(named["what"], int(named["pid"]), row.xact_start)


def _pg_acquire(conn: Connection, wait: Wait) -> None:
    key = {"key": ADVISORY_KEY}
    if not conn.execute(sa.text("SELECT pg_try_advisory_xact_lock(:key)"), key).scalar_one():
        holder = _pg_holder(conn)
        if wait.seconds <= 0:
            raise _busy(holder, 0)
        if wait.on_wait is not None:
            wait.on_wait(holder, wait.seconds)
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = {max(1, int(wait.seconds * 1000))}")
        try:
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), key)
        except sa.exc.OperationalError as error:
            if not is_busy_error(error):
                raise
            raise _busy(holder, wait.seconds) from None
        conn.exec_driver_sql("SET LOCAL lock_timeout TO DEFAULT")


def _pg_name(conn: Connection, what: str) -> None:
    """Say who holds the lock, for the writers that wait (reverts at the end of the transaction)."""
    name = f"palmap: {what} (pid {os.getpid()})"
    conn.execute(sa.text("SELECT set_config('application_name', :name, true)"), {"name": name})


# ---------------------------------------------------------------------------------------------
# Both


def hold_write_lock(conn: Connection) -> None:
    """Make sure ``conn``'s transaction holds palmap's write lock before it reads what it will
    change (a no-op inside :func:`write_transaction`).

    SQLite: ``BEGIN IMMEDIATE`` unless the transaction already began (in palmap's SQLite setup a
    transaction begins only with a write or ``BEGIN IMMEDIATE``, so it then holds the lock).
    PostgreSQL: ``pg_advisory_xact_lock`` (re-entrant: taking it again costs nothing).
    """
    if conn.dialect.name == "sqlite":
        if not _in_transaction(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_KEY})


@contextmanager
def write_transaction(
    engine: Engine, *, what: str, wait: Wait = DEFAULT_WAIT
) -> Iterator[Connection]:
    """A transaction that holds palmap's write lock from its first statement; commits at the end,
    rolls back on an error.

    Parameters
    ----------
    engine
        The database.
    what
        What writes, as a waiting writer is told (``import resources``, ``load-demo``).
    wait
        How long to wait for another writer, and whom to tell.

    Raises
    ------
    DatabaseBusyError
        Another writer held the lock for longer than ``wait.seconds``; nothing was written.

    Examples
    --------
    >>> import tempfile
    >>> from mapping.db.engine import create_engine, default_sqlite_url
    >>> engine = create_engine(default_sqlite_url(tempfile.mkdtemp()))
    >>> with write_transaction(engine, what="example") as conn:
    ...     _ = conn.exec_driver_sql("CREATE TABLE t (x)")
    >>> with write_transaction(engine, what="example") as first:
    ...     try:
    ...         with write_transaction(engine, what="second", wait=Wait(0)) as second:
    ...             pass
    ...     except DatabaseBusyError as error:
    ...         print(str(error)[:63])
    expected the database to be free for writing at once, got it st
    """
    sqlite = engine.dialect.name == "sqlite"
    named = False
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            if sqlite:
                _sqlite_acquire(conn, engine, wait)
                named = _write_holder_file(holder_file(engine), what)
            elif engine.dialect.name == "postgresql":
                _pg_acquire(conn, wait)
                _pg_name(conn, what)
            yield conn
        except BaseException:
            transaction.rollback()
            raise
        else:
            transaction.commit()
        finally:
            if named:
                holder_file(engine).unlink(missing_ok=True)
