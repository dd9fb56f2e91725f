"""Access along a walking network: time and peak memory on the demo and on a synthetic city.

Usage: .venv/bin/python benchmarks/network_access.py [--nodes N] [--resources R] [--people P]
                                                       [--seed S] [--skip-city]

* demo: a synthetic street grid (streets every 100 m) over the bounding box of the demo's 21
  districts, built as an OSM-like line layer by :func:`mapping.network.build_network`; then
  ``mapping.analysis.access_table`` on the demo data (2013, all categories, the 100 m grid of
  residents) along the network, against the same with straight x 1.3 distances;
* city: a synthetic city graph of N nodes (default 100,000: a square street grid 80 m apart
  with 10 % of its edges removed at random, so that walks detour and a few nodes are cut off),
  R resources (default 2,000) and P demand points (default 100,000) at random places with
  random populations; then :func:`mapping.population.demand_access` (nearest distance,
  coverage within 500 m, 2SFCA and E2SFCA with the default steps up to 1,500 m) along the
  network (one bounded Dijkstra search per resource node) and, for the ratio, straight.

Each line: the wall time in seconds and the process's peak resident memory so far
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``); the targets of issue 15 are under 10 s and
under 2 GiB for the city. Figures are noisy on a shared machine.
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from mapping.analysis import AnalysisData, access_table, demand_for
from mapping.demo import load_demo_frames
from mapping.indicators import IndicatorRegistry
from mapping.network import WalkingNetwork, build_network, network_from_edges
from mapping.network_distance import distance_mode
from mapping.population import demand_access

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
TARGET_S = 10.0
TARGET_GIB = 2.0
X0, Y0 = 300_000.0, 300_000.0


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label: str, func: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = func()
    seconds = time.perf_counter() - started
    print(f"{label}: {seconds:.2f} s, peak memory {peak_mib():.0f} MiB")
    return seconds, result


def street_grid(bounds: tuple[float, float, float, float], step: float) -> gpd.GeoDataFrame:
    """Residential streets every ``step`` metres over ``bounds`` (EPSG:2180), as the lines
    layer of an OSM extract: one line per street, crossing the others at shared points."""
    minx, miny, maxx, maxy = bounds
    xs = np.arange(minx, maxx + step, step)
    ys = np.arange(miny, maxy + step, step)
    rows = [shapely.LineString([(x, y) for x in xs]) for y in ys]
    cols = [shapely.LineString([(x, y) for y in ys]) for x in xs]
    n = len(rows) + len(cols)
    return gpd.GeoDataFrame(
        {"highway": ["residential"] * n, "other_tags": [None] * n}, geometry=rows + cols, crs=2180
    )


def demo() -> None:
    frames = load_demo_frames(DEMO)
    categories = pd.DataFrame(
        {"code": sorted(set(frames.resources["category"])), "name_pl": "x", "name_en": "x"}
    )
    base = AnalysisData(
        districts=frames.districts,
        resources=frames.resources.assign(id=range(1, len(frames.resources) + 1)),
        categories=categories,
        registry=IndicatorRegistry(frames.indicators),
        values=frames.indicator_values,
    )
    bounds = tuple(base.districts.to_crs(2180).total_bounds)
    lines = street_grid(bounds, 100.0)  # type: ignore[arg-type]
    _, (network, report) = timed("demo: build the street grid graph", lambda: build_network(lines))
    print(f"demo: {report.nodes:,} nodes, {report.edges:,} edges, {report.length_km:,.0f} km")
    data = AnalysisData(
        districts=base.districts,
        resources=base.resources,
        categories=base.categories,
        registry=base.registry,
        values=base.values,
        network=network,
    )
    points = demand_for(data, year=2013).points
    print(f"demo: {len(data.resources)} resources, {len(points):,} demand points")
    t_net, walked = timed(
        "demo: access_table along the network",
        lambda: access_table(data, year=2013, distance="network"),
    )
    t_det, detour = timed(
        "demo: access_table straight x 1.3", lambda: access_table(data, year=2013)
    )
    print(
        f"demo: network / detour time {t_net / t_det:.2f}; mean nearest_m "
        f"{walked['nearest_m'].mean():.0f} m along the grid, {detour['nearest_m'].mean():.0f} m "
        "straight x 1.3"
    )


def city_graph(nodes: int, seed: int) -> WalkingNetwork:
    """A square grid of about ``nodes`` crossings 80 m apart, 10 % of its edges removed."""
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(nodes)))
    index = np.arange(side * side).reshape(side, side)
    u = np.concatenate([index[:, :-1].ravel(), index[:-1, :].ravel()])
    v = np.concatenate([index[:, 1:].ravel(), index[1:, :].ravel()])
    keep = rng.random(len(u)) >= 0.1
    gx, gy = np.meshgrid(np.arange(side) * 80.0, np.arange(side) * 80.0)
    xy = np.column_stack([X0 + gx.ravel(), Y0 + gy.ravel()])
    xy += rng.normal(0, 5, xy.shape)  # crossings a few metres off the lattice
    lengths = np.hypot(*(xy[u[keep]] - xy[v[keep]]).T)
    return network_from_edges(xy, u[keep], v[keep], lengths, source="synthetic city")


def city(nodes: int, resources: int, people: int, seed: int) -> None:
    _, network = timed(f"city: graph of {nodes:,} nodes", lambda: city_graph(nodes, seed))
    rng = np.random.default_rng(seed + 1)
    minx, miny = network.node_xy.min(axis=0)
    maxx, maxy = network.node_xy.max(axis=0)
    district = gpd.GeoDataFrame(
        {"code": ["city"]}, geometry=[shapely.box(minx, miny, maxx, maxy)], crs=2180
    )
    homes = gpd.GeoDataFrame(
        {"district_code": ["city"] * people, "population": rng.integers(1, 60, people) * 1.0},
        geometry=gpd.points_from_xy(
            rng.uniform(minx, maxx, people), rng.uniform(miny, maxy, people)
        ),
        crs=2180,
    )
    rooms = gpd.GeoDataFrame(
        {"category": ["room"] * resources, "capacity": rng.integers(10, 100, resources) * 1.0},
        geometry=gpd.points_from_xy(
            rng.uniform(minx, maxx, resources), rng.uniform(miny, maxy, resources)
        ),
        crs=2180,
    )
    print(
        f"city: {network.nodes:,} nodes, {network.edges:,} edges, "
        f"{network.largest_share():.1%} in the largest part; {resources:,} resources, "
        f"{people:,} demand points"
    )
    mode = distance_mode("network", network)
    network.graph()  # built once per network (as a page keeps it): not part of the timing
    network.snap(np.empty((0, 2)))
    t_net, walked = timed(
        "city: demand_access along the network (nearest, coverage, 2SFCA, E2SFCA)",
        lambda: demand_access(district, rooms, homes, radius_m=500, distance=mode),
    )
    t_str, straight = timed(
        "city: demand_access straight",
        lambda: demand_access(
            district, rooms, homes, radius_m=500, distance=distance_mode("straight", None)
        ),
    )
    peak_gib = peak_mib() / 1024
    print(
        f"city: network {t_net:.2f} s (target < {TARGET_S:.0f} s: "
        f"{'ok' if t_net < TARGET_S else 'OVER'}), peak {peak_gib:.2f} GiB (target < "
        f"{TARGET_GIB:.0f} GiB: {'ok' if peak_gib < TARGET_GIB else 'OVER'}); network / straight "
        f"time {t_net / t_str:.2f}; nearest_m {walked['nearest_m'].iloc[0]:.0f} m walked, "
        f"{straight['nearest_m'].iloc[0]:.0f} m straight (ratio "
        f"{walked['nearest_m'].iloc[0] / straight['nearest_m'].iloc[0]:.2f}); coverage within "
        f"500 m {walked['coverage'].iloc[0]:.3f} walked, {straight['coverage'].iloc[0]:.3f} "
        "straight"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--resources", type=int, default=2_000)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-city", action="store_true")
    args = parser.parse_args()
    demo()
    if not args.skip_city:
        city(args.nodes, args.resources, args.people, args.seed)


if __name__ == "__main__":
    main()
