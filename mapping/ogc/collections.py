"""The collections of palmap's OGC API: what each holds, built from the analysis frames.

Every collection is public data that the pages show already, with the pages' privacy rules:

* ``districts``: the district polygons (code, name, source, schematic);
* ``resources`` and ``resources-<category>``: the resources, as ``/zasoby.geojson`` has them;
* ``indicator-<code>-<year>``: the district polygons with one indicator's value of one year, and
  its rate per 1,000 of its denominator; a count of people below ``PALMAP_MIN_COUNT`` and every
  rate built from one are ``null`` with ``value_hidden``/``rate_hidden`` true and the label the
  pages show (``< 5``), exactly as :func:`mapping.layers.layer_values` decides for the pages;
* ``actions``: the programme's actions, each on the union of its districts;
* ``edition-<code>-<any of the above>``: the same from a published edition's frozen data (its
  actions: the records of its programme year, :mod:`mapping.pages.programme_year`).

Accounts, the audit log, survey counts and drafts are never a collection: nothing here reads
them. A collection's frame is built only when first asked for (:attr:`Collection.build`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from mapping.analysis import AnalysisData
from mapping.join import assign_districts
from mapping.layers import Layer, layer_values, layer_years
from mapping.privacy import Suppression
from mapping.programme import ACTION_TYPES, Action, names_of

__all__ = ["Collection", "Property", "build_catalogue", "edition_prefix"]


@dataclass(frozen=True)
class Property:
    """A property of a collection's features: its name, JSON Schema type and title."""

    name: str
    type: str
    title: str


@dataclass(frozen=True)
class Collection:
    """One collection: metadata, and how to build its frame.

    The frame has ``fid`` (the feature id), a column per :attr:`properties`, ``geometry`` (CRS84)
    and, for a collection with time, ``start`` and ``end`` (``datetime64[D]``, both inclusive).
    """

    id: str
    title: str
    description: str
    properties: tuple[Property, ...]
    build: Callable[[], gpd.GeoDataFrame] = field(repr=False, compare=False)
    bbox: tuple[float, float, float, float] | None = None
    #: First and last day of the collection's time (ISO dates), or None: it has no time.
    interval: tuple[str, str] | None = None
    #: The published edition it comes from (None: the live data).
    edition: str | None = None
    #: Integer feature ids (resources) or text (district codes, action codes).
    integer_ids: bool = False

    @property
    def queryables(self) -> dict[str, Property]:
        """The properties an items request may filter on (every property: all are simple)."""
        return {p.name: p for p in self.properties}


def edition_prefix(code: str) -> str:
    """The prefix of a published edition's collection ids.

    >>> edition_prefix("2013")
    'edition-2013-'
    """
    return f"edition-{code}-"


DISTRICT_PROPERTIES = (
    Property("code", "string", "District code"),
    Property("name", "string", "District name"),
    Property("source", "string", "Source of the boundary"),
    Property("schematic", "boolean", "Schematic outline, not an official boundary"),
)
RESOURCE_PROPERTIES = (
    Property("id", "integer", "Resource id"),
    Property("external_id", "string", "Id in the source"),
    Property("name", "string", "Name"),
    Property("category", "string", "Category code"),
    Property("address", "string", "Address"),
    Property("district_code", "string", "District the resource lies in"),
    Property("capacity", "integer", "Capacity (in the category's unit)"),
    Property("operator", "string", "Operator"),
    Property("phone", "string", "Phone"),
    Property("website", "string", "Website"),
    Property("opening_hours", "string", "Opening hours"),
    Property("description", "string", "Description"),
    Property("source", "string", "Source"),
    Property("synthetic", "boolean", "Invented (demo) record"),
)
INDICATOR_PROPERTIES = (
    Property("district_code", "string", "District code"),
    Property("district_name", "string", "District name"),
    Property("indicator", "string", "Indicator code"),
    Property("year", "integer", "Year"),
    Property("unit", "string", "Unit of the value"),
    Property("value", "number", "Value (null where hidden)"),
    Property("value_hidden", "boolean", "The value is a small count of people, hidden"),
    Property("value_label", "string", "What the pages show for a hidden count, such as < 5"),
    Property("rate", "number", "Rate per 1,000 of the denominator (null where hidden)"),
    Property("rate_smoothed", "number", "Empirical Bayes rate (null where hidden)"),
    Property("rate_hidden", "boolean", "The rate rests on a small count of people, hidden"),
    Property("small_denominator", "boolean", "The rate's denominator is below 1,000 people"),
)
ACTION_PROPERTIES = (
    Property("code", "string", "Action code"),
    Property("title", "string", "Title"),
    Property("type", "string", "Action type (IV.1-IV.7)"),
    Property("type_name", "string", "Action type name"),
    Property("partnership", "string", "Partnership code"),
    Property("districts", "string", "District codes, separated by |"),
    Property("start_date", "string", "Start date"),
    Property("end_date", "string", "End date"),
    Property("status", "string", "Status"),
    Property("planned_participants", "integer", "Planned participants"),
    Property("actual_participants", "integer", "Actual participants"),
    Property("reserve_list", "integer", "Reserve list"),
    Property("funding_pln", "number", "Funds of every source, PLN"),
    Property("description", "string", "Description"),
)


