"""Load time of the map pages in headless Chromium with the demo data, 10,000 and 100,000 resources.

Usage: .venv/bin/python benchmarks/browser_load.py [--runs N] [--sizes demo,10000,100000]
                                                   [--pages /,/zasoby,...]
       .venv/bin/python benchmarks/browser_load.py --national [--sizes gminy,100000,1000000]

National scale (``--national``): the districts are Poland's 2,477 gminy
(``../shared/data/prg-simplified/gminy_pl.geojson``, read in place; skipped with a message when
absent) with the demo's indicators drawn at random for each gmina, and N random resources over
Poland. Each page is measured in three modes: "plain", the reference of issue 16 (a bare folium
map with one ``folium.GeoJson`` layer of the same gminy and nothing else: no form, no table, no
resources); "before" (``TOPOJSON_MIN_DISTRICTS=0`` and ``CLUSTER_MIN_RESOURCES=0``: palmap's page
with plain GeoJSON districts and every resource in the page, as before issue 16); and "after"
(the defaults: TopoJSON districts, resources loaded per view as server clusters). The loads of
the modes are taken in turns (plain, before, after, plain, ...) so that a slow spell of a shared
machine falls on all of them, and the ratios of the medians are printed. With 1,000,000
resources only "after" is run (a page of more than 100 MB). A page marked ``+`` waits, in
"after", until the first clusters of the view have been drawn. Targets: a choropleth page of at
most 1 MB loading in under 0.5 s, and the first view with 1,000,000 resources in under 1.5 s.
Issue 16 set the 0.5 s when its plain reference loaded in 0.70 s on the same kind of machine, so
the script also prints the target as a ratio, ``0.5 / 0.70`` of the plain reference's time in the
same run, which holds when the shared machine is slower or faster than it was then.

For each data set the script builds a SpatiaLite database in a temporary folder (the demo data;
for a number N, the demo districts and categories plus N random resources spread over the city,
saved with ``store.save_resources``), serves it on 127.0.0.1 (werkzeug, threaded, tiles off), and
opens each page in Debian's Chromium (``/usr/bin/chromium``) through Playwright:

* server: the first request of the page (data loaded, map built and rendered; the page cache
  keeps it afterwards), timed with urllib;
* load: the median over ``--runs`` fresh browser contexts (empty browser cache, as a first visit)
  of the time the browser itself measures (``performance.now()``, from the start of the
  navigation) to the first animation frame after the one in which the ``load`` event had fired
  and every district polygon was drawn (an SVG path, or, for a large set, by its district
  layer's last paint of its canvas: ``palmapDrawn`` equal to ``palmapCount``), with the server's
  page cache warm. An init script checks this once per frame (:data:`DRAWN_AT`), so that no
  poll from outside runs on the page's main thread while it loads; ``html_kb`` is the page's
  size;
* wall: the same loads timed from outside, from Playwright's ``page.goto`` until Playwright has
  seen that frame (and, for pages marked ``*`` or ``+``, the markers or clusters): the load plus
  Playwright's own round trips (about 20-130 ms here). Pages with every resource count until
  the last marker is in the clusters, which only this figure includes;
* zoom / pan: on the loaded page, the slowest of zooming in two steps and out again
  (``map.setZoom`` without animation, until ``zoomend`` and the next painted frame) and of
  panning by 300 x 200 px (``panBy`` until ``moveend`` and the next frame).

Targets (docs/ARCHITECTURE.md, "Targets"): a page loads in under 1.5 s with 10,000 resources;
zoom and pan respond within
200 ms (the "good" threshold of Interaction to Next Paint), so the map does not freeze. Figures are
noisy on a shared machine; compare medians, not single runs. The 100,000 set is printed for
information: the target is for 10,000.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
from shapely import points
from werkzeug.serving import WSGIRequestHandler, make_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from demo_app import demo_app, demo_settings  # noqa: E402 - benchmarks/demo_app.py

from app import create_app  # noqa: E402
from app.db import get_engine  # noqa: E402
from mapping.db import store  # noqa: E402

LOAD_TARGET_S = 1.5
INTERACTION_TARGET_MS = 200.0
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
#: Pages timed; ``layers=ALL`` stands for every category code. Pages marked * draw every
#: resource, and their load counts until every marker is in the map's clusters.
DEFAULT_PAGES = (
    "/*",
    "/zasoby*",
    "/mapa/needs_index",
    "/embed/zasoby*",
    "/embed/mapa/needs_index?layers=ALL*",
    "/embed/obszary",
)

# An init script: sets window.__benchDrawnAt to performance.now() at the first animation frame
# after the one in which the load event had fired and every district of the map was drawn: as an
# SVG path in the page, or, for a large set, by the district layer on its canvas
# (mapping/render/topo.py: palmapDrawn of palmapCount). The map is looked up once, among the
# globals folium names map_<id> (reading every property of window costs a page 5-20 ms).
DRAWN_AT = """(() => {
    let map = null, seen = false;
    const drawn = () => {
        if (!window.L) return false;
        map = map || Object.keys(window).filter(k => k.startsWith("map_")).map(k => window[k])
            .find(v => v instanceof L.Map);
        if (!map) return false;
        let polygons = 0, done = 0;
        map.eachLayer(l => {
            if (l.palmapCount !== undefined) {
                polygons += l.palmapCount;
                done += l.palmapDrawn;
            } else if (l instanceof L.Polygon && l.feature) {
                polygons++;
                if (l._path && l._path.isConnected) done++;
            }
        });
        return polygons > 0 && done === polygons;
    };
    const frame = () => requestAnimationFrame(() => {
        if (seen) { window.__benchDrawnAt = performance.now(); return; }
        seen = document.readyState === "complete" && drawn();
        frame();
    });
    frame();
})();"""

# Markers in the map's clusters (markercluster adds large sets in chunks, without blocking).
MARKERS = """() => {
    const map = Object.values(window).find(v => v instanceof L.Map);
    let markers = 0;
    map.eachLayer(l => {
        if (L.MarkerClusterGroup && l instanceof L.MarkerClusterGroup) {
            markers += l.getLayers().length;
        }
    });
    return markers;
}"""

# Zoom in two steps, out two steps, then pan; each step timed until its event and the next frame.
INTERACT = """async () => {
    const map = Object.values(window).find(v => v instanceof L.Map);
    const frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    const step = (event, action) => new Promise(resolve => {
        const started = performance.now();
        const timer = setTimeout(() => resolve(NaN), 30000);
        map.once(event, () => frame().then(() => {
            clearTimeout(timer);
            resolve(performance.now() - started);
        }));
        action();
    });
    const zoom = map.getZoom();
    const times = {zoom: [], pan: []};
    for (const z of [zoom + 1, zoom + 2, zoom + 1, zoom]) {
        times.zoom.push(await step('zoomend', () => map.setZoom(z, {animate: false})));
    }
    for (const [x, y] of [[300, 200], [-300, -200]]) {
        times.pan.push(await step('moveend', () => map.panBy([x, y], {animate: false})));
    }
    return {zoom: Math.max(...times.zoom), pan: Math.max(...times.pan)};
}"""


GMINY = ROOT.parent / "shared" / "data" / "prg-simplified" / "gminy_pl.geojson"
NATIONAL_PAGES = ("/mapa/needs_index", "/+")
CHOROPLETH_TARGET_S = 0.5
#: The plain reference's load when issue 16 set the 0.5 s target ("a plain folium GeoJson layer of
#: the same polygons at 3.52 MB and 0.70 s in the same run").
PLAIN_REFERENCE_S = 0.70
CHOROPLETH_TARGET_KB = 1024
# True once the server clusters of the view are drawn (palmapTotal is set by the layer).
CLUSTERS_DRAWN = """() => {
    const map = Object.values(window).find(v => v instanceof L.Map);
    let drawn = false;
    map.eachLayer(l => { if (l.palmapTotal !== undefined) { drawn = true; } });
    return drawn;
}"""


def _random_points(frame: gpd.GeoDataFrame, size: int, seed: int) -> np.ndarray:
    """``size`` (lon, lat) uniform over the union of ``frame``'s polygons."""
    import shapely

    rng = np.random.default_rng(seed)
    area = shapely.coverage_union_all(frame.geometry.to_numpy())
    shapely.prepare(area)
    west, south, east, north = frame.total_bounds
    found: list[np.ndarray] = []
    kept = 0
    while kept < size:
        xy = np.column_stack([rng.uniform(west, east, size), rng.uniform(south, north, size)])
        inside = xy[shapely.contains_xy(area, xy[:, 0], xy[:, 1])]
        found.append(inside)
        kept += len(inside)
    return np.concatenate(found)[:size]


