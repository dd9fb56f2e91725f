"""The migrations: the migrated schema is the schema of mapping/db/models.py on both backends,
old databases upgrade in place, and a migration never reads live code."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine

import mapping.categories
from mapping.db.migrate import DEFAULT_SCRIPT_LOCATION, current_revision, head_revision, upgrade
from mapping.db.models import Base
from tests.conftest import migrate

#: The categories as migration 0001 was written with them (what every new database starts with).
SEEDED = tuple(mapping.categories.DEFAULT_CATEGORIES)
#: Top-level packages of palmap's own code, which a migration must not import.
LIVE_PACKAGES = ("mapping", "app")


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


def test_a_database_at_0001_with_data_upgrades_in_place(
    empty_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database created before the data version (revision 0001) keeps its rows through
    `palmap init-db`, and from then on every change raises the version."""
    from mapping.db import indicators, store
    from tests.db.test_store import load_all

    migrate(empty_engine, "upgrade", "0001")
    assert current_revision(empty_engine) == "0001"
    # The store of 0001 wrote indicators without the domain column that 0011 adds.
    monkeypatch.setattr(
        indicators,
        "INDICATOR_COLUMNS",
        tuple(c for c in indicators.INDICATOR_COLUMNS if c != "domain"),
    )
    load_all(empty_engine)
    monkeypatch.undo()
    before = store.table_counts(empty_engine)

    assert upgrade(empty_engine) == head_revision()
    assert store.table_counts(empty_engine) == before
    version = store.data_version(empty_engine)
    with empty_engine.begin() as conn:
        conn.execute(sa.text("UPDATE district SET name = 'Nowa' WHERE code = 'a'"))
    assert store.data_version(empty_engine) > version


def _seeded(engine: Engine) -> list[tuple[str, ...]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT code, name_pl, name_en, aliases, colour FROM resource_category "
                "ORDER BY code"
            )
        )
        return [tuple(row) for row in rows]


def test_upgrade_seeds_its_own_rows_whatever_the_live_categories_say(
    empty_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    changed = (
        mapping.categories.Category("kino", "kino", "cinema", "", "#000000"),
        *(c._replace(name_en="changed") for c in SEEDED),
    )
    monkeypatch.setattr(mapping.categories, "DEFAULT_CATEGORIES", changed)
    upgrade(empty_engine)
    # The seed rows' columns (a unit is not seeded: every default category has none).
    assert _seeded(empty_engine) == sorted(tuple(c)[:5] for c in SEEDED)
    assert {c.capacity_unit for c in SEEDED} == {None}


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize(
    "path", sorted((DEFAULT_SCRIPT_LOCATION / "versions").glob("*.py")), ids=lambda p: p.name
)
def test_no_migration_imports_live_code(path: Path) -> None:
    """A migration must do the same thing whatever later code says: it keeps its own copy of
    names and rows, and imports only alembic, sqlalchemy, geoalchemy2 and the standard library."""
    live = {m for m in _imported_modules(path) if m.split(".")[0] in LIVE_PACKAGES}
    assert live == set()


def test_the_import_check_finds_live_code(tmp_path: Path) -> None:
    revision = tmp_path / "9999_bad.py"
    revision.write_text("import sqlalchemy as sa\nfrom mapping.categories import X\n")
    assert _imported_modules(revision) == {"sqlalchemy", "mapping.categories"}


def test_0003_downgrades_and_upgrades_keeping_rows_and_the_data_version(engine: Engine) -> None:
    """The capacity unit column comes and goes in place: rows stay, and the data version
    triggers of 0002 on resource_category still fire (a copied table would lose them)."""
    from mapping.db import store

    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE resource_category SET capacity_unit = 'seats' WHERE code = 'kis'")
        )
    before = _seeded(engine)
    migrate(engine, "downgrade", "0002")
    assert current_revision(engine) == "0002"
    columns = {c["name"] for c in sa.inspect(engine).get_columns("resource_category")}
    assert "capacity_unit" not in columns
    assert _seeded(engine) == before

    assert upgrade(engine) == head_revision()
    assert _seeded(engine) == before
    version = store.data_version(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE resource_category SET colour = '#000000' WHERE code = 'kis'"))
    assert store.data_version(engine) > version
