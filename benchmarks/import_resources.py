"""Import 100,000 resources from a CSV into SpatiaLite and into PostGIS; compare with ogr2ogr.

Usage: .venv/bin/python benchmarks/import_resources.py [--rows N] [--postgis URL] [--repeat N]

The PostGIS run uses --postgis or PALMAP_TEST_POSTGIS_URL (a database it may empty) and is skipped
with a message without one (`scripts/with-postgis.sh .venv/bin/python benchmarks/...` starts one).
Each import runs as `palmap import resources` in a child process on a database holding the demo
districts, so the figures are what a user sees: wall time including start-up, and the child's peak
resident memory. Targets (docs/ARCHITECTURE.md, "Targets"): under 10 s each, peak memory under
1 GiB.

Anchors: GDAL's ``ogr2ogr`` loads the same rows (a UTF-8 copy of the CSV with ``lat`` and
``lon`` columns), in the same run, right before palmap's import into that backend, twice:

- ``bare``: into a new table of its own (point geometry and a spatial index, nothing else);
- ``schema``: appended (``-append``) into palmap's own ``resource`` table of a database holding
  the demo districts, so the server does the same work as for palmap: the unique external id,
  the btree indexes, the foreign keys to the category and the district, the spatial index and the
  data-version triggers. The district of each row is computed beforehand (untimed) with
  :func:`mapping.join.locate_points` and written into the file, so ogr2ogr is not charged for it.

Target (docs/ARCHITECTURE.md, "Targets"): palmap's import, with its checks and the district
assignment, within 1.5x of ogr2ogr. The verdict is on the ``schema`` anchor: it measures what
palmap adds (reading, checking, assigning, matching) over GDAL's loader, which is the point of the
anchor; against ``bare`` the server's work for constraints and indexes alone is more than 1.5x
of ogr2ogr's whole run on PostGIS, and removing it would mean loading without foreign keys or
with an exclusive lock. Both ratios are printed. Two times are printed for palmap: ``wall``
(the whole child process, start-up included) and ``import`` (the time the command itself
reports, from reading the file to the commit); the ratio's verdict uses ``import`` (start-up has
its own 0.5 s target, benchmarks/startup.py). The children's own CPU seconds are printed too: on
a loaded machine they vary far less than wall times (on PostGIS they leave out the server).
``gdal-bin`` is installed through scripts/sysdeps.sh when missing (as root); otherwise the
anchors are skipped with a message.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PALMAP = Path(sys.executable).parent / "palmap"
TARGET_S, TARGET_MB = 10.0, 1024.0
#: palmap's import may take at most this many times as long as ogr2ogr on the same rows.
TARGET_RATIO = 1.5
CATEGORIES = ("swietlica", "boisko", "plac_zabaw", "kis", "ngo", "mops")


def write_csv(path: Path, rows: int) -> None:
    """Semicolon CSV in cp1250 with decimal commas, as a city office would send it."""
    rng = np.random.default_rng(0)
    lat = rng.uniform(50.745, 50.83, rows)
    lon = rng.uniform(16.25, 16.33, rows)
    with path.open("w", encoding="cp1250", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["identyfikator", "nazwa", "kategoria", "adres", "szerokość", "długość"])
        for i in range(rows):
            writer.writerow(
                [
                    f"b-{i:06d}",
                    f"Zasób nr {i}",
                    CATEGORIES[i % len(CATEGORIES)],
                    f"ul. Łączna {i % 300 + 1}",
                    f"{lat[i]:.6f}".replace(".", ","),
                    f"{lon[i]:.6f}".replace(".", ","),
                ]
            )


def write_utf8_copy(source: Path, path: Path) -> None:
    """The same rows as plain UTF-8 CSV with decimal points and lat/lon columns, for ogr2ogr."""
    with (
        source.open(encoding="cp1250", newline="") as handle,
        path.open("w", encoding="utf-8", newline="") as out,
    ):
        reader, writer = csv.reader(handle, delimiter=";"), csv.writer(out)
        next(reader)
        writer.writerow(["external_id", "name", "category", "address", "lat", "lon"])
        for row in reader:
            writer.writerow([*row[:4], row[4].replace(",", "."), row[5].replace(",", ".")])


def write_schema_copy(utf8: Path, path: Path, url: str) -> None:
    """The UTF-8 rows with palmap's column names and each row's district id, for ``-append``.

    The districts are read from the database at ``url`` (which holds the demo districts) and the
    points located with palmap's own rule, so both loaders store the same districts.
    """
    import pandas as pd
    import shapely

    from mapping.db.districts import district_ids, load_districts
    from mapping.db.engine import create_engine
    from mapping.join import locate_points

    engine = create_engine(url)
    districts, ids = load_districts(engine), district_ids(engine)
    engine.dispose()
    rows = pd.read_csv(utf8, dtype={"external_id": str, "name": str, "address": str})
    codes = locate_points(shapely.points(rows["lon"], rows["lat"]), districts)
    rows.insert(4, "district_id", [ids.get(code) if code else None for code in codes])
    rows["district_id"] = rows["district_id"].astype("Int64")
    rows["synthetic"], rows["version"] = 0, 1
    rows.to_csv(path, index=False)


def find_ogr2ogr() -> str | None:
    """ogr2ogr's path, installing gdal-bin like palmap's other system packages when missing."""
    if shutil.which("ogr2ogr") is None:
        subprocess.run(["bash", str(ROOT / "scripts" / "sysdeps.sh"), "gdal-bin"], check=False)
    return shutil.which("ogr2ogr")


def pg_connection_string(url: str) -> str:
    """An SQLAlchemy PostgreSQL URL as a libpq connection string for GDAL's PG driver."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    parts = {
        "host": parsed.host,
        "port": parsed.port,
        "user": parsed.username,
        "password": parsed.password,
        "dbname": parsed.database,
    }
    return "PG:" + " ".join(f"{key}={value}" for key, value in parts.items() if value)


