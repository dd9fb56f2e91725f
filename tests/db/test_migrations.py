"""The migrated schema is the schema of mapping/db/models.py, on both backends."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine

from mapping.db.models import Base


def _differences(engine: Engine, metadata: sa.MetaData) -> list[Any]:
    """Alembic's autogenerate differences between the database and ``metadata``, on palmap's
    tables only (SpatiaLite and PostGIS keep tables of their own)."""
    ours = set(metadata.tables)

    def include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        if type_ == "table":
            return name in ours
        table = getattr(obj, "table", None)
        return table is None or table.name in ours

    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include}
        )
        return compare_metadata(context, metadata)


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    assert _differences(engine, Base.metadata) == []


def test_a_model_the_migrations_lack_is_found(engine: Engine) -> None:
    # The comparison above can fail: a column that no migration adds is reported.
    metadata = sa.MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(metadata)
    metadata.tables["resource"].append_column(sa.Column("not_migrated", sa.Integer()))
    differences = _differences(engine, metadata)
    assert [d[0] for d in differences] == ["add_column"]
    assert differences[0][3].name == "not_migrated"


def test_a_database_at_0001_with_data_upgrades_in_place(empty_engine: Engine) -> None:
    """A database created before the data version (revision 0001) keeps its rows through
    `palmap init-db`, and from then on every change raises the version."""
    from alembic import command

    from mapping.db import store
    from mapping.db.migrate import (
        DEFAULT_SCRIPT_LOCATION,
        _config,
        current_revision,
        head_revision,
        upgrade,
    )
    from tests.db.test_store import load_all

    config = _config(DEFAULT_SCRIPT_LOCATION)
    with empty_engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
    assert current_revision(empty_engine) == "0001"
    load_all(empty_engine)
    before = store.table_counts(empty_engine)

    assert upgrade(empty_engine) == head_revision()
    assert store.table_counts(empty_engine) == before
    version = store.data_version(empty_engine)
    with empty_engine.begin() as conn:
        conn.execute(sa.text("UPDATE district SET name = 'Nowa' WHERE code = 'a'"))
    assert store.data_version(empty_engine) > version
