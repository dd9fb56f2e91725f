"""The OSM steps of the import flow (:func:`mapping.io.flow.run_import`, kinds ``osm`` and
``osm_districts``): read the extract, build the rows, say what a write would do.

Resources: every row carries its OSM external id (``osm:node/123``), so a re-import updates the
resource of the same feature and never duplicates it (:func:`mapping.db.store.save_resources`).
Resources loaded from OSM before (external id ``osm:...``) that the new extract does not hold are
"gone": the report lists each (warning), and only ``replace`` removes them - moved to the deleted
records, restorable by an admin, as a deletion in a form. Without ``replace`` they stay. Resources
from other sources are never touched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd

from mapping.db import Engine, resource_edit, store
from mapping.errors import msg
from mapping.io.options import ImportOptions
from mapping.io.osm import OSM_PREFIX, OsmOptions, read_osm, resources_from_osm
from mapping.io.osm_districts import districts_from_osm
from mapping.io.osm_tags import default_tag_mapping, read_tag_mapping
from mapping.io.report import ImportReport
from mapping.io.safety import Limits

__all__ = ["OsmPrepared", "gone_resources", "prepare_osm"]

Writer = Callable[[Any, Callable[[int], None] | None], store.SaveResult]


@dataclass(frozen=True)
class OsmPrepared:
    """The report, the number of rows, the write to run in the import's transaction, the rows."""

    report: ImportReport
    rows: int
    write: Writer
    frame: Any = field(default=None, repr=False)


def gone_resources(stored: gpd.GeoDataFrame, seen: set[str]) -> gpd.GeoDataFrame:
    """The stored resources from OSM whose feature the new extract does not hold."""
    external = stored["external_id"].astype("string").fillna("")
    from_osm = external.str.startswith(OSM_PREFIX)
    return stored[from_osm & ~external.isin(list(seen))]


def _report_gone(report: ImportReport, gone: gpd.GeoDataFrame, *, replace: bool) -> None:
    for external_id, name in zip(gone["external_id"], gone["name"], strict=True):
        if replace:
            problem = msg(
                "{name!r} ({id}) is no longer in the extract: removed (restorable by an admin)",
                name=name,
                id=external_id,
            )
            fix = msg("nothing to do, unless the extract was cut too small")
        else:
            problem = msg(
                "{name!r} ({id}) is no longer in the extract: kept", name=name, id=external_id
            )
            fix = msg("import again with replace to remove the resources gone from OSM")
        report.add(problem, field="external_id", value=external_id, fix=fix, severity="warning")


def _resources(
    data: bytes,
    filename: str,
    options: ImportOptions,
    osm: OsmOptions,
    engine: Engine,
    limits: Limits,
    *,
    actor: str | None,
    how: str,
) -> OsmPrepared:
    categories = store.load_categories(engine)
    mapping_data, mapping_name = osm.tag_mapping or default_tag_mapping()
    rules = read_tag_mapping(
        mapping_data, filename=mapping_name, categories=[str(c) for c in categories["code"]]
    )
    features, report = read_osm(data, filename=filename, limits=limits)
    resources = resources_from_osm(
        features,
        report,
        rules=rules,
        districts=store.load_districts(engine),
        categories=categories,
    )
    seen = {str(e) for e in resources["external_id"]}
    # A feature whose row failed a check is still in the extract: not gone.
    seen |= {OSM_PREFIX + str(o) for o in features.loc[list(report.error_rows()), "osm"]}
    gone = gone_resources(store.load_resources(engine), seen)
    _report_gone(report, gone, replace=options.replace)

    def write(conn: Any, progress: Callable[[int], None] | None) -> store.SaveResult:
        saved = store.save_resources(conn, resources, progress=progress)
        if not options.replace:
            return saved
        for resource_id in gone["id"]:
            version = resource_edit.get_resource(conn, int(resource_id)).version
            resource_edit.delete_resource(
                conn, int(resource_id), version, actor=actor or "import", how=how
            )
        return saved + store.SaveResult(deleted=len(gone))

    return OsmPrepared(report, len(resources), write, resources)


def _districts(
    data: bytes, filename: str, options: ImportOptions, osm: OsmOptions, limits: Limits
) -> OsmPrepared:
    features, report = read_osm(data, filename=filename, limits=limits)
    districts = districts_from_osm(features, report, admin_level=osm.admin_level, places=osm.places)

    def write(conn: Any, _progress: Callable[[int], None] | None) -> store.SaveResult:
        return store.save_districts(conn, districts, replace=options.replace)

    return OsmPrepared(report, len(districts), write, districts)


def prepare_osm(
    kind: str,
    data: bytes,
    *,
    filename: str,
    options: ImportOptions,
    osm: OsmOptions,
    engine: Engine,
    limits: Limits,
    actor: str | None = None,
    how: str = "cli",
) -> OsmPrepared:
    """Read an OSM extract as resources (``osm``) or districts (``osm_districts``)."""
    if kind == "osm_districts":
        return _districts(data, filename, options, osm, limits)
    return _resources(data, filename, options, osm, engine, limits, actor=actor, how=how)
