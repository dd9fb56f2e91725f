"""Import 100,000 resources from a CSV into SpatiaLite and into PostGIS; compare with ogr2ogr.

Usage: .venv/bin/python benchmarks/import_resources.py [--rows N] [--postgis URL] [--repeat N]

The PostGIS run uses --postgis or PALMAP_TEST_POSTGIS_URL (a database it may empty) and is skipped
with a message without one (`scripts/with-postgis.sh .venv/bin/python benchmarks/...` starts one).
Each import runs as `palmap import resources` in a child process on a database holding the demo
districts, so the figures are what a user sees: wall time including start-up, and the child's peak
resident memory. Targets (issue 3): under 10 s each, peak memory under 1 GiB.

Anchor (issue 10): GDAL's ``ogr2ogr`` loads the same rows (a UTF-8 copy of the CSV with ``lat`` and
``lon`` columns) with point geometry and a spatial index into a fresh SpatiaLite file and into a
PostGIS table, in the same run, right before palmap's import into that backend. Target: palmap's
import, with its checks and the district assignment, within 1.5x of ogr2ogr. Two ratios are
printed: ``wall`` (the whole child process, start-up included) and ``import`` (the time the
command itself reports, from reading the file to the commit). ``gdal-bin`` is installed through
scripts/sysdeps.sh when missing (as root); otherwise the anchor is skipped with a message.
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


def ogr2ogr(tool: str, target: str, data: Path, *, postgis: bool) -> float:
    """Load ``data`` with ogr2ogr (points, EPSG:4326, spatial index); return the wall seconds."""
    if postgis:
        output = ["-f", "PostgreSQL", target, "-lco", "SPATIAL_INDEX=GIST", "-overwrite"]
    else:
        output = ["-f", "SQLite", "-dsco", "SPATIALITE=YES", target, "-lco", "SPATIAL_INDEX=YES"]
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
        "-lco",
        "GEOMETRY_NAME=geom",
        "-nln",
        "ogr_resource",
        "-gt",
        "65536",
    ]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"ogr2ogr failed:\n{done.stderr[-3000:]}")
    return seconds


def palmap(url: str, *args: str) -> tuple[int, str, str, float]:
    """Run palmap; return its exit status, stdout, stderr and its own peak memory (MB)."""
    env = {
        **os.environ,
        "PALMAP_DATABASE_URL": url,
        "PALMAP_TILES": "none",
        "PALMAP_MAX_FEATURES": "1000000",
    }
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen([str(PALMAP), *args], env=env, stdout=out, stderr=err)
        # wait4 gives this child's own resource usage (ru_maxrss in KiB on Linux).
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return child.returncode, out.read(), err.read(), usage.ru_maxrss / 1024


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


def import_once(name: str, url: str, data: Path) -> tuple[float, float, float, str]:
    """palmap import into a fresh database with the demo districts: wall s, own s, MB, summary."""
    for args in (("init-db",), ("load-demo",)):
        status, _, err, _ = palmap(url, *args)
        if status != 0:
            raise SystemExit(f"{name}: palmap {' '.join(args)} failed:\n{err}")
    started = time.perf_counter()
    status, out, err, peak_mb = palmap(url, "import", "resources", str(data))
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{name}: import failed:\n{out}\n{err[-3000:]}")
    summary = out.strip().splitlines()[-1]
    # The summary ends with the seconds the command measured itself ("..., 2.3 s").
    own = re.search(r"([0-9.]+) s$", summary)
    return seconds, float(own.group(1)) if own else seconds, peak_mb, summary


def measure(name: str, backend: Backend, data: Path, utf8: Path, rows: int, repeat: int) -> None:
    """Best of ``repeat`` runs of ogr2ogr then palmap on ``backend``; print both and the ratios."""
    best_ogr: float | None = None
    best: tuple[float, float, float, str] | None = None
    for _ in range(repeat):
        backend.reset()
        if backend.tool is not None:
            seconds = ogr2ogr(backend.tool, backend.ogr_target(), utf8, postgis=backend.postgis)
            best_ogr = seconds if best_ogr is None else min(best_ogr, seconds)
        backend.reset()
        run = import_once(name, backend.url(), data)
        best = run if best is None or run[0] < best[0] else best
    backend.reset()
    assert best is not None
    seconds, own, peak_mb, summary = best
    verdict = "ok" if seconds < TARGET_S and peak_mb < TARGET_MB else "OVER"
    print(
        f"{name:10} {rows:>8,} rows  {seconds:6.1f} s  {rows / seconds:9,.0f} rows/s  "
        f"peak {peak_mb:6.0f} MB  targets {TARGET_S:.0f} s / {TARGET_MB:.0f} MB  {verdict}"
    )
    print(f"           {summary}")
    if best_ogr is None:
        print("           ogr2ogr    skipped: not installed (apt-get install gdal-bin)")
        return
    wall, inside = seconds / best_ogr, own / best_ogr
    verdict = "ok" if inside <= TARGET_RATIO else "OVER"
    print(
        f"           ogr2ogr {best_ogr:5.2f} s  palmap wall {seconds:5.2f} s = {wall:4.2f}x  "
        f"import {own:4.1f} s = {inside:4.2f}x  target {TARGET_RATIO}x  {verdict}"
    )


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
