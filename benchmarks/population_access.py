"""Access from where people live: time and peak memory on the demo and on the national gminy.

Usage: .venv/bin/python benchmarks/population_access.py [--points N] [--grid-m M] [--seed S]
                                                          [--skip-national]

* demo: ``mapping.analysis.access_table`` on the demo data (2013, all resources, the default
  100 m grid of residents), with its demand points;
* national: the 2,477 gminy of ``../shared/data/prg-simplified/gminy_pl.geojson`` (read from
  there, never copied; skipped with a message when absent) with synthetic residents (about 38
  million, log-normal per gmina) spread over a ``--grid-m`` grid (default 1 km), N seeded random
  resources inside Poland (default 100,000, one category, capacity 1) and the default steps
  (500/1,000/1,500 m): the grid, then :func:`mapping.population.demand_access` (nearest
  distance, coverage of residents within 500 m, 2SFCA and E2SFCA with pysal ``access``);
* national surface: the same grid points taken as an imported population surface (each with a
  random population), located in their gminy by :func:`mapping.population.surface_demand`, then
  the same access.

Each line: the wall time in seconds, and the process's peak resident memory so far
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``). Figures are noisy on a shared machine.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from analysis_national import GMINY, load_gminy, random_resources, synthetic_population  # noqa: E402

from mapping.analysis import AnalysisData, access_table, demand_for  # noqa: E402
from mapping.demo import load_demo_frames  # noqa: E402
from mapping.indicators import IndicatorRegistry  # noqa: E402
from mapping.population import demand_access, grid_demand, surface_demand  # noqa: E402

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label: str, func: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = func()
    print(f"{label}: {time.perf_counter() - started:.2f} s, peak memory {peak_mib():.0f} MiB")
    return result


def demo() -> None:
    frames = load_demo_frames(DEMO)
    categories = pd.DataFrame(
        {"code": sorted(set(frames.resources["category"])), "name_pl": "x", "name_en": "x"}
    )
    data = AnalysisData(
        districts=frames.districts,
        resources=frames.resources.assign(id=range(1, len(frames.resources) + 1)),
        categories=categories,
        registry=IndicatorRegistry(frames.indicators),
        values=frames.indicator_values,
    )
    points = demand_for(data, year=2013).points
    print(
        f"demo: {len(data.districts)} districts, {len(data.resources)} resources, "
        f"{len(points):,} demand points (100 m grid)"
    )
    timed("demo access_table (grid, all resources)", lambda: access_table(data, year=2013))


def national(n: int, grid_m: float, seed: int) -> None:
    if not GMINY.is_file():
        print(f"national: skipped, {GMINY} not found (the shared prg-simplified data set)")
        return
    gminy = timed("national: read gminy", load_gminy)
    resources = random_resources(gminy, n, seed)
    residents = synthetic_population(gminy, seed)
    demand = timed(
        f"national: {grid_m:g} m grid of residents",
        lambda: grid_demand(gminy, residents, cell_m=grid_m),
    )
    print(
        f"national: {len(gminy):,} gminy, {len(resources):,} resources, "
        f"{len(demand.points):,} demand points, {demand.points['population'].sum():,.0f} people"
    )
    table = timed(
        "national: access from the grid (nearest, coverage, 2SFCA, E2SFCA)",
        lambda: demand_access(gminy, resources, demand.points, radius_m=500),
    )
    print(
        f"national: mean coverage of residents within 500 m "
        f"{(table['coverage'] * table['demand']).sum() / table['demand'].sum():.3f}"
    )
    rng = np.random.default_rng(seed + 5)
    surface = gpd.GeoDataFrame(
        {"population": rng.integers(0, 500, len(demand.points)).astype(float)},
        geometry=demand.points.geometry.to_numpy(),
        crs=demand.points.crs,
    ).to_crs(4326)
    located = timed(
        "national: surface of the same points located in gminy",
        lambda: surface_demand(gminy, surface, residents=residents, cell_m=grid_m),
    )
    timed(
        "national: access from the surface",
        lambda: demand_access(gminy, resources, located.points, radius_m=500),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100_000, help="random resources")
    parser.add_argument("--grid-m", type=float, default=1000.0, help="national grid cell (m)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-national", action="store_true")
    args = parser.parse_args()
    demo()
    if not args.skip_national:
        national(args.points, args.grid_m, args.seed)


if __name__ == "__main__":
    main()
