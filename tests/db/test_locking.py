"""palmap's write lock (mapping.db.locking) on both backends: one writer at a time, the waiting
writer told who holds the lock, giving up after the wait, and the saves serialised even in a
plain transaction."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import geopandas as gpd
import pytest
import sqlalchemy as sa
from shapely import Point
from sqlalchemy.engine import Engine

from mapping.db import store
from mapping.db.health import database_error
from mapping.db.locking import Holder, Wait, holder_file, write_transaction
from mapping.errors import DatabaseBusyError, DatabaseDamagedError


def _one_resource(name: str = "Świetlica") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": [name], "category": ["swietlica"], "synthetic": [True]},
        geometry=[Point(16.28, 50.77)],
        crs=4326,
    )


def _hold(engine: Engine, seconds: float, started: threading.Event, what: str) -> None:
    with write_transaction(engine, what=what) as conn:
        store.save_resources(conn, _one_resource())
        started.set()
        time.sleep(seconds)


def test_a_second_writer_is_told_who_holds_the_lock_and_goes_on_after_its_commit(
    engine: Engine,
) -> None:
    started = threading.Event()
    first = threading.Thread(target=_hold, args=(engine, 1.0, started, "import resources"))
    first.start()
    assert started.wait(30)
    told: list[tuple[Holder, float]] = []
    begun = datetime.now(UTC)
    with write_transaction(
        engine, what="import resources", wait=Wait(30, lambda h, s: told.append((h, s)))
    ) as conn:
        saved = store.save_resources(conn, _one_resource())
    first.join()
    assert saved == store.SaveResult(0, 0, 1)  # the first writer's row, found after its commit
    [(holder, seconds)] = told
    assert (holder.what, holder.pid, seconds) == ("import resources", os.getpid(), 30)
    assert holder.since is not None and abs(holder.since - begun) < timedelta(seconds=30)
    assert store.table_counts(engine)["resource"] == 1


def test_a_writer_gives_up_after_the_wait_and_writes_nothing(engine: Engine) -> None:
    started = threading.Event()
    first = threading.Thread(target=_hold, args=(engine, 3.0, started, "import districts"))
    first.start()
    assert started.wait(30)
    began = time.monotonic()
    with pytest.raises(DatabaseBusyError) as caught:
        with write_transaction(engine, what="load-demo", wait=Wait(0.5)) as conn:
            conn.execute(sa.text("UPDATE resource_category SET colour = '#000000'"))
    waited = time.monotonic() - began
    first.join()
    message = str(caught.value)
    assert "within 0.5 s" in message and "palmap import districts since" in message
    assert f"(pid {os.getpid()})" in message and "nothing was written" in message
    assert 0.4 < waited < 2.9
    colours = {c for c in store.load_categories(engine)["colour"]}
    assert "#000000" not in colours


def test_saves_in_a_plain_transaction_take_the_lock_before_they_match(engine: Engine) -> None:
    """A notebook's `with engine.begin()` and save: it waits for a running import, then finds
    its rows, instead of reading the table before the import commits."""
    started = threading.Event()
    first = threading.Thread(target=_hold, args=(engine, 1.0, started, "import resources"))
    first.start()
    assert started.wait(30)
    with engine.begin() as conn:
        saved = store.save_resources(conn, _one_resource())
    first.join()
    assert saved == store.SaveResult(0, 0, 1)
    assert store.table_counts(engine)["resource"] == 1


def test_the_sqlite_holder_file_names_the_writer_and_goes_with_it(tmp_path: Path) -> None:
    from mapping.db.engine import create_engine, default_sqlite_url
    from mapping.db.migrate import upgrade

    engine = create_engine(default_sqlite_url(tmp_path))
    upgrade(engine)
    path = holder_file(engine)
    assert path == tmp_path / "palmap.sqlite-writer"
    with write_transaction(engine, what="import resources"):
        record = json.loads(path.read_text(encoding="utf-8"))
        assert record["pid"] == os.getpid() and record["what"] == "import resources"
        assert record["host"] == socket.gethostname()
    assert not path.exists()
    with pytest.raises(RuntimeError):  # a failed write removes it too
        with write_transaction(engine, what="import resources"):
            raise RuntimeError("boom")
    assert not path.exists()
    engine.dispose()


def test_a_holder_file_left_by_a_killed_process_is_not_believed(tmp_path: Path) -> None:
    from mapping.db.engine import create_engine, default_sqlite_url
    from mapping.db.locking import _read_holder_file

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    engine = create_engine(default_sqlite_url(tmp_path))
    path = holder_file(engine)
    since = datetime.now(UTC).isoformat()
    record = {"pid": int(dead.stdout), "host": socket.gethostname(), "what": "x", "since": since}
    path.write_text(json.dumps(record), encoding="utf-8")
    assert _read_holder_file(path) == Holder()
    path.write_text("not json", encoding="utf-8")
    assert _read_holder_file(path) == Holder()
    engine.dispose()


def test_driver_errors_become_palmap_errors_with_words() -> None:
    import sqlite3

    locked = sa.exc.OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))
    clash = sa.exc.IntegrityError(
        "INSERT", {}, sqlite3.IntegrityError("UNIQUE constraint failed: resource.external_id")
    )
    broken = sa.exc.DatabaseError(
        "SELECT", {}, sqlite3.DatabaseError("database disk image is malformed")
    )
    assert isinstance(database_error(locked), DatabaseBusyError)
    assert "nothing was written" in str(database_error(locked))
    assert isinstance(database_error(clash), DatabaseBusyError)
    assert "run this again" in str(database_error(clash))
    assert isinstance(database_error(broken), DatabaseDamagedError)
    assert "palmap check-db" in str(database_error(broken))
    assert database_error(ValueError("x")) is None
