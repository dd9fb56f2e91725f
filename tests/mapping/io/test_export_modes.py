"""An export gets the mode the umask gives, like any file a program writes (docs/SECURITY.md,
"Files palmap writes"): it was 0600 whatever the umask, and overwriting a 0644 file made it
0600, so a report folder shared by a group could not read it."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest
from shapely import Point

from mapping.io.export import write_frame

FORMATS = ("csv", "xlsx", "geojson", "gpkg", "shp")


@pytest.fixture
def umask() -> Iterator[None]:
    """Restore the process umask after a test sets its own."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def _frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": ["a"], "name": ["Świetlica"]}, geometry=[Point(16.28, 50.77)], crs=4326
    )


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("mask", [0o022, 0o027, 0o077, 0o002])
def test_a_new_export_gets_the_mode_of_the_umask(
    tmp_path: Path, umask: None, fmt: str, mask: int
) -> None:
    os.umask(mask)
    path = tmp_path / f"out.{'zip' if fmt == 'shp' else fmt}"
    write_frame(_frame(), path, format=fmt, layer="out")
    assert _mode(path) == 0o666 & ~mask
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


@pytest.mark.parametrize("fmt", FORMATS)
def test_overwriting_a_file_keeps_the_umask_mode_and_replaces_it_whole(
    tmp_path: Path, umask: None, fmt: str
) -> None:
    path = tmp_path / f"out.{'zip' if fmt == 'shp' else fmt}"
    path.write_bytes(b"old")
    path.chmod(0o644)
    write_frame(_frame(), path, format=fmt, layer="out")
    assert _mode(path) == 0o644
    assert path.read_bytes() != b"old"


def test_a_failed_export_leaves_the_old_file_and_no_temporary_file(
    tmp_path: Path, umask: None
) -> None:
    path = tmp_path / "out.shp.zip"
    path.write_bytes(b"old")
    plain = gpd.GeoDataFrame({"code": ["a"]})  # a Shapefile needs a geometry
    with pytest.raises(Exception):  # noqa: B017, PT011 - whatever the writer raises
        write_frame(plain, path, format="shp", layer="out")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]