def _save_random_resources(engine, xy: np.ndarray, categories: list[str]) -> None:
    size = len(xy)
    frame = gpd.GeoDataFrame(
        {
            "external_id": [f"bench-{i:07d}" for i in range(size)],
            "name": [f"Zasób nr {i}" for i in range(size)],
            "category": [categories[i % len(categories)] for i in range(size)],
            "address": [f"ul. Łączna {i % 300 + 1}" for i in range(size)],
            "operator": [f"Stowarzyszenie {i % 97}" for i in range(size)],
            "website": [f"https://example.org/{i}" if i % 3 == 0 else None for i in range(size)],
            "district_code": [None] * size,
            "synthetic": [True] * size,
        },
        geometry=points(xy),
        crs=4326,
    )
    with engine.begin() as conn:
        store.save_resources(conn, frame, match_within_m=0.0)


def build_national(folder: Path, size: int | None) -> tuple[dict, int]:
    """The demo database with the gminy as its districts (the demo's indicator values drawn at
    random for each gmina) and ``size`` random resources over Poland."""
    import pandas as pd

    config = demo_settings(folder)
    app = demo_app(folder)
    engine = get_engine(app)
    gminy = gpd.read_file(GMINY).rename(columns={"terc": "code"})[["code", "name", "geometry"]]
    gminy["code"] = gminy["code"].astype(str)
    demo_values = store.load_indicator_values(engine)
    rng = np.random.default_rng(16)
    pieces = []
    for (indicator, year), group in demo_values.groupby(["indicator", "year"]):
        pieces.append(
            pd.DataFrame(
                {
                    "district_code": gminy["code"].to_numpy(),
                    "indicator": indicator,
                    "year": year,
                    "value": rng.choice(group["value"].to_numpy(), len(gminy)),
                }
            )
        )
    with engine.begin() as conn:
        store.save_districts(conn, gminy, replace=True)
        store.save_indicator_values(conn, pd.concat(pieces, ignore_index=True))
    if size:
        categories = list(store.load_categories(engine)["code"])
        _save_random_resources(engine, _random_points(gminy, size, size), categories)
    resources = store.load_resources(engine)
    engine.dispose()
    placed = int((resources.geometry.notna() & ~resources.geometry.is_empty).sum())
    return config, placed


