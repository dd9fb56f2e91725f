"""Requests per second of gunicorn (4 workers) with 20 concurrent clients: every client asking for
the same page, then every request carrying a unique unknown parameter (``?bust=N``).

Usage: .venv/bin/python benchmarks/cache_busting.py [--seconds S] [--clients N] [--workers W]
       [--url /mapa/needs_index]

Builds a SpatiaLite database with the demo data in a temporary folder and serves it with gunicorn
exactly as README's "Running on a server" does (``gunicorn -c python:app.gunicorn_conf``), on a
loopback port. docs/SECURITY.md: unknown parameters are left out of the page cache's key, so the
second figure should stay close to the first; before that fix every ``bust`` value was a new cache
entry and a full render (issue 11: 611 -> 44 requests/s).
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from demo_app import demo_app  # benchmarks/demo_app.py

REPO_ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(port: int, url: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", url)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def _wait(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    while True:
        try:
            _get(port, "/")
            return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("gunicorn did not start") from None
            time.sleep(0.3)


def load(port: int, url: str, *, clients: int, seconds: float, bust: bool) -> tuple[float, int]:
    """Requests per second over ``seconds`` with ``clients`` threads, and the non-200 count."""
    counter = itertools.count()
    done: list[int] = []
    errors: list[int] = []
    stop = time.monotonic() + seconds

    def client() -> None:
        count = 0
        while time.monotonic() < stop:
            target = url
            if bust:
                target += ("&" if "?" in url else "?") + f"bust={next(counter)}"
            status = _get(port, target)
            if status != 200:
                errors.append(status)
            count += 1
        done.append(count)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.monotonic() - started), len(errors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--url", default="/mapa/needs_index")
    options = parser.parse_args()
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    if gunicorn is None:
        raise SystemExit("gunicorn is not installed: pip install -e '.[server]'")
    with tempfile.TemporaryDirectory(prefix="palmap-bust-") as name:
        folder = Path(name)
        demo_app(folder)
        env = {
            **os.environ,
            "PALMAP_INSTANCE_PATH": str(folder / "instance"),
            "PALMAP_DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite'}",
            "PALMAP_SECRET_KEY": "benchmark",
            "PALMAP_TILES": "none",
        }
        port = _free_port()
        command = [gunicorn, "--workers", str(options.workers), "--bind", f"127.0.0.1:{port}"]
        if (REPO_ROOT / "app" / "gunicorn_conf.py").exists():
            command += ["--config", "python:app.gunicorn_conf"]
        server = subprocess.Popen(
            [*command, "app.wsgi:app"],
            cwd=folder,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait(port, server)
            for _ in range(options.workers * 4):  # every worker renders the page once
                _get(port, options.url)
            print(
                f"gunicorn, {options.workers} workers, {options.clients} clients, "
                f"{options.seconds:g} s each, {options.url}"
            )
            for label, bust in (("same URL", False), ("unique ?bust=N", True)):
                rate, errors = load(
                    port, options.url, clients=options.clients, seconds=options.seconds, bust=bust
                )
                print(f"  {label:<16} {rate:8.1f} requests/s  ({errors} not 200)")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
