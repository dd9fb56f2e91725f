"""Import 100,000 resources from a CSV into SpatiaLite and into PostGIS; print rows/s and memory.

Usage: .venv/bin/python benchmarks/import_resources.py [--rows N] [--postgis URL]

The PostGIS run uses --postgis or PALMAP_TEST_POSTGIS_URL (a database it may empty) and is skipped
with a message without one (`scripts/with-postgis.sh .venv/bin/python benchmarks/...` starts one).
Each import runs as `palmap import resources` in a child process on a database holding the demo
districts, so the figures are what a user sees: wall time including start-up, and the child's peak
resident memory. Targets (issue 3): under 10 s each, peak memory under 1 GiB.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PALMAP = Path(sys.executable).parent / "palmap"
TARGET_S, TARGET_MB = 10.0, 1024.0
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
    engine.dispose()


def measure(name: str, url: str, data: Path, rows: int) -> None:
    for args in (("init-db",), ("load-demo",)):
        status, _, err, _ = palmap(url, *args)
        if status != 0:
            raise SystemExit(f"{name}: palmap {' '.join(args)} failed:\n{err}")
    started = time.perf_counter()
    status, out, err, peak_mb = palmap(url, "import", "resources", str(data))
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{name}: import failed:\n{out}\n{err[-3000:]}")
    verdict = "ok" if seconds < TARGET_S and peak_mb < TARGET_MB else "OVER"
    print(
        f"{name:10} {rows:>8,} rows  {seconds:6.1f} s  {rows / seconds:9,.0f} rows/s  "
        f"peak {peak_mb:6.0f} MB  targets {TARGET_S:.0f} s / {TARGET_MB:.0f} MB  {verdict}"
    )
    print(f"           {out.strip().splitlines()[-1]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--postgis", default=os.environ.get("PALMAP_TEST_POSTGIS_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "zasoby.csv"
        write_csv(data, args.rows)
        print(f"CSV: {args.rows:,} rows, {data.stat().st_size / 1e6:.1f} MB (cp1250, ';', commas)")
        measure("SpatiaLite", f"sqlite:///{Path(folder) / 'bench.sqlite'}", data, args.rows)
        if args.postgis:
            reset_postgis(args.postgis)
            measure("PostGIS", args.postgis, data, args.rows)
            reset_postgis(args.postgis)
        else:
            print("PostGIS    skipped: give --postgis URL or set PALMAP_TEST_POSTGIS_URL")


if __name__ == "__main__":
    main()
