"""palmap's OGC API against pygeoapi on the same data, side by side in one run.

Usage: .venv/bin/python benchmarks/api.py [--resources N] [--seconds S] [--clients C]
                                          [--workers W] [--pygeoapi-venv DIR]

Data: the 2,477 gminy of ``../shared/data/prg-simplified/gminy_pl.geojson`` as districts (code =
TERYT ``terc``; read from there, never copied into the repository; the script says so and exits 0
when the folder is absent) and N (default 100,000) seeded random resources inside Poland. palmap
gets them through ``palmap import districts|resources`` into a SpatiaLite database in a temporary
folder; pygeoapi gets the same two layers written to a GeoPackage there and serves it with its
GeoPackage provider (``SQLiteGPKG``).

pygeoapi is not a dependency of palmap: it is installed into its own virtual environment
(``--pygeoapi-venv``, default ``/tmp/palmap-bench-pygeoapi``; made on the first run with
``python3 -m venv DIR && DIR/bin/pip install pygeoapi gunicorn``), so its pins never touch palmap's.

Both servers run under gunicorn with the same number of sync workers (``--workers``, default 2)
on loopback ports, and the same client (C processes, each a loop of ``http.client`` requests
for S seconds, after a warm-up) asks each of them, in turn:

* ``items``: ``/collections/resources/items?limit=100``;
* ``bbox``: ``/collections/resources/items?bbox=20.9,52.1,21.2,52.35&limit=100`` (Warsaw);
* ``item``: ``/collections/resources/items/<id>`` (the same ids for both);

and prints requests per second, p50 and p99 latency per server and query, and palmap's ratio
(target: at least 30 times pygeoapi's requests per second, p99 under 20 ms for ``items``).
"""

from __future__ import annotations

