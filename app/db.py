"""One database engine per app, created on first use from ``DATABASE_URL``.

The app reaches the database only through :mod:`mapping.db` (it imports no SQL library); the
engine module is imported on first use, so that commands which never touch the database start
without it.

Before the engine is created, the database is checked once per app
(:func:`mapping.db.health.require_healthy`: a SQLite file that is empty, not a database, cut
short or damaged is refused with what is wrong and what to do), so that no command and no page
reads or writes a damaged file. The web app checks at start-up (:func:`app.create_app`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask, current_app

if TYPE_CHECKING:
    from collections.abc import Callable

    from mapping.db.engine import Engine
    from mapping.db.locking import Holder, Wait
    from mapping.io.safety import Limits

_KEY = "palmap_engine"
_CHECKED = "palmap_database_checked"


def check_database(app: Flask | None = None) -> None:
    """Refuse a damaged database (once per app): raises
    :class:`~mapping.errors.DatabaseDamagedError` with what is wrong and what to do."""
    app = app or current_app
    if app.extensions.get(_CHECKED) == app.config["DATABASE_URL"]:
        return
    from mapping.db.health import require_healthy

    require_healthy(app.config["DATABASE_URL"])
    app.extensions[_CHECKED] = app.config["DATABASE_URL"]


def get_engine(app: Flask | None = None) -> Engine:
    """The app's engine (created once, shared by all requests and threads), after
    :func:`check_database`."""
    app = app or current_app
    engine = app.extensions.get(_KEY)
    if engine is None:
        from mapping.db.engine import create_engine

        check_database(app)
        engine = create_engine(
            app.config["DATABASE_URL"], spatialite_library=app.config["SPATIALITE_LIBRARY"]
        )
        app.extensions[_KEY] = engine
    return engine


def write_wait(
    on_wait: Callable[[Holder, float], None] | None = None, app: Flask | None = None
) -> Wait:
    """How a writer of this app waits for another one: ``PALMAP_IMPORT_WAIT`` seconds, calling
    ``on_wait`` once when it has to wait."""
    from mapping.db.locking import Wait

    app = app or current_app
    return Wait(seconds=float(app.config["IMPORT_WAIT"]), on_wait=on_wait)


def init_app(app: Flask) -> None:
    """Register the engine slot; nothing connects until a request or command needs it."""
    app.extensions[_KEY] = None


def import_limits(app: Flask | None = None) -> Limits:
    """The import limits of the settings (``PALMAP_MAX_FILE_MB``, ``_FEATURES``, ``_VERTICES``),
    for the CLI import and the web upload alike."""
    from mapping.io.safety import Limits

    config = (app or current_app).config
    return Limits(
        max_file_mb=float(config["MAX_FILE_MB"]),
        max_features=int(config["MAX_FEATURES"]),
        max_vertices=int(config["MAX_VERTICES"]),
    )
