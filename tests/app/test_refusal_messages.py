"""The refusals of hostile or unreadable files read in the page's language; the CLI keeps its words.

Every refusal in ``mapping/io/safety.py``, ``formats.py`` and ``vector.py`` (zip rules, XML and VRT,
a ``crs`` member that links to a URL, content that is not what the extension promises, layers and
limits) is raised with a :func:`mapping.errors.msg` template. ``str()`` gives, byte for byte, the
English the CLI printed before they became templates (pinned here); a Polish page shows the
catalogue's translation with the same values (``tests/app/test_upload.py`` shows them on the
upload page).
"""

from __future__ import annotations

import ast
import io
import re
import stat
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from flask import Flask

from app.findings import error_text
from mapping.errors import MappingError, RefusedInputError, ValidationError
from mapping.io.formats import format_named, sniff
from mapping.io.report import ImportReport
from mapping.io.safety import Limits, check_geojson_crs, check_zip
from mapping.io.vector import list_layers, read_vector, vector_from_table

IO = Path(__file__).resolve().parents[2] / "mapping" / "io"
REFUSING_MODULES = ("safety.py", "formats.py", "vector.py")


def z(entries: list, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip archive of (name, bytes) pairs and ZipInfo entries (holding b"x")."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a repeated name on purpose
        with zipfile.ZipFile(buffer, "w", method) as archive:
            for entry in entries:
                if isinstance(entry, zipfile.ZipInfo):
                    archive.writestr(entry, b"x")
                else:
                    archive.writestr(*entry)
    return buffer.getvalue()


def info(name: str, **attributes: int) -> zipfile.ZipInfo:
    entry = zipfile.ZipInfo(name)
    for key, value in attributes.items():
        setattr(entry, key, value)
    return entry


def enc(data: bytes) -> bytes:
    """The archive with its first entry marked encrypted in the central directory."""
    at = data.index(b"PK\x01\x02")
    return data[: at + 8] + b"\x01" + data[at + 9 :]


FC = b'{"type": "FeatureCollection", "features": [%s]}'
PT = (
    b'{"type": "Feature", "properties": {"n": "a"}, '
    b'"geometry": {"type": "Point", "coordinates": [16.2, 50.7]}}'
)
SQUARE = "POLYGON ((0 0, 1 0, 1 1, 0 1, 0 0))"

#: (the refusal, its class, the English the CLI printed before the refusals became templates)
REFUSALS = [
    pytest.param(
        lambda: check_geojson_crs(
            b'{"crs": {"type": "link", "properties": {"href": "http://x"}}}', "a.geojson"
        ),
        RefusedInputError,
        (
            "a.geojson: expected a crs member that names a CRS (such as EPSG:2180), got one "
            "that links to a URL or file, which palmap never follows; remove the crs member "
            "and give the coordinate reference system (CRS) in the import options instead"
        ),
        id="crs-link",
    ),
    pytest.param(
        lambda: check_zip(b"PK\x03\x04 junk"),
        RefusedInputError,
        (
            "expected a readable zip archive, got a damaged one (File is not a zip file); zip "
            "the files again"
        ),
        id="zip-damaged",
    ),
    pytest.param(
        lambda: check_zip(z([(f"f{i}", b"x") for i in range(101)])),
        RefusedInputError,
        (
            "expected a zip archive with at most 100 entries, got 101; zip only the files of "
            "one layer"
        ),
        id="zip-entries",
    ),
    pytest.param(
        lambda: check_zip(z([("a.shp", b"x"), ("A.SHP", b"y")])),
        RefusedInputError,
        ("zip entry 'A.SHP': expected each name once, got it twice; zip each file once"),
        id="zip-twice",
    ),
    pytest.param(
        lambda: check_zip(
            z([("a.shp", bytes(range(256)) * 3000)], zipfile.ZIP_STORED),
            Limits(max_zip_uncompressed_mb=0.5),
        ),
        RefusedInputError,
        (
            "expected a zip archive that unpacks to at most 0.5 MiB, got 0.7 MiB; split the "
            "data or raise the limit"
        ),
        id="zip-unpacked-size",
    ),
    pytest.param(
        lambda: check_zip(z([(f"f{i}", b"\0" * 900_000) for i in range(3)])),
        RefusedInputError,
        (
            "expected a zip archive compressed at most 100:1, got 922:1; this looks like a zip "
            "bomb and is refused"
        ),
        id="zip-ratio",
    ),
    pytest.param(
        lambda: check_zip(z([("a\\b.shp", b"x")])),
        RefusedInputError,
        (
            "zip entry 'a\\\\b.shp': expected '/' between folders, got a backslash; zip the "
            "files again with a standard zip tool"
        ),
        id="zip-backslash",
    ),
    pytest.param(
        lambda: check_zip(z([("/etc/x", b"x")])),
        RefusedInputError,
        (
            "zip entry '/etc/x': expected a relative name, got an absolute path; zip the files "
            "without their full path"
        ),
        id="zip-absolute",
    ),
    pytest.param(
        lambda: check_zip(z([("C:x", b"x")])),
        RefusedInputError,
        (
            "zip entry 'C:x': expected a relative name, got an absolute path; zip the files "
            "without their full path"
        ),
        id="zip-drive",
    ),
    pytest.param(
        lambda: check_zip(z([("../evil.shp", b"x")])),
        RefusedInputError,
        (
            "zip entry '../evil.shp': expected a relative name without '..', got one that "
            "climbs out of the archive; zip the files without folders above them"
        ),
        id="zip-climbs-out",
    ),
    pytest.param(
        lambda: check_zip(z([("a.zip/b.shp", b"x")])),
        RefusedInputError,
        (
            "zip entry 'a.zip/b.shp': expected a plain file name, got control characters or an "
            "archive inside the archive; zip the files themselves"
        ),
        id="zip-in-zip",
    ),
    pytest.param(
        lambda: check_zip(z([info("l.shp", external_attr=(stat.S_IFLNK | 0o777) << 16)])),
        RefusedInputError,
        (
            "zip entry 'l.shp': expected a regular file, got a symbolic link; zip the files "
            "themselves, not links to them"
        ),
        id="zip-symlink",
    ),
    pytest.param(
        lambda: check_zip(enc(z([("e.shp", b"x")]))),
        RefusedInputError,
        (
            "zip entry 'e.shp': expected an unencrypted archive, got an encrypted entry; zip "
            "the files without a password"
        ),
        id="zip-encrypted",
    ),
    pytest.param(
        lambda: check_zip(z([("b.shp", b"x")], zipfile.ZIP_BZIP2)),
        RefusedInputError,
        (
            "zip entry 'b.shp': expected stored or deflated entries, got compression method "
            "12; zip the files with standard (deflate) compression"
        ),
        id="zip-bzip2",
    ),
    pytest.param(
        lambda: check_zip(z([("d.vrt", b"x")])),
        RefusedInputError,
        (
            "zip entry 'd.vrt': VRT files can point at other files and are never read; remove "
            "it from the archive"
        ),
        id="zip-vrt",
    ),
    pytest.param(
        lambda: check_zip(z([("bomb.shp", b"\0" * 3_000_000)])),
        RefusedInputError,
        (
            "zip entry 'bomb.shp': expected a compression ratio of at most 100, got 1026 (2.9 "
            "MiB from 2923 bytes); this looks like a zip bomb and is refused"
        ),
        id="zip-bomb-entry",
    ),
    pytest.param(
        lambda: format_named("geojson").read_table(
            b"", ImportReport(source="x.geojson"), sheet=None, limits=Limits()
        ),
        RefusedInputError,
        (
            "x.geojson: expected a table (CSV or XLSX), got GeoJSON; import it as a map layer "
            "or export the table as CSV or XLSX"
        ),
        id="table-from-geojson",
    ),
    pytest.param(
        lambda: format_named("zip").read_table(
            b"", ImportReport(source="x.zip"), sheet=None, limits=Limits()
        ),
        RefusedInputError,
        (
            "x.zip: expected a table (CSV or XLSX), got a zip archive; import it as a map "
            "layer or export the table as CSV or XLSX"
        ),
        id="table-from-zip",
    ),
    pytest.param(
        lambda: sniff(b"x", filename="a.shp"),
        RefusedInputError,
        (
            "a.shp: expected a file ending in .csv, .geojson, .gpkg, .json, .tsv, .txt, .xlsx, "
            ".zip, got '.shp'; zip the .shp together with its .shx, .dbf, .prj and .cpg and "
            "send the .zip"
        ),
        id="ext-shp",
    ),
    pytest.param(
        lambda: sniff(b"x", filename="a.xls"),
        RefusedInputError,
        (
            "a.xls: expected a file ending in .csv, .geojson, .gpkg, .json, .tsv, .txt, .xlsx, "
            ".zip, got '.xls'; save the workbook as .xlsx (Excel Workbook) or as CSV"
        ),
        id="ext-xls",
    ),
    pytest.param(
        lambda: sniff(b"x", filename="a.ods"),
        RefusedInputError,
        (
            "a.ods: expected a file ending in .csv, .geojson, .gpkg, .json, .tsv, .txt, .xlsx, "
            ".zip, got '.ods'; save the workbook as .xlsx or as CSV"
        ),
        id="ext-ods",
    ),
    pytest.param(
        lambda: sniff(b"x", filename="a.kml"),
        RefusedInputError,
        (
            "a.kml: expected a file ending in .csv, .geojson, .gpkg, .json, .tsv, .txt, .xlsx, "
            ".zip, got '.kml'; export the layer as GeoJSON or GeoPackage"
        ),
        id="ext-kml",
    ),
    pytest.param(
        lambda: sniff(b"x", filename="a.vrt"),
        RefusedInputError,
        (
            "a.vrt: expected a file ending in .csv, .geojson, .gpkg, .json, .tsv, .txt, .xlsx, "
            ".zip, got '.vrt'; VRT files can point at other files and are never read; send the "
            "data itself"
        ),
        id="ext-vrt",
    ),
    pytest.param(
        lambda: sniff(b"x", filename="a.foo"),
        RefusedInputError,
        (
            "a.foo: expected a file ending in .csv, .geojson, .gpkg, .json, .tsv, .txt, .xlsx, "
            ".zip, got '.foo'; send GeoJSON, GeoPackage, a zipped Shapefile, CSV or XLSX"
        ),
        id="ext-unknown",
    ),
    pytest.param(
        lambda: sniff(b"x", filename="noext"),
        RefusedInputError,
        (
            "noext: expected a file ending in .csv, .geojson, .gpkg, .json, .tsv, .txt, .xlsx, "
            ".zip, got 'no extension'; send GeoJSON, GeoPackage, a zipped Shapefile, CSV or "
            "XLSX"
        ),
        id="ext-none",
    ),
    pytest.param(
        lambda: sniff(b"", filename="a.csv"),
        RefusedInputError,
        ("a.csv: expected data, got an empty file; send the file again"),
        id="empty",
    ),
    pytest.param(
        lambda: sniff(b"<x/>", filename="a.csv"),
        RefusedInputError,
        (
            "a.csv: expected CSV text, got XML content (VRT, KML, GML or HTML), which palmap "
            "never reads; export the layer as GeoJSON, GeoPackage or a zipped Shapefile"
        ),
        id="xml",
    ),
    pytest.param(
        lambda: sniff(b"SQLite format 3\x00" + b"\0" * 100, filename="a.gpkg"),
        RefusedInputError,
        (
            "a.gpkg: expected a GeoPackage, got a SQLite database that is not a GeoPackage; "
            "export the layer as a GeoPackage (.gpkg)"
        ),
        id="sqlite",
    ),
    pytest.param(
        lambda: sniff(b"\x00\x01\x02" * 100, filename="a.geojson"),
        RefusedInputError,
        (
            "a.geojson: expected GeoJSON, got binary content of an unknown kind; check that "
            "this is the right file"
        ),
        id="binary",
    ),
    pytest.param(
        lambda: sniff(b'{"a": 1}', filename="a.geojson"),
        RefusedInputError,
        (
            "a.geojson: expected GeoJSON, got JSON that is not a GeoJSON Feature or "
            "FeatureCollection; export the layer as GeoJSON (RFC 7946)"
        ),
        id="json",
    ),
    pytest.param(
        lambda: sniff(z([("a.shp", b"x")]), filename="a.csv"),
        RefusedInputError,
        (
            "a.csv: the extension promises CSV text but the content is a zip archive; give the "
            "file its right extension"
        ),
        id="zip-as-csv",
    ),
    pytest.param(
        lambda: sniff(b"a;b\n1;2\n", filename="a.geojson"),
        RefusedInputError,
        (
            "a.geojson: the extension promises GeoJSON but the content is CSV text; give the "
            "file its right extension"
        ),
        id="csv-as-geojson",
    ),
    pytest.param(
        lambda: sniff(b"a;b\n1;2\n", filename="a.xlsx"),
        RefusedInputError,
        (
            "a.xlsx: the extension promises an XLSX workbook but the content is CSV text; give "
            "the file its right extension"
        ),
        id="csv-as-xlsx",
    ),
    pytest.param(
        lambda: list_layers(b"a", kind="csv"),
        RefusedInputError,
        (
            "expected a map layer kind in ('geojson', 'gpkg', 'zip'), got 'csv'; tables have "
            "no layers"
        ),
        id="layers-of-a-table",
    ),
    pytest.param(
        lambda: list_layers(FC % b"" + b"   [", kind="geojson"),
        ValidationError,
        (
            "expected a readable map layer, got Failed to read GeoJSON data; At line 1, "
            "character 17: Unexpected character ([)"
        ),
        id="layers-unreadable",
    ),
    pytest.param(
        lambda: list_layers(b'{"type": "FeatureCollection", "features": [', kind="geojson"),
        ValidationError,
        (
            "expected a readable map layer, got Failed to read GeoJSON data; At line 1, "
            "character 12: Unterminated array"
        ),
        id="layers-unreadable-2",
    ),
    pytest.param(
        lambda: read_vector(b"a;b\n1;2\n", filename="a.csv"),
        RefusedInputError,
        (
            "a.csv: expected a map layer (GeoJSON, GeoPackage or zipped Shapefile), got a csv "
            "table; import tables as resources or indicators, or districts with a WKT column"
        ),
        id="layer-from-csv",
    ),
    pytest.param(
        lambda: read_vector(b'{"type": "FeatureCollection", "features": [', filename="a.geojson"),
        ValidationError,
        (
            "a.geojson: expected a readable map layer, got Failed to read GeoJSON data; At "
            "line 1, character 12: Unterminated array"
        ),
        id="layer-unreadable",
    ),
    pytest.param(
        lambda: read_vector(
            FC % (PT + b"," + PT), filename="a.geojson", limits=Limits(max_features=1)
        ),
        RefusedInputError,
        (
            "a.geojson: expected at most 1 features, got 2; split the layer or raise the limit "
            "(PALMAP_MAX_FEATURES)"
        ),
        id="layer-features",
    ),
    pytest.param(
        lambda: read_vector(
            FC % (PT + b"," + PT), filename="a.geojson", limits=Limits(max_vertices=1)
        ),
        RefusedInputError,
        (
            "a.geojson: expected at most 1 vertices, got 2; simplify the geometries or raise "
            "the limit (PALMAP_MAX_VERTICES)"
        ),
        id="layer-vertices",
    ),
    pytest.param(
        lambda: read_vector(
            z(
                [
                    ("a.shp", b"x"),
                    ("a.shx", b"x"),
                    ("a.dbf", b"x"),
                    ("b.shp", b"x"),
                    ("b.shx", b"x"),
                    ("b.dbf", b"x"),
                ]
            ),
            filename="s.zip",
        ),
        ValidationError,
        ("s.zip: expected one layer, got 2: 'a', 'b'; choose one as the layer"),
        id="layer-choose",
    ),
    pytest.param(
        lambda: read_vector(
            z([("a.shp", b"x"), ("a.shx", b"x"), ("a.dbf", b"x")]), filename="s.zip", layer="nope"
        ),
        ValidationError,
        ("s.zip: expected a layer named 'nope', got layers 'a'; give one of them as the layer"),
        id="layer-unknown",
    ),
    pytest.param(
        lambda: read_vector(z([("a.txt", b"x")]), filename="s.zip"),
        ValidationError,
        (
            "s.zip: expected a zipped Shapefile with a .shp file, got 'a.txt'; zip the .shp, "
            ".shx, .dbf, .prj and .cpg of the layer"
        ),
        id="zip-no-shp",
    ),
    pytest.param(
        lambda: read_vector(z([]), filename="s.zip"),
        ValidationError,
        (
            "s.zip: expected a zipped Shapefile with a .shp file, got no files; zip the .shp, "
            ".shx, .dbf, .prj and .cpg of the layer"
        ),
        id="zip-empty",
    ),
    pytest.param(
        lambda: read_vector(z([("a{b}.shp", b"x")]), filename="s.zip"),
        RefusedInputError,
        ("zip entry 'a{b}.shp': expected a plain file name, got braces; rename the file"),
        id="zip-braces",
    ),
    pytest.param(
        lambda: read_vector(z([("a.shp", b"x"), ("a.shx", b"x")]), filename="s.zip"),
        ValidationError,
        (
            "s.zip: expected a.shp, a.shx, a.dbf in the zip, got no a.dbf; a Shapefile needs "
            "all three files with the same name: add the missing one"
        ),
        id="zip-no-dbf",
    ),
    pytest.param(
        lambda: read_vector(z([("a.shp", b"x")]), filename="s.zip"),
        ValidationError,
        (
            "s.zip: expected a.shp, a.shx, a.dbf in the zip, got no a.shx and no a.dbf; a "
            "Shapefile needs all three files with the same name: add the missing one"
        ),
        id="zip-no-shx-dbf",
    ),
    pytest.param(
        lambda: read_vector(
            z([("a.shp", b"x" * 10000), ("a.shx", b"x"), ("a.dbf", b"x")]),
            filename="s.zip",
            limits=Limits(max_vertices=1),
        ),
        RefusedInputError,
        (
            "s.zip: expected at most 1 vertices, got at least 618 by the size of a.shp; "
            "simplify the layer or raise the limit (PALMAP_MAX_VERTICES)"
        ),
        id="zip-shp-size",
    ),
    pytest.param(
        lambda: read_vector(
            z([("a.shp", b"x"), ("a.shx", b"x" * 1000), ("a.dbf", b"x")]),
            filename="s.zip",
            limits=Limits(max_features=1),
        ),
        RefusedInputError,
        (
            "s.zip: expected at most 1 features, got 112; split the layer or raise the limit "
            "(PALMAP_MAX_FEATURES)"
        ),
        id="zip-shx-size",
    ),
    pytest.param(
        lambda: vector_from_table(pd.DataFrame({"a": [1]}), ImportReport(unit="line")),
        ValidationError,
        (
            "table: expected a WKT column (wkt or geometry), got columns a; add the geometry "
            "as WKT or name the column"
        ),
        id="wkt-no-column",
    ),
    pytest.param(
        lambda: vector_from_table(
            pd.DataFrame({"a": [1]}), ImportReport(source="t.csv", unit="line")
        ),
        ValidationError,
        (
            "t.csv: expected a WKT column (wkt or geometry), got columns a; add the geometry "
            "as WKT or name the column"
        ),
        id="wkt-no-column-named",
    ),
    pytest.param(
        lambda: vector_from_table(
            pd.DataFrame({"wkt": [SQUARE]}),
            ImportReport(unit="line"),
            limits=Limits(max_vertices=2),
        ),
        RefusedInputError,
        (
            "table: expected at most 2 vertices, got 5; simplify the geometries or raise the "
            "limit (PALMAP_MAX_VERTICES)"
        ),
        id="wkt-vertices",
    ),
]


def _raised(refuse: Callable[[], object]) -> MappingError:
    with pytest.raises(MappingError) as caught:
        refuse()
    return caught.value


@pytest.mark.parametrize(("refuse", "kind", "english"), REFUSALS)
def test_the_refusal_keeps_its_english_words_and_carries_a_template(
    refuse: Callable[[], object], kind: type[MappingError], english: str
) -> None:
    error = _raised(refuse)
    assert type(error) is kind
    assert str(error) == english
    assert error.translatable is not None and str(error.translatable) == english


def _numbers(text: str) -> list[str]:
    return sorted(re.findall(r"\d+(?:\.\d+)?", text))


@pytest.mark.parametrize(("refuse", "kind", "english"), REFUSALS)
def test_the_refusal_reads_in_polish_with_the_same_values(
    empty_app: Flask, refuse: Callable[[], object], kind: type[MappingError], english: str
) -> None:
    error = _raised(refuse)
    with empty_app.test_request_context("/?lang=en"):
        assert error_text(error) == english
    with empty_app.test_request_context("/?lang=pl"):
        polish = error_text(error)
    assert polish != english
    # no English sentence left (GDAL's own text in brackets may stay English)
    outside = re.sub(r"\(Failed to read[^)]*\)+", "", polish)
    assert not re.search(r"\b(expected|got|the|zip the|export|send)\b", outside), polish
    assert _numbers(polish) == _numbers(english), (polish, english)
    for quoted in re.findall(r"'([^']+)'", english):  # names from the file, as the values
        if quoted not in ("..", "/", "no extension"):  # the template's own quotes
            value = ast.literal_eval(f"'{quoted}'")  # as repr() wrote it
            assert value in polish, (value, polish)


def test_every_refusal_of_a_file_is_a_template() -> None:
    """No refusal in the file checks is written as plain text (a literal or an f-string)."""
    plain: list[str] = []
    for name in REFUSING_MODULES:
        tree = ast.parse((IO / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if not node.func.id.endswith("Error") or node.func.id in ("KeyError", "AssertionError"):
                continue
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant | ast.JoinedStr | ast.BinOp):
                plain.append(f"mapping/io/{name}:{node.lineno}")
    assert plain == [], "refusals written as plain text: write them with msg() to translate them"


def test_a_refused_paste_reads_in_the_page_language(accounts: Flask) -> None:
    """A refusal outside the upload page (cells pasted into the values table that are XML) goes
    through the error page, which shows the core's message in the page's language."""
    from tests.app.test_editing import _client
    from tests.app.test_values import _table

    editor = _client(accounts, "jan")
    paste = {"paste": "<OGRVRTDataSource><OGRVRTLayer/></OGRVRTDataSource>"}
    polish = editor.post("/wskazniki/dane", data={**_table(editor), **paste})
    assert polish.status_code == 413
    assert "rozszerzenie wskazuje na tekst CSV, a plik zawiera XML" in polish.get_data(True)
    english = editor.post("/wskazniki/dane?lang=en", data={**_table(editor), **paste})
    assert english.status_code == 413
    assert "expected CSV text, got XML content" in english.get_data(True)