import argparse
import csv
import http.client
import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT.parent / "shared" / "data" / "prg-simplified"
GMINY = DATA_DIR / "gminy_pl.geojson"
CATEGORIES = ("swietlica", "boisko", "plac_zabaw", "obiekt_sportowy", "ngo")
BBOX = "20.9,52.1,21.2,52.35"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def random_points(gminy: gpd.GeoDataFrame, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` seeded points uniform over Poland's bounding box, kept only inside Poland."""
    rng = np.random.default_rng(seed)
    poland = shapely.coverage_union_all(gminy.geometry.to_numpy())
    shapely.prepare(poland)
    west, south, east, north = gminy.total_bounds
    xs, ys, kept = [], [], 0
    while kept < n:
        x, y = rng.uniform(west, east, n), rng.uniform(south, north, n)
        inside = shapely.contains_xy(poland, x, y)
        xs.append(x[inside])
        ys.append(y[inside])
        kept += int(inside.sum())
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def build_data(folder: Path, n: int) -> tuple[Path, Path]:
    """palmap's database (through ``palmap import``) and pygeoapi's GeoPackage of the same data."""
    gminy = gpd.read_file(GMINY)[["terc", "name", "geometry"]]
    gminy["terc"] = gminy["terc"].astype(str)
    lon, lat = random_points(gminy, n, seed=16)
    rows = [
        {
            "external_id": f"r{i}",
            "name": f"Zasób {i}",
            "category": CATEGORIES[i % len(CATEGORIES)],
            "lat": f"{lat[i]:.6f}",
            "lon": f"{lon[i]:.6f}",
            "capacity": str(10 + i % 50),
        }
        for i in range(n)
    ]
    with (folder / "resources.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    env = _palmap_env(folder)
    palmap = str(REPO_ROOT / ".venv" / "bin" / "palmap")
    steps = [
        [palmap, "init-db"],
        [palmap, "import", "districts", str(GMINY), "--code-field", "terc", "--name-field", "name"],
        [palmap, "import", "resources", str(folder / "resources.csv"), "--skip-invalid"],
    ]
    for step in steps:
        subprocess.run(step, env=env, check=True, stdout=subprocess.DEVNULL)
    gpkg = folder / "same.gpkg"
    districts = gminy.rename(columns={"terc": "code"})
    districts.insert(0, "id", np.arange(1, len(districts) + 1))
    pyogrio.write_dataframe(districts, gpkg, layer="districts", driver="GPKG")
    resources = gpd.GeoDataFrame(
        {
            "id": np.arange(1, n + 1),
            "name": [r["name"] for r in rows],
            "category": [r["category"] for r in rows],
            "capacity": [int(r["capacity"]) for r in rows],
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs=4326,
    )
    pyogrio.write_dataframe(resources, gpkg, layer="resources", driver="GPKG", append=True)
    return folder / "palmap.sqlite", gpkg


def _palmap_env(folder: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PALMAP_DATABASE_URL": f"sqlite:///{folder / 'palmap.sqlite'}",
        "PALMAP_INSTANCE_PATH": str(folder / "instance"),
        "PALMAP_SECRET_KEY": "b" * 40,
        "PALMAP_MAX_FEATURES": "200000",
    }


def ensure_pygeoapi(venv: Path) -> Path:
    """The pygeoapi environment (made and installed once)."""
    if not (venv / "bin" / "pygeoapi").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if not (Path(site) / "sitecustomize.py").exists():
        pip = [python, "-m", "pip", "install", "-q"]
        subprocess.run([*pip, "pygeoapi", "gunicorn", "pysqlite3-binary"], check=True)
        (Path(site) / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    return venv


#: pygeoapi's GeoPackage provider loads mod_spatialite through ``sqlite3``; a Python built
#: without extension loading (pyenv's) gets the ``pysqlite3-binary`` module instead, as palmap
#: itself does (pyproject.toml).
SITECUSTOMIZE = """
import sqlite3

if not hasattr(sqlite3.Connection, "enable_load_extension"):
    import sys

    import pysqlite3
    import pysqlite3.dbapi2

    sys.modules["sqlite3"] = pysqlite3
    sys.modules["sqlite3.dbapi2"] = pysqlite3.dbapi2
"""


PYGEOAPI_CONFIG = """
server:
  bind: {{host: 127.0.0.1, port: {port}}}
  url: http://127.0.0.1:{port}
  mimetype: application/json; charset=UTF-8
  encoding: utf-8
  languages: [en-US]
  limits: {{default_items: 10, max_items: 10000}}
  map: {{url: "https://tile.openstreetmap.org/{{z}}/{{x}}/{{y}}.png", attribution: OSM}}
logging: {{level: ERROR, logfile: {log}}}
metadata:
  identification: {{title: bench, description: bench, keywords: [bench], keywords_type: theme,
    terms_of_service: none, url: http://127.0.0.1}}
  license: {{name: CC-BY 4.0, url: https://creativecommons.org/licenses/by/4.0/}}
  provider: {{name: bench, url: http://127.0.0.1}}
  contact: {{name: bench}}
resources:
  resources:
    type: collection
    title: resources
    description: resources
    keywords: [resources]
    extents: {{spatial: {{bbox: [14, 49, 24.2, 54.9], crs: http://www.opengis.net/def/crs/OGC/1.3/CRS84}}}}
    providers:
      - {{type: feature, name: SQLiteGPKG, data: {gpkg}, id_field: id, table: resources}}
"""


def serve_pygeoapi(
    venv: Path, folder: Path, gpkg: Path, workers: int
) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    config = folder / "pygeoapi.yml"
    config.write_text(
        PYGEOAPI_CONFIG.format(port=port, gpkg=gpkg, log=folder / "pygeoapi-errors.log"),
        encoding="utf-8",
    )
    openapi = folder / "pygeoapi-openapi.yml"
    env = {**os.environ, "PYGEOAPI_CONFIG": str(config), "PYGEOAPI_OPENAPI": str(openapi)}
    subprocess.run(
        [
            str(venv / "bin" / "pygeoapi"),
            "openapi",
            "generate",
            str(config),
            "--output-file",
            str(openapi),
        ],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    process = subprocess.Popen(
        [
            str(venv / "bin" / "gunicorn"),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "pygeoapi.flask_app:APP",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(folder / "pygeoapi.log").open("wb"),
    )
    return process, f"http://127.0.0.1:{port}"


def serve_palmap(folder: Path, workers: int) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    process = subprocess.Popen(
        [
            str(REPO_ROOT / ".venv" / "bin" / "gunicorn"),
            "-c",
            "python:app.gunicorn_conf",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "app.wsgi:app",
        ],
        env=_palmap_env(folder),
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return process, f"http://127.0.0.1:{port}/ogc"


def _get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("GET", path, headers={"Accept": "application/geo+json"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _split(base: str) -> tuple[int, str]:
    rest = base.removeprefix("http://127.0.0.1:")
    port, _, path = rest.partition("/")
    return int(port), ("/" + path if path else "")


def wait_until_up(base: str, process: subprocess.Popen) -> None:
    port, path = _split(base)
    deadline = time.monotonic() + 180
    while True:
        try:
            if _get(port, path + "/collections")[0] == 200:
                return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the server at {base} did not start")
        time.sleep(0.5)


def _client(args: tuple[int, list[str], float]) -> list[float]:
    port, paths, seconds = args
    latencies: list[float] = []
    stop = time.monotonic() + seconds
    i = 0
    while time.monotonic() < stop:
        start = time.perf_counter()
        status, _body = _get(port, paths[i % len(paths)])
        latencies.append(time.perf_counter() - start if status == 200 else float("nan"))
        i += 1
    return latencies


def measure(base: str, paths: list[str], *, clients: int, seconds: float) -> dict[str, float]:
    """Requests per second and latency percentiles (ms) of ``clients`` processes."""
    port, prefix = _split(base)
    full = [prefix + p for p in paths]
    for path in full[:2]:  # warm-up: every worker builds its caches
        for _ in range(4):
            status, body = _get(port, path)
            if status != 200:
                print(f"  (warm-up) {base}{path}: {status} {body[:120]!r}")
    with multiprocessing.get_context("fork").Pool(clients) as pool:
        started = time.perf_counter()
        results = pool.map(_client, [(port, full, seconds)] * clients)
        elapsed = time.perf_counter() - started
    latencies = np.array([x for r in results for x in r])
    failed = int(np.isnan(latencies).sum())
    ok = latencies[~np.isnan(latencies)] * 1000
    return {
        "rps": len(ok) / elapsed,
        "p50": float(np.percentile(ok, 50)) if len(ok) else float("nan"),
        "p99": float(np.percentile(ok, 99)) if len(ok) else float("nan"),
        "failed": failed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pygeoapi-venv", type=Path, default=Path("/tmp/palmap-bench-pygeoapi"))
    parser.add_argument(
        "--data", type=Path, help="a folder to keep the built data in and reuse on the next run"
    )
    args = parser.parse_args()
    if not GMINY.exists():
        print(f"{GMINY} is absent: nothing to measure (the benchmark needs the gminy)")
        return
    venv = ensure_pygeoapi(args.pygeoapi_venv)
    folder = args.data or Path(tempfile.mkdtemp(prefix="palmap-api-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    servers: list[subprocess.Popen] = []
    try:
        gpkg = folder / "same.gpkg"
        if not gpkg.exists():
            started = time.perf_counter()
            build_data(folder, args.resources)
            took = time.perf_counter() - started
            print(f"data: 2,477 gminy and {args.resources:,} resources in {took:.0f} s")
        palmap, palmap_url = serve_palmap(folder, args.workers)
        servers.append(palmap)
        pygeo, pygeo_url = serve_pygeoapi(venv, folder, gpkg, args.workers)
        servers.append(pygeo)
        wait_until_up(palmap_url, palmap)
        wait_until_up(pygeo_url, pygeo)
        ids = [str(i) for i in np.random.default_rng(7).integers(1, args.resources, 50)]
        queries = {
            "items limit=100": ["/collections/resources/items?limit=100"],
            "bbox": [f"/collections/resources/items?bbox={BBOX}&limit=100"],
            "one item": [f"/collections/resources/items/{i}" for i in ids],
        }
        print(
            f"gunicorn, {args.workers} sync workers each; {args.clients} client processes, "
            f"{args.seconds:g} s per query and server"
        )
        print(f"{'query':<18}{'server':<10}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'failed':>8}")
        for name, paths in queries.items():
            figures = {}
            for server, base in (("palmap", palmap_url), ("pygeoapi", pygeo_url)):
                pygeo_paths = [p + ("&" if "?" in p else "?") + "f=json" for p in paths]
                used = paths if server == "palmap" else pygeo_paths
                f = measure(base, used, clients=args.clients, seconds=args.seconds)
                figures[server] = f
                print(
                    f"{name:<18}{server:<10}{f['rps']:>9.0f}{f['p50']:>9.1f}{f['p99']:>9.1f}"
                    f"{f['failed']:>8}"
                )
            ratio = figures["palmap"]["rps"] / max(figures["pygeoapi"]["rps"], 1e-9)
            verdict = "ok" if ratio >= 30 else "UNDER"
            extra = ""
            if name == "items limit=100":
                p99 = figures["palmap"]["p99"]
                extra = f"; palmap p99 {p99:.1f} ms (target < 20: {'ok' if p99 < 20 else 'OVER'})"
            print(f"{name:<18}ratio palmap/pygeoapi {ratio:.1f}x (target >= 30: {verdict}){extra}")
    finally:
        for server in servers:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        if args.data is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
