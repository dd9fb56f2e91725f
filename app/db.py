"""One database engine per app, created on first use from ``DATABASE_URL``.

The app reaches the database only through :mod:`mapping.db` (it imports no SQL library); the
engine module is imported on first use, so that commands which never touch the database start
without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask, current_app

if TYPE_CHECKING:
    from mapping.db.engine import Engine

_KEY = "palmap_engine"


def get_engine(app: Flask | None = None) -> Engine:
    """The app's engine (created once, shared by all requests and threads)."""
    app = app or current_app
    engine = app.extensions.get(_KEY)
    if engine is None:
        from mapping.db.engine import create_engine

        engine = create_engine(
            app.config["DATABASE_URL"], spatialite_library=app.config["SPATIALITE_LIBRARY"]
        )
        app.extensions[_KEY] = engine
    return engine


def init_app(app: Flask) -> None:
    """Register the engine slot; nothing connects until a request or command needs it."""
    app.extensions[_KEY] = None
