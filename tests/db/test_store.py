"""The store on both backends: round trips, spatial queries equal to mapping.join, upserts."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import sqlalchemy as sa
from shapely import Point, box
from sqlalchemy.engine import Engine

from mapping import join
from mapping.categories import DEFAULT_CATEGORIES
from mapping.db import bulk, store
from mapping.db.migrate import head_revision, upgrade
from mapping.errors import DatabaseNotReadyError, ValidationError


def nones(values) -> list:
    """Missing values (None, NaN, NA) as None, for comparing lists."""
    return [None if pd.isna(v) else v for v in values]


def districts_frame() -> gpd.GeoDataFrame:
    # Three unit boxes side by side near Wałbrzych's longitude; b and c share an edge at x=16.2.
    return gpd.GeoDataFrame(
        {
            "code": ["a", "b", "c"],
            "name": ["Aleja", "Biały Kamień", "Ćwiartka <i>"],
            "source": ["test", None, "test"],
            "schematic": [True, False, True],
        },
        geometry=[
            box(16.0, 50.7, 16.1, 50.8),
            box(16.1, 50.7, 16.2, 50.8),
            shapely.MultiPolygon([box(16.2, 50.7, 16.3, 50.8), box(16.4, 50.7, 16.5, 50.8)]),
        ],
        crs=4326,
    )


def resources_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "external_id": ["r1", "r2", "r3", "r4", "r5", "r6"],
            "name": ["Świetlica 1", "KIS", "MOPS", "Outside", "On edge", "<img src=x>"],
            "category": ["swietlica", "kis", "mops", "kis", "swietlica", "swietlica"],
            "address": ["ul. Długa 1", None, "ul. Mickiewicza 26", None, None, None],
            "district_code": [None, None, "c", "a", None, None],
            "capacity": pd.array([20, None, None, 5, None, None], dtype="Int64"),
            "operator": ["MOPS", None, None, None, None, None],
            "phone": [None] * 6,
            "website": ["https://example.org", None, None, None, None, None],
            "opening_hours": ["Mo-Fr 14:00-18:00", None, None, None, None, None],
            "description": [None] * 6,
            "source": ["test"] * 6,
            "synthetic": [True, True, False, True, True, True],
        },
        geometry=[
            Point(16.05, 50.75),  # in a
            Point(16.15, 50.75),  # in b
            None,  # known only by district c
            Point(17.0, 51.0),  # outside every district though assigned to a: counted apart
            Point(16.2, 50.75),  # on the b|c edge: the smaller code, b
            Point(16.45, 50.75),  # in c's second part
        ],
        crs=4326,
    )


def indicators_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": ["social_assistance", "residents"],  # the denominator is defined after
            "name_pl": ["korzystający z pomocy społecznej", "mieszkańcy"],
            "name_en": ["social assistance beneficiaries", "residents"],
            "unit": ["osoby", "osoby"],
            "higher_is_more_need": [True, False],
            "denominator": ["residents", None],
            "description": [None, None],
            "source": ["illustrative", "registered residents"],
        }
    )


def values_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "district_code": ["a", "b", "a", "b", "c"],
            "indicator": [
                "residents",
                "residents",
                "social_assistance",
                "social_assistance",
                "residents",
            ],
            "year": [2021, 2021, 2021, 2021, 2013],
            "value": [1000.0, 405.0, 80.0, 3.0, 250.5],
        }
    )


def load_all(engine: Engine) -> None:
    with engine.begin() as conn:
        store.save_districts(conn, districts_frame())
        store.save_resources(conn, resources_frame())
        store.save_indicators(conn, indicators_frame())
        store.save_indicator_values(conn, values_frame())


def test_migration_creates_every_table_and_seeds_categories(engine: Engine) -> None:
    assert store.schema_ready(engine)
    categories = store.load_categories(engine)
    assert list(categories["code"]) == sorted(c.code for c in DEFAULT_CATEGORIES)
    assert len(categories) == 11
    assert categories.set_index("code").loc["kis", "name_pl"] == "Klub Integracji Społecznej"
    # Migrating again is a no-op.
    assert upgrade(engine) == head_revision()
    assert store.table_counts(engine)["resource_category"] == 11


def test_unmigrated_database_says_run_init_db(empty_engine: Engine) -> None:
    with pytest.raises(DatabaseNotReadyError, match="palmap init-db"):
        store.require_schema(empty_engine)


def test_every_write_raises_the_data_version_and_reads_do_not(engine: Engine) -> None:
    versions = [store.data_version(engine)]

    def changed() -> bool:
        versions.append(store.data_version(engine))
        return versions[-1] > versions[-2]

    load_all(engine)
    assert changed()
    store.load_resources(engine)
    store.table_counts(engine)
    assert not changed()
    # Insert, update and delete in every table, also with plain SQL (an edit outside palmap).
    statements = [
        "UPDATE district SET name = 'Aleja Nowa' WHERE code = 'a'",
        "UPDATE resource_category SET colour = '#000000' WHERE code = 'kis'",
        "UPDATE resource SET name = 'KIS 2' WHERE external_id = 'r2'",
        "UPDATE indicator SET unit = 'os.' WHERE code = 'residents'",
        "UPDATE indicator_value SET value = 81 WHERE value = 80",
        "DELETE FROM indicator_value WHERE value = 81",
        "DELETE FROM resource WHERE external_id = 'r2'",
    ]
    for statement in statements:
        with engine.begin() as conn:
            conn.execute(sa.text(statement))
        assert changed(), statement
    # A transaction that is rolled back leaves the version as it was.
    with pytest.raises(RuntimeError), engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM resource"))
        raise RuntimeError("rolled back")
    assert not changed()


def test_a_database_without_the_data_version_says_run_init_db(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE data_version"))
    with pytest.raises(DatabaseNotReadyError, match="palmap init-db"):
        store.data_version(engine)


def test_districts_round_trip(engine: Engine) -> None:
    load_all(engine)
    loaded = store.load_districts(engine)
    expected = districts_frame()
    assert list(loaded["code"]) == ["a", "b", "c"]
    assert list(loaded["name"]) == list(expected["name"])
    assert list(loaded["schematic"]) == [True, False, True]
    assert nones(loaded["source"]) == ["test", None, "test"]
    assert loaded.crs.to_epsg() == 4326
    assert (loaded.geom_type == "MultiPolygon").all()
    for got, want in zip(loaded.geometry, expected.geometry, strict=True):
        assert got.equals(want)


def test_resources_round_trip(engine: Engine) -> None:
    load_all(engine)
    loaded = store.load_resources(engine)
    expected = resources_frame()
    assert loaded["external_id"].tolist() == expected["external_id"].tolist()
    for column in ("name", "category", "address", "operator", "website", "opening_hours"):
        assert nones(loaded[column]) == nones(expected[column])
    assert loaded["capacity"].tolist() == [20, pd.NA, pd.NA, 5, pd.NA, pd.NA]
    assert loaded["synthetic"].tolist() == expected["synthetic"].tolist()
    assert nones(loaded["district_code"]) == [None, None, "c", "a", None, None]
    assert loaded.geometry.iloc[2] is None
    assert loaded.geometry.iloc[0].equals(Point(16.05, 50.75))
    assert loaded["updated_at"].notna().all()
    assert len(store.load_resources(engine, category="swietlica")) == 3
    assert store.load_resources(engine, district="c")["external_id"].tolist() == ["r3"]


def test_indicators_round_trip(engine: Engine) -> None:
    load_all(engine)
    indicators = store.load_indicators(engine).set_index("code")
    assert indicators.loc["social_assistance", "denominator"] == "residents"
    assert pd.isna(indicators.loc["residents", "denominator"])
    assert bool(indicators.loc["social_assistance", "higher_is_more_need"]) is True
    assert bool(indicators.loc["residents", "higher_is_more_need"]) is False
    values = store.load_indicator_values(engine)
    expected = values_frame().sort_values(["indicator", "year", "district_code"])
    pd.testing.assert_frame_equal(values, expected.reset_index(drop=True))
    assert store.load_indicator_values(engine, indicator="residents", year=2013)[
        "value"
    ].tolist() == [250.5]


def test_spatial_query_equals_in_memory_join(engine: Engine) -> None:
    load_all(engine)
    in_memory = join.counts_by_district_category(resources_frame(), districts_frame())
    in_sql = store.counts_by_district_category(engine)
    pd.testing.assert_frame_equal(in_sql, in_memory)
    located = store.resource_districts(engine)
    assert nones(located["district_code"]) == ["a", "b", "c", None, "b", "c"]
    expected = join.assign_districts(resources_frame(), districts_frame())
    assert nones(expected) == nones(located["district_code"])


def test_saving_twice_changes_nothing(engine: Engine) -> None:
    load_all(engine)
    before = store.load_resources(engine)
    counts = store.table_counts(engine)
    with engine.begin() as conn:
        results = [
            store.save_districts(conn, districts_frame()),
            store.save_resources(conn, resources_frame()),
            store.save_indicators(conn, indicators_frame()),
            store.save_indicator_values(conn, values_frame()),
        ]
    assert all(r.inserted == 0 and r.updated == 0 for r in results)
    assert store.table_counts(engine) == counts
    pd.testing.assert_frame_equal(store.load_resources(engine), before)


def test_changed_rows_are_updated_not_duplicated(engine: Engine) -> None:
    load_all(engine)
    changed = resources_frame()
    changed.loc[0, "name"] = "Świetlica nr 1"
    changed.loc[1, "geometry"] = Point(16.06, 50.76)
    with engine.begin() as conn:
        result = store.save_resources(conn, changed)
    assert (result.inserted, result.updated, result.unchanged) == (0, 2, 4)
    loaded = store.load_resources(engine).set_index("external_id")
    assert loaded.loc["r1", "name"] == "Świetlica nr 1"
    assert loaded.loc["r2"].geometry.equals(Point(16.06, 50.76))
    assert len(loaded) == 6


def test_a_bad_row_writes_nothing(engine: Engine) -> None:
    with engine.begin() as conn:
        store.save_districts(conn, districts_frame())
    bad = resources_frame()
    bad.loc[5, "district_code"] = "no-such-district"
    bad.loc[5, "geometry"] = None
    with pytest.raises(ValidationError, match="row 6.*district_code"):
        with engine.begin() as conn:
            store.save_resources(conn, bad)
    assert store.table_counts(engine)["resource"] == 0


def test_unknown_indicator_value_is_refused_naming_row_and_field(engine: Engine) -> None:
    load_all(engine)
    bad = values_frame()
    bad.loc[2, "indicator"] = "unknown"
    with pytest.raises(ValidationError, match="row 3: field indicator.*residents"):
        with engine.begin() as conn:
            store.save_indicator_values(conn, bad)


def test_replace_districts_removes_missing_ones(engine: Engine) -> None:
    load_all(engine)
    with engine.begin() as conn:
        store.save_districts(conn, districts_frame().iloc[:2], replace=True)
    assert store.load_districts(engine)["code"].tolist() == ["a", "b"]
    # c's values went with it; r3 (assigned to c) lost its district instead of disappearing.
    assert "c" not in set(store.load_indicator_values(engine)["district_code"])
    assert pd.isna(store.load_resources(engine).set_index("external_id").loc["r3", "district_code"])


def test_categories_round_trip(engine: Engine) -> None:
    extra = pd.DataFrame(
        [
            {
                "code": "biblioteka",
                "name_pl": "biblioteka",
                "name_en": "library",
                "aliases": "czytelnia",
                "colour": "#123456",
            }
        ]
    )
    with engine.begin() as conn:
        assert store.save_categories(conn, extra).inserted == 1
    with engine.begin() as conn:
        assert store.save_categories(conn, extra).unchanged == 1
    loaded = store.load_categories(engine).set_index("code")
    assert loaded.loc["biblioteka"].to_dict() == {
        "name_pl": "biblioteka",
        "name_en": "library",
        "aliases": "czytelnia",
        "colour": "#123456",
        "capacity_unit": None,
    }
    assert len(loaded) == 12
    with engine.begin() as conn:
        unit = extra.assign(capacity_unit="miejsca")
        assert store.save_categories(conn, unit).updated == 1
        # A frame without the column keeps the stored unit.
        assert store.save_categories(conn, extra.assign(colour="#654321")).updated == 1
    loaded = store.load_categories(engine).set_index("code")
    assert loaded.loc["biblioteka", "capacity_unit"] == "miejsca"
    assert loaded.loc["biblioteka", "colour"] == "#654321"


def test_demo_data_loaded_twice_gives_the_same_counts(engine: Engine) -> None:
    from mapping.demo import load_demo_frames
    from tests.conftest import REPO_ROOT

    data = load_demo_frames(REPO_ROOT / "data" / "demo")

    def load() -> None:
        with engine.begin() as conn:
            store.save_districts(conn, data.districts)
            store.save_resources(conn, data.resources)
            store.save_indicators(conn, data.indicators)
            store.save_indicator_values(conn, data.indicator_values)

    load()
    counts, per_district = store.table_counts(engine), store.counts_by_district_category(engine)
    assert counts["district"] == 21 and counts["resource"] == len(data.resources)
    # The database's spatial query agrees with the in-memory join on the real demo too.
    pd.testing.assert_frame_equal(
        per_district, join.counts_by_district_category(data.resources, data.districts)
    )
    load()
    assert store.table_counts(engine) == counts
    pd.testing.assert_frame_equal(store.counts_by_district_category(engine), per_district)


def test_rows_without_external_id_match_by_name_within_one_metre(engine: Engine) -> None:
    load_all(engine)
    anonymous = gpd.GeoDataFrame(
        {
            "name": ["Plac zabaw", "Plac zabaw"],
            "category": ["plac_zabaw"] * 2,
            "district_code": [None, None],
            "synthetic": [False, False],
        },
        geometry=[Point(16.05, 50.75), Point(16.07, 50.75)],
        crs=4326,
    )
    with engine.begin() as conn:
        assert store.save_resources(conn, anonymous).inserted == 2
    # Moved by about 0.3 m, and one renamed: the first updates, the renamed one is new.
    again = anonymous.copy()
    again.loc[0, "geometry"] = Point(16.050004, 50.75)
    again.loc[1, "name"] = "Plac zabaw nr 2"
    with engine.begin() as conn:
        result = store.save_resources(conn, again)
    assert (result.inserted, result.updated, result.unchanged) == (1, 1, 0)
    assert store.table_counts(engine)["resource"] == 6 + 3


# --- the bulk write (mapping.db.bulk) ---------------------------------------------------------


def many_resources(n: int, *, seed: int = 0) -> gpd.GeoDataFrame:
    """``n`` resources: most in the districts (away from their edges), some outside every
    district, some without a point but assigned to district c, some with empty text columns."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(16.0, 16.5, n)
    y = rng.uniform(50.71, 50.79, n)
    x = np.where(np.abs(x - np.round(x, 1)) < 0.005, x + 0.01, x)  # off the district edges
    geometry = [Point(a, b) for a, b in zip(x, y, strict=True)]
    y_outside = 51.0
    for i in range(0, n, 17):
        geometry[i] = Point(16.2, y_outside)
    codes: list[str | None] = [None] * n
    for i in range(5, n, 23):
        geometry[i] = None
        codes[i] = "c"
    return gpd.GeoDataFrame(
        {
            "external_id": [f"m{i:05d}" for i in range(n)],
            "name": [f"Zasób {i}" for i in range(n)],
            "category": ["kis", "mops", "swietlica"] * (n // 3) + ["kis"] * (n % 3),
            "address": [f"ul. Długa {i}" if i % 2 else None for i in range(n)],
            "district_code": codes,
            "capacity": pd.array([i if i % 3 == 0 else None for i in range(n)], dtype="Int64"),
            "operator": [None] * n,
            "phone": [None] * n,
            "website": [None] * n,
            "opening_hours": [None] * n,
            "description": [None] * n,
            "source": ["bulk"] * n,
            "synthetic": [i % 2 == 0 for i in range(n)],
        },
        geometry=geometry,
        crs=4326,
    )


@pytest.fixture
def small_bulk(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bulk path (deferred triggers, several chunks) for a test-sized frame."""
    monkeypatch.setattr(bulk, "DEFER_INDEX_ROWS", 50)
    monkeypatch.setattr(bulk, "CHUNK_ROWS", 40)


def resource_triggers(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            return {}
        rows = conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'resource'"
        )
        return dict(rows.all())


def assert_spatial_index_complete(engine: Engine) -> None:
    """SpatiaLite: every located resource is in the R-tree, and a search finds exactly the
    points in a box (PostGIS maintains its GiST index itself)."""
    with engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            return
        located = dict(
            conn.exec_driver_sql("SELECT id, ST_X(geom) FROM resource WHERE geom IS NOT NULL").all()
        )
        indexed = conn.exec_driver_sql("SELECT pkid FROM idx_resource_geom").scalars().all()
        found = conn.exec_driver_sql(
            "SELECT ROWID FROM SpatialIndex WHERE f_table_name = 'resource' "
            "AND search_frame = BuildMbr(16.0, 50.7, 16.1, 50.8)"
        )
        in_a = {i for i in found.scalars()}
    assert sorted(indexed) == sorted(located)
    assert in_a == {i for i, x in located.items() if 16.0 < x < 16.1}
    assert in_a


def test_a_big_import_writes_every_row_in_order_with_index_triggers_and_version(
    engine: Engine, small_bulk: None
) -> None:
    with engine.begin() as conn:
        store.save_districts(conn, districts_frame())
    triggers, version = resource_triggers(engine), store.data_version(engine)
    frame = many_resources(230)
    steps: list[int] = []
    with engine.begin() as conn:
        result = store.save_resources(conn, frame, progress=steps.append)
    assert (result.inserted, result.updated, result.unchanged) == (230, 0, 0)
    assert steps == [40] * 5 + [30]
    loaded = store.load_resources(engine)
    assert loaded["external_id"].tolist() == frame["external_id"].tolist()  # ids in frame order
    for column in ("name", "category", "address", "capacity", "source", "synthetic"):
        assert nones(loaded[column]) == nones(frame[column]), column
    assert nones(loaded["district_code"]) == nones(frame["district_code"])
    assert loaded.geometry.isna().tolist() == frame.geometry.isna().tolist()
    assert loaded.geometry.dropna().geom_equals(frame.geometry.dropna()).all()
    assert resource_triggers(engine) == triggers  # put back exactly as they were
    assert store.data_version(engine) > version
    assert_spatial_index_complete(engine)
    expected = join.assign_districts(frame, districts_frame())
    got = store.resource_districts(engine)["district_code"]
    assert nones(got) == nones(expected)
    # The triggers work again: a small insert afterwards is indexed row by row.
    with engine.begin() as conn:
        store.save_resources(conn, many_resources(3, seed=1).assign(external_id=["x1", "x2", "x3"]))
    assert_spatial_index_complete(engine)


def test_a_big_import_that_fails_midway_writes_nothing_and_keeps_the_triggers(
    engine: Engine, small_bulk: None
) -> None:
    with engine.begin() as conn:
        store.save_districts(conn, districts_frame())
        store.save_resources(conn, resources_frame())
    triggers, version = resource_triggers(engine), store.data_version(engine)
    before = store.load_resources(engine)
    frame = many_resources(230)
    frame.loc[200, "external_id"] = frame.loc[10, "external_id"]  # fails in the last chunks
    with pytest.raises(sa.exc.IntegrityError):
        with engine.begin() as conn:
            store.save_resources(conn, frame)
    assert store.data_version(engine) == version
    assert resource_triggers(engine) == triggers
    pd.testing.assert_frame_equal(store.load_resources(engine), before)
    assert_spatial_index_complete(engine)


def test_a_big_import_refuses_other_geometry_than_points(engine: Engine, small_bulk: None) -> None:
    frame = many_resources(120)
    frame.loc[60, "geometry"] = box(16.0, 50.7, 16.1, 50.8)
    with pytest.raises((ValidationError, sa.exc.DBAPIError)):
        with engine.begin() as conn:
            store.save_resources(conn, frame)
    assert store.table_counts(engine)["resource"] == 0


def test_readers_see_the_old_rows_while_a_big_import_is_written(
    engine: Engine, small_bulk: None
) -> None:
    with engine.begin() as conn:
        store.save_districts(conn, districts_frame())
        store.save_resources(conn, resources_frame())
    with engine.connect() as writer:
        with writer.begin():
            store.save_resources(writer, many_resources(230))
            # Another connection, during the write: the committed rows, counted in SQL.
            assert store.table_counts(engine)["resource"] == 6
            assert store.counts_by_district_category(engine)["count"].sum() == 6
        assert store.table_counts(engine)["resource"] == 6 + 230


def test_a_big_reimport_updates_changed_rows_and_skips_the_rest(
    engine: Engine, small_bulk: None
) -> None:
    with engine.begin() as conn:
        store.save_districts(conn, districts_frame())
        store.save_resources(conn, many_resources(230))
    version = store.data_version(engine)
    changed = many_resources(230)
    changed.loc[:99, "name"] = [f"Nowa nazwa {i}" for i in range(100)]
    changed.loc[150, "geometry"] = Point(16.05, 50.75)
    changed.loc[156, "capacity"] = None
    with engine.begin() as conn:
        result = store.save_resources(conn, changed)
    assert (result.inserted, result.updated, result.unchanged) == (0, 102, 128)
    loaded = store.load_resources(engine)
    assert loaded["name"].tolist() == changed["name"].tolist()
    assert nones(loaded["capacity"]) == nones(changed["capacity"])
    assert loaded.loc[150].geometry.equals(Point(16.05, 50.75))
    assert store.data_version(engine) > version
    assert_spatial_index_complete(engine)
    with engine.begin() as conn:
        again = store.save_resources(conn, changed)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 230)