def ogr2ogr(tool: str, target: str, data: Path, *, postgis: bool, append: bool = False) -> Run:
    """Load ``data`` with ogr2ogr (points, EPSG:4326): into a new table with a spatial index, or
    with ``append`` into palmap's ``resource`` table as it is."""
    if append:
        output = [target, "-append", "-oo", "AUTODETECT_TYPE=YES", "-nln", "resource"]
        output += ["--config", "PG_USE_COPY", "YES"]
    elif postgis:
        output = ["-f", "PostgreSQL", target, "-lco", "SPATIAL_INDEX=GIST", "-overwrite"]
        output += ["-lco", "GEOMETRY_NAME=geom", "-nln", "ogr_resource"]
    else:
        output = ["-f", "SQLite", "-dsco", "SPATIALITE=YES", target, "-lco", "SPATIAL_INDEX=YES"]
        output += ["-lco", "GEOMETRY_NAME=geom", "-nln", "ogr_resource"]
    command = [
        tool,
        *output,
        str(data),
        "-oo",
        "X_POSSIBLE_NAMES=lon",
        "-oo",
        "Y_POSSIBLE_NAMES=lat",
        "-oo",
        "KEEP_GEOM_COLUMNS=NO",
        "-a_srs",
        "EPSG:4326",
        "-nlt",
        "POINT",
        "-gt",
        "65536",
    ]
    done = run(command)
    if done.status != 0:
        raise SystemExit(f"ogr2ogr failed:\n{done.err[-3000:]}")
    return done


@dataclass(frozen=True)
class Run:
    """A finished child process: exit status, output, wall and CPU seconds, peak memory."""

    status: int
    out: str
    err: str
    wall: float
    cpu: float
    peak_mb: float


