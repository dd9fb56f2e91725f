"""Districts from an OpenStreetMap extract (:func:`districts_from_osm`).

* Administrative boundaries first: the areas tagged ``boundary=administrative`` with the chosen
  ``admin_level`` (by default the deepest level of the extract that has at least two areas),
  named by their ``name`` tag; ``schematic`` False.
* Otherwise draft polygons from the place nodes (``place`` in the chosen values, by default
  suburb, quarter and neighbourhood, each with a name): the Voronoi cell of each place, clipped
  to the city. The city is the administrative boundary of level 8 (else 7) that holds the most
  places; an extract without one gets the convex hull of the places widened by 1 km (a draft
  to be redrawn). These polygons are ``schematic`` True and their ``source`` says so: the pages
  mark them like the demo's schematic boundaries.

Both go through :func:`mapping.io.districts.districts_from_vector` (codes are slugs of the names,
a repeated name is an error of both rows).
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from mapping.crs import METRIC_CRS, WEB_CRS
from mapping.errors import ValidationError, msg
from mapping.io.districts import districts_from_vector
from mapping.io.options import ImportOptions
from mapping.io.osm import OSM_SOURCE
from mapping.io.report import ImportReport

__all__ = ["CITY_BUFFER_M", "districts_from_osm"]

#: How far beyond the outermost places the draft city reaches without a city boundary.
CITY_BUFFER_M = 1000.0
_POLYGONAL = (3, 6)


def _admin_areas(features: gpd.GeoDataFrame) -> pd.DataFrame:
    """The administrative areas: feature number, level (int), name, geometry."""
    geometry = features.geometry.to_numpy()
    rows = []
    for row, tags, shape in zip(features.index, features["tags"], geometry, strict=True):
        level = tags.get("admin_level", "")
        if (
            tags.get("boundary") == "administrative"
            and level.isdigit()
            and shape is not None
            and shapely.get_type_id(shape) in _POLYGONAL
        ):
            rows.append((row, int(level), tags.get("name", ""), shape))
    return pd.DataFrame(rows, columns=["row", "level", "name", "geometry"])


def _layer(
    rows: Sequence[int],
    names: Sequence[str],
    shapes: Sequence[object],
    *,
    source: str,
    schematic: bool,
) -> gpd.GeoDataFrame:
    index = pd.Index(list(rows), name="feature")
    return gpd.GeoDataFrame(
        {
            "name": list(names),
            "source": [source] * len(index),
            "schematic": ["true" if schematic else "false"] * len(index),
        },
        geometry=gpd.GeoSeries(list(shapes), index=index, crs=WEB_CRS),
        crs=WEB_CRS,
        index=index,
    )


def _city(admin: pd.DataFrame, places: gpd.GeoSeries, report: ImportReport) -> object:
    """The city polygon in EPSG:2180 that the place cells are clipped to."""
    for level in (8, 7):
        cities = admin[admin["level"] == level]
        if len(cities):
            shapes = gpd.GeoSeries(list(cities["geometry"]), crs=WEB_CRS)
            held = [int(places.within(s).sum()) for s in shapes]
            best = int(np.argmax(held))
            report.add(
                msg(
                    "the draft districts were clipped to the city boundary {name!r} "
                    "(admin_level {level})",
                    name=str(cities["name"].iloc[best]),
                    level=level,
                ),
                severity="info",
            )
            return shapes.to_crs(METRIC_CRS).iloc[best]
    report.add(
        msg(
            "no city boundary (admin_level 8 or 7) in the extract: the draft districts fill the "
            "area of the places widened by {metres:g} m",
            metres=CITY_BUFFER_M,
        ),
        fix=msg("redraw the outer edges of the districts, or use an extract with the boundary"),
        severity="warning",
    )
    return shapely.convex_hull(shapely.union_all(places.to_crs(METRIC_CRS).to_numpy())).buffer(
        CITY_BUFFER_M
    )


def _from_places(
    features: gpd.GeoDataFrame, admin: pd.DataFrame, places: Sequence[str], report: ImportReport
) -> gpd.GeoDataFrame:
    chosen = [
        (row, tags["name"], shape)
        for row, tags, shape in zip(
            features.index, features["tags"], features.geometry, strict=True
        )
        if tags.get("place") in places
        and tags.get("name", "").strip()
        and shape is not None
        and shape.geom_type == "Point"
    ]
    if not chosen:
        raise ValidationError(
            msg(
                "{source}: expected administrative boundaries or place nodes ({places}) with "
                "names, got neither; use an extract that holds them, or other --places",
                source=report.source or "file",
                places=", ".join(places),
            )
        )
    rows, names, shapes = zip(*chosen, strict=True)
    points = gpd.GeoSeries(list(shapes), crs=WEB_CRS)
    city = _city(admin, points, report)
    metric = points.to_crs(METRIC_CRS).to_numpy()
    cells = shapely.voronoi_polygons(shapely.multipoints(metric), extend_to=city, ordered=True)
    polygons = [
        shapely.intersection(cell, city) if len(metric) > 1 else city for cell in cells.geoms
    ][: len(metric)]
    drafted = gpd.GeoSeries(polygons, crs=METRIC_CRS).to_crs(WEB_CRS)
    report.add(
        msg(
            "{count} draft district(s) from place nodes (Voronoi cells): schematic, not "
            "official boundaries",
            count=len(rows),
        ),
        fix=msg("replace them with official boundaries when the city has them"),
        severity="warning",
    )
    source = f"{OSM_SOURCE}: draft from place nodes ({', '.join(places)}), schematic"
    return _layer(rows, names, list(drafted), source=source, schematic=True)


def districts_from_osm(
    features: gpd.GeoDataFrame,
    report: ImportReport,
    *,
    admin_level: int | None = None,
    places: Sequence[str] = ("suburb", "quarter", "neighbourhood"),
) -> gpd.GeoDataFrame:
    """Districts (:data:`mapping.frames.DISTRICT_COLUMNS`) from the features of
    :func:`mapping.io.osm.read_osm`: administrative boundaries of ``admin_level`` when the
    extract has them, else draft polygons from the ``places`` nodes (see the module doc)."""
    admin = _admin_areas(features)
    level = admin_level
    if level is None and len(admin):
        counts = admin["level"].value_counts()
        several = counts[counts >= 2]
        level = int(several.index.max()) if len(several) else None
    chosen = admin[admin["level"] == level] if level is not None else admin.iloc[0:0]
    if len(chosen):
        report.add(
            msg(
                "{count} district(s) from the administrative boundaries of admin_level {level}",
                count=len(chosen),
                level=level,
            ),
            severity="info",
        )
        layer = _layer(
            chosen["row"],
            chosen["name"],
            chosen["geometry"],
            source=f"{OSM_SOURCE}: boundary=administrative admin_level={level}",
            schematic=False,
        )
    else:
        if admin_level is not None:
            report.add(
                msg(
                    "no administrative boundaries of admin_level {level} in the extract: "
                    "drafted from place nodes instead",
                    level=admin_level,
                ),
                severity="warning",
            )
        layer = _from_places(features, admin, places, report)
    options = ImportOptions(name_field="name")
    return districts_from_vector(layer, report, options=options)
