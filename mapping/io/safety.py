"""Checks made on an uploaded file before any parser or GDAL driver sees it.

The rules (docs/SECURITY.md points 4, 5 and 10):

* a file is read from bytes, never from a path or URL given by a user;
* its kind is decided by its content (:func:`mapping.io.formats.sniff`) and must agree with its
  extension;
  XML in any form (VRT, KML, GML, HTML) is refused, because GDAL's XML formats can point at
  other files;
* a zip archive is judged by its central directory (:func:`check_zip`) before a byte of it is
  decompressed: entry count, total size, compression ratio, unsafe names and links;
* sizes, features and vertices have limits (:class:`Limits`) whose defaults are documented and
  which the CLI and the web app may change (``PALMAP_MAX_FILE_MB``, ``PALMAP_MAX_FEATURES``,
  ``PALMAP_MAX_VERTICES``).

Text written to CSV or XLSX goes through :func:`guard_formula` so that a spreadsheet never runs a
cell as a formula (docs/SECURITY.md point 3).
"""

from __future__ import annotations

import io
import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

import pandas as pd

from mapping.errors import RefusedInputError, msg

__all__ = [
    "DEFAULT_LIMITS",
    "FOLDED_TRIGGERS",
    "FORMULA_START",
    "FORMULA_TRIGGERS",
    "GUARDED_START",
    "GPKG_APPLICATION_IDS",
    "SQLITE_MAGIC",
    "Content",
    "Limits",
    "check_geojson_crs",
    "check_size",
    "check_zip",
    "guard_formula",
    "guard_series",
    "inspect_content",
    "unguard_series",
]

MB = 1024 * 1024

#: First characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection).
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
#: Characters that spreadsheet programs may fold into a trigger (in some locales and input
#: methods): every character whose NFKC form starts with one (fullwidth, small, superscript and
#: subscript forms; tests/mapping/io/test_safety.py checks the list against all of Unicode), and
#: the minus sign U+2212.
FOLDED_TRIGGERS: tuple[str, ...] = (
    *"\u207a\u207c\u208a\u208c\u2a75\u2a76\ufb29\ufe62\ufe63\ufe66\ufe6b",
    *"\uff0b\uff0d\uff1d\uff20\u2212",
)
#: Invisible format characters that may stand in front of a trigger (byte order mark, zero-width
#: space and joiners, direction marks, word joiner, soft hyphen).
_INVISIBLE = "\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
_TRIGGER_CLASS = "".join(re.escape(c) for c in (*FORMULA_TRIGGERS, *FOLDED_TRIGGERS))
#: The start of a cell that a spreadsheet could run (what :func:`guard_formula` guards).
FORMULA_START = re.compile(f"[{_INVISIBLE}]*[{_TRIGGER_CLASS}]")
#: A cell that :func:`guard_formula` guarded (what :func:`unguard_series` unguards).
GUARDED_START = re.compile(f"'(?={FORMULA_START.pattern})")

#: First bytes of a SQLite database, and the application ids that make it a GeoPackage.
SQLITE_MAGIC = b"SQLite format 3\x00"
GPKG_APPLICATION_IDS = (b"GPKG", b"GP10", b"GP11")
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_SNIFF_BYTES = 64 * 1024
_CRS_MEMBER = re.compile(rb'"crs"\s*:')
_CRS_INDIRECTION = re.compile(rb'"link"|"href"|://', re.IGNORECASE)
_ARCHIVE_DIR = re.compile(r"\.(zip|tar|tgz|gz|7z|rar)/", re.IGNORECASE)
# Entries smaller than this cannot hurt whatever their ratio (a page of zeros compresses 1000:1).
_RATIO_FLOOR = 1 * MB
#: The control characters that plain text does not hold: all below 32 but tab, line feed, form
#: feed and carriage return (counted by the regex engine: 64 KiB in 0.3 ms instead of 3 ms).
_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f]")


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
            msg(
                "expected a file of at most {limit:g} MiB, got {size:.1f} MiB; split the file or "
                "raise the limit (PALMAP_MAX_FILE_MB)",
                limit=limits.max_file_mb,
                size=nbytes / MB,
            )
        )


