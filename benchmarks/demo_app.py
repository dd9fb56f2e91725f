"""The app the benchmarks time: a new SpatiaLite database in a folder, with the demo data, served
on a loopback port so that a benchmark times real HTTP requests (no test client)."""

from __future__ import annotations

import http.client
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.serving import make_server

from app import create_app
from app.db import get_engine
from mapping.db.migrate import upgrade
from mapping.demo import load_demo

DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"


def demo_settings(folder: Path) -> dict[str, Any]:
    """Settings of an app whose instance and database live in ``folder`` (no base map)."""
    return {
        "INSTANCE_PATH": str(folder / "instance"),
        "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite'}",
        "SECRET_KEY": "benchmark",
        "TILES": "none",
    }


def demo_app(folder: Path) -> Flask:
    """The app of :func:`demo_settings`, its database migrated and the demo data loaded (by the
    core functions that ``palmap init-db`` and ``palmap load-demo`` call)."""
    app = create_app(demo_settings(folder))
    with app.app_context():
        engine = get_engine()
        upgrade(engine)
        load_demo(engine, DEMO_DIR)
    return app


@dataclass(frozen=True)
class Answer:
    status_code: int
    headers: dict[str, str]
    data: bytes


class Served:
    """The app on a free loopback port; ``get`` sends the language cookie with every request."""

    def __init__(self, app: Flask, lang: str = "pl") -> None:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.cookie = f"palmap_lang={lang}"

    def get(self, url: str, headers: dict[str, str] | None = None) -> Answer:
        connection = http.client.HTTPConnection("127.0.0.1", self.server.server_port)
        try:
            connection.request("GET", url, headers={"Cookie": self.cookie, **(headers or {})})
            response = connection.getresponse()
            return Answer(response.status, dict(response.getheaders()), response.read())
        finally:
            connection.close()

    def close(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)
