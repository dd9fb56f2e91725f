"""Hostile files of docs/SECURITY.md (points 4, 5, 10): refused before any parser or driver runs."""

from __future__ import annotations

import io
import sqlite3
import stat
import sys
import unicodedata
import zipfile

import pandas as pd
import pytest

from mapping.errors import RefusedInputError
from mapping.io.formats import sniff
from mapping.io.safety import (
    FOLDED_TRIGGERS,
    FORMULA_TRIGGERS,
    Limits,
    check_size,
    check_zip,
    guard_formula,
    guard_series,
    inspect_content,
    unguard_series,
)
from mapping.io.tabular import read_table
from mapping.io.vector import read_vector

FEATURES = b'{"type": "FeatureCollection", "features": []}'
VRT = b"""<OGRVRTDataSource><OGRVRTLayer name="x">
<SrcDataSource>/etc/passwd</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>"""


def _zip(entries: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_sniff_recognises_each_kind(tmp_path) -> None:
    assert sniff(FEATURES, filename="a.geojson") == "geojson"
    assert sniff(b'{"type":"Feature","properties":{},"geometry":null}', filename="a.json") == (
        "geojson"
    )
    assert sniff("nazwa;x\nŁódź;1\n".encode("cp1250"), filename="a.csv") == "csv"
    assert sniff(_zip({"a.shp": b"x"}), filename="a.zip") == "zip"
    assert (
        sniff(_zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>"}), filename="a.xlsx")
        == "xlsx"
    )
    gpkg = tmp_path / "a.gpkg"
    with sqlite3.connect(gpkg) as conn:
        conn.execute("PRAGMA application_id = 1196444487")  # 'GPKG'
        conn.execute("CREATE TABLE t (x)")
    assert sniff(gpkg.read_bytes(), filename="a.gpkg") == "gpkg"


def test_xml_in_a_geojson_is_refused() -> None:
    with pytest.raises(RefusedInputError, match="XML content"):
        read_vector(b'<?xml version="1.0"?><kml></kml>', filename="districts.geojson")


def test_vrt_content_is_refused_under_any_name() -> None:
    for name in ("d.geojson", "d.csv", "d.json"):
        with pytest.raises(RefusedInputError, match="XML content"):
            sniff(VRT, filename=name)
    with pytest.raises(RefusedInputError, match="VRT files can point at other files"):
        sniff(VRT, filename="d.vrt")
    with pytest.raises(RefusedInputError, match="zip entry 'layer.vrt'"):
        read_vector(_zip({"layer.vrt": VRT}), filename="d.zip")


def test_a_csv_that_is_a_zip_is_refused() -> None:
    with pytest.raises(RefusedInputError, match="extension promises CSV text but the content"):
        read_table(_zip({"a.txt": b"x"}), filename="resources.csv")


def test_other_mismatches_are_refused(tmp_path) -> None:
    with pytest.raises(RefusedInputError, match="promises an XLSX workbook but the content is CSV"):
        sniff(b"a;b\n1;2\n", filename="a.xlsx")
    with pytest.raises(
        RefusedInputError, match="promises a zip archive but the content is an XLSX"
    ):
        sniff(_zip({"[Content_Types].xml": b"<x/>", "xl/a.xml": b"<x/>"}), filename="a.zip")
    with pytest.raises(RefusedInputError, match="JSON that is not a GeoJSON"):
        sniff(b'{"type": "Topology"}', filename="a.geojson")
    with pytest.raises(RefusedInputError, match="GeoJSON but the content is CSV"):
        sniff(b"a,b\n1,2\n", filename="a.geojson")
    db = tmp_path / "a.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(RefusedInputError, match="SQLite database that is not a GeoPackage"):
        sniff(db.read_bytes(), filename="a.gpkg")
    with pytest.raises(RefusedInputError, match="binary content"):
        sniff(b"\x00\x01\x02binary", filename="a.csv")
    with pytest.raises(RefusedInputError, match="empty file"):
        sniff(b"", filename="a.csv")


def test_unsupported_extensions_are_refused_with_a_hint() -> None:
    with pytest.raises(RefusedInputError, match="zip the .shp together"):
        sniff(b"x", filename="districts.shp")
    with pytest.raises(RefusedInputError, match=r"save the workbook as \.xlsx"):
        sniff(b"x", filename="old.xls")


def test_geojson_crs_pointing_at_a_url_is_refused() -> None:
    data = (
        b'{"type": "FeatureCollection", "crs": {"type": "link", "properties": '
        b'{"href": "http://127.0.0.1:9/crs.wkt", "type": "ogcwkt"}}, "features": []}'
    )
    with pytest.raises(RefusedInputError, match="links to a URL or file"):
        read_vector(data, filename="d.geojson")


def test_zip_bomb_is_refused_by_its_ratio() -> None:
    bomb = _zip({"districts.shp": b"\x00" * (20 * 1024 * 1024)})
    assert len(bomb) < 100_000
    with pytest.raises(RefusedInputError, match="zip entry 'districts.shp'.*zip bomb"):
        check_zip(bomb)
    with pytest.raises(RefusedInputError, match="zip bomb"):
        read_vector(bomb, filename="districts.zip")


def test_zip_over_the_uncompressed_limit_is_refused() -> None:
    data = _zip({"a.dbf": b"x" * (2 * 1024 * 1024)}, compression=zipfile.ZIP_STORED)
    with pytest.raises(RefusedInputError, match="unpacks to at most 1 MiB"):
        check_zip(data, Limits(max_zip_uncompressed_mb=1))


def test_zip_with_too_many_entries_is_refused() -> None:
    data = _zip({f"f{i}.txt": b"x" for i in range(101)})
    with pytest.raises(RefusedInputError, match="at most 100 entries, got 101"):
        check_zip(data)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../districts.shp", "climbs out of the archive"),
        ("a/../../districts.shp", "climbs out of the archive"),
        ("/etc/districts.shp", "absolute path"),
        ("C:/temp/districts.shp", "absolute path"),
        ("a\\districts.shp", "backslash"),
        ("a.zip/districts.shp", "archive inside the archive"),
    ],
)
def test_unsafe_entry_names_are_refused(name: str, message: str) -> None:
    with pytest.raises(RefusedInputError, match=message) as error:
        check_zip(_raw_zip_with_name(name))
    assert f"zip entry {name!r}" in str(error.value)


