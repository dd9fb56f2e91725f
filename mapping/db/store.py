"""The store's public names in one place: GeoDataFrames in, GeoDataFrames out.

The code lives in the modules of :mod:`mapping.db` (see the module map in their docstrings):
:mod:`~mapping.db.base` (tables, binds, the save result), :mod:`~mapping.db.status` (schema and
data version), :mod:`~mapping.db.districts`, :mod:`~mapping.db.resources` (resources and their
categories, spatial queries), :mod:`~mapping.db.resource_import` (saving resources, in bulk
through :mod:`~mapping.db.bulk`) and :mod:`~mapping.db.indicators`. Callers keep writing
``from mapping.db import store`` and ``store.save_resources(...)``.

Reads take an :class:`~sqlalchemy.engine.Engine` or an open
:class:`~sqlalchemy.engine.Connection`; writes take a Connection inside the caller's transaction
(``with engine.begin() as conn: ...``), so that an import is written whole or not at all.
Frames follow :mod:`mapping.frames`; geometry travels as WKB in EPSG:4326.

Every palmap write runs in :func:`~mapping.db.locking.write_transaction` (one writer at a time,
the write lock taken before the rows to match are read; a second writer waits, says for whom,
and gives up after :class:`~mapping.db.locking.Wait` seconds), and the saves take that lock
themselves when called in a plain transaction.

Saves are upserts on natural keys (district ``code``, resource ``external_id``, indicator
``code``, value ``(district, indicator, year)``) and skip rows that did not change, so loading the
same data twice changes nothing.
"""

from __future__ import annotations

from mapping.db.base import TABLES, Bind, SaveResult
from mapping.db.bulk import CHUNK_ROWS
from mapping.db.districts import district_ids, load_districts, save_districts
from mapping.db.indicators import (
    delete_indicator_values,
    delete_values,
    load_indicator_values,
    load_indicators,
    save_indicator_values,
    save_indicators,
)
from mapping.db.locking import DEFAULT_WAIT, Holder, Wait, write_transaction
from mapping.db.resource_import import save_resources
from mapping.db.resources import (
    counts_by_district_category,
    delete_resources,
    load_categories,
    load_resources,
    resource_districts,
    save_categories,
)
from mapping.db.status import data_version, is_empty, require_schema, schema_ready, table_counts

__all__ = [
    "CHUNK_ROWS",
    "DEFAULT_WAIT",
    "TABLES",
    "Bind",
    "Holder",
    "SaveResult",
    "counts_by_district_category",
    "data_version",
    "delete_indicator_values",
    "delete_values",
    "delete_resources",
    "district_ids",
    "is_empty",
    "load_categories",
    "load_districts",
    "load_indicator_values",
    "load_indicators",
    "load_resources",
    "require_schema",
    "resource_districts",
    "save_categories",
    "save_districts",
    "save_indicator_values",
    "save_indicators",
    "save_resources",
    "schema_ready",
    "table_counts",
    "Wait",
    "write_transaction",
]
