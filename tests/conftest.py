"""Fixtures shared by every test folder.

``engine`` runs a test on SpatiaLite (a file in tmp_path) and on PostGIS when
``PALMAP_TEST_POSTGIS_URL`` is set (``make test`` sets it). Without it the PostGIS case is skipped
with that reason; with it a failed connection fails the run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from mapping.db.engine import create_engine, default_sqlite_url
from mapping.db.migrate import DEFAULT_SCRIPT_LOCATION, upgrade
from mapping.db.models import Base

REPO_ROOT = Path(__file__).resolve().parent.parent
POSTGIS_URL = os.environ.get("PALMAP_TEST_POSTGIS_URL")
POSTGIS_SKIP = "PALMAP_TEST_POSTGIS_URL is not set (make test sets it and starts a PostGIS)"


def migrate(engine: Engine, direction: str, revision: str) -> None:
    """Run Alembic's ``upgrade`` or ``downgrade`` to ``revision``: a database as an older palmap
    left it."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(DEFAULT_SCRIPT_LOCATION))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        getattr(command, direction)(config, revision)


def _reset_postgis(engine: Engine) -> None:
    """Drop palmap's tables so that each test migrates a clean schema."""
    Base.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(params=["spatialite", "postgis"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgis" and not POSTGIS_URL:
        pytest.skip(POSTGIS_SKIP)
    return request.param


@pytest.fixture
def empty_engine(backend: str, tmp_path: Path) -> Iterator[Engine]:
    """A database with no palmap tables, on each backend."""
    if backend == "spatialite":
        engine = create_engine(default_sqlite_url(tmp_path))
    else:
        engine = create_engine(POSTGIS_URL)
        _reset_postgis(engine)
    yield engine
    if backend == "postgis":
        _reset_postgis(engine)
    engine.dispose()


@pytest.fixture
def engine(empty_engine: Engine) -> Engine:
    """A migrated, empty database on each backend."""
    upgrade(empty_engine)
    return empty_engine
