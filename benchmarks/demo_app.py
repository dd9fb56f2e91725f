"""The app the benchmarks time: a new SpatiaLite database in a folder, with the demo data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from app import create_app


def demo_settings(folder: Path) -> dict[str, Any]:
    """Settings of an app whose instance and database live in ``folder`` (no base map)."""
    return {
        "INSTANCE_PATH": str(folder / "instance"),
        "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite'}",
        "SECRET_KEY": "benchmark",
        "TILES": "none",
    }


def demo_app(folder: Path) -> Flask:
    """The app of :func:`demo_settings`, its database migrated and the demo data loaded."""
    app = create_app(demo_settings(folder))
    runner = app.test_cli_runner()
    for command in (["init-db"], ["load-demo"]):
        result = runner.invoke(args=command)
        if result.exit_code != 0:
            raise SystemExit(result.output)
    return app
