"""Large district sets as TopoJSON (issue 16, national scale): the page stays small and
neighbours keep one shared border."""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon

from mapping.render.choropleth import district_map
from mapping.render.interactive import map_fragments
from mapping.render.topo import (
    QUANTIZATION,
    TOPO_JS,
    district_topology,
    unpack_arcs,
    unpack_shapes,
    use_topology,
)

GMINY = (
    Path(__file__).resolve().parents[3] / "shared" / "data" / "prg-simplified" / "gminy_pl.geojson"
)


def adjacent_grid(columns: int = 25, rows: int = 20, seed: int = 1) -> gpd.GeoDataFrame:
    """``columns * rows`` quadrilaterals with wiggly shared borders: every interior vertex is
    jittered once and used by all the cells that meet there, and each edge has extra shared
    points, so neighbours' borders are the same lines (a coverage)."""
    rng = np.random.default_rng(seed)
    step = 0.01
    xs = 16.0 + np.arange(columns + 1) * step
    ys = 50.0 + np.arange(rows + 1) * step
    grid = np.stack(np.meshgrid(xs, ys, indexing="ij"), axis=-1)
    grid[1:-1, 1:-1] += rng.uniform(-0.3, 0.3, grid[1:-1, 1:-1].shape) * step

    def edge(a: np.ndarray, b: np.ndarray, key: tuple) -> list[tuple[float, float]]:
        # Three in-between points per edge, the same for both cells (seeded by the edge).
        local = np.random.default_rng(abs(hash(key)) % 2**32)
        t = np.array([0.25, 0.5, 0.75])
        normal = np.array([-(b - a)[1], (b - a)[0]])
        bend = local.uniform(-0.1, 0.1, 3)[:, None] * normal
        return [tuple(p) for p in a + t[:, None] * (b - a) + bend]

    def side(p: tuple[int, int], q: tuple[int, int]) -> list[tuple[float, float]]:
        key = (min(p, q), max(p, q))
        points = edge(grid[key[0]], grid[key[1]], key)
        return points if p == key[0] else points[::-1]

    polygons, codes = [], []
    for i in range(columns):
        for j in range(rows):
            corners = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)]
            ring: list[tuple[float, float]] = []
            for p, q in zip(corners, corners[1:] + corners[:1], strict=True):
                ring.append(tuple(grid[p]))
                ring.extend(side(p, q))
            polygons.append(Polygon(ring))
            codes.append(f"c{i:02d}{j:02d}")
    return gpd.GeoDataFrame(
        {"code": codes, "name": [f"Gmina {c}" for c in codes]}, geometry=polygons, crs=4326
    )


def decode(topology: dict, arcs: list) -> list[list[tuple[float, float]]]:
    """Rings of one polygon from its arc indexes (the TopoJSON rules, as TOPO_JS reads them)."""
    scale, translate = topology["transform"]["scale"], topology["transform"]["translate"]

    def points(index: int) -> list[tuple[float, float]]:
        arc = np.cumsum(np.asarray(topology["arcs"][index if index >= 0 else ~index]), axis=0)
        coords = [
            (x * scale[0] + translate[0], y * scale[1] + translate[1]) for x, y in arc.tolist()
        ]
        return coords if index >= 0 else coords[::-1]

    rings = []
    for ring in arcs:
        coords: list[tuple[float, float]] = []
        for index in ring:
            part = points(index)
            coords.extend(part if not coords else part[1:])
        rings.append(coords)
    return rings


def page_topology(script: str) -> tuple[dict, list]:
    """The topology and rows that a rendered map's script hands to palmapTopoDistricts."""
    found = re.search(r"palmapTopoDistricts\((\{.*?\})\);\n", script, re.S)
    assert found, "no TopoJSON district layer in the page"
    data = json.loads(found.group(1))
    topology = {**data["topology"], "arcs": unpack_arcs(data["packedArcs"])}
    geometries = unpack_shapes(data["packedShapes"], data["shapeTypes"])
    topology["objects"] = {"districts": {"type": "GeometryCollection", "geometries": geometries}}
    # The tooltips and popups come as one JSON string, read at the first hover.
    return topology, json.loads(data["rows"])


