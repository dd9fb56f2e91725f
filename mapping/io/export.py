"""Write palmap's frames to files that QGIS and spreadsheets read.

Formats
-------
``geojson``
    RFC 7946: EPSG:4326, no ``crs`` member, coordinates with 8 decimals (about 1 mm).
``gpkg``
    GeoPackage, one layer (a frame without geometry becomes an attribute table).
``shp``
    A zip holding ``{layer}.shp``, ``.shx``, ``.dbf``, ``.prj`` and ``.cpg`` (UTF-8). Shapefile
    field names have at most 10 characters: palmap's longer names are shortened as
    :data:`SHP_FIELD_NAMES` says (and :func:`mapping.io.matching.canonical_columns` reads them
    back); other long names are cut to 10 characters. Text longer than 254 bytes is cut (a dBASE
    limit); booleans are written as the text ``true``/``false``.
``csv``
    UTF-8, ``,``, ``.`` as decimal point, CRLF line ends (RFC 4180). With ``excel=True``: UTF-8
    with BOM, ``;`` and decimal commas, as Excel in a Polish locale expects.
``xlsx``
    One sheet named after the layer; numbers stay numbers; characters XML cannot hold (carriage
    return, control characters) are written as OOXML escapes such as ``_x000D_``, as Excel does.

In CSV and XLSX a point geometry becomes ``lat`` and ``lon`` columns (full precision) and any other
geometry a ``wkt`` column; a text cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
return is prefixed with ``'`` so that a spreadsheet never runs it (docs/SECURITY.md point 3).
Numbers are
never prefixed: a negative number stays a number. :func:`mapping.io.tabular.read_table` removes the
prefix again, so an export reads back unchanged.

Files are written whole or not at all: to a temporary file next to the target, then renamed. The
writers are in :mod:`mapping.io.writers`; :data:`mapping.io.formats.FORMATS` names them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Literal

import geopandas as gpd
import pandas as pd

from mapping.categories import DEFAULT_CATEGORIES
from mapping.crs import ensure_crs
from mapping.errors import MappingError
from mapping.frames import CATEGORY_COLUMNS, INDICATOR_COLUMNS, RESOURCE_EXPORT_COLUMNS
from mapping.io.formats import FORMATS, Format, export_formats, format_for_export, write_with
from mapping.io.writers import SHP_FIELD_NAMES, PathOrBuffer, write_workbook

__all__ = [
    "EXPORT_FORMATS",
    "resources_for_export",
    "SHP_FIELD_NAMES",
    "format_from_path",
    "template_frame",
    "write_frame",
    "write_workbook",
]

#: The formats ``write_frame`` takes, from the registry (:data:`mapping.io.formats.FORMATS`).
EXPORT_FORMATS: tuple[str, ...] = export_formats()
_LAYER_NAME = re.compile(r"[A-Za-z0-9_-]{1,60}")


def resources_for_export(resources: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Resources with the columns of every resources export, in order.

    :data:`mapping.frames.RESOURCE_EXPORT_COLUMNS` without the point, then the geometry, which the
    CSV and XLSX writers turn into ``lat`` and ``lon`` at the end; the pages' downloads
    (:func:`mapping.listing.resources_csv`) write the same header.

    Examples
    --------
    >>> from shapely import Point
    >>> r = gpd.GeoDataFrame({"updated_at": [None], "name": ["A"], "id": [1]},
    ...                      geometry=[Point(16.2, 50.7)], crs=4326)
    >>> list(resources_for_export(r).columns)
    ['id', 'name', 'geometry']
    """
    columns = [c for c in RESOURCE_EXPORT_COLUMNS if c in resources.columns]
    return resources[[*columns, resources.geometry.name]]