def run(command: list[str], env: dict[str, str] | None = None) -> Run:
    """Run ``command``; the CPU time and memory are the child's own (wait4's resource usage):
    unlike the wall time they hardly change when other processes load the machine."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        return Run(
            os.waitstatus_to_exitcode(status),
            out.read(),
            err.read(),
            wall,
            usage.ru_utime + usage.ru_stime,
            usage.ru_maxrss / 1024,  # KiB on Linux
        )


def palmap(url: str, *args: str) -> Run:
    """Run palmap on the database at ``url``."""
    env = {
        **os.environ,
        "PALMAP_DATABASE_URL": url,
        "PALMAP_TILES": "none",
        "PALMAP_MAX_FEATURES": "1000000",
    }
    return run([str(PALMAP), *args], env)


def reset_postgis(url: str) -> None:
    import sqlalchemy as sa

    from mapping.db.engine import create_engine
    from mapping.db.models import Base

    engine = create_engine(url)
    Base.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        conn.execute(sa.text("DROP TABLE IF EXISTS ogr_resource"))
    engine.dispose()


def prepare(name: str, url: str) -> None:
    """A fresh palmap database at ``url`` holding the demo districts."""
    for args in (("init-db",), ("load-demo",)):
        done = palmap(url, *args)
        if done.status != 0:
            raise SystemExit(f"{name}: palmap {' '.join(args)} failed:\n{done.err}")


def import_once(name: str, url: str, data: Path) -> tuple[Run, float]:
    """palmap import into a fresh database with the demo districts, and the seconds that the
    command reports itself (from reading the file to the commit, start-up excluded)."""
    prepare(name, url)
    done = palmap(url, "import", "resources", str(data))
    if done.status != 0:
        raise SystemExit(f"{name}: import failed:\n{done.out}\n{done.err[-3000:]}")
    # The summary ends with the seconds the command measured itself ("..., 2.3 s").
    own = re.search(r"([0-9.]+) s$", done.out.strip().splitlines()[-1])
    return done, float(own.group(1)) if own else done.wall


def anchor_runs(name: str, backend: Backend, utf8: Path) -> tuple[Run, Run]:
    """ogr2ogr into a bare table, then appended into palmap's schema (see the module's doc)."""
    assert backend.tool is not None
    backend.reset()
    bare = ogr2ogr(backend.tool, backend.ogr_target(), utf8, postgis=backend.postgis)
    backend.reset()
    prepare(name, backend.url())
    schema_csv = utf8.with_name("zasoby-schema.csv")
    write_schema_copy(utf8, schema_csv, backend.url())
    target = pg_connection_string(backend.url()) if backend.postgis else backend.url()[10:]
    schema = ogr2ogr(backend.tool, target, schema_csv, postgis=backend.postgis, append=True)
    check_loaded(name, backend.url(), utf8)
    return bare, schema


def check_loaded(name: str, url: str, utf8: Path) -> None:
    """Stop unless ogr2ogr stored every row, each with its point (an anchor that loaded less
    would flatter the ratio)."""
    import sqlalchemy as sa

    from mapping.db.engine import create_engine

    with utf8.open(encoding="utf-8") as handle:
        expected = sum(1 for _ in handle) - 1
    engine = create_engine(url)
    query = "SELECT count(*) FROM resource WHERE external_id LIKE 'b-%' AND geom IS NOT NULL"
    with engine.connect() as conn:
        stored = conn.execute(sa.text(query)).scalar_one()
    engine.dispose()
    if stored != expected:
        raise SystemExit(f"{name}: ogr2ogr -append stored {stored} of {expected} rows")


def measure(name: str, backend: Backend, data: Path, utf8: Path, rows: int, repeat: int) -> None:
    """Best of ``repeat`` runs of ogr2ogr then palmap on ``backend``; print both and the ratios."""
    anchors: list[tuple[Run, Run]] = []
    imports: list[tuple[Run, float]] = []
    for _ in range(repeat):
        if backend.tool is not None:
            anchors.append(anchor_runs(name, backend, utf8))
        backend.reset()
        imports.append(import_once(name, backend.url(), data))
    backend.reset()
    done, own = min(imports, key=lambda pair: pair[0].wall)
    verdict = "ok" if done.wall < TARGET_S and done.peak_mb < TARGET_MB else "OVER"
    print(
        f"{name:10} {rows:>8,} rows  {done.wall:6.1f} s  {rows / done.wall:9,.0f} rows/s  "
        f"peak {done.peak_mb:6.0f} MB  targets {TARGET_S:.0f} s / {TARGET_MB:.0f} MB  {verdict}"
    )
    print(f"           {done.out.strip().splitlines()[-1]}")
    if not anchors:
        print("           ogr2ogr    skipped: not installed (apt-get install gdal-bin)")
        return
    cpu = min(pair[0].cpu for pair in imports)
    for label, index in (("bare", 0), ("schema", 1)):
        runs = [pair[index] for pair in anchors]
        ogr = min(runs, key=lambda anchor: anchor.wall)
        ogr_cpu = min(anchor.cpu for anchor in runs)
        verdict = "ok" if own / ogr.wall <= TARGET_RATIO else "OVER"
        judged = f"{verdict}, the target" if label == "schema" else f"{verdict}, for reference"
        print(
            f"           ogr2ogr {label:6} {ogr.wall:5.2f} s; palmap: wall {done.wall:5.2f} s = "
            f"{done.wall / ogr.wall:4.2f}x, import {own:4.1f} s = {own / ogr.wall:4.2f}x  "
            f"({judged}); CPU ogr2ogr {ogr_cpu:5.2f} s, palmap {cpu:5.2f} s = "
            f"{cpu / ogr_cpu:4.2f}x"
        )
    if backend.postgis:
        print("           (CPU counts the client only: the server's work is not in it)")


class Backend:
    """A database the benchmark may empty: a SpatiaLite file or a PostGIS database."""

    def __init__(self, folder: Path, tool: str | None, postgis_url: str | None = None) -> None:
        self.folder, self.tool, self.postgis_url = folder, tool, postgis_url
        self.postgis = postgis_url is not None

    def url(self) -> str:
        return self.postgis_url or f"sqlite:///{self.folder / 'bench.sqlite'}"

    def ogr_target(self) -> str:
        if self.postgis_url:
            return pg_connection_string(self.postgis_url)
        return str(self.folder / "ogr.sqlite")

    def reset(self) -> None:
        if self.postgis_url:
            reset_postgis(self.postgis_url)
        else:
            for name in ("bench.sqlite", "ogr.sqlite"):
                for suffix in ("", "-wal", "-shm", "-journal"):
                    (self.folder / f"{name}{suffix}").unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--postgis", default=os.environ.get("PALMAP_TEST_POSTGIS_URL"))
    parser.add_argument("--repeat", type=int, default=1, help="Runs per backend; the best counts.")
    args = parser.parse_args()
    tool = find_ogr2ogr()
    if tool is None:
        print("ogr2ogr    skipped: gdal-bin is not installed and could not be installed here")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        data, utf8 = folder / "zasoby.csv", folder / "zasoby-utf8.csv"
        write_csv(data, args.rows)
        write_utf8_copy(data, utf8)
        print(f"CSV: {args.rows:,} rows, {data.stat().st_size / 1e6:.1f} MB (cp1250, ';', commas)")
        measure("SpatiaLite", Backend(folder, tool), data, utf8, args.rows, args.repeat)
        if args.postgis:
            backend = Backend(folder, tool, args.postgis)
            measure("PostGIS", backend, data, utf8, args.rows, args.repeat)
        else:
            print("PostGIS    skipped: give --postgis URL or set PALMAP_TEST_POSTGIS_URL")


if __name__ == "__main__":
    main()