def build_database(folder: Path, size: int | None) -> tuple[dict, int]:
    """A SpatiaLite database with the demo data and, for ``size``, that many random resources;
    return the app's settings and the number of resources with a point."""
    config = demo_settings(folder)
    app = demo_app(folder)
    if size:
        engine = get_engine(app)
        categories = list(store.load_categories(engine)["code"])
        districts = store.load_districts(engine)
        west, south, east, north = districts.total_bounds
        rng = np.random.default_rng(size)
        lon = rng.uniform(west, east, size)
        lat = rng.uniform(south, north, size)
        frame = gpd.GeoDataFrame(
            {
                "external_id": [f"bench-{i:06d}" for i in range(size)],
                "name": [f"Zasób nr {i}" for i in range(size)],
                "category": [categories[i % len(categories)] for i in range(size)],
                "address": [f"ul. Łączna {i % 300 + 1}" for i in range(size)],
                "operator": [f"Stowarzyszenie {i % 97}" for i in range(size)],
                "website": [
                    f"https://example.org/{i}" if i % 3 == 0 else None for i in range(size)
                ],
                "district_code": [None] * size,
                "synthetic": [True] * size,
            },
            geometry=points(np.column_stack([lon, lat])),
            crs=4326,
        )
        # The demo's own resources already hold ids 1..N; these are new rows.
        frame = frame[~frame.geometry.is_empty]
        with engine.begin() as conn:
            store.save_resources(conn, frame, match_within_m=0.0)
        engine.dispose()
    resources = store.load_resources(get_engine(app))
    placed = int((resources.geometry.notna() & ~resources.geometry.is_empty).sum())
    return config, placed


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: object, **kwargs: object) -> None:
        pass


