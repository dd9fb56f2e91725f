"""The file formats palmap reads and writes: ONE registry, one entry per format.

Each :class:`Format` says everything palmap knows about a format: its name, how messages call it,
the extensions a file of it may have, how to recognise its content (``sniff``, from magic bytes or
text), whether it is a map layer read through GDAL (``driver``) or a table (``parse``), and how to
write it (``write``, under the export name and extensions). Adding a format is adding one entry to
:data:`FORMATS` (see CONTRIBUTING.md, "Add an import format").

The safety rules do not depend on the registry (:mod:`mapping.io.safety`): XML in any form is
refused before any format is asked, a file's content must be what its extension promises, and
limits and zip checks apply to every format.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal

import pandas as pd

from mapping.errors import Message, RefusedInputError, msg
from mapping.io.parsers import Parsed, parse_csv, parse_xlsx
from mapping.io.report import ImportReport
from mapping.io.safety import (
    GPKG_APPLICATION_IDS,
    Content,
    Limits,
    check_geojson_crs,
    inspect_content,
)
from mapping.io.writers import (
    PathOrBuffer,
    write_csv,
    write_geojson,
    write_gpkg,
    write_shp,
    write_xlsx,
)

__all__ = [
    "FORMATS",
    "UNSUPPORTED_HINTS",
    "Format",
    "export_formats",
    "format_for_export",
    "format_named",
    "sniff",
]

Parser = Callable[..., Parsed]
Writer = Callable[..., None]
_GEOJSON_TYPE = re.compile(rb'"type"\s*:\s*"(FeatureCollection|Feature)"')


@dataclass(frozen=True)
class Format:
    """One file format.

    Attributes
    ----------
    name
        What :func:`sniff` returns (``"geojson"``, ``"zip"``...).
    label
        The format in a sentence ("a GeoPackage"), as a message the web pages translate
        (``str()`` is the English).
    extensions
        Extensions (lower case, with the dot) a file of this format may have on import.
    sniff
        Whether content (:class:`mapping.io.safety.Content`) is of this format. The registry is
        asked in order; the first format that recognises the content wins.
    unit
        What a row number counts in reports: ``"feature"``, ``"line"`` or ``"row"``.
    driver
        The GDAL driver of a map layer; None for a table.
    parse
        The parser of a table (:func:`mapping.io.parsers.parse_csv` ...); None for a map layer.
    check
        Extra refusals for this format's content (``check(data, name)``), such as a GeoJSON
        ``crs`` member that links to a URL.
    write
        The writer (:mod:`mapping.io.writers`) for exports; None when palmap does not write it.
    export_name, export_extensions
        The name ``palmap export --format`` takes and the output extensions that choose it.
    """

    name: str
    label: Message
    extensions: tuple[str, ...]
    sniff: Callable[[Content], bool]
    unit: str
    driver: str | None = None
    parse: Parser | None = None
    check: Callable[[bytes, str], None] | None = None
    write: Writer | None = None
    export_name: str | None = None
    export_extensions: tuple[str, ...] = ()

    @property
    def family(self) -> Literal["vector", "table"]:
        """``vector`` (a map layer through GDAL) or ``table``."""
        return "vector" if self.driver is not None else "table"

    def read_table(
        self, data: bytes, report: ImportReport, *, sheet: str | None, limits: Limits
    ) -> Parsed:
        """Parse a table of this format (header, rows of text, row numbers)."""
        if self.parse is None:
            raise RefusedInputError(
                msg(
                    "{source}: expected a table (CSV or XLSX), got {found}; import it as a map "
                    "layer or export the table as CSV or XLSX",
                    source=report.source,
                    found=self.label,
                )
            )
        return self.parse(data, report, sheet=sheet, limits=limits)


def _is_geojson(content: Content) -> bool:
    text = content.text
    return (
        text is not None
        and text.startswith(("{", "["))
        and _GEOJSON_TYPE.search(text.encode("utf-8")) is not None
    )


def _is_gpkg(content: Content) -> bool:
    return content.is_sqlite() and content.head[68:72] in GPKG_APPLICATION_IDS


def _is_xlsx(content: Content) -> bool:
    names = content.zip_names
    return (
        names is not None
        and "[Content_Types].xml" in names
        and any(n.startswith("xl/") for n in names)
    )


def _is_zip(content: Content) -> bool:
    return content.zip_names is not None


#: Every format palmap reads, in the order :func:`sniff` asks them (XLSX before zip: an XLSX
#: workbook is a zip archive).
FORMATS: tuple[Format, ...] = (
    Format(
        name="geojson",
        label=msg("GeoJSON"),
        extensions=(".geojson", ".json"),
        sniff=_is_geojson,
        unit="feature",
        driver="GeoJSON",
        check=check_geojson_crs,
        write=write_geojson,
        export_name="geojson",
        export_extensions=(".geojson", ".json"),
    ),
    Format(
        name="gpkg",
        label=msg("a GeoPackage"),
        extensions=(".gpkg",),
        sniff=_is_gpkg,
        unit="feature",
        driver="GPKG",
        write=write_gpkg,
        export_name="gpkg",
        export_extensions=(".gpkg",),
    ),
    Format(
        name="xlsx",
        label=msg("an XLSX workbook"),
        extensions=(".xlsx",),
        sniff=_is_xlsx,
        unit="row",
        parse=parse_xlsx,
        write=write_xlsx,
        export_name="xlsx",
        export_extensions=(".xlsx",),
    ),
    Format(
        name="zip",
        label=msg("a zip archive"),
        extensions=(".zip",),
        sniff=_is_zip,
        unit="feature",
        driver="ESRI Shapefile",
        write=write_shp,
        export_name="shp",
        export_extensions=(".zip",),
    ),
    Format(
        name="csv",
        label=msg("CSV text"),
        extensions=(".csv", ".txt", ".tsv"),
        sniff=Content.is_plain_text,
        unit="line",
        parse=parse_csv,
        write=write_csv,
        export_name="csv",
        export_extensions=(".csv",),
    ),
)

_ZIP_THE_SHAPEFILE = msg(
    "zip the .shp together with its .shx, .dbf, .prj and .cpg and send the .zip"
)
_EXPORT_THE_LAYER = msg("export the layer as GeoJSON or GeoPackage")
#: What to do with files of formats palmap does not read, by extension (messages the web pages
#: translate).
UNSUPPORTED_HINTS: dict[str, Message] = {
    ".shp": _ZIP_THE_SHAPEFILE,
    ".shx": _ZIP_THE_SHAPEFILE,
    ".dbf": _ZIP_THE_SHAPEFILE,
    ".xls": msg("save the workbook as .xlsx (Excel Workbook) or as CSV"),
    ".ods": msg("save the workbook as .xlsx or as CSV"),
    ".kml": _EXPORT_THE_LAYER,
    ".gml": _EXPORT_THE_LAYER,
    ".vrt": msg("VRT files can point at other files and are never read; send the data itself"),
}
_SEND_A_SUPPORTED_FORMAT = msg("send GeoJSON, GeoPackage, a zipped Shapefile, CSV or XLSX")


def format_named(name: str, formats: Sequence[Format] = FORMATS) -> Format:
    """The format called ``name`` (as :func:`sniff` returns it).

    Examples
    --------
    >>> format_named("gpkg").driver, format_named("csv").family
    ('GPKG', 'table')
    """
    for fmt in formats:
        if fmt.name == name:
            return fmt
    raise KeyError(f"expected a format in {[f.name for f in formats]}, got {name!r}")


def export_formats(formats: Sequence[Format] = FORMATS) -> tuple[str, ...]:
    """The names ``palmap export --format`` takes, in registry order.

    Examples
    --------
    >>> export_formats()
    ('geojson', 'gpkg', 'xlsx', 'shp', 'csv')
    """
    return tuple(f.export_name for f in formats if f.write is not None and f.export_name)


def format_for_export(name: str, formats: Sequence[Format] = FORMATS) -> Format:
    """The format written under the export name ``name`` (``"shp"`` is the zip)."""
    for fmt in formats:
        if fmt.export_name == name and fmt.write is not None:
            return fmt
    raise KeyError(f"expected an export format in {export_formats(formats)}, got {name!r}")


def _refuse_content(name: str, expected: Format, found: str) -> None:
    messages = {
        "xml": msg(
            "{source}: expected {expected}, got XML content (VRT, KML, GML or HTML), which "
            "palmap never reads; export the layer as GeoJSON, GeoPackage or a zipped Shapefile"
        ),
        "sqlite": msg(
            "{source}: expected {expected}, got a SQLite database that is not a GeoPackage; "
            "export the layer as a GeoPackage (.gpkg)"
        ),
        "binary": msg(
            "{source}: expected {expected}, got binary content of an unknown kind; check that "
            "this is the right file"
        ),
        "json": msg(
            "{source}: expected {expected}, got JSON that is not a GeoJSON Feature or "
            "FeatureCollection; export the layer as GeoJSON (RFC 7946)"
        ),
    }
    raise RefusedInputError(messages[found].with_args(source=name, expected=expected.label))


def sniff(data: bytes, *, filename: str, formats: Sequence[Format] = FORMATS) -> str:
    """Return the format of a file from its content, checked against its extension.

    Parameters
    ----------
    data
        The whole file.
    filename
        The name the file came with; only its extension is used.
    formats
        The registry to ask (:data:`FORMATS`).

    Returns
    -------
    str
        The :attr:`Format.name` of the format found.

    Raises
    ------
    RefusedInputError
        If the file is empty, the extension is not supported, the content is XML (VRT, KML, GML,
        HTML), a SQLite database that is not a GeoPackage, binary data of an unknown kind, or a
        format other than the extension promises (XML in a ``.geojson``, a zip named ``.csv``).

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
    by_extension = {ext: fmt for fmt in formats for ext in fmt.extensions}
    expected = by_extension.get(suffix)
    if expected is None:
        hint = UNSUPPORTED_HINTS.get(suffix, _SEND_A_SUPPORTED_FORMAT)
        extensions = ", ".join(sorted(by_extension))
        if not suffix:
            raise RefusedInputError(
                msg(
                    "{source}: expected a file ending in {extensions}, got 'no extension'; {hint}",
                    source=name,
                    extensions=extensions,
                    hint=hint,
                )
            )
        raise RefusedInputError(
            msg(
                "{source}: expected a file ending in {extensions}, got {suffix!r}; {hint}",
                source=name,
                extensions=extensions,
                suffix=suffix,
                hint=hint,
            )
        )
    if not data:
        raise RefusedInputError(
            msg("{source}: expected data, got an empty file; send the file again", source=name)
        )
    content = inspect_content(data)
    if content.is_xml():
        _refuse_content(name, expected, "xml")
    found = next((fmt for fmt in formats if fmt.sniff(content)), None)
    if found is None:
        _refuse_content(name, expected, content.refusal())
        raise AssertionError  # pragma: no cover - _refuse_content always raises
    if found is not expected:
        raise RefusedInputError(
            msg(
                "{source}: the extension promises {expected} but the content is {found}; give "
                "the file its right extension",
                source=name,
                expected=expected.label,
                found=found.label,
            )
        )
    if found.check is not None:
        found.check(data, name)
    return found.name


def write_with(
    fmt: Format, frame: pd.DataFrame, path_or_buffer: PathOrBuffer, *, layer: str, excel: bool
) -> None:
    """Write ``frame`` in ``fmt`` (a format with a writer)."""
    if fmt.write is None:
        raise KeyError(f"palmap does not write {fmt.label}")
    fmt.write(frame, path_or_buffer, layer=layer, excel=excel)