def _bounds(frame: gpd.GeoDataFrame) -> tuple[float, float, float, float] | None:
    geometries = frame.geometry.array
    present = geometries[~(shapely.is_missing(geometries) | shapely.is_empty(geometries))]
    if len(present) == 0:
        return None
    west, south, east, north = shapely.total_bounds(present)
    return (float(west), float(south), float(east), float(north))


def _frame(rows: dict[str, Any], geometry: Any) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry=gpd.GeoSeries(geometry, crs=4326).array, crs=4326)


def _districts_frame(data: AnalysisData) -> gpd.GeoDataFrame:
    d = data.districts.sort_values("code", kind="stable")
    rows = {"fid": d["code"].astype(str).to_numpy()}
    rows.update({p.name: d[p.name].to_numpy() for p in DISTRICT_PROPERTIES})
    return _frame(rows, d.geometry.to_numpy())


class _Resources:
    """The resources frame with the district each lies in, built once for every category."""

    def __init__(self, data: AnalysisData) -> None:
        self.data = data
        self._frame: gpd.GeoDataFrame | None = None

    def frame(self, category: str | None = None) -> gpd.GeoDataFrame:
        if self._frame is None:
            r = self.data.resources.sort_values("id", kind="stable").reset_index(drop=True)
            r = r.assign(district_code=assign_districts(r, self.data.districts))
            rows = {"fid": r["id"].astype("int64").to_numpy()}
            rows.update({p.name: r[p.name].to_numpy(dtype=object) for p in RESOURCE_PROPERTIES})
            self._frame = _frame(rows, r.geometry.to_numpy())
        frame = self._frame
        if category is not None:
            frame = frame[frame["category"] == category].reset_index(drop=True)
        return frame


def _indicator_frame(
    data: AnalysisData, suppression: Suppression, code: str, year: int
) -> gpd.GeoDataFrame:
    item = data.registry[code]
    shown = layer_values(data, Layer(code, "value", item), year=year, suppression=suppression)
    table = shown.table.set_index("district_code")
    rate_layer = Layer(code + "_rate", "rate", item)
    rate = None
    if item.denominator is not None and year in layer_years(data, rate_layer):
        rate = layer_values(data, rate_layer, year=year, suppression=suppression).table
        rate = rate.set_index("district_code").reindex(table.index)
    d = data.districts.set_index(data.districts["code"].astype(str)).reindex(table.index)
    nan = np.full(len(table), np.nan)
    label = np.array(
        [suppression.label if small else None for small in table["small"].to_numpy(dtype=bool)],
        dtype=object,
    )
    rows = {
        "fid": table.index.to_numpy(),
        "district_code": table.index.to_numpy(),
        "district_name": table["district_name"].to_numpy(),
        "indicator": np.full(len(table), code, dtype=object),
        "year": np.full(len(table), int(year)),
        "unit": np.full(len(table), item.unit, dtype=object),
        "value": table["shown"].to_numpy(dtype="float64"),
        "value_hidden": table["hidden"].to_numpy(dtype=bool),
        "value_label": label,
        "rate": nan if rate is None else rate["shown"].to_numpy(dtype="float64"),
        "rate_smoothed": nan if rate is None else rate["smoothed"].to_numpy(dtype="float64"),
        "rate_hidden": np.zeros(len(table), bool)
        if rate is None
        else rate["hidden"].to_numpy(dtype=bool),
        "small_denominator": np.zeros(len(table), bool)
        if rate is None
        else rate["small_denominator"].to_numpy(dtype=bool),
        "start": np.full(len(table), np.datetime64(f"{year}-01-01", "D")),
        "end": np.full(len(table), np.datetime64(f"{year}-12-31", "D")),
    }
    return _frame(rows, d.geometry.to_numpy())


