"""Checks made on an uploaded file before any parser or GDAL driver sees it.

The rules (``../shared/design/SECURITY.md`` points 4, 5 and 10):

* a file is read from bytes, never from a path or URL given by a user;
* its kind is decided by its content (:func:`sniff`) and must agree with its extension;
  XML in any form (VRT, KML, GML, HTML) is refused, because GDAL's XML formats can point at
  other files;
* a zip archive is judged by its central directory (:func:`check_zip`) before a byte of it is
  decompressed: entry count, total size, compression ratio, unsafe names and links;
* sizes, features and vertices have limits (:class:`Limits`) whose defaults are documented and
  which the CLI and the web app may change (``PALMAP_MAX_FILE_MB``, ``PALMAP_MAX_FEATURES``,
  ``PALMAP_MAX_VERTICES``).

Text written to CSV or XLSX goes through :func:`guard_formula` so that a spreadsheet never runs a
cell as a formula (SECURITY.md point 3).
"""

from __future__ import annotations

import io
import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

import pandas as pd

from mapping.errors import RefusedInputError

__all__ = [
    "DEFAULT_LIMITS",
    "FORMULA_TRIGGERS",
    "KINDS",
    "Limits",
    "check_size",
    "check_zip",
    "guard_formula",
    "guard_series",
    "sniff",
    "unguard_series",
]

MB = 1024 * 1024

#: Kinds :func:`sniff` can return.
KINDS: tuple[str, ...] = ("geojson", "gpkg", "zip", "csv", "xlsx")

#: First characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection).
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

_EXTENSIONS: dict[str, str] = {
    ".geojson": "geojson",
    ".json": "geojson",
    ".gpkg": "gpkg",
    ".zip": "zip",
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
}
_UNSUPPORTED_HINTS: dict[str, str] = {
    ".shp": "zip the .shp together with its .shx, .dbf, .prj and .cpg and send the .zip",
    ".shx": "zip the .shp together with its .shx, .dbf, .prj and .cpg and send the .zip",
    ".dbf": "zip the .shp together with its .shx, .dbf, .prj and .cpg and send the .zip",
    ".xls": "save the workbook as .xlsx (Excel Workbook) or as CSV",
    ".ods": "save the workbook as .xlsx or as CSV",
    ".kml": "export the layer as GeoJSON or GeoPackage",
    ".gml": "export the layer as GeoJSON or GeoPackage",
    ".vrt": "VRT files can point at other files and are never read; send the data itself",
}
_SQLITE_MAGIC = b"SQLite format 3\x00"
_GPKG_APPLICATION_IDS = (b"GPKG", b"GP10", b"GP11")
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_SNIFF_BYTES = 64 * 1024
_GEOJSON_TYPE = re.compile(rb'"type"\s*:\s*"(FeatureCollection|Feature)"')
_CRS_MEMBER = re.compile(rb'"crs"\s*:')
_CRS_INDIRECTION = re.compile(rb'"link"|"href"|://', re.IGNORECASE)
_ARCHIVE_DIR = re.compile(r"\.(zip|tar|tgz|gz|7z|rar)/", re.IGNORECASE)
# Entries smaller than this cannot hurt whatever their ratio (a page of zeros compresses 1000:1).
_RATIO_FLOOR = 1 * MB


@dataclass(frozen=True)
class Limits:
    """Limits on uploaded files; anything above is refused (RefusedInputError, CLI exit 4).

    Attributes
    ----------
    max_file_mb
        Size of the uploaded file in MiB (default 100; ``PALMAP_MAX_FILE_MB``).
    max_features
        Features of a vector layer or data rows of a table (default 200,000;
        ``PALMAP_MAX_FEATURES``).
    max_vertices
        Coordinates over all geometries of a layer (default 5,000,000; ``PALMAP_MAX_VERTICES``).
    max_zip_entries
        Entries in a zip archive, XLSX included (default 100).
    max_zip_uncompressed_mb
        Total uncompressed size of a zip archive in MiB (default 500).
    max_zip_ratio
        Uncompressed/compressed size of an entry larger than 1 MiB, and of the whole archive
        when it unpacks to more than 1 MiB (default 100).

    Examples
    --------
    >>> Limits().max_features
    200000
    >>> Limits(max_file_mb=10).max_file_mb
    10
    """

    max_file_mb: float = 100
    max_features: int = 200_000
    max_vertices: int = 5_000_000
    max_zip_entries: int = 100
    max_zip_uncompressed_mb: float = 500
    max_zip_ratio: float = 100


