"""Two `palmap import` processes at once into one database (issue 11, point 3), on both backends.

Each child is a real `palmap import resources` process. To make the race certain rather than
likely, a child may meet the other at a barrier right after it has read the stored resources it
matches against (``mapping.db.resource_import.load_resources``), for at most BARRIER_S seconds:
without the write lock both children read an empty table, meet, and both insert every row (20,000
duplicates in the issue's run), or die on the unique external id; with the lock the second child
cannot read until the first has committed, so the first meets nobody, and the second finds every
row ("unchanged").
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import Result
from sqlalchemy.engine import Engine

from mapping.db import store
from mapping.demo import load_demo
from tests.conftest import REPO_ROOT

ROWS = 2_000
#: How long a child waits at the barrier for the other one.
BARRIER_S = 3.0
#: palmap's advisory lock key ("palmap" in ASCII; mapping.db.locking.ADVISORY_KEY, written out so
#: that this module imports on a palmap without the lock, to show the tests fail there).
ADVISORY_KEY = int.from_bytes(b"palmap", "big")
TRACEBACK_MARKS = ("Traceback", "IntegrityError", "OperationalError", "database is locked")

CHILD = textwrap.dedent(
    """
    import sys, time, pathlib
    import mapping.db.resource_import as saving

    barrier, me = pathlib.Path(sys.argv[1]), sys.argv[2]
    if barrier.name != "-":
        read = saving.load_resources

        def read_then_meet(*args, **kwargs):
            rows = read(*args, **kwargs)
            (barrier / me).touch()
            deadline = time.monotonic() + float(sys.argv[3])
            while len(list(barrier.iterdir())) < 2 and time.monotonic() < deadline:
                time.sleep(0.02)
            return rows

        saving.load_resources = read_then_meet
    from app.cli import cli
    cli.main(sys.argv[4:], prog_name="palmap")
    """
)


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _environment(engine: Engine, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PALMAP_DATABASE_URL": _url(engine),
        "PALMAP_INSTANCE_PATH": str(tmp_path / "instance"),
        "PALMAP_TILES": "none",
        "PALMAP_SECRET_KEY": "test",
        **extra,
    }


def _invoke(engine: Engine, tmp_path: Path, args: list[str], **config: object) -> Result:
    """`palmap ARGS` in this process, in an app of its own on ``engine``'s database (its engine
    disposed afterwards)."""
    from app import create_app
    from app.db import get_engine

    app = create_app(
        {
            "DATABASE_URL": _url(engine),
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "test",
            **config,
        },
        web=False,
    )
    try:
        return app.test_cli_runner().invoke(args=args)
    finally:
        get_engine(app).dispose()


def _write_csv(path: Path, *, ids: bool) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*(["external_id"] if ids else []), "name", "category", "lat", "lon"])
        for i in range(ROWS):
            lat, lon = 50.75 + (i % 100) * 0.0007, 16.26 + (i // 100) * 0.0025
            writer.writerow([*([f"c-{i:05d}"] if ids else []), f"Zasób {i}", "swietlica", lat, lon])
    return path


def _start(
    engine: Engine, tmp_path: Path, barrier: Path | None, me: str, *args: str, **env: str
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(barrier or "-"), me, str(BARRIER_S), *args],
        cwd=REPO_ROOT,
        env=_environment(engine, tmp_path, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def demo_engine(engine: Engine) -> Engine:
    load_demo(engine, REPO_ROOT / "data" / "demo")
    return engine


@pytest.mark.parametrize("ids", [False, True], ids=["without_ids", "with_ids"])
def test_two_imports_at_once_load_the_file_once_and_the_second_finds_it_unchanged(
    demo_engine: Engine, tmp_path: Path, ids: bool
) -> None:
    data = _write_csv(tmp_path / "resources.csv", ids=ids)
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    before = store.table_counts(demo_engine)["resource"]
    children = [
        _start(demo_engine, tmp_path, barrier, me, "import", "resources", str(data))
        for me in ("a", "b")
    ]
    outputs = [child.communicate(timeout=300) for child in children]
    errors = "\n".join(err for _, err in outputs)
    assert [child.returncode for child in children] == [0, 0], errors
    assert not any(mark in errors for mark in TRACEBACK_MARKS), errors
    assert store.table_counts(demo_engine)["resource"] - before == ROWS
    summaries = [out.strip().splitlines()[-1] for out, _ in outputs]
    first = [f"loaded {ROWS}, updated 0, unchanged 0" in summary for summary in summaries]
    second = [f"loaded 0, updated 0, unchanged {ROWS}" in summary for summary in summaries]
    assert sorted(first) == sorted(second) == [False, True], summaries


def _hold_lock_raw(engine: Engine, release: threading.Event, held: threading.Event) -> None:
    """Hold the write lock as another program would: BEGIN IMMEDIATE, or the advisory lock."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_KEY})
        held.set()
        release.wait(60)
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
        conn.rollback()


