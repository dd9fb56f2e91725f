"""One SQLAlchemy engine per app, created on first use from ``DATABASE_URL``."""

from __future__ import annotations

from flask import Flask, current_app
from sqlalchemy.engine import Engine

from mapping.db.engine import create_engine

_KEY = "palmap_engine"


def get_engine(app: Flask | None = None) -> Engine:
    """The app's engine (created once, shared by all requests and threads)."""
    app = app or current_app
    engine = app.extensions.get(_KEY)
    if engine is None:
        engine = create_engine(
            app.config["DATABASE_URL"], spatialite_library=app.config["SPATIALITE_LIBRARY"]
        )
        app.extensions[_KEY] = engine
    return engine


def init_app(app: Flask) -> None:
    """Register the engine slot; nothing connects until a request or command needs it."""
    app.extensions[_KEY] = None
