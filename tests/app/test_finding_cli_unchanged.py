"""The CLI stays English: the templated findings give byte for byte the texts of before.

``tests/app/golden/`` holds what ``palmap import`` printed and wrote (report CSV and JSON) for files
with many bad rows before the findings became templates (the commit that added this test); the
same files must give the same bytes now. Regenerate only on purpose: ``PALMAP_WRITE_GOLDEN=1``
writes them anew.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask.testing import FlaskCliRunner

GOLDEN = Path(__file__).parent / "golden"

#: Resources with one problem per row (the demo districts: 50.79205, 16.28974 lies in Gaj).
BAD_RESOURCES = """external_id,name,category,lat,lon,district,capacity,website
r1,Świetlica A,świetlica,50.79205,16.28974,,25,https://a.pl
r2,,świetlica,50.79205,16.28974,,,
r3,Kino B,kino,50.79205,16.28974,,,
r4,Świetlica C,świetlica,50.79205,16.28974,,dużo,
r5,Świetlica D,świetlica,abc,16.28974,,,
r6,Świetlica E,świetlica,50.79205,16.28974,,,www.e.pl
r1,Świetlica F,świetlica,50.79205,16.28974,,,
r8,Świetlica G,świetlica,50.79205,,,,
r9,Świetlica H,świetlica,,,,,
r10,Świetlica I,świetlica,,,Gajj,,
r11,Świetlica J,świetlica,16.28974,50.79205,,,
r12,Świetlica K,świetlica,51.5,17.5,,,
r13,Świetlica L,świetlica,50.79205,16.28974,Sobięcin,,
r14,Świetlica M,świetlica,,,Gaj,,
r15,Świetlica N,świetlica,50.79205,16.28974,,,,extra
r16,Świetlica O,świetlica,50.79205,16.28974,,-3,
r17,Świetlica P,świetlica,50.79205,16.28974,,,=1+1
"""

BAD_VALUES = """district,indicator,year,value
gaj,residents,2021,100
Gajj,residents,2021,5
gaj,kino,2021,5
gaj,residents,20x1,5
gaj,residents,2021,abc
gaj,residents,2021,7
,residents,2021,1
"""

#: (name, kind, file name, content, extra options, exit status)
RUNS = (
    ("resources", "resources", "zasoby.csv", BAD_RESOURCES, (), 3),
    (
        "resources-skip",
        "resources",
        "zasoby.csv",
        BAD_RESOURCES,
        ("--skip-invalid", "--dry-run"),
        0,
    ),
    ("values", "indicators", "wartosci.csv", BAD_VALUES, (), 3),
)


def outputs(runner: FlaskCliRunner, tmp_path: Path) -> dict[str, str]:
    """What each run printed, and the report files it wrote."""
    texts: dict[str, str] = {}
    for name, kind, filename, content, extra, status in RUNS:
        source = tmp_path / filename
        source.write_text(content, encoding="utf-8")
        for suffix in ("csv", "json"):
            report = tmp_path / f"{name}-report.{suffix}"
            args = ["import", kind, str(source), *extra, "--report", str(report)]
            result = runner.invoke(args=args)
            assert result.exit_code == status, (result.exit_code, result.output[-600:])
            texts[f"{name}-{suffix}.out"] = result.output.replace(str(tmp_path), "<tmp>")
            texts[f"{name}-report.{suffix}"] = report.read_text(encoding="utf-8")
    return texts


def test_cli_output_and_report_files_are_unchanged_byte_for_byte(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    texts = outputs(runner, tmp_path)
    if os.environ.get("PALMAP_WRITE_GOLDEN") == "1":
        for name, text in texts.items():
            (GOLDEN / name).write_bytes(text.encode("utf-8"))
    for name, text in texts.items():
        assert text.encode("utf-8") == (GOLDEN / name).read_bytes(), name
