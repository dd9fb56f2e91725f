"""The analyses at national scale: 2,477 gminy as districts and 1,000,000 resources.

Usage: .venv/bin/python benchmarks/analysis_national.py [--points N] [--repeats R] [--seed S]
                                                          [--profile]

Districts are the gminy of ``../shared/data/prg-simplified/gminy_pl.geojson`` (code = TERYT
``terc``); when that folder is absent the script says so and exits 0. Resources are N seeded random
points, uniform in longitude and latitude over Poland's bounding box, keeping only those inside
Poland (the union of the gminy), all of one category. Printed, one line per figure, with its target
and ``ok`` or ``OVER``:

* assignment: points per second of :func:`mapping.join.assign_districts` as a ratio to shapely's
  STRtree bulk query (``tree.query(points, predicate="intersects")``, tree built inside the timed
  part) on the same points in the same run; best of R runs each (target >= 0.8);
* E2SFCA: the one access engine, :func:`mapping.population.demand_access`, for one category,
  with supply aggregated per gmina (the number of resources in a gmina, as the capacity of one
  supply point at the gmina's representative point), demand a synthetic population per gmina at
  one demand point per gmina (its representative point), straight distances and steps ending at
  30,000 m (target under 10 s);
* ranking: :func:`mapping.ranking.rank_target_areas` with 1,000 sensitivity runs on synthetic
  indicator values for the gminy plus the E2SFCA access term (target under 30 s);
* peak memory: ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` at the end (target under 4 GiB).

``--profile`` also prints where one call of ``assign_districts`` spends its time (cProfile, the
functions with the largest cumulative time).

Figures are noisy on a shared machine; the assignment ratio is measured in one run for that reason.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from mapping.indicators import IndicatorRegistry
from mapping.join import assign_districts
from mapping.population import demand_access
from mapping.ranking import rank_target_areas

DATA_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "prg-simplified"
GMINY = DATA_DIR / "gminy_pl.geojson"

RATIO_TARGET = 0.8
FCA_TARGET_S = 10.0
RANK_TARGET_S = 30.0
MEMORY_TARGET_GIB = 4.0
#: E2SFCA steps for a regional service: (metres, weight), ending at the 30 km cut-off.
STEPS = ((10_000.0, 1.0), (20_000.0, 0.68), (30_000.0, 0.22))
CATEGORY = "ngo"
YEAR = 2024


def verdict(ok: bool) -> str:
    return "ok" if ok else "OVER"


def timed(func: Callable[[], Any]) -> tuple[float, Any]:
    """Wall time of one call, and its result."""
    started = time.perf_counter()
    result = func()
    return time.perf_counter() - started, result


def load_gminy() -> gpd.GeoDataFrame:
    gminy = gpd.read_file(GMINY)
    gminy = gminy.rename(columns={"terc": "code"})[["code", "name", "geometry"]]
    gminy["code"] = gminy["code"].astype(str)
    return gminy


def random_resources(gminy: gpd.GeoDataFrame, n: int, seed: int) -> gpd.GeoDataFrame:
    """``n`` points uniform in lon/lat over the bounding box, kept only inside Poland."""
    rng = np.random.default_rng(seed)
    poland = shapely.coverage_union_all(gminy.geometry.to_numpy())
    shapely.prepare(poland)
    west, south, east, north = gminy.total_bounds
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    kept = 0
    while kept < n:
        x = rng.uniform(west, east, n)
        y = rng.uniform(south, north, n)
        inside = shapely.contains_xy(poland, x, y)
        xs.append(x[inside])
        ys.append(y[inside])
        kept += int(inside.sum())
    x = np.concatenate(xs)[:n]
    y = np.concatenate(ys)[:n]
    return gpd.GeoDataFrame(
        {
            "district_code": pd.Series([None] * n, dtype=object),
            "category": CATEGORY,
            "capacity": np.nan,
        },
        geometry=gpd.points_from_xy(x, y),
        crs=4326,
    )


def strtree_assign(gminy: gpd.GeoDataFrame, points: np.ndarray) -> np.ndarray:
    """The reference: a bulk STRtree query, (point, gmina) pairs."""
    tree = shapely.STRtree(gminy.geometry.to_numpy())
    return tree.query(points, predicate="intersects")


def smallest_code(gminy: gpd.GeoDataFrame, pairs: np.ndarray, n: int) -> np.ndarray:
    """Code per point from STRtree pairs, the smallest on a shared boundary, "" for none.

    Works on integer ranks of the codes (numpy only): a pandas groupby-min over strings falls back
    to a Python loop per group.
    """
    codes = gminy["code"].to_numpy(dtype=object)
    order = np.argsort(codes, kind="stable")
    rank = np.empty(len(codes), dtype=np.int64)
    rank[order] = np.arange(len(codes))
    best = np.full(n, len(codes), dtype=np.int64)
    np.minimum.at(best, pairs[0], rank[pairs[1]])
    result = np.full(n, "", dtype=object)
    found = best < len(codes)
    result[found] = codes[order[best[found]]]
    return result


def synthetic_population(gminy: gpd.GeoDataFrame, seed: int) -> pd.Series:
    """Residents per gmina: log-normal, about 38 million in all."""
    rng = np.random.default_rng(seed + 1)
    people = rng.lognormal(mean=9.2, sigma=0.8, size=len(gminy))
    people *= 38_000_000 / people.sum()
    return pd.Series(np.round(people), index=gminy["code"].to_numpy(), name="residents")


def synthetic_indicators(
    population: pd.Series, seed: int
) -> tuple[pd.DataFrame, IndicatorRegistry]:
    """Four needs indicators (counts with ``residents`` as denominator) for every gmina."""
    rng = np.random.default_rng(seed + 2)
    codes = ["social_assistance", "long_term_unemployed", "children_assisted", "disability_support"]
    registry = IndicatorRegistry(
        pd.DataFrame(
            {
                "code": ["residents", *codes],
                "name_pl": ["mieszkańcy", *codes],
                "name_en": ["residents", *codes],
                "unit": "osoby",
                "higher_is_more_need": [False, True, True, True, True],
                "denominator": [None, "residents", "residents", "residents", "residents"],
            }
        )
    )
    frames = [
        pd.DataFrame(
            {
                "district_code": population.index,
                "indicator": "residents",
                "value": population.to_numpy(),
            }
        )
    ]
    for code, rate in zip(codes, (60.0, 20.0, 15.0, 18.0), strict=True):
        per_1000 = rng.gamma(shape=4.0, scale=rate / 4.0, size=len(population))
        frames.append(
            pd.DataFrame(
                {
                    "district_code": population.index,
                    "indicator": code,
                    "value": np.round(population.to_numpy() * per_1000 / 1000),
                }
            )
        )
    values = pd.concat(frames, ignore_index=True)
    values["year"] = YEAR
    return values[["district_code", "indicator", "year", "value"]], registry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000, help="random resources")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each assignment timing")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--profile", action="store_true", help="profile one assignment call")
    args = parser.parse_args()
    if not GMINY.is_file():
        print(f"skipped: {GMINY} not found (the shared prg-simplified data set is not here)")
        return

    gminy = load_gminy()
    resources = random_resources(gminy, args.points, args.seed)
    points = resources.geometry.to_numpy()
    print(f"{len(gminy):,} gminy, {len(resources):,} random resources inside Poland")

    # 1. Assignment against the bulk STRtree query, interleaved so that both see the same load.
    t_tree = t_join = float("inf")
    for _ in range(args.repeats):
        t, pairs = timed(lambda: strtree_assign(gminy, points))
        t_tree = min(t_tree, t)
        t, codes = timed(lambda: assign_districts(resources, gminy))
        t_join = min(t_join, t)
    rate_tree = len(points) / t_tree
    rate_join = len(points) / t_join
    ratio = rate_join / rate_tree
    # The same answer: every point in a gmina, the smallest code on a shared boundary.
    reference = smallest_code(gminy, pairs, len(points))
    agree = bool((codes.fillna("").to_numpy(dtype=object) == reference).all())
    print(
        f"assignment   {rate_join:12,.0f} points/s  STRtree {rate_tree:12,.0f} points/s  "
        f"ratio {ratio:.2f}  target >= {RATIO_TARGET}  {verdict(ratio >= RATIO_TARGET)}"
        f"  (same answer: {'yes' if agree else 'NO'}; {codes.isna().sum():,} in no gmina)"
    )

    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(assign_districts, resources, gminy)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(15)

    # 2. E2SFCA with supply aggregated per gmina.
    counts = codes.value_counts()
    supply = gpd.GeoDataFrame(
        {
            "code": counts.index.astype(str),
            "category": CATEGORY,
            "capacity": counts.to_numpy(dtype="float64"),
        },
        # Positional: the frame has a new index, the series is indexed by code.
        geometry=gminy.set_index("code")
        .geometry.reindex(counts.index)
        .representative_point()
        .to_numpy(),
        crs=4326,
    )
    population = synthetic_population(gminy, args.seed)
    import access  # noqa: F401  (imported lazily by the engine: keep it out of the timing)

    demand_points = gpd.GeoDataFrame(
        {"district_code": gminy["code"].to_numpy(), "population": population.to_numpy()},
        geometry=gminy.geometry.representative_point().to_numpy(),
        crs=gminy.crs,
    )
    started = time.perf_counter()
    scores = demand_access(
        gminy, supply, demand_points, radius_m=STEPS[0][0], category=CATEGORY, steps=STEPS
    )
    t_fca = time.perf_counter() - started
    print(
        f"e2sfca       {t_fca:8.2f} s  ({len(supply):,} supply points, 30 km cut-off, "
        f"{scores['e2sfca'].isna().sum()} undefined)  target < {FCA_TARGET_S:.0f} s  "
        f"{verdict(t_fca < FCA_TARGET_S)}"
    )

    # 3. Target-area ranking with 1,000 sensitivity runs.
    values, registry = synthetic_indicators(population, args.seed)
    weights = {
        "social_assistance": 2.0,
        "long_term_unemployed": 1.0,
        "children_assisted": 1.0,
        "disability_support": 0.5,
    }
    started = time.perf_counter()
    ranking = rank_target_areas(
        values,
        registry,
        year=YEAR,
        weights=weights,
        access=scores.set_index("district_code")["e2sfca"].fillna(0.0),
        access_weight=1.0,
        runs=1000,
        seed=args.seed,
    )
    t_rank = time.perf_counter() - started
    robust = int((ranking["stability"] == "robust").sum())
    print(
        f"ranking      {t_rank:8.2f} s  ({len(ranking):,} gminy, 1,000 runs, {robust:,} robust)  "
        f"target < {RANK_TARGET_S:.0f} s  {verdict(t_rank < RANK_TARGET_S)}"
    )

    # 4. Peak memory of the whole run (ru_maxrss is in KiB on Linux).
    peak_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(
        f"peak memory  {peak_gib:8.2f} GiB  target < {MEMORY_TARGET_GIB:.0f} GiB  "
        f"{verdict(peak_gib < MEMORY_TARGET_GIB)}"
    )


if __name__ == "__main__":
    main()
