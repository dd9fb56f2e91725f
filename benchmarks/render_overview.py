"""Server render time and HTML size of the overview page `/` on the demo data.

Usage: .venv/bin/python benchmarks/render_overview.py [--runs N]

Builds a fresh SpatiaLite database with the demo data in a temporary folder (so it measures the
same thing on every machine), serves it on a loopback port and times HTTP requests: the first
request (cold: engine, SpatiaLite and templates load) and the median of the following ones.
Target for `/`: under 300 ms. Figures are noisy on a shared machine; compare medians, not single
runs.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from demo_app import Served, demo_app  # benchmarks/demo_app.py

TARGET_MS = 300.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="warm requests to time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        client = Served(demo_app(Path(folder)))
        started = time.perf_counter()
        response = client.get("/")
        cold_ms = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"/ answered {response.status_code}")
        warm = []
        for _ in range(args.runs):
            started = time.perf_counter()
            response = client.get("/")
            warm.append((time.perf_counter() - started) * 1000)
        size = len(response.data)
        client.close()
    median = statistics.median(warm)
    print("page  cold_ms  warm_median_ms  warm_min_ms  html_kb  target_ms  verdict")
    verdict = "ok" if median < TARGET_MS else "OVER"
    print(
        f"/     {cold_ms:7.1f}  {median:14.1f}  {min(warm):11.1f}  {size / 1024:7.1f}  "
        f"{TARGET_MS:9.0f}  {verdict}"
    )


if __name__ == "__main__":
    main()
