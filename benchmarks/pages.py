"""Server render time and HTML size of every page on the demo data, cold and warm.

Usage: .venv/bin/python benchmarks/pages.py [--runs N] [--lang pl|en]

Builds a fresh SpatiaLite database with the demo data in a temporary folder, serves the app on a
loopback port (Werkzeug's threaded server) and times HTTP requests to it:

* cold: the page cache emptied first (the data are reloaded from the database, the page is
  computed and rendered), the best of three such requests. The first request a new process serves
  also imports modules and compiles templates; that is printed once, as ``first request``.
* warm: the median of ``--runs`` requests served from the cache (the data version is checked on
  every request);
* 304: the median time of a request that sends the page's ETag back;
* size of the HTML (or download) in KB.

Budget (docs/ARCHITECTURE.md, "Targets"): cold under 300 ms, warm under 30 ms, HTML under
300 KB. Figures are noisy on a
shared machine; compare medians, not single runs.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from demo_app import Answer, Served, demo_app  # benchmarks/demo_app.py

from app.cache import page_cache

COLD_MS = 300.0
WARM_MS = 30.0
SIZE_KB = 300.0

PAGES = (
    "/",
    "/mapa/needs_index",
    "/mapa/social_assistance_rate?year=2013&scheme=fisher_jenks&k=4",
    "/mapa/needs_index?method=imd&weights=social_assistance=2,long_term_unemployed=1",
    "/porownanie/needs_index",
    "/porownanie/children_assisted_rate?from=2010&to=2021",
    "/dzielnice",
    "/dzielnice/srodmiescie",
    "/dzielnice/lubiechow?year=2012",
    "/zasoby",
    "/zasoby?category=swietlica&q=srodowiskowa",
    "/zasoby.csv",
    "/zasoby.geojson",
    "/obszary",
    "/obszary?method=imd&w_social_assistance=2&access_weight=1&supply_weight=1&top=3",
)


def _time(client: Served, url: str, **kwargs: dict[str, str]) -> tuple[float, Answer]:
    started = time.perf_counter()
    response = client.get(url, **kwargs)
    return (time.perf_counter() - started) * 1000, response


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="warm requests per page")
    parser.add_argument("--lang", choices=("pl", "en"), default="pl")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = demo_app(Path(folder))
        client = Served(app, args.lang)
        first_ms, _ = _time(client, PAGES[0])
        rows = []
        for url in PAGES:
            # Every template compiled and every module imported: cold means "data not cached".
            client.get(url)
            cold = []
            for _ in range(3):
                page_cache(app).clear()
                elapsed, response = _time(client, url)
                if response.status_code != 200:
                    raise SystemExit(f"{url} answered {response.status_code}")
                cold.append(elapsed)
            warm = [_time(client, url)[0] for _ in range(args.runs)]
            etag = response.headers["ETag"]
            not_modified = []
            for _ in range(args.runs):
                elapsed, answer = _time(client, url, headers={"If-None-Match": etag})
                if answer.status_code != 304:
                    raise SystemExit(f"{url} answered {answer.status_code} to its ETag")
                not_modified.append(elapsed)
            rows.append(
                (
                    url,
                    min(cold),
                    statistics.median(warm),
                    statistics.median(not_modified),
                    len(response.data) / 1024,
                )
            )
        client.close()
    print(f"first request of the process: {first_ms:.0f} ms (imports, templates, data)")
    width = max(len(url) for url in PAGES)
    print(
        f"{'page':<{width}}  cold_ms  warm_ms  304_ms  size_kb  verdict"
        f"  (budget {COLD_MS:.0f} / {WARM_MS:.0f} ms, {SIZE_KB:.0f} KB)"
    )
    for url, cold_ms, warm_ms, nm_ms, size_kb in rows:
        over = []
        if cold_ms >= COLD_MS:
            over.append("cold")
        if warm_ms >= WARM_MS:
            over.append("warm")
        if size_kb >= SIZE_KB:
            over.append("size")
        verdict = "OVER " + ",".join(over) if over else "ok"
        print(
            f"{url:<{width}}  {cold_ms:7.1f}  {warm_ms:7.1f}  {nm_ms:6.1f}  {size_kb:7.1f}  "
            f"{verdict}"
        )


if __name__ == "__main__":
    main()