def render(districts: gpd.GeoDataFrame, **options: object) -> str:
    fills = {code: "#440154" if n % 2 else "#fde725" for n, code in enumerate(districts["code"])}
    tips = {code: [("Value", str(n))] for n, code in enumerate(districts["code"])}
    folium_map = district_map(districts, fills=fills, tooltips=tips, tiles="none", **options)
    parts = map_fragments(folium_map)
    return parts.header + parts.html + parts.script


def test_large_district_set_page_is_small_and_uses_topojson():
    districts = adjacent_grid()
    page = render(districts)
    plain = render(districts, topojson_min_districts=0)
    assert "palmapTopoDistricts" in page and "palmapTopoDistricts" not in plain
    # Drawn by the page's own script: no decoder is loaded.
    assert "topojson-client" not in page and "/static/vendor/topojson" not in page
    # 500 districts with 16 vertices each: the plain GeoJSON page is about 3x the topology's.
    assert len(page.encode()) < 0.5 * len(plain.encode()), (len(page), len(plain))
    assert len(page.encode()) < 300_000


def test_neighbours_share_arcs_and_decode_to_the_same_border():
    districts = adjacent_grid()
    topology, rows = page_topology(render(districts))
    geometries = topology["objects"]["districts"]["geometries"]
    assert len(geometries) == len(rows) == len(districts)
    # Cells c0000 and c0001 are neighbours (one above the other).
    first, second = (districts.index[districts["code"] == c][0] for c in ("c0000", "c0001"))
    arcs_a = {i if i >= 0 else ~i for ring in geometries[first]["arcs"] for i in ring}
    arcs_b = {i if i >= 0 else ~i for ring in geometries[second]["arcs"] for i in ring}
    shared = arcs_a & arcs_b
    assert shared, "neighbours should refer to one shared arc"
    ring_a = decode(topology, geometries[first]["arcs"])[0]
    ring_b = decode(topology, geometries[second]["arcs"])[0]
    a, b = Polygon(ring_a), Polygon(ring_b)
    assert a.is_valid and b.is_valid
    # No gap and no overlap: the two decoded polygons touch along a line of positive length,
    # and every vertex one side has on that border the other side has too.
    assert a.intersection(b).area == pytest.approx(0.0, abs=1e-12)
    border = a.boundary.intersection(b.boundary)
    assert border.length > 0.005
    on_a = {p for p in ring_a if border.distance(shapely.Point(p)) < 1e-12}
    on_b = {p for p in ring_b if border.distance(shapely.Point(p)) < 1e-12}
    assert on_a == on_b and len(on_a) >= 2


def test_topology_is_quantised_and_simplified_per_arc():
    districts = adjacent_grid()
    topology = district_topology(list(districts.geometry))
    flat = [v for arc in topology["arcs"] for point in arc for v in point]
    assert all(isinstance(v, int) for v in flat)
    assert max(abs(v) for v in flat) < QUANTIZATION
    # Each interior border is one arc: far fewer arcs than polygon sides.
    assert len(topology["arcs"]) < 4 * len(districts)


def test_small_sets_stay_plain_geojson():
    assert not use_topology(21, None)
    assert use_topology(2477, None)
    assert not use_topology(5000, 0)


def test_gminy_of_one_voivodeship_fit_in_a_small_page():
    if not GMINY.is_file():
        pytest.skip(f"{GMINY} not found: the shared prg-simplified data set is not here")
    gminy = gpd.read_file(GMINY).rename(columns={"terc": "code"})
    mazowieckie = gminy[gminy["code"].astype(str).str.startswith("14")].reset_index(drop=True)
    assert len(mazowieckie) > 300
    page = render(mazowieckie[["code", "name", "geometry"]])
    plain = render(mazowieckie[["code", "name", "geometry"]], topojson_min_districts=0)
    assert "palmapTopoDistricts" in page
    # About an eighth of Poland's 2,477: well under an eighth of the 1 MB target.
    assert len(page.encode()) < 128 * 1024, len(page)
    assert len(page.encode()) < 0.4 * len(plain.encode())


def test_the_layer_script_is_plain_javascript_for_the_template():
    # TOPO_JS goes through a Jinja template: no template markup may hide in it.
    assert TOPO_JS.startswith("// The district layer") and "function palmapTopoDistricts" in TOPO_JS
    assert not re.search(r"\{[{%#]", TOPO_JS)
