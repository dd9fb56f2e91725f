"""mapping.db.categories on both backends: add, rename, list, and a database not yet upgraded."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy.engine import Engine

from mapping.categories import CategoryChange, CategoryRecord
from mapping.db import categories as stored
from mapping.db import store
from mapping.errors import DatabaseNotReadyError, NotFoundError, ValidationError
from tests.conftest import migrate

SENIORS = CategoryRecord("klub_seniora", " klub seniora ", "senior club", "#bbcc33", None, "places")


def test_add_then_list_and_counts(engine: Engine) -> None:
    version = store.data_version(engine)
    with engine.begin() as conn:
        added = stored.add_category(conn, SENIORS)
    assert added == CategoryRecord(
        "klub_seniora", "klub seniora", "senior club", "#BBCC33", None, "places"
    )
    assert stored.get_category(engine, "klub_seniora") == added
    codes = [c.code for c in stored.list_categories(engine)]
    assert "klub_seniora" in codes and codes == sorted(codes)
    assert stored.resource_counts(engine)["klub_seniora"] == 0
    # The pages' cache sees the change (the data version triggers cover the table).
    assert store.data_version(engine) > version
    # The analyses' frames (what every page reads) hold it too.
    assert "klub_seniora" in set(store.load_categories(engine)["code"])


def test_a_duplicate_or_invalid_category_writes_nothing(engine: Engine) -> None:
    before = stored.list_categories(engine)
    with pytest.raises(ValidationError, match="code: a category with the code 'kis'"):
        with engine.begin() as conn:
            stored.add_category(conn, replace(SENIORS, code="kis"))
    with pytest.raises(ValidationError, match="colour: expected"):
        with engine.begin() as conn:
            stored.add_category(conn, replace(SENIORS, colour="#12345"))
    with pytest.raises(ValidationError, match="name_en: expected a name"):
        with engine.begin() as conn:
            stored.add_category(conn, replace(SENIORS, name_en="  "))
    assert stored.list_categories(engine) == before


def test_rename_keeps_the_code_and_the_values_not_given(engine: Engine) -> None:
    with engine.begin() as conn:
        renamed = stored.rename_category(
            conn, "kis", CategoryChange(name_en="integration club", capacity_unit="seats")
        )
    assert renamed.code == "kis"
    assert stored.get_category(engine, "kis") == renamed
    assert (renamed.name_pl, renamed.name_en, renamed.colour, renamed.capacity_unit) == (
        "Klub Integracji Społecznej",
        "integration club",
        "#882255",
        "seats",
    )
    with pytest.raises(NotFoundError, match="known: boisko"):
        with engine.begin() as conn:
            stored.rename_category(conn, "kino", CategoryChange(name_en="cinema"))
    with pytest.raises(ValidationError, match="got none"):
        with engine.begin() as conn:
            stored.rename_category(conn, "kis", CategoryChange())


def test_a_database_before_0003_is_asked_to_upgrade(empty_engine: Engine) -> None:
    migrate(empty_engine, "upgrade", "0002")
    with pytest.raises(DatabaseNotReadyError, match="palmap init-db"):
        stored.list_categories(empty_engine)
