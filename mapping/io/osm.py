"""OpenStreetMap extracts (``.osm`` XML or ``.osm.pbf``): resources by a tag mapping.

:func:`read_osm` reads every node, way and relation with GDAL's OSM driver (through pyogrio, with
palmap's own ``mapping/data/osmconf.ini``: the OSM id and every tag of each feature) into one
frame: ``osm`` (``node/123``, ``way/456``, ``relation/789``), ``tags`` (a dict) and the geometry
(a point, a line or an area). :func:`resources_from_osm` turns the features that a rule of the
tag mapping (:mod:`mapping.io.osm_tags`) matches into resources, each at its point; an area
becomes a point on its surface (never a centroid that may lie outside it). The rows then pass the
same checks as any resource layer (:func:`mapping.io.resources.resources_from_vector`).

* external id ``osm:node/123`` (``osm:way/456``, ``osm:relation/789``): a re-import updates the
  resource of the same feature;
* name from ``name``; a feature without one is named after its category (Polish name), reported;
* address from ``addr:street`` (or ``addr:place``) ``addr:housenumber``, ``addr:postcode``
  ``addr:city``; operator, opening hours, phone and website from their tags;
* capacity from ``capacity`` when it is a whole number; any other value is reported and left out;
* ``source``: "OpenStreetMap" (the pages show the ODbL attribution for these rows).

Features left out are listed in the report (severity warning, field ``osm``): a tag of the
mapping's keys without a rule for its value, or a rule whose condition did not hold. Features
with none of the mapping's keys (streets, buildings...) are counted in one line.
"""

from __future__ import annotations

import tempfile
import warnings
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from importlib import resources
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from mapping.crs import WEB_CRS
from mapping.errors import RefusedInputError, ValidationError, msg
from mapping.io.options import ImportOptions
from mapping.io.osm_tags import TagRule, first_rule
from mapping.io.report import ImportReport
from mapping.io.resources import resources_from_vector
from mapping.io.safety import DEFAULT_LIMITS, Limits, check_size

__all__ = [
    "OSM_PREFIX",
    "OSM_SOURCE",
    "OsmOptions",
    "is_osm_file",
    "read_osm",
    "resources_from_osm",
]

#: External ids of resources from OSM start with this.
OSM_PREFIX = "osm:"
#: ``source`` of resources (and the start of that of districts) loaded from OSM.
OSM_SOURCE = "OpenStreetMap"
#: GDAL's OSM layers and the OSM type of their features' ids.
_LAYERS: tuple[tuple[str, str], ...] = (
    ("points", "node"),
    ("lines", "way"),
    ("multipolygons", "relation"),
    ("other_relations", "relation"),
)
_SUFFIXES = (".osm", ".osm.pbf", ".pbf")


@dataclass(frozen=True)
class OsmOptions:
    """What an OSM import takes besides :class:`~mapping.io.options.ImportOptions`.

    Attributes
    ----------
    tag_mapping
        ``(bytes, filename)`` of a tag mapping CSV (:mod:`mapping.io.osm_tags`); the default
        one when None.
    admin_level
        Districts: the ``admin_level`` of the boundaries to load (the deepest level below the
        city's when None).
    places
        Districts without boundaries: the ``place`` values whose nodes seed the draft polygons.
    """

    tag_mapping: tuple[bytes, str] | None = None
    admin_level: int | None = None
    places: tuple[str, ...] = ("suburb", "quarter", "neighbourhood")


def is_osm_file(filename: str) -> bool:
    """Whether the name is that of an OSM extract.

    >>> is_osm_file("city.osm.pbf"), is_osm_file("City.OSM"), is_osm_file("city.csv")
    (True, True, False)
    """
    return filename.lower().endswith(_SUFFIXES)


def _check_content(data: bytes, filename: str) -> str:
    """The suffix GDAL needs, after checking that the content is what the name says."""
    if not is_osm_file(filename):
        raise RefusedInputError(
            msg(
                "{name}: expected an OpenStreetMap extract named .osm or .osm.pbf; export the "
                "extract from JOSM, the Overpass API or a regional extract",
                name=filename,
            )
        )
    head = data[:512]
    if filename.lower().endswith(".pbf"):
        if b"OSMHeader" not in data[:64]:
            raise RefusedInputError(
                msg(
                    "{name}: expected an OSM PBF file (it starts with an OSMHeader block), got "
                    "other content; export the extract again as .osm.pbf",
                    name=filename,
                )
            )
        return ".osm.pbf"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not (text.startswith(b"<?xml") or text.startswith(b"<osm")) or b"<osm" not in head:
        raise RefusedInputError(
            msg(
                "{name}: expected OSM XML (an <osm> element), got other content; export the "
                "extract as .osm from JOSM or the Overpass API, or as .osm.pbf",
                name=filename,
            )
        )
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data[:4096]:
        raise RefusedInputError(
            msg(
                "{name}: an OSM file with a DOCTYPE or entity declarations is refused (it can "
                "make the reader expand text without end); export the extract again",
                name=filename,
            )
        )
    return ".osm"