def _action_row(action: Action, types: dict[str, str]) -> dict[str, Any]:
    end = action.end_date or action.start_date
    return {
        "fid": action.code,
        "code": action.code,
        "title": action.title,
        "type": action.action_type,
        "type_name": types.get(action.action_type, action.action_type),
        "partnership": action.partnership,
        "districts": "|".join(action.districts),
        "start_date": action.start_date.isoformat(),
        "end_date": None if action.end_date is None else action.end_date.isoformat(),
        "status": action.status,
        "planned_participants": action.planned_participants,
        "actual_participants": action.actual_participants,
        "reserve_list": action.reserve_list,
        "funding_pln": action.total_funding,
        "description": action.description,
        "start": np.datetime64(action.start_date.isoformat(), "D"),
        "end": np.datetime64(end.isoformat(), "D"),
    }


def _actions_frame(data: AnalysisData, actions: Sequence[Action]) -> gpd.GeoDataFrame:
    types = dict(names_of(ACTION_TYPES, "en"))
    shapes = dict(zip(data.districts["code"].astype(str), data.districts.geometry, strict=True))
    ordered = sorted(actions, key=lambda a: a.code)
    rows = [_action_row(a, types) for a in ordered]
    columns = ["fid", *(p.name for p in ACTION_PROPERTIES), "start", "end"]
    table = {c: np.array([r[c] for r in rows], dtype=object) for c in columns}
    for c in ("start", "end"):
        table[c] = np.array([r[c] for r in rows], dtype="datetime64[D]")
    geometry = []
    for action in ordered:
        parts = [shapes[c] for c in action.districts if c in shapes]
        geometry.append(shapely.union_all(parts) if parts else None)
    return _frame(table, geometry)


def _interval(years: Sequence[int]) -> tuple[str, str] | None:
    return (f"{min(years)}-01-01", f"{max(years)}-12-31") if years else None


def _action_interval(actions: Sequence[Action]) -> tuple[str, str] | None:
    if not actions:
        return None
    start = min(a.start_date for a in actions)
    end = max(a.end_date or a.start_date for a in actions)
    return (start.isoformat(), end.isoformat())


def build_catalogue(
    data: AnalysisData,
    *,
    suppression: Suppression,
    actions: Sequence[Action],
    edition: str | None = None,
) -> list[Collection]:
    """Every collection of the live data (``edition`` None) or of one published edition, in
    the order the API lists them. Nothing is built yet but the metadata."""
    prefix = "" if edition is None else edition_prefix(edition)
    where = "" if edition is None else f" (edition {edition})"
    bbox = _bounds(data.districts)
    resources = _Resources(data)
    found = [
        Collection(
            prefix + "districts",
            "Districts" + where,
            "District boundaries with their code and name.",
            DISTRICT_PROPERTIES,
            partial(_districts_frame, data),
            bbox,
            edition=edition,
        ),
        Collection(
            prefix + "resources",
            "Resources" + where,
            "Every resource (day rooms, gyms, playgrounds, offices, NGOs, ...).",
            RESOURCE_PROPERTIES,
            resources.frame,
            _bounds(data.resources) or bbox,
            edition=edition,
            integer_ids=True,
        ),
    ]
    for code, name in zip(data.categories["code"], data.categories["name_en"], strict=True):
        found.append(
            Collection(
                f"{prefix}resources-{code}",
                f"Resources: {name}{where}",
                f"The resources of the category {code} ({name}).",
                RESOURCE_PROPERTIES,
                partial(resources.frame, str(code)),
                bbox,
                edition=edition,
                integer_ids=True,
            )
        )
    for item in data.registry:
        for year in layer_years(data, Layer(item.code, "value", item)):
            found.append(
                Collection(
                    f"{prefix}indicator-{item.code}-{year}",
                    f"{item.name_en}, {year}{where}",
                    f"{item.name_en} ({item.unit}) per district in {year}, with its rate per "
                    "1,000 of its denominator; small counts of people are hidden as on the pages.",
                    INDICATOR_PROPERTIES,
                    partial(_indicator_frame, data, suppression, item.code, year),
                    bbox,
                    _interval([year]),
                    edition=edition,
                )
            )
    found.append(
        Collection(
            prefix + "actions",
            "Actions" + where,
            "The programme's actions, each on the districts it serves.",
            ACTION_PROPERTIES,
            partial(_actions_frame, data, actions),
            bbox,
            _action_interval(actions),
            edition=edition,
        )
    )
    return found
