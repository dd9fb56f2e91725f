"""``palmap export`` writes files with the mode the umask gives, as ``analyse -o`` does
(docs/SECURITY.md, "Files palmap writes")."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from flask import Flask

SPATIAL = ("csv", "xlsx", "geojson", "gpkg", "shp.zip")


@pytest.mark.parametrize(
    ("kind", "suffix"),
    [
        *[(kind, suffix) for kind in ("districts", "resources") for suffix in SPATIAL],
        ("indicators", "csv"),
        ("indicators", "xlsx"),
    ],
)
def test_every_export_and_analysis_file_gets_the_umask_mode(
    app: Flask, tmp_path: Path, kind: str, suffix: str
) -> None:
    runner = app.test_cli_runner()
    old = os.umask(0o022)
    try:
        exported = tmp_path / f"{kind}.{suffix}"
        exported.write_bytes(b"old")
        exported.chmod(0o644)
        result = runner.invoke(args=["export", kind, "-o", str(exported)])
        assert result.exit_code == 0, result.output
        analysed = tmp_path / "supply.csv"
        result = runner.invoke(args=["analyse", "supply", "--year", "2013", "-o", str(analysed)])
        assert result.exit_code == 0, result.output
    finally:
        os.umask(old)
    assert stat.S_IMODE(exported.stat().st_mode) == 0o644
    assert exported.read_bytes() != b"old"
    assert stat.S_IMODE(analysed.stat().st_mode) == 0o644