@dataclass(frozen=True)
class Content:
    """What a file's first bytes are, worked out once for every format's sniffer.

    Attributes
    ----------
    head
        The first 64 KiB.
    text
        ``head`` decoded (UTF-8, UTF-16 with BOM, else cp1250) and stripped of a BOM and leading
        white space, when the file is text; None for binary content.
    zip_names
        The entry names, when the file is a readable zip archive (XLSX included); else None.
    """

    head: bytes
    text: str | None
    zip_names: tuple[str, ...] | None

    def is_xml(self) -> bool:
        """XML in any form (VRT, KML, GML, HTML): refused whatever the extension."""
        return self.text is not None and self.text.startswith("<")

    def is_sqlite(self) -> bool:
        """A SQLite database (a GeoPackage is one)."""
        return self.head.startswith(SQLITE_MAGIC)

    def is_plain_text(self) -> bool:
        """Text that is neither markup nor JSON and has few control characters."""
        if self.text is None or self.text.startswith(("<", "{", "[")):
            return False
        controls = len(_CONTROLS.findall(self.text))
        return controls <= max(2, len(self.text) // 100)

    def refusal(self) -> str:
        """Why no format matched: ``xml``, ``sqlite``, ``json`` or ``binary``."""
        if self.is_xml():
            return "xml"
        if self.is_sqlite():
            return "sqlite"
        if self.text is not None and self.text.startswith(("{", "[")):
            return "json"
        return "binary"


def inspect_content(data: bytes) -> Content:
    """Look at a file's first bytes once: text or binary, zip entry names.

    Examples
    --------
    >>> inspect_content("nazwa;adres\\n".encode("cp1250")).text
    'nazwa;adres\\n'
    >>> inspect_content(b"SQLite format 3\\x00").is_sqlite()
    True
    """
    head = data[:_SNIFF_BYTES]
    if head.startswith(SQLITE_MAGIC):
        return Content(head, None, None)
    if head.startswith(_ZIP_MAGICS):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = tuple(archive.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            names = None
        return Content(head, None, names)
    return Content(head, _head_text(data, head), None)


def _head_text(data: bytes, head: bytes) -> str | None:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text (Excel's "Unicode text")
        text = head.decode("utf-16", errors="ignore")
    elif b"\x00" in head:
        return None
    else:
        try:
            text = head.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            # A cut in the middle of a multi-byte character at the end of the sample is fine.
            if exc.start >= len(head) - 3 and len(data) > len(head):
                text = head[: exc.start].decode("utf-8-sig")
            else:
                text = head.decode("cp1250", errors="replace")
    return text.lstrip("\ufeff \t\r\n")


def check_geojson_crs(data: bytes, name: str) -> None:
    """Refuse a pre-RFC 7946 ``crs`` member that points at a URL or a file."""
    for match in _CRS_MEMBER.finditer(data):
        window = data[match.end() : match.end() + 400]
        end = window.find(b"}")
        if _CRS_INDIRECTION.search(window if end < 0 else window[: end + 1]):
            raise RefusedInputError(
                msg(
                    "{source}: expected a crs member that names a CRS (such as EPSG:2180), got "
                    "one that links to a URL or file, which palmap never follows; remove the crs "
                    "member and give the coordinate reference system (CRS) in the import options "
                    "instead",
                    source=name,
                )
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
            msg(
                "expected a readable zip archive, got a damaged one ({error}); zip the files again",
                error=str(exc),
            )
        ) from exc
    if len(entries) > limits.max_zip_entries:
        raise RefusedInputError(
            msg(
                "expected a zip archive with at most {limit} entries, got {count}; zip only the "
                "files of one layer",
                limit=limits.max_zip_entries,
                count=len(entries),
            )
        )
    seen: set[str] = set()
    total = 0
    for info in entries:
        _check_entry_name(info)
        if info.filename.lower() in seen:
            raise RefusedInputError(
                msg(
                    "zip entry {entry!r}: expected each name once, got it twice; zip each file "
                    "once",
                    entry=info.filename,
                )
            )
        seen.add(info.filename.lower())
        _check_entry_content(info, limits)
        total += info.file_size
    if total > limits.max_zip_uncompressed_mb * MB:
        raise RefusedInputError(
            msg(
                "expected a zip archive that unpacks to at most {limit:g} MiB, got {size:.1f} "
                "MiB; split the data or raise the limit",
                limit=limits.max_zip_uncompressed_mb,
                size=total / MB,
            )
        )
    if total > _RATIO_FLOOR and total / max(len(data), 1) > limits.max_zip_ratio:
        raise RefusedInputError(
            msg(
                "expected a zip archive compressed at most {limit:g}:1, got {ratio:.0f}:1; this "
                "looks like a zip bomb and is refused",
                limit=limits.max_zip_ratio,
                ratio=total / max(len(data), 1),
            )
        )
    return entries


def _check_entry_name(info: zipfile.ZipInfo) -> None:
    """Refuse an entry name that is absolute, climbs out, hides an archive or is a link."""
    entry = info.filename
    if "\\" in entry:
        raise RefusedInputError(
            msg(
                "zip entry {entry!r}: expected '/' between folders, got a backslash; zip the "
                "files again with a standard zip tool",
                entry=entry,
            )
        )
    if entry.startswith("/") or re.match(r"^[A-Za-z]:", entry):
        raise RefusedInputError(
            msg(
                "zip entry {entry!r}: expected a relative name, got an absolute path; zip the "
                "files without their full path",
                entry=entry,
            )
        )
    if ".." in PurePosixPath(entry).parts:
        raise RefusedInputError(
            msg(
                "zip entry {entry!r}: expected a relative name without '..', got one that "
                "climbs out of the archive; zip the files without folders above them",
                entry=entry,
            )
        )
    if any(ord(ch) < 32 for ch in entry) or _ARCHIVE_DIR.search(entry):
        raise RefusedInputError(
            msg(
                "zip entry {entry!r}: expected a plain file name, got control characters or an "
                "archive inside the archive; zip the files themselves",
                entry=entry,
            )
        )
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise RefusedInputError(
            msg(
                "zip entry {entry!r}: expected a regular file, got a symbolic link; zip the "
                "files themselves, not links to them",
                entry=entry,
            )
        )


def _check_entry_content(info: zipfile.ZipInfo, limits: Limits) -> None:
    """Refuse an encrypted, oddly compressed, VRT or bomb-like entry."""
    entry = info.filename
    if info.flag_bits & 0x1:
        raise RefusedInputError(
            msg(
                "zip entry {entry!r}: expected an unencrypted archive, got an encrypted entry; "
                "zip the files without a password",
                entry=entry,
            )
        )
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise RefusedInputError(
            msg(
                "zip entry {entry!r}: expected stored or deflated entries, got compression "
                "method {method}; zip the files with standard (deflate) compression",
                entry=entry,
                method=info.compress_type,
            )
        )
    if PurePosixPath(entry.lower()).suffix == ".vrt":
        raise RefusedInputError(
            msg(
                "zip entry {entry!r}: VRT files can point at other files and are never read; "
                "remove it from the archive",
                entry=entry,
            )
        )
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > _RATIO_FLOOR and ratio > limits.max_zip_ratio:
        raise RefusedInputError(
            msg(
                "zip entry {entry!r}: expected a compression ratio of at most {limit:g}, got "
                "{ratio:.0f} ({size:.1f} MiB from {packed} bytes); this looks like a zip bomb "
                "and is refused",
                entry=entry,
                limit=limits.max_zip_ratio,
                ratio=ratio,
                size=info.file_size / MB,
                packed=info.compress_size,
            )
        )


def guard_formula(text: str) -> str:
    """Prefix ``'`` to text a spreadsheet would run as a formula (docs/SECURITY.md point 3).

    Only text is guarded: write numbers as numbers, and a negative number stays a number.
    :func:`unguard_series` removes the prefix when the file is read back.

    Examples
    --------
    >>> guard_formula("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> guard_formula("+48 74 123 45 67"), guard_formula("Świetlica")
    ("'+48 74 123 45 67", 'Świetlica')
    >>> guard_formula("\uff1dSUM(A1)"), guard_formula("\ufeff=1+1")
    ("'＝SUM(A1)", "'\ufeff=1+1")
    """
    return "'" + text if FORMULA_START.match(text) else text


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
    risky = as_str.str.match(FORMULA_START.pattern)
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
    return values.str.replace(re.compile("^" + GUARDED_START.pattern), "", regex=True)
