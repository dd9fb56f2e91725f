"""palmap's Flask application: thin views over :mod:`mapping`."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

#: The repository root (palmap runs from its checkout, installed editable).
REPO_ROOT = Path(__file__).resolve().parent.parent


#: Modules the map pages need that the commands do not: imported where they are used, so that a
#: command starts quickly (about 1.5 s less); a server imports them before its first request
#: (`palmap run`, app.wsgi), so that the first map page does not wait for them.
SERVER_MODULES: tuple[str, ...] = ("mapclassify", "matplotlib.figure", "scipy.spatial")


def preload_server_modules() -> None:
    """Import :data:`SERVER_MODULES`."""
    import importlib

    for name in SERVER_MODULES:
        importlib.import_module(name)


def create_app(test_config: dict[str, Any] | None = None, *, web: bool = True) -> Flask:
    """Build the app: defaults, then ``PALMAP_*`` variables, then ``test_config``.

    ``web=False`` builds it without pages, views and their error handlers (settings, database
    and commands only): a command that reads and writes data starts without the map-rendering
    stack (folium compiles its templates on import; about 0.5 s).

    Nothing touches the database here; the engine is created on first use. The settings and
    the modules below are imported here, not when the package is: ``palmap --help`` imports
    ``app`` and needs none of them.
    """
    from flask import Flask

    from app import config as settings
    from mapping.db.engine import default_sqlite_url

    environ = settings.from_environ()
    instance = Path(
        (test_config or {}).get("INSTANCE_PATH")
        or environ.get("INSTANCE_PATH")
        or REPO_ROOT / "instance"
    )
    app = Flask(__name__, instance_path=str(instance.resolve()))
    app.config.update(settings.defaults())
    app.config.update(environ)
    if test_config:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = default_sqlite_url(app.instance_path)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = settings.secret_key(app.instance_path)
        #: The key palmap made itself, in the instance folder (refused under PALMAP_HTTPS=1).
        app.config["SECRET_KEY_GENERATED"] = True
    _check(app)
    logging.getLogger("mapping").setLevel(app.config["LOG_LEVEL"])
    app.logger.setLevel(app.config["LOG_LEVEL"])

    from app import commands, db

    db.init_app(app)
    commands.register(app)
    if web:
        db.check_database(app)  # never serve a damaged database (SQLite: PRAGMA quick_check)
        _add_web(app)
    return app


def _add_web(app: Flask) -> None:
    """The pages, views, error handlers, translations, cache and security headers."""
    from app import auth, cache, errors, i18n, logs, pages, security
    from app.views import (
        accounts,
        categories,
        clusters,
        district_edit,
        districts,
        edit,
        editions,
        embed,
        exports,
        health,
        maps,
        ogc,
        programme,
        programme_edit,
        report,
        resources,
        surveys,
        targets,
        upload,
        values,
        vendor,
    )

    logs.init_app(app)  # first: its request id and timing wrap every other hook
    i18n.init_app(app)
    errors.init_app(app)
    pages.init_app(app)
    cache.init_app(app)
    security.init_app(app)
    auth.init_app(app)
    app.register_blueprint(vendor.bp)
    app.register_blueprint(exports.bp)
    app.register_blueprint(maps.bp)
    app.register_blueprint(clusters.bp)
    app.register_blueprint(districts.bp)
    app.register_blueprint(resources.bp)
    app.register_blueprint(targets.bp)
    app.register_blueprint(embed.bp)
    app.register_blueprint(edit.bp)
    app.register_blueprint(upload.bp)
    app.register_blueprint(accounts.bp)
    app.register_blueprint(values.bp)
    app.register_blueprint(categories.bp)
    app.register_blueprint(editions.bp)
    app.register_blueprint(district_edit.bp)
    app.register_blueprint(programme.bp)
    app.register_blueprint(programme_edit.bp)
    app.register_blueprint(report.bp)
    app.register_blueprint(surveys.bp)
    app.register_blueprint(health.bp)
    ogc.init_app(app)  # OGC API - Features at /ogc
    # The upload's size limit, with room for the form around the file (PALMAP_MAX_FILE_MB).
    app.config["MAX_CONTENT_LENGTH"] = (int(app.config["MAX_FILE_MB"]) + 1) * 2**20


def _check(app: Flask) -> None:
    from app import config as settings
    from mapping.errors import ConfigurationError

    lang = app.config["DEFAULT_LANG"]
    if lang not in settings.LANGUAGES:
        raise ConfigurationError(
            f"PALMAP_DEFAULT_LANG: expected one of {', '.join(settings.LANGUAGES)}, got {lang!r}"
        )
    min_count = app.config["MIN_COUNT"]
    if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 0:
        raise ConfigurationError(
            f"PALMAP_MIN_COUNT: expected a whole number >= 0 (0 turns it off), got {min_count!r}"
        )
    tiles = app.config["TILES"]
    if tiles not in ("osm", "none"):
        if not (tiles.startswith(("https://", "http://")) and "{z}" in tiles):
            raise ConfigurationError(
                "PALMAP_TILES: expected osm, none or a tile URL template with {z}, {x} and {y}, "
                f"got {tiles!r}"
            )
        if not app.config.get("TILES_ATTRIBUTION"):
            raise ConfigurationError(
                "PALMAP_TILES_ATTRIBUTION: expected an attribution for the custom tile URL "
                "(the tile provider's licence requires one), got none"
            )