def _tags(value: object) -> dict[str, str]:
    if isinstance(value, Mapping):
        return {str(k): str(v) for k, v in value.items() if v is not None}
    return {}


def _layer(path: str, layer: str, report: ImportReport) -> gpd.GeoDataFrame:
    config = str(resources.files("mapping.data").joinpath("osmconf.ini"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            frame = pyogrio.read_dataframe(path, layer=layer, CONFIG_FILE=config)
        except pyogrio.errors.DataSourceError as exc:
            raise ValidationError(
                msg(
                    "{name}: the OSM reader could not read the file ({error}); export the "
                    "extract again",
                    name=report.source or "file",
                    error=str(exc),
                )
            ) from exc
    for warning in caught:
        report.add(
            msg("the OSM reader said: {text}", text=str(warning.message)), severity="warning"
        )
    return frame


def read_osm(
    data: bytes, *, filename: str, limits: Limits = DEFAULT_LIMITS
) -> tuple[gpd.GeoDataFrame, ImportReport]:
    """Every tagged feature of an OSM extract: ``osm`` (``node/1``...), ``tags``, geometry.

    The index counts features from 1 (points, then lines, areas, other relations), as the
    report's rows; ``report.read`` is their number.

    Raises
    ------
    RefusedInputError
        Over the size or feature limit, or not an OSM file.
    ValidationError
        GDAL cannot read it.
    """
    check_size(len(data), limits)
    suffix = _check_content(data, filename)
    report = ImportReport(source=filename, unit="feature")
    frames = []
    with tempfile.TemporaryDirectory(prefix="palmap-") as tmp:
        path = str(Path(tmp) / f"extract{suffix}")
        Path(path).write_bytes(data)
        for layer, kind in _LAYERS:
            frame = _layer(path, layer, report)
            if layer == "multipolygons" and "osm_way_id" in frame:
                way = frame["osm_way_id"].notna()
                ids = frame["osm_way_id"].where(way, frame["osm_id"])
                osm = np.where(way, "way/", "relation/") + ids.astype(str)
            else:
                osm = f"{kind}/" + frame["osm_id"].astype(str)
            frames.append(
                gpd.GeoDataFrame(
                    {"osm": osm, "tags": [_tags(t) for t in frame["all_tags"]]},
                    geometry=frame.geometry.to_numpy(),
                    crs=WEB_CRS,
                )
            )
            if sum(len(f) for f in frames) > limits.max_features:
                raise RefusedInputError(
                    msg(
                        "{name}: expected at most {limit} features, got more; cut a smaller "
                        "extract or raise the limit (PALMAP_MAX_FEATURES)",
                        name=filename,
                        limit=limits.max_features,
                    )
                )
    features = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=WEB_CRS)
    features.index = pd.RangeIndex(1, len(features) + 1, name="feature")
    report.read = len(features)
    return features, report


def _address(tags: Mapping[str, str]) -> str:
    """``Główna 5, 58-300 Wałbrzych`` from the ``addr:*`` tags (empty without them)."""
    street = tags.get("addr:street") or tags.get("addr:place") or ""
    first = " ".join(p for p in (street, tags.get("addr:housenumber", "")) if p)
    second = " ".join(p for p in (tags.get("addr:postcode", ""), tags.get("addr:city", "")) if p)
    return ", ".join(p for p in (first, second) if p)


def _capacity(tags: Mapping[str, str], row: int, osm: str, report: ImportReport) -> str:
    value = tags.get("capacity", "").strip()
    if not value or value.isdigit():
        return value
    report.add(
        msg(
            "{osm}: expected capacity as a whole number, got {value!r}; it was left out",
            osm=osm,
            value=value,
        ),
        row=row,
        field="capacity",
        value=value,
        fix=msg("correct the capacity tag in OpenStreetMap, or fill it in palmap"),
        severity="warning",
    )
    return ""


class _Areas:
    """The areas of the extract with a given tag, to answer ``inside:KEY=VALUE``."""

    def __init__(self, features: gpd.GeoDataFrame) -> None:
        self._features = features
        self._trees: dict[tuple[str, str], shapely.STRtree] = {}

    def tree(self, key: str, value: str) -> shapely.STRtree:
        if (key, value) not in self._trees:
            geometry = self._features.geometry.to_numpy()
            polygonal = np.isin(shapely.get_type_id(geometry), (3, 6))
            tagged = np.array([t.get(key) == value for t in self._features["tags"]], dtype=bool)
            self._trees[(key, value)] = shapely.STRtree(geometry[polygonal & tagged])
        return self._trees[(key, value)]

    def holds(self, point: object, key: str, value: str) -> bool:
        return len(self.tree(key, value).query(point, predicate="within")) > 0


def _left_out(
    report: ImportReport,
    row: int,
    osm: str,
    tags: Mapping[str, str],
    failed: Sequence[TagRule],
    keys: Collection[str],
) -> None:
    if failed:
        rules = "; ".join(f"line {r.line}: {r.describe()}" for r in failed)
        problem = msg(
            "left out: the conditions of the tag mapping rules for its tags do not hold ({rules})",
            rules=rules,
        )
    else:
        shown = ", ".join(f"{k}={tags[k]}" for k in sorted(keys) if k in tags)
        problem = msg("left out: no rule of the tag mapping for {tags}", tags=shown)
    report.add(
        problem,
        row=row,
        field="osm",
        value=osm,
        fix=msg("add a rule to the tag mapping (--mapping) if this feature is a resource"),
        severity="warning",
    )


def _attributes(
    row: int,
    osm: str,
    tags: Mapping[str, str],
    category: str,
    names: Mapping[str, str],
    report: ImportReport,
) -> dict[str, object]:
    name = tags.get("name", "").strip()
    if not name:
        name = names.get(category, category)
        report.add(
            msg("{osm} has no name: named after its category, {name!r}", osm=osm, name=name),
            row=row,
            field="name",
            fix=msg("add a name tag in OpenStreetMap, or rename the resource in palmap"),
            severity="info",
        )
    return {
        "external_id": OSM_PREFIX + osm,
        "name": name,
        "category": category,
        "address": _address(tags),
        "operator": tags.get("operator", ""),
        "opening_hours": tags.get("opening_hours", ""),
        "phone": tags.get("phone") or tags.get("contact:phone", ""),
        "website": tags.get("website") or tags.get("contact:website", ""),
        "capacity": _capacity(tags, row, osm, report),
        "source": OSM_SOURCE,
    }


def resources_from_osm(
    features: gpd.GeoDataFrame,
    report: ImportReport,
    *,
    rules: Sequence[TagRule],
    districts: gpd.GeoDataFrame,
    categories: pd.DataFrame,
) -> gpd.GeoDataFrame:
    """Resources (:data:`mapping.frames.RESOURCE_COLUMNS`) from the features of
    :func:`read_osm` that a rule matches; the others are reported as left out.

    Returns the rows without errors, indexed by feature number, as
    :func:`mapping.io.resources.resources_from_vector`.
    """
    keys = {r.key for r in rules}
    names = dict(
        zip(categories["code"].astype(str), categories["name_pl"].astype(str), strict=True)
    )
    areas = _Areas(features)
    records: dict[int, dict[str, object]] = {}
    points: dict[int, object] = {}
    unrelated = 0
    for row, osm, tags, geometry in zip(
        features.index, features["osm"], features["tags"], features.geometry, strict=True
    ):
        if not keys.intersection(tags):
            unrelated += 1
            continue
        if geometry is None or geometry.is_empty:
            continue
        point = shapely.point_on_surface(geometry)
        rule, failed = first_rule(tags, rules, partial(areas.holds, point))
        if rule is None:
            _left_out(report, int(row), osm, tags, failed, keys)
            continue
        records[int(row)] = _attributes(int(row), osm, tags, rule.category, names, report)
        points[int(row)] = point
    if unrelated:
        report.add(
            msg(
                "{count} feature(s) without any key of the tag mapping ({keys}) were left out",
                count=unrelated,
                keys=", ".join(sorted(keys)),
            ),
            severity="info",
        )
    index = pd.Index(list(records), name="feature")
    columns = [
        "external_id",
        "name",
        "category",
        "address",
        "operator",
        "opening_hours",
        "phone",
        "website",
        "capacity",
        "source",
    ]
    frame = gpd.GeoDataFrame(
        pd.DataFrame(list(records.values()), index=index, columns=columns),
        geometry=gpd.GeoSeries([points[i] for i in index], index=index, crs=WEB_CRS),
        crs=WEB_CRS,
    )
    options = ImportOptions(
        name_field="name",
        category_field="category",
        address_field="address",
        external_id_field="external_id",
    )
    return resources_from_vector(
        frame,
        report,
        districts=districts,
        categories=categories,
        options=options,
        source=OSM_SOURCE,
    )
