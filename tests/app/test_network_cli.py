"""`palmap import network` and `--distance` of `palmap analyse access|gaps` and `palmap rank`
on the demo database (issue 15, walking distance): the import report, the dry run, the choice
of distance in the meta, and the refusals."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner

from app.db import get_engine
from mapping.db.network import load_network
from tests.network_osm import grid_osm


def run(runner: FlaskCliRunner, *args: str | Path, status: int = 0) -> str:
    result = runner.invoke(args=[str(a) for a in args])
    assert result.exit_code == status, result.output
    return result.output


def meta_of(runner: FlaskCliRunner, *args: str) -> dict:
    result = runner.invoke(args=[*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["meta"]


def test_import_reports_what_it_skipped_and_the_dry_run_writes_nothing(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = grid_osm(tmp_path / "grid.osm")
    report = tmp_path / "report.json"
    out = run(runner, "import", "network", path, "--dry-run", "--report", report)
    assert "Skipped 1: motorway or trunk road" in out
    assert "Skipped 1: foot=no" in out
    assert "121 nodes, 210 edges" in out and "Dry run" in out
    assert load_network(get_engine(app)) is None
    written = json.loads(report.read_text(encoding="utf-8"))
    assert written["skipped"] == {"motorway": 1, "foot_no": 1, "no_access": 1, "not_highway": 1}
    assert (written["nodes"], written["edges"], written["components"]) == (121, 210, 1)
    out = run(runner, "import", "network", path)
    assert "Network stored: 121 nodes, 210 edges" in out
    assert load_network(get_engine(app)).edges == 210
    assert "unchanged" in run(runner, "import", "network", path)


def test_distance_choice_of_access_gaps_and_rank(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    access = ("analyse", "access", "--year", "2013", "--category", "swietlica")
    # No network yet: straight x 1.3 by default; the network asked for is refused (exit 3).
    default = meta_of(runner, *access)
    assert default["distance"]["distance"] == "detour"
    assert default["distance"]["detour_factor"] == 1.3
    out = run(runner, *access, "--distance", "network", status=3)
    assert "palmap import network" in out
    run(runner, *access, "--distance", "crow", status=2)

    run(runner, "import", "network", grid_osm(tmp_path / "grid.osm"))
    walked = meta_of(runner, *access)
    assert walked["distance"]["distance"] == "network"
    assert walked["settings"]["distance"] == "network"
    assert walked["distance"]["network"]["edges"] == 210
    assert walked["distance"]["demand_snap_max_m"] > walked["distance"]["demand_snap_mean_m"] > 0
    assert walked["distance"]["resources_snap_max_m"] >= 0
    straight = meta_of(runner, *access, "--distance", "straight")
    assert straight["distance"] == {
        "distance": "straight",
        "detour_factor": 1.0,
        "text": "straight-line distance",
    }
    rows = {}
    for choice in ("network", "straight"):
        result = runner.invoke(args=[*access, "--distance", choice, "--format", "json"])
        rows[choice] = {
            r["district_code"]: r["nearest_m"] for r in json.loads(result.stdout)["rows"]
        }
    # Walking (from far-off snaps onto a 1 km grid) is never shorter than the straight line.
    assert all(rows["network"][c] >= rows["straight"][c] - 1e-6 for c in rows["straight"])
    assert rows["network"] != rows["straight"]
    table = runner.invoke(args=[*access, "--distance", "network"])
    assert "Distance: walking distance along the street and path network" in table.output

    gaps = meta_of(runner, "analyse", "gaps", "--year", "2013", "--distance", "straight")
    assert gaps["distance"]["distance"] == "straight"
    rank = meta_of(
        runner, "rank", "--year", "2013", "--weights", "social_assistance=1",
        "--access-weight", "1", "--runs", "10", "--distance", "detour",
    )  # fmt: skip
    assert rank["distance"]["distance"] == "detour"