def format_from_path(path: str | os.PathLike[str]) -> str:
    """Return the export format an output file name asks for.

    ``.geojson``/``.json``, ``.gpkg``, ``.csv``, ``.xlsx``, and ``.zip`` (or ``.shp.zip``) for a
    zipped Shapefile.

    Raises
    ------
    MappingError
        For any other extension, including a bare ``.shp`` (a Shapefile is several files: write
        a ``.zip``).

    Examples
    --------
    >>> format_from_path("osiedla.gpkg"), format_from_path("zasoby.shp.zip")
    ('gpkg', 'shp')
    >>> format_from_path("zasoby.shp")
    Traceback (most recent call last):
    ...
    mapping.errors.MappingError: expected an output file ending in .csv, .geojson, .gpkg, .json, \
.xlsx, .zip, got 'zasoby.shp'; a Shapefile is several files: write zasoby.zip
    """
    name = PurePosixPath(os.fspath(path).replace("\\", "/")).name
    suffix = PurePosixPath(name.lower()).suffix
    suffixes = {
        ext: fmt.export_name
        for fmt in FORMATS
        if fmt.write is not None and fmt.export_name
        for ext in fmt.export_extensions
    }
    if suffix in suffixes:
        return suffixes[suffix]
    hint = (
        f"a Shapefile is several files: write {name[: -len(suffix)]}.zip"
        if suffix == ".shp"
        else "choose one of those extensions, or choose the format"
    )
    raise MappingError(
        f"expected an output file ending in {', '.join(sorted(suffixes))}, got {name!r}; {hint}"
    )


def write_frame(
    frame: pd.DataFrame,
    path_or_buffer: PathOrBuffer,
    *,
    format: str,
    layer: str,
    excel: bool = False,
    formats: Sequence[Format] = FORMATS,
) -> None:
    """Write one frame (districts, resources, indicator values...) to a file or binary buffer.

    Parameters
    ----------
    frame
        A GeoDataFrame (reprojected to EPSG:4326 if needed) or a plain DataFrame (no geometry:
        GeoJSON features get ``"geometry": null``; not possible for ``shp``).
    path_or_buffer
        Output path (written whole or not at all) or a writable binary buffer.
    format
        ``"geojson"``, ``"gpkg"``, ``"csv"``, ``"xlsx"`` or ``"shp"`` (a zip).
    layer
        Layer, sheet and Shapefile name: letters, digits, ``_`` and ``-``.
    excel
        CSV only: BOM, ``;`` and decimal commas.
    formats
        The format registry (:data:`mapping.io.formats.FORMATS`).

    Raises
    ------
    MappingError
        Unknown format, a bad layer name, or ``shp`` for a frame without geometry or with
        geometries of several kinds.

    Examples
    --------
    >>> import io
    >>> from shapely import Point
    >>> gdf = gpd.GeoDataFrame({"name": ["=2+2", "Boisko"], "capacity": [-1, 25]},
    ...                        geometry=[Point(16.28, 50.77), None], crs=4326)
    >>> buffer = io.BytesIO()
    >>> write_frame(gdf, buffer, format="csv", layer="resources")
    >>> buffer.getvalue().decode().splitlines()
    ['name,capacity,lat,lon', "'=2+2,-1,50.77,16.28", 'Boisko,25,,']
    """
    names = export_formats(formats)
    if format not in names:
        raise MappingError(f"expected a format in {names}, got {format!r}")
    if not _LAYER_NAME.fullmatch(layer):
        raise MappingError(
            f"expected a layer name of letters, digits, '_' or '-', got {layer!r}; "
            "choose a plain name such as resources"
        )
    if isinstance(frame, gpd.GeoDataFrame) and len(frame):
        frame = ensure_crs(frame, name=layer)
    write_with(format_for_export(format, formats), frame, path_or_buffer, layer=layer, excel=excel)


# ---------------------------------------------------------------------------------------------
# Templates


