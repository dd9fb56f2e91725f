"""The engine: SpatiaLite loads, pragmas take effect, URLs are checked."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from mapping.db.engine import create_engine, default_sqlite_url
from mapping.errors import ConfigurationError


def test_sqlite_connections_have_wal_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    engine = create_engine(default_sqlite_url(tmp_path), busy_timeout_ms=12_345)
    # Every pooled connection, not only the first, gets the settings.
    with engine.connect() as first, engine.connect() as second:
        for conn in (first, second):
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 12_345
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("SELECT spatialite_version()").scalar()


def test_spatial_metadata_has_the_metric_crs(tmp_path: Path) -> None:
    engine = create_engine(default_sqlite_url(tmp_path))
    with engine.connect() as conn:
        srids = (
            conn.exec_driver_sql(
                "SELECT srid FROM spatial_ref_sys WHERE srid IN (4326, 2180) ORDER BY srid"
            )
            .scalars()
            .all()
        )
    assert srids == [2180, 4326]


def test_spatialite_measures_in_epsg_2180(tmp_path: Path) -> None:
    engine = create_engine(default_sqlite_url(tmp_path))
    with engine.connect() as conn:
        # One degree of longitude at 50.77 N is about 70.5 km.
        length = conn.execute(
            sa.text(
                "SELECT ST_Length(ST_Transform(GeomFromText("
                "'LINESTRING(16 50.77, 17 50.77)', 4326), 2180))"
            )
        ).scalar()
    assert 70_000 < length < 71_000


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("sqlite://", "in-memory"),
        ("sqlite:///:memory:", "in-memory"),
        ("mysql://x@y/z", "sqlite:/// or postgresql"),
    ],
)
def test_unsupported_urls_are_refused(url: str, fragment: str) -> None:
    with pytest.raises(ConfigurationError, match=fragment):
        create_engine(url)


def test_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="to exist"):
        create_engine(f"sqlite:///{tmp_path}/no/such/dir/x.sqlite")


def test_missing_extension_names_the_fix(tmp_path: Path) -> None:
    engine = create_engine(default_sqlite_url(tmp_path), spatialite_library="no_such_spatialite")
    with pytest.raises(ConfigurationError, match="PALMAP_SPATIALITE_LIBRARY"):
        engine.connect()


def test_geopackage_writes_after_spatialite_is_loaded(tmp_path: Path) -> None:
    """SpatiaLite's global symbols must not crash pyogrio's GPKG writer (a segfault, once)."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from mapping.db.engine import create_engine\n"
        "engine = create_engine(sys.argv[1])\n"
        "with engine.connect() as conn:\n"
        "    conn.exec_driver_sql('SELECT spatialite_version()').scalar()\n"
        "import geopandas as gpd\n"
        "from shapely import Point\n"
        "frame = gpd.GeoDataFrame({'a': [1]}, geometry=[Point(16.3, 50.8)], crs=4326)\n"
        "frame.to_file(sys.argv[2], driver='GPKG')\n"
        "print('written')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, default_sqlite_url(tmp_path), str(tmp_path / "x.gpkg")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "written" in result.stdout