def test_an_import_gives_up_after_palmap_import_wait_with_exit_5_and_no_traceback(
    demo_engine: Engine, tmp_path: Path
) -> None:
    data = _write_csv(tmp_path / "resources.csv", ids=True)
    release, held = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_lock_raw, args=(demo_engine, release, held))
    holder.start()
    try:
        assert held.wait(30)
        started = time.monotonic()
        child = _start(
            demo_engine, tmp_path, None, "a", "import", "resources", str(data),
            PALMAP_IMPORT_WAIT="1",
        )  # fmt: skip
        out, err = child.communicate(timeout=120)
        waited = time.monotonic() - started
    finally:
        release.set()
        holder.join()
    assert child.returncode == 5, err
    assert not any(mark in err for mark in TRACEBACK_MARKS), err
    assert "The database is busy: another program is writing to it" in err
    assert "waiting up to 1 s for it to finish" in err
    assert "nothing was written" in err and "PALMAP_IMPORT_WAIT" in err
    assert waited < 30  # gave up after about a second, not SQLite's 30 s busy timeout
    assert store.table_counts(demo_engine)["resource"] == 116


def test_a_waiting_import_says_which_import_runs_since_when_and_goes_on_when_it_ends(
    demo_engine: Engine, tmp_path: Path
) -> None:
    from mapping.db.locking import write_transaction

    data = _write_csv(tmp_path / "resources.csv", ids=False)
    with write_transaction(demo_engine, what="import resources") as conn:
        conn.execute(sa.text("UPDATE resource SET name = name || '!' WHERE id = 1"))
        child = _start(demo_engine, tmp_path, None, "a", "import", "resources", str(data))
        assert child.stderr is not None
        said = ""
        while "The database is busy" not in said:  # the child now waits for the lock
            line = child.stderr.readline()
            assert line, f"the child ended without waiting: {said}"
            said += line
    out, err = child.communicate(timeout=120)
    err = said + err
    assert child.returncode == 0, err
    assert "The database is busy: another palmap import resources is running since " in err
    assert f"(pid {os.getpid()}); waiting up to 600 s for it to finish" in err
    assert f"loaded {ROWS}, updated 0, unchanged 0" in out
    assert not any(mark in err for mark in TRACEBACK_MARKS), err


@pytest.mark.parametrize(
    "command",
    [
        ["categories", "add", "klub", "--name-pl", "k", "--name-en", "c", "--colour", "#112233"],
        ["categories", "rename", "kis", "--name-en", "Social integration club"],
        ["load-demo"],
    ],
    ids=lambda args: "-".join(args[:2]),
)
def test_other_writers_wait_then_stop_with_exit_5_while_an_import_holds_the_lock(
    demo_engine: Engine, tmp_path: Path, command: list[str]
) -> None:
    before = store.data_version(demo_engine)
    release, held = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_lock_raw, args=(demo_engine, release, held))
    holder.start()
    try:
        assert held.wait(30)
        result = _invoke(demo_engine, tmp_path, command, IMPORT_WAIT=1)
    finally:
        release.set()
        holder.join()
    assert result.exit_code == 5, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "The database is busy" in result.output and "nothing was written" in result.output
    assert store.data_version(demo_engine) == before


def test_init_db_on_an_up_to_date_database_does_not_wait_for_an_import(
    demo_engine: Engine, tmp_path: Path
) -> None:
    release, held = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_lock_raw, args=(demo_engine, release, held))
    holder.start()
    try:
        assert held.wait(30)
        result = _invoke(demo_engine, tmp_path, ["init-db"], IMPORT_WAIT=0)
    finally:
        release.set()
        holder.join()
    assert result.exit_code == 0, result.output


def test_init_db_with_a_migration_to_run_waits_then_stops_with_exit_5(
    demo_engine: Engine, tmp_path: Path
) -> None:
    from tests.conftest import migrate

    migrate(demo_engine, "downgrade", "0002")
    release, held = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_lock_raw, args=(demo_engine, release, held))
    holder.start()
    try:
        assert held.wait(30)
        result = _invoke(demo_engine, tmp_path, ["init-db"], IMPORT_WAIT=1)
    finally:
        release.set()
        holder.join()
    assert result.exit_code == 5, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "The database is busy" in result.output and "nothing was written" in result.output
    assert _invoke(demo_engine, tmp_path, ["init-db"]).exit_code == 0