#: The documented defaults.
DEFAULT_LIMITS = Limits()


def check_size(nbytes: int, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse a file larger than ``limits.max_file_mb``.

    Raises
    ------
    RefusedInputError
        If ``nbytes`` is over the limit.

    Examples
    --------
    >>> check_size(1024)
    >>> check_size(2 * 1024 * 1024, Limits(max_file_mb=1))
    Traceback (most recent call last):
    ...
    mapping.errors.RefusedInputError: expected a file of at most 1 MiB, got 2.0 MiB; split the \
file or raise the limit (PALMAP_MAX_FILE_MB)
    """
    if nbytes > limits.max_file_mb * MB:
        raise RefusedInputError(
            f"expected a file of at most {limits.max_file_mb:g} MiB, got {nbytes / MB:.1f} MiB; "
            "split the file or raise the limit (PALMAP_MAX_FILE_MB)"
        )


def sniff(data: bytes, *, filename: str) -> str:
    """Return the kind of a file from its content, checked against its extension.

    Parameters
    ----------
    data
        The whole file.
    filename
        The name the file came with; only its extension is used.

    Returns
    -------
    str
        One of ``"geojson"``, ``"gpkg"``, ``"zip"``, ``"csv"``, ``"xlsx"``.

    Raises
    ------
    RefusedInputError
        If the file is empty, the extension is not supported, the content is XML (VRT, KML, GML,
        HTML), a SQLite database that is not a GeoPackage, binary data of an unknown kind, or a
        kind other than the extension promises (XML in a ``.geojson``, a zip named ``.csv``).

    Examples
    --------
    >>> sniff(b'{"type": "FeatureCollection", "features": []}', filename="d.geojson")
    'geojson'
    >>> sniff("nazwa;adres\\nŚwietlica;Główna 1\\n".encode("cp1250"), filename="r.csv")
    'csv'
    >>> sniff(b'<OGRVRTDataSource></OGRVRTDataSource>', filename="d.geojson")
    Traceback (most recent call last):
    ...
    mapping.errors.RefusedInputError: d.geojson: expected GeoJSON, got XML content (VRT, KML, \
GML or HTML), which palmap never reads; export the layer as GeoJSON, GeoPackage or a zipped \
Shapefile
    """
    name = PurePosixPath(filename.replace("\\", "/")).name
    suffix = PurePosixPath(name.lower()).suffix
    expected = _EXTENSIONS.get(suffix)
    if expected is None:
        hint = _UNSUPPORTED_HINTS.get(
            suffix, "send GeoJSON, GeoPackage, a zipped Shapefile, CSV or XLSX"
        )
        raise RefusedInputError(
            f"{name}: expected a file ending in {', '.join(sorted(set(_EXTENSIONS)))}, "
            f"got {suffix or 'no extension'!r}; {hint}"
        )
    if not data:
        raise RefusedInputError(f"{name}: expected data, got an empty file; send the file again")
    found = _content_kind(data)
    label = {
        "geojson": "GeoJSON",
        "gpkg": "a GeoPackage",
        "zip": "a zip archive",
        "csv": "CSV text",
        "xlsx": "an XLSX workbook",
    }
    if found == "xml":
        raise RefusedInputError(
            f"{name}: expected {label[expected]}, got XML content (VRT, KML, GML or HTML), which "
            "palmap never reads; export the layer as GeoJSON, GeoPackage or a zipped Shapefile"
        )
    if found == "sqlite":
        raise RefusedInputError(
            f"{name}: expected {label[expected]}, got a SQLite database that is not a GeoPackage; "
            "export the layer as a GeoPackage (.gpkg)"
        )
    if found == "binary":
        raise RefusedInputError(
            f"{name}: expected {label[expected]}, got binary content of an unknown kind; "
            "check that this is the right file"
        )
    if found == "json":
        raise RefusedInputError(
            f"{name}: expected {label[expected]}, got JSON that is not a GeoJSON Feature or "
            "FeatureCollection; export the layer as GeoJSON (RFC 7946)"
        )
    if found != expected:
        raise RefusedInputError(
            f"{name}: the extension promises {label[expected]} but the content is "
            f"{label[found]}; give the file its right extension"
        )
    if found == "geojson":
        _check_geojson_crs(data, name)
    return found


def _content_kind(data: bytes) -> str:
    head = data[:_SNIFF_BYTES]
    if head.startswith(_SQLITE_MAGIC):
        return "gpkg" if head[68:72] in _GPKG_APPLICATION_IDS else "sqlite"
    if head.startswith(_ZIP_MAGICS):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, ValueError, OSError):
            return "binary"
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            return "xlsx"
        return "zip"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text (Excel's "Unicode text")
        encoding = "utf-16"
        try:
            text = head.decode(encoding, errors="ignore")
        except UnicodeDecodeError:  # pragma: no cover - errors="ignore" does not raise
            return "binary"
        return _text_kind(text)
    if b"\x00" in head:
        return "binary"
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # A cut in the middle of a multi-byte character at the end of the sample is fine.
        if exc.start >= len(head) - 3 and len(data) > len(head):
            text = head[: exc.start].decode("utf-8-sig")
        else:
            text = head.decode("cp1250", errors="replace")
    return _text_kind(text)


def _text_kind(text: str) -> str:
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("<"):
        return "xml"
    if stripped.startswith(("{", "[")):
        return "geojson" if _GEOJSON_TYPE.search(stripped.encode("utf-8")) else "json"
    controls = sum(1 for ch in stripped if ord(ch) < 32 and ch not in "\t\r\n\f")
    if controls > max(2, len(stripped) // 100):
        return "binary"
    return "csv"


def _check_geojson_crs(data: bytes, name: str) -> None:
    """Refuse a pre-RFC 7946 ``crs`` member that points at a URL or a file."""
    for match in _CRS_MEMBER.finditer(data):
        window = data[match.end() : match.end() + 400]
        end = window.find(b"}")
        if _CRS_INDIRECTION.search(window if end < 0 else window[: end + 1]):
            raise RefusedInputError(
                f"{name}: expected a crs member that names a CRS (such as EPSG:2180), got one "
                "that links to a URL or file, which palmap never follows; remove the crs member "
                "and give the CRS with --crs"
            )


def check_zip(data: bytes, limits: Limits = DEFAULT_LIMITS) -> list[zipfile.ZipInfo]:
    """Check a zip archive's central directory before anything is decompressed.

    Parameters
    ----------
    data
        The whole archive (a zipped Shapefile or an XLSX workbook).
    limits
        Entry count, total uncompressed size and compression ratio limits.

    Returns
    -------
    list of zipfile.ZipInfo
        The entries, when every check passes (directories included).

    Raises
    ------
    RefusedInputError
        If the archive cannot be read, has too many entries, unpacks to too much or at too high a
        ratio, is encrypted, uses an unsupported compression, or has an entry whose name is
        absolute, contains ``..`` or a backslash, repeats, or is a symbolic link. The message names
        the entry.

    Examples
    --------
    >>> import io, zipfile
    >>> buffer = io.BytesIO()
    >>> with zipfile.ZipFile(buffer, "w") as z:
    ...     z.writestr("../evil.shp", b"x")
    >>> check_zip(buffer.getvalue())
    Traceback (most recent call last):
    ...
    mapping.errors.RefusedInputError: zip entry '../evil.shp': expected a relative name without \
'..', got one that climbs out of the archive; zip the files without folders above them
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise RefusedInputError(
            f"expected a readable zip archive, got a damaged one ({exc}); zip the files again"
        ) from exc
    if len(entries) > limits.max_zip_entries:
        raise RefusedInputError(
            f"expected a zip archive with at most {limits.max_zip_entries} entries, got "
            f"{len(entries)}; zip only the files of one layer"
        )
    seen: set[str] = set()
    total = 0
    for info in entries:
        entry = info.filename
        where = f"zip entry {entry!r}"
        if "\\" in entry:
            raise RefusedInputError(
                f"{where}: expected '/' between folders, got a backslash; zip the files again "
                "with a standard zip tool"
            )
        if entry.startswith("/") or re.match(r"^[A-Za-z]:", entry):
            raise RefusedInputError(
                f"{where}: expected a relative name, got an absolute path; zip the files "
                "without their full path"
            )
        if ".." in PurePosixPath(entry).parts:
            raise RefusedInputError(
                f"{where}: expected a relative name without '..', got one that climbs out of "
                "the archive; zip the files without folders above them"
            )
        if any(ord(ch) < 32 for ch in entry) or _ARCHIVE_DIR.search(entry):
            raise RefusedInputError(
                f"{where}: expected a plain file name, got control characters or an archive "
                "inside the archive; zip the files themselves"
            )
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise RefusedInputError(
                f"{where}: expected a regular file, got a symbolic link; zip the files "
                "themselves, not links to them"
            )
        if entry.lower() in seen:
            raise RefusedInputError(
                f"{where}: expected each name once, got it twice; zip each file once"
            )
        seen.add(entry.lower())
        if info.flag_bits & 0x1:
            raise RefusedInputError(
                f"{where}: expected an unencrypted archive, got an encrypted entry; zip the "
                "files without a password"
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise RefusedInputError(
                f"{where}: expected stored or deflated entries, got compression method "
                f"{info.compress_type}; zip the files with standard (deflate) compression"
            )
        if PurePosixPath(entry.lower()).suffix == ".vrt":
            raise RefusedInputError(
                f"{where}: VRT files can point at other files and are never read; remove it "
                "from the archive"
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_FLOOR and ratio > limits.max_zip_ratio:
            raise RefusedInputError(
                f"{where}: expected a compression ratio of at most {limits.max_zip_ratio:g}, got "
                f"{ratio:.0f} ({info.file_size / MB:.1f} MiB from {info.compress_size} bytes); "
                "this looks like a zip bomb and is refused"
            )
        total += info.file_size
    if total > limits.max_zip_uncompressed_mb * MB:
        raise RefusedInputError(
            f"expected a zip archive that unpacks to at most {limits.max_zip_uncompressed_mb:g} "
            f"MiB, got {total / MB:.1f} MiB; split the data or raise the limit"
        )
    if total > _RATIO_FLOOR and total / max(len(data), 1) > limits.max_zip_ratio:
        raise RefusedInputError(
            f"expected a zip archive compressed at most {limits.max_zip_ratio:g}:1, got "
            f"{total / max(len(data), 1):.0f}:1; this looks like a zip bomb and is refused"
        )
    return entries


def guard_formula(text: str) -> str:
    """Prefix ``'`` to text a spreadsheet would run as a formula (SECURITY.md point 3).

    Only text is guarded: write numbers as numbers, and a negative number stays a number.
    :func:`unguard_series` removes the prefix when the file is read back.

    Examples
    --------
    >>> guard_formula("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> guard_formula("+48 74 123 45 67"), guard_formula("Świetlica")
    ("'+48 74 123 45 67", 'Świetlica')
    """
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def guard_series(values: pd.Series) -> pd.Series:
    """Vectorised :func:`guard_formula` over a column of text (missing values stay missing).

    Examples
    --------
    >>> guard_series(pd.Series(["=1+1", "ok", None])).tolist()
    ["'=1+1", 'ok', None]
    """
    text = values.astype(object)
    present = text.notna()
    text = text.where(present, None)
    if not present.any():
        return text
    as_str = text[present].astype(str)
    risky = as_str.str.startswith(FORMULA_TRIGGERS)
    if risky.any():
        text = text.copy()
        text.loc[risky[risky].index] = "'" + as_str[risky]
    return text


def unguard_series(values: pd.Series) -> pd.Series:
    """Remove the ``'`` that :func:`guard_formula` put in front of a formula trigger.

    Examples
    --------
    >>> unguard_series(pd.Series(["'=1+1", "'quoted", "-5"])).tolist()
    ['=1+1', "'quoted", '-5']
    """
    if not values.str.startswith("'").any():
        return values
    return values.str.replace(r"^'(?=[=+\-@\t\r])", "", regex=True)