@contextmanager
def serve(config: dict, pages: dict[str, bytes] | None = None) -> Iterator[str]:
    """The app of ``config`` on a loopback port; ``pages`` maps a path to a whole HTML document
    served as it is (the plain reference), every other path goes to the app."""
    app = create_app(config)
    inner = app.wsgi_app
    extra = pages or {}

    def wsgi(environ, start_response):
        body = extra.get(environ.get("PATH_INFO", ""))
        if body is None:
            return inner(environ, start_response)
        headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
        start_response("200 OK", headers)
        return [body]

    app.wsgi_app = wsgi  # type: ignore[method-assign]
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def plain_reference() -> bytes:
    """Issue 16's reference page: a bare folium map (Leaflet from this server, no base map) with
    one ``folium.GeoJson`` layer of the gminy as they are read, fitted to them; no form, table,
    legend, tooltip or resource (and an empty icon, so that the browser asks for no
    ``/favicon.ico``)."""
    import folium

    from mapping.render.assets import asset_urls
    from mapping.render.basemap import LocalMap

    gminy = gpd.read_file(GMINY).to_crs(4326)
    west, south, east, north = gminy.total_bounds
    m = LocalMap(assets=asset_urls("/static/vendor"), tiles=None)
    folium.GeoJson(gminy, name="gminy").add_to(m)
    m.fit_bounds([[south, west], [north, east]])
    html = m.get_root().render().replace("<head>", '<head><link rel="icon" href="data:,">', 1)
    return html.encode("utf-8")


def fetch(url: str) -> tuple[float, int]:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=600) as response:
        body = response.read()
    return time.perf_counter() - started, len(body)


def _wait_drawn(page, timeout_s: float = 300.0) -> None:
    """Wait for DRAWN_AT's mark by a plain evaluation every 10 ms (Playwright's
    ``wait_for_function`` would first add its own script to the page while the page loads)."""
    limit = time.perf_counter() + timeout_s
    while page.evaluate("window.__benchDrawnAt === undefined"):
        if time.perf_counter() > limit:
            raise TimeoutError(f"the districts of {page.url} were not drawn in {timeout_s:.0f} s")
        time.sleep(0.01)


@dataclass
class Loads:
    """The medians of a page's loads: in the page and from outside (see the module's docstring),
    the zoom and pan times of the first load and the page's errors."""

    load_s: float
    wall_s: float
    interaction: dict[str, float]
    errors: list[str]


def measure_page(
    browser, url: str, runs: int, markers: int, clusters: bool = False, interact: bool = True
) -> Loads:
    loads, walls = [], []
    interaction: dict[str, float] = {}
    errors: list[str] = []
    for run in range(runs):
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        context.add_init_script(DRAWN_AT)
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        started = time.perf_counter()
        page.goto(url, wait_until="load", timeout=300_000)
        _wait_drawn(page)
        if markers:
            page.wait_for_function(f"({MARKERS})() === {markers}", timeout=300_000, polling=20)
        if clusters:
            page.wait_for_function(f"() => ({CLUSTERS_DRAWN})()", timeout=300_000, polling=20)
        walls.append(time.perf_counter() - started)
        loads.append(page.evaluate("() => window.__benchDrawnAt") / 1000)
        if run == 0 and interact:
            page.wait_for_timeout(400)  # the first fit to the districts is animated
            interaction = page.evaluate(INTERACT)
        context.close()
    return Loads(statistics.median(loads), statistics.median(walls), interaction, errors)


