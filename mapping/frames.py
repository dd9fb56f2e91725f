"""The shape of the frames that travel between :mod:`mapping` modules.

Every reader returns these columns, :mod:`mapping.db.store` loads and saves them, and the analysis
and render modules take them. Geometry is always the column ``geometry`` in EPSG:4326.

districts (GeoDataFrame)
    ``id`` (int, database id or <NA> before saving), ``code`` (str, unique ASCII slug), ``name``,
    ``source``, ``schematic`` (bool), ``geometry`` (MultiPolygon).
categories (DataFrame)
    ``code``, ``name_pl``, ``name_en``, ``aliases`` (``|``-separated), ``colour`` (``#rrggbb``).
resources (GeoDataFrame)
    ``id``, ``external_id``, ``name``, ``category`` (category code), ``address``, ``district_code``
    (the district the row is *assigned* to when it has no point; may be empty), ``capacity``,
    ``operator``, ``phone``, ``website``, ``opening_hours``, ``description``, ``source``,
    ``synthetic`` (bool), ``updated_at``, ``geometry`` (Point or None). Types and the column
    orders of files and exports: :data:`RESOURCE_SCHEMA`, :data:`RESOURCE_FILE_COLUMNS`,
    :data:`RESOURCE_EXPORT_COLUMNS`.
indicators (DataFrame)
    ``code``, ``name_pl``, ``name_en``, ``unit``, ``higher_is_more_need`` (bool), ``denominator``
    (code of another indicator or empty), ``description``, ``source``.
indicator_values (DataFrame, long)
    ``district_code``, ``indicator``, ``year`` (int), ``value`` (float).
"""

from __future__ import annotations

from dataclasses import dataclass

DISTRICT_COLUMNS: tuple[str, ...] = ("id", "code", "name", "source", "schematic", "geometry")
CATEGORY_COLUMNS: tuple[str, ...] = (
    "code",
    "name_pl",
    "name_en",
    "aliases",
    "colour",
    "capacity_unit",
)


@dataclass(frozen=True)
class Column:
    """One column of a frame: its name, its pandas dtype and whether it describes the resource.

    Attributes
    ----------
    name
        Column name in frames, the database and files.
    dtype
        The pandas dtype of the frame column (``"geometry"`` for the geometry).
    attribute
        Whether it is an attribute of the resource itself (saved, compared on update, written to
        files), as opposed to bookkeeping (``id``, ``updated_at``) or location.
    """

    name: str
    dtype: str
    attribute: bool = True


#: The resource frame, in order: every reader builds it, the store loads and saves it.
RESOURCE_SCHEMA: tuple[Column, ...] = (
    Column("id", "Int64", attribute=False),
    Column("external_id", "object", attribute=False),
    Column("name", "object"),
    Column("category", "object"),
    Column("address", "object"),
    Column("district_code", "object", attribute=False),
    Column("capacity", "Int64"),
    Column("operator", "object"),
    Column("phone", "object"),
    Column("website", "object"),
    Column("opening_hours", "object"),
    Column("description", "object"),
    Column("source", "object"),
    Column("synthetic", "bool"),
    Column("updated_at", "object", attribute=False),
    Column("geometry", "geometry", attribute=False),
)
RESOURCE_COLUMNS: tuple[str, ...] = tuple(c.name for c in RESOURCE_SCHEMA)
#: The columns that describe a resource (what an update compares).
RESOURCE_ATTRIBUTES: tuple[str, ...] = tuple(c.name for c in RESOURCE_SCHEMA if c.attribute)
#: The attributes a person edits in a form (``synthetic`` is set by the demo alone).
EDITABLE_ATTRIBUTES: tuple[str, ...] = tuple(c for c in RESOURCE_ATTRIBUTES if c != "synthetic")
#: pandas dtypes of the resource frame (geometry left out).
RESOURCE_DTYPES: dict[str, str] = {
    c.name: c.dtype for c in RESOURCE_SCHEMA if c.dtype != "geometry"
}

#: Columns of a resources file palmap writes as data to load (the demo's resources.csv, written
#: by data/demo/generate.py and read by mapping.demo): the point as ``lat``, ``lon`` after the
#: district.
RESOURCE_FILE_COLUMNS: tuple[str, ...] = (
    "external_id",
    "name",
    "category",
    "address",
    "district_code",
    "lat",
    "lon",
    "capacity",
    "operator",
    "phone",
    "website",
    "opening_hours",
    "description",
    "source",
    "synthetic",
)
#: Columns of every resources export (``palmap export resources``, the pages' CSV and GeoJSON
#: downloads): the frame without bookkeeping, then the point as ``lat``, ``lon`` (latitude first,
#: as the import template, the demo file and ISO 6709 write it). GeoJSON and the other map formats
#: carry the point as geometry instead.
RESOURCE_EXPORT_COLUMNS: tuple[str, ...] = (
    *(c.name for c in RESOURCE_SCHEMA if c.name not in ("updated_at", "geometry")),
    "lat",
    "lon",
)
#: How text files (CSV, Shapefile attributes) spell booleans, everywhere palmap writes them.
BOOLEAN_TEXT: dict[bool, str] = {True: "true", False: "false"}

INDICATOR_COLUMNS: tuple[str, ...] = (
    "code",
    "name_pl",
    "name_en",
    "unit",
    "higher_is_more_need",
    "denominator",
    "description",
    "source",
    "domain",
)
INDICATOR_VALUE_COLUMNS: tuple[str, ...] = ("district_code", "indicator", "year", "value")
