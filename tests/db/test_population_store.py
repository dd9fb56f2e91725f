"""mapping.db.population on both backends: a year's surface saved whole, replaced by a new
import of that year, other years left alone, unchanged when equal, the data version raised, and
the migration down and up."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from mapping.db import population, store
from tests.conftest import migrate


def points(n: int, people: float = 10.0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "lon": [16.28 + i * 0.001 for i in range(n)],
            "lat": [50.77] * n,
            "population": [people + i for i in range(n)],
        }
    )


def test_a_surface_is_saved_per_year_and_replaced_whole(engine: Engine) -> None:
    with store.write_transaction(engine, what="test") as conn:
        first = population.save_population(conn, points(3), year=2021)
        population.save_population(conn, points(2, 5.0), year=2013)
    assert (first.inserted, first.deleted) == (3, 0)
    stored = population.load_population(engine, year=2021)
    assert stored["population"].tolist() == [10.0, 11.0, 12.0]
    assert stored["lon"].tolist() == pytest.approx([16.28, 16.281, 16.282])
    version = store.data_version(engine)
    with store.write_transaction(engine, what="test") as conn:
        again = population.save_population(conn, points(3), year=2021)
    assert again.unchanged == 3 and store.data_version(engine) == version
    with store.write_transaction(engine, what="test") as conn:
        replaced = population.save_population(conn, points(1, 99.0), year=2021)
    assert (replaced.inserted, replaced.deleted) == (1, 3)
    assert store.data_version(engine) > version
    assert population.load_population(engine, year=2021)["population"].tolist() == [99.0]
    years = population.population_years(engine)
    assert years.to_dict("list") == {
        "year": [2013, 2021],
        "points": [2, 1],
        "population": [11.0, 99.0],
    }
    assert sorted(population.load_population(engine)["year"].unique()) == [2013, 2021]


def test_a_failed_transaction_keeps_the_old_surface(engine: Engine) -> None:
    with store.write_transaction(engine, what="test") as conn:
        population.save_population(conn, points(2), year=2021)
    with pytest.raises(RuntimeError), store.write_transaction(engine, what="test") as conn:
        population.save_population(conn, points(5), year=2021)
        raise RuntimeError("midway")
    assert len(population.load_population(engine, year=2021)) == 2


def test_the_migration_downgrades_and_upgrades(engine: Engine) -> None:
    migrate(engine, "downgrade", "0011")
    assert "population_point" not in sa.inspect(engine).get_table_names()
    assert len(population.load_population(engine)) == 0  # no table yet: no surface
    migrate(engine, "upgrade", "head")
    assert "population_point" in sa.inspect(engine).get_table_names()
