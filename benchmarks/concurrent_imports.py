"""Two (or more) `palmap import resources` at once into one database: duplicates and tracebacks.

Usage: .venv/bin/python benchmarks/concurrent_imports.py [--rows N] [--runs K] [--postgis URL]

For each backend (a SpatiaLite file; PostGIS with --postgis or PALMAP_TEST_POSTGIS_URL, which it
may empty; `scripts/with-postgis.sh .venv/bin/python benchmarks/...` starts one), on a database
holding the demo data:

1. the same CSV of N resources WITHOUT an id column, imported by K processes started together:
   the resources added beyond N are duplicates (an import serialised with the others finds the
   first one's rows and reports them "unchanged");
2. the same CSV WITH an id column, K processes together: the exit statuses, and whether any
   stderr holds a Python traceback ("Traceback", IntegrityError, "database is locked").

Measured on this machine (2 cores), 2 x 20,000 rows, on both backends: before the write lock
(main at 13b286e) 20,000 duplicates without ids, and one of the two id imports died with a raw
IntegrityError traceback (exit 1); with it, 0 duplicates, both exit 0, the second reports
"unchanged 20000" after waiting for the first.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PALMAP = Path(sys.executable).parent / "palmap"
CATEGORIES = ("swietlica", "boisko", "plac_zabaw", "kis", "ngo", "mops")
TRACEBACK_MARKS = ("Traceback", "IntegrityError", "OperationalError", "database is locked")


def write_csv(path: Path, rows: int, *, ids: bool) -> None:
    """UTF-8 CSV of ``rows`` resources inside Wałbrzych, with or without an ``id`` column."""
    rng = np.random.default_rng(1)
    lat = rng.uniform(50.745, 50.83, rows)
    lon = rng.uniform(16.25, 16.33, rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*(["external_id"] if ids else []), "name", "category", "lat", "lon"])
        for i in range(rows):
            row = [f"Zasób {i}", CATEGORIES[i % len(CATEGORIES)], f"{lat[i]:.6f}", f"{lon[i]:.6f}"]
            writer.writerow([*([f"c-{i:06d}"] if ids else []), *row])


def environment(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "PALMAP_DATABASE_URL": url,
        "PALMAP_TILES": "none",
        "PALMAP_MAX_FEATURES": "1000000",
    }


def palmap(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PALMAP), *args], env=environment(url), capture_output=True, text=True, check=False
    )


def reset_postgis(url: str) -> None:
    import sqlalchemy as sa

    from mapping.db.engine import create_engine
    from mapping.db.models import Base

    engine = create_engine(url)
    Base.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


def resource_count(url: str) -> int:
    from mapping.db import store
    from mapping.db.engine import create_engine

    engine = create_engine(url)
    try:
        return store.table_counts(engine)["resource"]
    finally:
        engine.dispose()


@dataclass
class Outcome:
    statuses: list[int]
    tracebacks: int
    waited: int
    added: int
    seconds: float
    summaries: list[str]


def concurrent(url: str, data: Path, runs: int) -> Outcome:
    """K imports of ``data`` started together on a database holding the demo data."""
    before = resource_count(url)
    started = time.perf_counter()
    children = [
        subprocess.Popen(
            [str(PALMAP), "import", "resources", str(data)],
            env=environment(url),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(runs)
    ]
    outputs = [child.communicate(timeout=1800) for child in children]
    seconds = time.perf_counter() - started
    errors = [err for _, err in outputs]
    return Outcome(
        statuses=[child.returncode for child in children],
        tracebacks=sum(any(mark in err for mark in TRACEBACK_MARKS) for err in errors),
        waited=sum("The database is busy" in err for err in errors),
        added=resource_count(url) - before,
        seconds=seconds,
        summaries=[(out.strip().splitlines() or [err.strip()[-200:]])[-1] for out, err in outputs],
    )


def prepare(name: str, url: str, folder: Path) -> None:
    if name == "PostGIS":
        reset_postgis(url)
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    for args in (("init-db",), ("load-demo",)):
        done = palmap(url, *args)
        if done.returncode != 0:
            sys.exit(f"{name}: palmap {' '.join(args)} failed: {done.stderr}")


def measure(name: str, url: str, folder: Path, rows: int, runs: int) -> None:
    for ids in (False, True):
        data = folder / f"resources_{'ids' if ids else 'no_ids'}.csv"
        write_csv(data, rows, ids=ids)
        prepare(name, url, folder)
        outcome = concurrent(url, data, runs)
        duplicates = outcome.added - rows
        label = "with ids   " if ids else "without ids"
        print(
            f"{name:10} {label} {runs} x {rows:,} rows: added {outcome.added:,} "
            f"(duplicates {duplicates:,}), exit statuses {outcome.statuses}, "
            f"stderr with a traceback {outcome.tracebacks}, runs that waited {outcome.waited}, "
            f"{outcome.seconds:.1f} s"
        )
        for summary in outcome.summaries:
            print(f"{'':23}{summary}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=2, help="imports started together")
    parser.add_argument("--postgis", default=os.environ.get("PALMAP_TEST_POSTGIS_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="palmap-concurrent-") as tmp:
        folder = Path(tmp)
        sqlite_url = f"sqlite:///{folder / 'palmap.sqlite'}"
        measure("SpatiaLite", sqlite_url, folder, args.rows, args.runs)
        if args.postgis:
            measure("PostGIS", args.postgis, folder, args.rows, args.runs)
        else:
            print("PostGIS    skipped: give --postgis URL or set PALMAP_TEST_POSTGIS_URL")


if __name__ == "__main__":
    main()
