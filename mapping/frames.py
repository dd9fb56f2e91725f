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
    ``synthetic`` (bool), ``updated_at``, ``geometry`` (Point or None).
indicators (DataFrame)
    ``code``, ``name_pl``, ``name_en``, ``unit``, ``higher_is_more_need`` (bool), ``denominator``
    (code of another indicator or empty), ``description``, ``source``.
indicator_values (DataFrame, long)
    ``district_code``, ``indicator``, ``year`` (int), ``value`` (float).
"""

from __future__ import annotations

DISTRICT_COLUMNS: tuple[str, ...] = ("id", "code", "name", "source", "schematic", "geometry")
CATEGORY_COLUMNS: tuple[str, ...] = ("code", "name_pl", "name_en", "aliases", "colour")
RESOURCE_COLUMNS: tuple[str, ...] = (
    "id",
    "external_id",
    "name",
    "category",
    "address",
    "district_code",
    "capacity",
    "operator",
    "phone",
    "website",
    "opening_hours",
    "description",
    "source",
    "synthetic",
    "updated_at",
    "geometry",
)
INDICATOR_COLUMNS: tuple[str, ...] = (
    "code",
    "name_pl",
    "name_en",
    "unit",
    "higher_is_more_need",
    "denominator",
    "description",
    "source",
)
INDICATOR_VALUE_COLUMNS: tuple[str, ...] = ("district_code", "indicator", "year", "value")
