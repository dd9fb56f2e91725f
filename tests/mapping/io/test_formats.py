"""The format registry: one entry per format, and the safety rules that no entry can weaken.

The fake format below (JSON Lines tables) is what CONTRIBUTING.md's "Add an import format"
recipe describes: one :class:`Format` entry with its extensions, a sniffer, a parser and a
writer. If adding an entry ever needs a second change somewhere else, this test fails.
"""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest

from mapping.errors import RefusedInputError
from mapping.frames import BOOLEAN_TEXT
from mapping.io.export import EXPORT_FORMATS, format_from_path, write_frame
from mapping.io.formats import FORMATS, Format, export_formats, format_named, sniff
from mapping.io.parsers import Parsed
from mapping.io.report import ImportReport
from mapping.io.safety import DEFAULT_LIMITS, Content, Limits
from mapping.io.tabular import read_table


def _is_json_lines(content: Content) -> bool:
    if content.text is None or not content.text.startswith("{"):
        return False
    first = content.text.splitlines()[0]
    try:
        record = json.loads(first)
    except ValueError:
        return False
    return isinstance(record, dict) and "type" not in record


def _parse_json_lines(
    data: bytes, report: ImportReport, *, sheet: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> Parsed:
    records = [json.loads(line) for line in data.decode("utf-8").splitlines() if line.strip()]
    header = list(records[0])
    body = pd.DataFrame([[str(r.get(c, "")) for c in header] for r in records])
    return header, body, np.arange(1, len(records) + 1)


def _write_json_lines(
    frame: pd.DataFrame, target: io.BytesIO, *, layer: str, excel: bool = False
) -> None:
    rows = pd.DataFrame(frame).drop(columns="geometry", errors="ignore")
    for record in rows.to_dict("records"):
        line = {k: BOOLEAN_TEXT[v] if isinstance(v, bool) else v for k, v in record.items()}
        target.write((json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8"))


JSON_LINES = Format(
    name="jsonl",
    label="JSON Lines",
    extensions=(".jsonl",),
    sniff=_is_json_lines,
    unit="line",
    parse=_parse_json_lines,
    write=_write_json_lines,
    export_name="jsonl",
    export_extensions=(".jsonl",),
)
REGISTRY = (JSON_LINES, *FORMATS)
DATA = '{"nazwa": "Świetlica", "kategoria": "kis"}\n{"nazwa": "=1+1", "kategoria": "ngo"}\n'


def test_a_new_format_is_one_entry_sniffed_read_and_written() -> None:
    data = DATA.encode("utf-8")
    with pytest.raises(RefusedInputError, match="expected a file ending in"):
        sniff(data, filename="zasoby.jsonl")  # not in the default registry
    assert sniff(data, filename="zasoby.jsonl", formats=REGISTRY) == "jsonl"
    table, report = read_table(data, filename="zasoby.jsonl", formats=REGISTRY)
    assert report.unit == "line" and report.read == 2
    assert table.to_dict("list") == {"nazwa": ["Świetlica", "=1+1"], "kategoria": ["kis", "ngo"]}
    assert "jsonl" in export_formats(REGISTRY) and "jsonl" not in EXPORT_FORMATS
    buffer = io.BytesIO()
    write_frame(table, buffer, format="jsonl", layer="resources", formats=REGISTRY)
    assert buffer.getvalue().decode("utf-8") == DATA


def test_no_entry_can_make_palmap_read_xml_or_a_mismatched_extension() -> None:
    greedy = Format(
        name="anything", label="anything", extensions=(".any",), sniff=lambda c: True, unit="row"
    )
    registry = (greedy, *FORMATS)
    with pytest.raises(RefusedInputError, match="XML content"):
        sniff(b"<OGRVRTDataSource/>", filename="x.any", formats=registry)
    # A CSV file is still CSV text, whatever a greedy entry claims: the content must match the
    # extension's format.
    with pytest.raises(RefusedInputError, match="promises CSV text but the content is anything"):
        sniff(b"a,b\n1,2\n", filename="x.csv", formats=registry)


def test_registry_is_consistent() -> None:
    extensions = [ext for fmt in FORMATS for ext in fmt.extensions]
    assert len(extensions) == len(set(extensions))
    for fmt in FORMATS:
        assert (fmt.driver is None) != (fmt.parse is None), fmt.name  # a layer or a table
        assert format_named(fmt.name) is fmt
        for ext in fmt.export_extensions:
            assert format_from_path(f"out{ext}") == fmt.export_name
    assert {f.name: f.driver for f in FORMATS if f.driver} == {
        "geojson": "GeoJSON",
        "gpkg": "GPKG",
        "zip": "ESRI Shapefile",
    }