def _category_layers(config: dict) -> str:
    """Every category code, comma-separated (the value of ``layers`` that draws them all)."""
    engine = get_engine(create_app(config))
    codes = ",".join(store.load_categories(engine)["code"])
    engine.dispose()
    return codes


def _launch(playwright):
    return playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=["--no-sandbox", "--disable-gpu", "--no-first-run"],
    )


def national(args: argparse.Namespace) -> None:
    """The gminy and N resources in every mode (see the module's docstring)."""
    if not GMINY.is_file():
        print(f"skipped: {GMINY} not found (the shared prg-simplified data set is not here)")
        return
    from playwright.sync_api import sync_playwright

    sizes = args.sizes if args.sizes != "demo,10000,100000" else "gminy,100000,1000000"
    print(
        f"{'data':>8}  {'mode':<6} {'page':<20} {'server_s':>8} {'html_kb':>8} {'load_s':>7}"
        f" {'wall_s':>7} {'zoom_ms':>7} {'pan_ms':>6}  targets: choropleth <= "
        f"{CHOROPLETH_TARGET_KB} kB and < {CHOROPLETH_TARGET_S} s (in the page; "
        f"{CHOROPLETH_TARGET_S / PLAIN_REFERENCE_S:.2f} of plain's time); first view < "
        f"{LOAD_TARGET_S} s; zoom and pan < {INTERACTION_TARGET_MS:.0f} ms"
    )
    plain = plain_reference()
    with sync_playwright() as playwright:
        browser = _launch(playwright)
        for size_name in sizes.split(","):
            size = None if size_name == "gminy" else int(size_name)
            with tempfile.TemporaryDirectory() as folder:
                started = time.perf_counter()
                config, placed = build_national(Path(folder), size)
                print(
                    f"{size_name:>8}  database built in {time.perf_counter() - started:.1f} s "
                    f"({placed:,} placed resources)",
                    flush=True,
                )
                modes = [("after", {})]
                if not size or size <= 100_000:
                    modes.insert(0, ("before", {"TOPOJSON_MIN_DISTRICTS": 0,
                                                "CLUSTER_MIN_RESOURCES": 0}))  # fmt: skip
                # Every mode served at once and the loads taken in turns (plain, before, after,
                # plain, ...): a shared machine's slow spells fall on all alike.
                with ExitStack() as stack:
                    bases = {
                        mode: stack.enter_context(serve({**config, **changes}, {"/plain": plain}))
                        for mode, changes in modes
                    }
                    for page_path in NATIONAL_PAGES:
                        urls = {mode: base + page_path.rstrip("+") for mode, base in bases.items()}
                        if len(modes) == 2:
                            urls = {"plain": bases["before"] + "/plain", **urls}
                        _national_page(browser, size_name, urls, page_path, args.runs)
        browser.close()