def _raw_zip_with_name(name: str) -> bytes:
    """A stored zip whose single entry has exactly ``name`` (zipfile would rewrite some)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("x")
        archive.writestr(info, b"x")
    data = buffer.getvalue()
    encoded = name.encode()
    # Local header: name length at offset 26, name at 30; central directory likewise (28, 46).
    local_end = 30 + 1
    local = bytearray(data[:30])
    local[26:28] = len(encoded).to_bytes(2, "little")
    body = bytes(local) + encoded + data[local_end:]
    central_at = body.find(b"PK\x01\x02")
    central = bytearray(body[central_at : central_at + 46])
    central[28:30] = len(encoded).to_bytes(2, "little")
    rest = body[central_at + 46 + 1 :]
    end_at = rest.find(b"PK\x05\x06")
    end = bytearray(rest[end_at:])
    new_central = bytes(central) + encoded + rest[:end_at]
    end[12:16] = len(new_central).to_bytes(4, "little")
    end[16:20] = central_at.to_bytes(4, "little")
    return body[:central_at] + new_central + bytes(end)


def test_raw_zip_helper_keeps_the_name() -> None:
    with zipfile.ZipFile(io.BytesIO(_raw_zip_with_name("../x.shp"))) as archive:
        assert archive.namelist() == ["../x.shp"]


def test_symlink_entry_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("districts.dbf")
        info.create_system = 3
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, b"/etc/passwd")
    with pytest.raises(RefusedInputError, match="'districts.dbf'.*symbolic link"):
        check_zip(buffer.getvalue())


def test_encrypted_or_exotic_zip_is_refused() -> None:
    data = bytearray(_zip({"a.shp": b"x"}))
    central_at = data.find(b"PK\x01\x02")
    data[central_at + 8] |= 0x1  # encryption flag in the central directory
    with pytest.raises(RefusedInputError, match="encrypted"):
        check_zip(bytes(data))
    with pytest.raises(RefusedInputError, match="damaged"):
        check_zip(b"PK\x03\x04not really a zip")


def test_xlsx_is_checked_as_a_zip_too() -> None:
    bomb = _zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": b" " * (20 * 1024 * 1024),
        }
    )
    with pytest.raises(RefusedInputError, match="zip bomb"):
        read_table(bomb, filename="resources.xlsx")


def test_file_size_limit() -> None:
    check_size(1024 * 1024, Limits(max_file_mb=1))
    with pytest.raises(RefusedInputError, match="PALMAP_MAX_FILE_MB"):
        check_size(1024 * 1024 + 1, Limits(max_file_mb=1))
    with pytest.raises(RefusedInputError, match="at most 0.001 MiB"):
        read_vector(FEATURES * 40, filename="d.geojson", limits=Limits(max_file_mb=0.001))


def test_limits_have_the_documented_defaults() -> None:
    limits = Limits()
    assert (limits.max_file_mb, limits.max_features, limits.max_vertices) == (
        100,
        200_000,
        5_000_000,
    )
    assert (limits.max_zip_entries, limits.max_zip_uncompressed_mb, limits.max_zip_ratio) == (
        100,
        500,
        100,
    )


def test_guard_formula_prefixes_only_triggers() -> None:
    for text in ("=1+1", "+48 74", "-x", "@SUM(A1)", "\tx", "\rx"):
        assert guard_formula(text) == "'" + text
    for text in ("Świetlica", "50,7", "'quoted", " =x", "a=1", "x\uff1d1"):
        assert guard_formula(text) == text


@pytest.mark.parametrize(
    "text",
    [
        '\uff1dHYPERLINK("http://x")',  # fullwidth = (U+FF1D), found by the hostile test
        "\uff0b48 74",
        "\uff0dx",
        "\uff20SUM(A1)",
        "\ufe66cmd",
        "\u207a1",
        "\u22121+1",
        "\ufeff=1+1",  # a byte order mark in front of =
        "\u200b\u200b+1",  # zero-width spaces in front of +
    ],
)
def test_guard_formula_guards_what_spreadsheets_fold_into_a_trigger(text: str) -> None:
    assert guard_formula(text) == "'" + text
    guarded = pd.Series([guard_formula(text), "ok"])
    assert guard_series(pd.Series([text, "ok"])).tolist() == guarded.tolist()
    assert unguard_series(guarded).tolist() == [text, "ok"]


def test_folded_triggers_are_every_character_nfkc_folds_into_a_trigger() -> None:
    folded = {
        c
        for c in map(chr, range(sys.maxunicode + 1))
        if unicodedata.normalize("NFKC", c)[:1] in FORMULA_TRIGGERS and c not in FORMULA_TRIGGERS
    }
    assert folded | {"\u2212"} == set(FOLDED_TRIGGERS)


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("nazwa;adres\r\n\tA;\fB\n" * 40, True),
        ("a" * 100 + "\x01\x08\x0b", False),  # 3 controls in 103 characters: over 2
        ("a" * 100 + "\x0e\x1f", True),  # 2 allowed
        ("a" * 1000 + "\x07" * 10, True),  # 1 in 100
        ("a" * 1000 + "\x07" * 11, False),
    ],
)
def test_plain_text_allows_few_control_characters(text: str, plain: bool) -> None:
    assert inspect_content(text.encode("utf-8")).is_plain_text() is plain