def template_frame(
    kind: Literal["resources", "districts", "indicators"],
    *,
    categories: pd.DataFrame | None = None,
    indicators: pd.DataFrame | None = None,
    districts: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    """Return the sheets of an import template: expected columns with one example row first.

    Parameters
    ----------
    kind
        ``"resources"``, ``"districts"`` or ``"indicators"``.
    categories
        Allowed categories (``CATEGORY_COLUMNS``) for the resources template; the seeded ones
        when None.
    indicators
        Known indicators (``INDICATOR_COLUMNS``) for the indicators template.
    districts
        Known districts (``code``, ``name``); listed in resources and indicators templates.

    Returns
    -------
    dict
        Sheet name to frame. The first sheet is the one to fill in (write it alone for a CSV
        template); the others list the allowed values.

    Examples
    --------
    >>> sheets = template_frame("resources")
    >>> list(sheets), list(sheets["resources"].columns)[:4]
    (['resources', 'categories'], ['external_id', 'name', 'category', 'address'])
    """
    sheets: dict[str, pd.DataFrame] = {}
    first_district = (
        str(districts["name"].iloc[0])
        if districts is not None and len(districts)
        else "Śródmieście"
    )
    if kind == "resources":
        if categories is None:
            categories = pd.DataFrame(DEFAULT_CATEGORIES, columns=list(CATEGORY_COLUMNS))
        first_category = str(categories["code"].iloc[0]) if len(categories) else "swietlica"
        sheets["resources"] = pd.DataFrame(
            {
                "external_id": ["zasob-001"],
                "name": ["Świetlica środowiskowa „Przykład”"],
                "category": [first_category],
                "address": ["ul. Przykładowa 1"],
                "district": [first_district],
                "lat": [50.771234],
                "lon": [16.284321],
                "capacity": [25],
                "operator": ["Stowarzyszenie Przykład"],
                "phone": ["74 000 00 00"],
                "website": ["https://www.example.pl"],
                "opening_hours": ["pn-pt 14:00-18:00"],
                "description": ["Zajęcia dla dzieci; bez współrzędnych wystarczy osiedle."],
                "source": ["własne zestawienie"],
            }
        )
        columns = [c for c in ("code", "name_pl", "name_en", "aliases") if c in categories]
        sheets["categories"] = pd.DataFrame(categories[columns]).reset_index(drop=True)
    elif kind == "districts":
        sheets["districts"] = pd.DataFrame(
            {
                "code": ["przyklad"],
                "name": ["Przykład"],
                "wkt": [
                    "POLYGON ((16.27 50.76, 16.29 50.76, 16.29 50.78, 16.27 50.78, 16.27 50.76))"
                ],
                "source": ["granice z systemu GIS miasta"],
            }
        )
    elif kind == "indicators":
        first_indicator = (
            str(indicators["code"].iloc[0])
            if indicators is not None and len(indicators)
            else "residents"
        )
        sheets["indicator_values"] = pd.DataFrame(
            {
                "district": [first_district],
                "year": [2021],
                "indicator": [first_indicator],
                "value": [1234.5],
            }
        )
        if indicators is not None:
            columns = [c for c in INDICATOR_COLUMNS if c in indicators]
            sheets["indicators"] = pd.DataFrame(indicators[columns]).reset_index(drop=True)
        sheets["define"] = pd.DataFrame(
            {
                "code": ["nowy_wskaznik"],
                "name_pl": ["nowy wskaźnik"],
                "name_en": ["new indicator"],
                "unit": ["osoby"],
                "higher_is_more_need": ["true"],
                "denominator": ["residents"],
                "description": ["Opis wskaźnika."],
                "source": ["MOPS"],
            }
        )
    else:
        raise MappingError(
            f"expected a template kind resources, districts or indicators, got {kind!r}"
        )
    if districts is not None and kind != "districts":
        columns = [c for c in ("code", "name") if c in districts]
        sheets["districts"] = pd.DataFrame(districts[columns]).reset_index(drop=True)
    return sheets