def _national_page(browser, size_name: str, urls: dict[str, str], page_path: str, runs: int):
    """One page of the national set in every mode, the loads taken in turns; prints a line
    per mode and the ratios of the medians to the other modes'."""
    path = page_path.rstrip("+")
    served = {mode: fetch(url) for mode, url in urls.items()}
    found: dict[str, list[Loads]] = {mode: [] for mode in urls}
    for run in range(runs):
        for mode, url in urls.items():
            wait_clusters = page_path.endswith("+") and mode == "after" and size_name != "gminy"
            found[mode].append(
                measure_page(browser, url, 1, 0, clusters=wait_clusters, interact=run == 0)
            )
    load = {mode: statistics.median(x.load_s for x in found[mode]) for mode in urls}
    wall = {mode: statistics.median(x.wall_s for x in found[mode]) for mode in urls}
    for mode in urls:
        server_s, size_bytes = served[mode]
        moves = found[mode][0].interaction
        errors = [e for x in found[mode] for e in x.errors]
        note = f"  ({len(errors)} page errors: {errors[0][:80]})" if errors else ""
        shown = "(plain reference)" if mode == "plain" else path
        print(
            f"{size_name:>8}  {mode:<6} {shown:<20} {server_s:8.2f} {size_bytes / 1024:8.0f} "
            f"{load[mode]:7.2f} {wall[mode]:7.2f} {moves.get('zoom', float('nan')):7.0f} "
            f"{moves.get('pan', float('nan')):6.0f}{note}",
            flush=True,
        )
    for other in ("before", "plain"):
        if other in urls:
            ratio, wall_ratio = load["after"] / load[other], wall["after"] / wall[other]
            print(
                f"{size_name:>8}  after / {other} on {path}: load {ratio:.2f}, wall "
                f"{wall_ratio:.2f} (same runs, in turns)"
            )
    if "plain" in urls and size_name == "gminy":  # the target: the gminy, no more resources
        scaled = load["after"] / load["plain"] * PLAIN_REFERENCE_S
        verdict = "met" if scaled < CHOROPLETH_TARGET_S and served["after"][1] <= (
            CHOROPLETH_TARGET_KB * 1024) else "NOT met"  # fmt: skip
        print(
            f"{size_name:>8}  {path}: {load['after']:.2f} s in the page here; at the speed of "
            f"issue 16's run (plain {PLAIN_REFERENCE_S:.2f} s) {scaled:.2f} s: target "
            f"{CHOROPLETH_TARGET_S} s {verdict}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="page loads per page (median)")
    parser.add_argument("--sizes", default="demo,10000,100000")
    parser.add_argument("--pages", default=",".join(DEFAULT_PAGES))
    parser.add_argument("--national", action="store_true", help="the 2,477 gminy, before and after")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"no Chromium at {CHROMIUM}: apt-get install chromium")
    if args.national:
        national(args)
        return
    from playwright.sync_api import sync_playwright

    urls = [u for u in args.pages.split(",") if u]
    print(
        f"{'data':>7}  {'page':<40} {'server_s':>8} {'html_kb':>8} {'load_s':>7} {'wall_s':>7} "
        f"{'zoom_ms':>7} {'pan_ms':>7}  verdict (wall {LOAD_TARGET_S} s, zoom/pan "
        f"{INTERACTION_TARGET_MS:.0f} ms)"
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run"],
        )
        for size_name in args.sizes.split(","):
            size = None if size_name == "demo" else int(size_name)
            with tempfile.TemporaryDirectory() as folder:
                started = time.perf_counter()
                config, placed = build_database(Path(folder), size)
                built = time.perf_counter() - started
                print(f"{size_name:>7}  database built in {built:.1f} s", flush=True)
                with serve(config) as base:
                    layers = None
                    for path in urls:
                        every = path.endswith("*")
                        path = path.rstrip("*")
                        if "layers=ALL" in path:
                            layers = layers or _category_layers(config)
                            path = path.replace("layers=ALL", f"layers={layers}")
                        server_s, size_bytes = fetch(base + path)
                        loads = measure_page(
                            browser, base + path, args.runs, placed if every else 0
                        )
                        interaction, errors = loads.interaction, loads.errors
                        over = []
                        if loads.wall_s >= LOAD_TARGET_S:
                            over.append("load")
                        if not all(v < INTERACTION_TARGET_MS for v in interaction.values()):
                            over.append("zoom/pan")
                        verdict = "OVER " + ",".join(over) if over else "ok"
                        if errors:
                            verdict += f"  ({len(errors)} page errors: {errors[0][:80]})"
                        shown = path if len(path) <= 40 else path[:37] + "..."
                        print(
                            f"{size_name:>7}  {shown:<40} {server_s:8.2f} "
                            f"{size_bytes / 1024:8.0f} {loads.load_s:7.2f} {loads.wall_s:7.2f} "
                            f"{interaction.get('zoom', float('nan')):7.0f} "
                            f"{interaction.get('pan', float('nan')):7.0f}  {verdict}",
                            flush=True,
                        )
        browser.close()


if __name__ == "__main__":
    main()
