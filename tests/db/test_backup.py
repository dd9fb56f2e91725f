"""`palmap backup` on both backends: the copy opens and holds the same rows."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from mapping.db import store
from mapping.db.backup import backup, libpq_url
from mapping.db.engine import create_engine
from mapping.errors import MappingError
from tests.db.test_store import load_all


def _restored_engine(engine: Engine, archive: Path) -> tuple[Engine, str | None]:
    """An engine on the backup: the file itself, or a new PostGIS database restored from it."""
    if engine.dialect.name == "sqlite":
        return create_engine(f"sqlite:///{archive}"), None
    name = f"restore_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(engine.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    target = engine.url.set(database=name)
    subprocess.run(
        [
            shutil.which("pg_restore") or "pg_restore",
            "--no-owner",
            "-d",
            target.set(drivername="postgresql").render_as_string(hide_password=False),
            str(archive),
        ],
        check=True,
        capture_output=True,
    )
    return create_engine(target), name


def _drop(engine: Engine, name: str | None) -> None:
    if name is None:
        return
    admin = sa.create_engine(engine.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_backup_holds_the_same_rows(engine: Engine, tmp_path: Path) -> None:
    load_all(engine)
    archive = backup(engine, tmp_path / "copy.bak")
    assert archive.stat().st_size > 0
    restored, name = _restored_engine(engine, archive)
    try:
        assert store.table_counts(restored) == store.table_counts(engine)
        pd.testing.assert_frame_equal(
            store.load_districts(restored).drop(columns="geometry"),
            store.load_districts(engine).drop(columns="geometry"),
        )
        assert store.load_districts(restored).geom_equals(store.load_districts(engine)).all()
        pd.testing.assert_frame_equal(
            store.counts_by_district_category(restored), store.counts_by_district_category(engine)
        )
    finally:
        restored.dispose()
        _drop(engine, name)


def test_backup_refuses_to_overwrite(engine: Engine, tmp_path: Path) -> None:
    target = tmp_path / "copy.bak"
    target.write_text("keep me")
    with pytest.raises(MappingError, match="existing"):
        backup(engine, target)
    assert target.read_text() == "keep me"


def test_libpq_url_drops_the_driver_name() -> None:
    engine = sa.create_engine("postgresql+psycopg://u:p@127.0.0.1:5/db")
    assert libpq_url(engine) == "postgresql://u:p@127.0.0.1:5/db"
