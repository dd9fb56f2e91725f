"""The production entry point: gunicorn serves app.wsgi:app with settings from PALMAP_*."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import sqlalchemy as sa

from app import create_app

REPO_ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> tuple[int, bytes, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


#: README's "Running on a server": gunicorn with palmap's settings.
GUNICORN_ARGS = ("--config", "python:app.gunicorn_conf")


def _check_server_answers(base: str) -> None:
    """Issue 11 point 7 (docs/SECURITY.md): a 100 KB query reaches palmap, which answers 414 with
    its security headers (gunicorn's own 414 has none), and no answer names a server version."""
    status, body, headers = _get(base + "/zasoby?q=" + "a" * 100_000)
    assert status == 414, body[:200]
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in headers["Permissions-Policy"]
    for url in ("/", "/zasoby?q=" + "a" * 100_000, "/no-such-page"):
        server = _get(base + url)[2].get("Server", "")
        assert not re.search(r"[0-9]", server), f"{url}: Server: {server}"


def test_gunicorn_serves_the_app_from_an_instance_folder_outside_the_checkout(
    tmp_path: Path,
) -> None:
    instance = tmp_path / "palmap-instance"
    # The database of the server: the demo, created through the same setting.
    app = create_app({"INSTANCE_PATH": str(instance)})
    for command in (["init-db"], ["load-demo"]):
        result = app.test_cli_runner().invoke(args=command)
        assert result.exit_code == 0, result.output
    assert (instance / "palmap.sqlite").exists()
    # A name only this database holds: the server must read this instance folder's database.
    from app.db import get_engine

    with get_engine(app).begin() as conn:
        conn.execute(sa.text("UPDATE district SET name = 'Testowo Serwerowe' WHERE code = 'gaj'"))

    port = _free_port()
    env = {
        **os.environ,
        "PALMAP_INSTANCE_PATH": str(instance),
        "PALMAP_TILES": "none",
        "PALMAP_EMBED_ORIGINS": "https://www.um.walbrzych.pl",
    }
    env.pop("PALMAP_DATABASE_URL", None)
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    assert gunicorn, "gunicorn is in the dev extra"
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [
                gunicorn,
                *GUNICORN_ARGS,
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "app.wsgi:app",
            ],
            cwd=tmp_path,  # not the checkout: the package is found as installed
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                status, body, headers = _get(base + "/")
                break
            except OSError:
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "gunicorn did not answer in 60 s"
                time.sleep(0.3)
        assert status == 200 and b"leaflet" in body.lower()
        status, body, _ = _get(base + "/dzielnice")
        assert status == 200 and "Testowo Serwerowe" in body.decode()
        status, _, headers = _get(base + "/embed/mapa/needs_index")
        assert status == 200
        assert headers["Content-Security-Policy"].endswith(
            "; frame-ancestors 'self' https://www.um.walbrzych.pl"
        )
        status, _, _ = _get(base + "/mapa/nie_ma")
        assert status == 404
        _check_server_answers(base)
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_palmap_run_names_no_server_version(tmp_path: Path) -> None:
    """Werkzeug's development server says ``Server: Werkzeug/3.x Python/3.x``; ``palmap run``
    says ``palmap``."""
    instance = tmp_path / "instance"
    app = create_app({"INSTANCE_PATH": str(instance)})
    for command in (["init-db"], ["load-demo"]):
        assert app.test_cli_runner().invoke(args=command).exit_code == 0
    palmap = shutil.which("palmap", path=str(Path(sys.executable).parent))
    assert palmap
    port = _free_port()
    env = {**os.environ, "PALMAP_INSTANCE_PATH": str(instance), "PALMAP_TILES": "none"}
    env.pop("PALMAP_DATABASE_URL", None)
    log = tmp_path / "run.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [palmap, "run", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _, headers = _get(f"http://127.0.0.1:{port}/no-such-page")
                break
            except OSError:
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "palmap run did not answer in 60 s"
                time.sleep(0.3)
        assert status == 404
        assert headers["Server"] == "palmap"
        assert "default-src 'self'" in headers["Content-Security-Policy"]
    finally:
        server.terminate()
        server.wait(timeout=30)
