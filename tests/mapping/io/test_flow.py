"""The import flow in the core (:func:`mapping.io.flow.run_import`) on both backends.

The CLI is only an adapter over this function (tests/app/test_import_export.py); a web upload will
be another. Here: a dry run writes nothing, a refused or failing import writes nothing, skipping
invalid rows loads the rest and counts them, and ImportOptions decides everything.
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy.engine import Engine

from mapping.db import store
from mapping.io.export import write_frame
from mapping.io.flow import run_import
from mapping.io.options import ImportOptions, OptionsError

from .conftest import districts_2180, lonlat


def _districts_geojson() -> bytes:
    frame = districts_2180().to_crs(4326)
    buffer = io.BytesIO()
    write_frame(frame, buffer, format="geojson", layer="districts")
    return buffer.getvalue()


def _resources_csv(*rows: str) -> bytes:
    return ("Obiekt;Typ;N;E\n" + "".join(r + "\n" for r in rows)).encode("utf-8")


def _row(name: str, category: str, easting: float, northing: float) -> str:
    lon, lat = lonlat(easting, northing)
    return f"{name};{category};{lat:.6f};{lon:.6f}"


OPTIONS = ImportOptions(name_field="Obiekt", category_field="Typ", lat_field="N", lon_field="E")
GOOD = _row("Świetlica", "świetlica", 307_000, 324_000)
ALSO_GOOD = _row("Boisko", "boisko", 311_000, 324_000)
BAD = _row("Kawiarnia", "kawiarnia", 307_000, 330_000)  # unknown category


@pytest.fixture
def with_districts(engine: Engine) -> Engine:
    result = run_import("districts", _districts_geojson(), filename="d.geojson", engine=engine)
    assert result.status == "written" and result.loaded == 3
    return engine


def test_dry_run_checks_everything_and_writes_nothing(with_districts: Engine) -> None:
    before = store.table_counts(with_districts)
    result = run_import(
        "resources",
        _resources_csv(GOOD, ALSO_GOOD),
        filename="r.csv",
        engine=with_districts,
        options=ImportOptions(**{**OPTIONS.given(), "dry_run": True}),
    )
    assert (result.status, result.rows, result.written) == ("dry_run", 2, False)
    assert result.summary().startswith("Dry run:")
    assert store.table_counts(with_districts) == before


def test_invalid_row_refuses_the_whole_file(with_districts: Engine) -> None:
    before = store.table_counts(with_districts)
    result = run_import(
        "resources",
        _resources_csv(GOOD, BAD),
        filename="r.csv",
        engine=with_districts,
        options=OPTIONS,
    )
    assert result.status == "refused" and "nothing was written" in result.refusal()
    assert [f.row for f in result.report.errors()] == [3]
    assert store.table_counts(with_districts) == before


def test_skip_invalid_loads_the_rest_and_counts(with_districts: Engine) -> None:
    options = ImportOptions(**{**OPTIONS.given(), "skip_invalid": True})
    data = _resources_csv(GOOD, BAD, ALSO_GOOD)
    first = run_import("resources", data, filename="r.csv", engine=with_districts, options=options)
    assert (first.status, first.report.read, first.loaded, first.skipped) == ("written", 3, 2, 1)
    again = run_import("resources", data, filename="r.csv", engine=with_districts, options=options)
    assert (again.loaded, again.updated, again.unchanged, again.skipped) == (0, 0, 2, 1)
    assert store.table_counts(with_districts)["resource"] == 2


def test_a_failure_while_writing_writes_nothing(
    with_districts: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = store.table_counts(with_districts)
    save = store.save_resources

    def save_then_fail(conn: object, frame: object, **kwargs: object) -> store.SaveResult:
        save(conn, frame, **kwargs)  # rows are in the transaction ...
        raise RuntimeError("disk full")  # ... and rolled back with it

    monkeypatch.setattr(store, "save_resources", save_then_fail)
    with pytest.raises(RuntimeError, match="disk full"):
        run_import(
            "resources",
            _resources_csv(GOOD),
            filename="r.csv",
            engine=with_districts,
            options=ImportOptions(**{**OPTIONS.given(), "replace": True}),
        )
    assert store.table_counts(with_districts) == before


def test_options_are_checked_before_anything_is_read(with_districts: Engine) -> None:
    with pytest.raises(OptionsError) as error:
        run_import(
            "resources",
            b"not even read",
            filename="r.csv",
            engine=with_districts,
            options=ImportOptions(default_category="kawiarnia"),
        )
    assert error.value.option == "default_category"
    assert "--" not in str(error.value)
    with pytest.raises(OptionsError) as error:
        run_import(
            "indicators",
            b"x",
            filename="v.csv",
            engine=with_districts,
            options=ImportOptions(layout="wide_indicators"),
        )
    assert error.value.option == "year"


def test_indicator_definitions_come_in_the_same_transaction(with_districts: Engine) -> None:
    define = (
        "code,name_pl,unit,higher_is_more_need\nbezdomni,bezdomni,osoby,tak\n",
        "define.csv",
    )
    values = "dzielnica,bezdomni\nŚródmieście,12\nGaj,3\n".encode()
    options = ImportOptions(layout="wide_indicators", year=2024)
    refused = run_import(
        "indicators",
        values,
        filename="v.csv",
        engine=with_districts,
        options=options,
        definitions=(define[0].encode(), define[1]),
    )
    assert refused.status == "refused"  # Gaj is not a district here
    assert "bezdomni" not in set(store.load_indicators(with_districts)["code"])
    skipped = run_import(
        "indicators",
        values,
        filename="v.csv",
        engine=with_districts,
        options=ImportOptions(**{**options.given(), "skip_invalid": True}),
        definitions=(define[0].encode(), define[1]),
    )
    assert (skipped.loaded, skipped.skipped) == (1, 1)
    assert "bezdomni" in set(store.load_indicators(with_districts)["code"])


def test_a_rehearsal_gives_the_real_counts_and_keeps_nothing(with_districts: Engine) -> None:
    """The web upload's preview: the import written and rolled back, with exact counts."""
    first = run_import(
        "resources", _resources_csv(GOOD), filename="r.csv", engine=with_districts, options=OPTIONS
    )
    assert first.status == "written" and first.loaded == 1
    before = store.table_counts(with_districts)
    data = _resources_csv(GOOD, ALSO_GOOD)
    rehearsal = run_import(
        "resources", data, filename="r.csv", engine=with_districts, options=OPTIONS, rehearse=True
    )
    assert rehearsal.status == "rehearsed"
    assert store.table_counts(with_districts) == before
    real = run_import("resources", data, filename="r.csv", engine=with_districts, options=OPTIONS)
    counts = (real.loaded, real.updated, real.unchanged)
    assert (rehearsal.loaded, rehearsal.updated, rehearsal.unchanged) == counts
    assert counts[0] == 1 and counts[0] + counts[1] + counts[2] == 2
