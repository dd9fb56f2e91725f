"""A collection's features, encoded once per data version: an items request slices and joins bytes.

:class:`FeatureSet` keeps, per collection, each feature's GeoJSON as bytes (per CRS, encoded on
first use), the features' bounding boxes and dates as arrays, and the property columns for the
filters. A request then selects with numpy (bbox, datetime, property filters; polygons that only
touch the box by their envelope are tested exactly with shapely), slices the page and joins the
encoded features: no frame, no geometry and no JSON encoder on the request's path.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import numpy as np
import pandas as pd
import shapely

from mapping.ogc.collections import Collection
from mapping.ogc.crs import geometries_in
from mapping.ogc.query import ItemsQuery

__all__ = ["FeatureSet", "ItemsPage", "link", "plain"]

GEOJSON = "application/geo+json"


def plain(value: Any) -> Any:
    """A JSON value: None for missing values and NaN, Python numbers and booleans, text.

    >>> plain(np.int64(3)), plain(float("nan")), plain(pd.NA), plain(np.bool_(True))
    (3, None, None, True)
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def link(href: str, rel: str, kind: str, title: str) -> dict[str, str]:
    """One link object."""
    return {"href": href, "rel": rel, "type": kind, "title": title}


@dataclass(frozen=True)
class ItemsPage:
    """The chosen features of one items request: positions in the set, and how many matched."""

    positions: np.ndarray
    matched: int


class FeatureSet:
    """The features of one collection, ready to serve (thread-safe)."""

    def __init__(self, collection: Collection) -> None:
        frame = collection.build()
        self.collection = collection
        self.size = len(frame)
        self.geometries = np.asarray(frame.geometry.array, dtype=object)
        self.bounds = shapely.bounds(self.geometries)
        self.points = shapely.get_type_id(self.geometries) == 0
        ids = [plain(v) for v in frame["fid"]]
        self.ids = ids
        self.position = {str(fid): i for i, fid in enumerate(ids)}
        names = [p.name for p in collection.properties]
        self.columns = {name: frame[name].to_numpy(dtype=object) for name in names}
        self.numbers = {
            p.name: pd.to_numeric(frame[p.name], errors="coerce").to_numpy(dtype="float64")
            for p in collection.properties
            if p.type in ("integer", "number")
        }
        timed = "start" in frame.columns
        self.start = frame["start"].to_numpy(dtype="datetime64[D]") if timed else None
        self.end = frame["end"].to_numpy(dtype="datetime64[D]") if timed else None
        records = zip(*(self.columns[n] for n in names), strict=True) if names else []
        self.properties = [
            json.dumps(dict(zip(names, map(plain, row), strict=True)), ensure_ascii=False)
            for row in records
        ]
        self._heads = [f'{{"type":"Feature","id":{json.dumps(fid)},"geometry":' for fid in ids]
        self._encoded: dict[str, list[bytes]] = {}
        self._lock = threading.Lock()

    def encoded(self, crs: str) -> list[bytes]:
        """Every feature as GeoJSON bytes with its coordinates in ``crs`` (encoded once)."""
        found = self._encoded.get(crs)
        if found is not None:
            return found
        with self._lock:
            found = self._encoded.get(crs)
            if found is None:
                moved = geometries_in(self.geometries, crs)
                texts = shapely.to_geojson(moved)
                found = [
                    f'{head}{text or "null"},"properties":{props}}}'.encode()
                    for head, text, props in zip(self._heads, texts, self.properties, strict=True)
                ]
                self._encoded[crs] = found
        return found

    def _mask(self, query: ItemsQuery) -> np.ndarray | None:
        mask: np.ndarray | None = None
        if query.bbox is not None:
            west, south, east, north = query.bbox
            b = self.bounds
            with np.errstate(invalid="ignore"):
                mask = (
                    (b[:, 0] <= east) & (b[:, 2] >= west) & (b[:, 1] <= north) & (b[:, 3] >= south)
                )
            # Points in the envelope are in a CRS84 box; polygons may only touch its corner,
            # and a box in metres covers less than its envelope: tested exactly.
            unsure = np.nonzero(mask if query.area is not None else mask & ~self.points)[0]
            if len(unsure):
                box = (
                    query.area if query.area is not None else shapely.box(west, south, east, north)
                )
                mask[unsure] = shapely.intersects(self.geometries[unsure], box)
        if query.datetime is not None and self.start is not None and self.end is not None:
            first, last = query.datetime
            timed = np.ones(self.size, bool)
            if last is not None:
                timed &= self.start <= last
            if first is not None:
                timed &= self.end >= first
            mask = timed if mask is None else mask & timed
        for name, value in query.filters:
            if name in self.numbers:
                hit = self.numbers[name] == value
            else:
                hit = self.columns[name] == value
            hit = np.asarray(hit, dtype=bool)
            mask = hit if mask is None else mask & hit
        return mask

    def select(self, query: ItemsQuery) -> ItemsPage:
        """The features the query selects, the page of them it asks for."""
        mask = self._mask(query)
        if mask is None:
            matched = self.size
            positions = np.arange(query.offset, min(self.size, query.offset + query.limit))
        else:
            chosen = np.nonzero(mask)[0]
            matched = len(chosen)
            positions = chosen[query.offset : query.offset + query.limit]
        return ItemsPage(positions=positions, matched=matched)

    def items_json(
        self, query: ItemsQuery, page: ItemsPage, links: Sequence[dict[str, str]], stamp: str
    ) -> bytes:
        """The FeatureCollection of ``page`` (coordinates in ``query.crs``) as bytes."""
        encoded = self.encoded(query.crs)
        parts = [encoded[i] for i in page.positions.tolist()]
        head = (
            f'{{"type":"FeatureCollection","numberMatched":{page.matched},'
            f'"numberReturned":{len(parts)},"timeStamp":"{stamp}",'
            f'"links":{json.dumps(links, ensure_ascii=False)},"features":['
        )
        return head.encode() + b",".join(parts) + b"]}"

    def feature_json(self, fid: str, crs: str, links: Sequence[dict[str, str]]) -> bytes | None:
        """One feature with its links, or None when the collection has no feature ``fid``."""
        at = self.position.get(fid)
        if at is None:
            return None
        body = self.encoded(crs)[at]
        return body[:-1] + b',"links":' + json.dumps(links, ensure_ascii=False).encode() + b"}"

    def rows(self, positions: np.ndarray) -> list[dict[str, Any]]:
        """The properties of the features at ``positions`` (for the HTML page)."""
        names = list(self.columns)
        return [
            {"id": self.ids[i], **{n: plain(self.columns[n][i]) for n in names}}
            for i in positions.tolist()
        ]


def page_links(
    path: str,
    args: Sequence[tuple[str, str]],
    query: ItemsQuery,
    page: ItemsPage,
) -> list[dict[str, str]]:
    """self, alternate (HTML), next and prev links of an items page (relative to the site)."""
    kept = urlencode([(k, v) for k, v in args if k not in ("offset", "f")])
    start = f"{path}?{kept}&" if kept else f"{path}?"

    def at(offset: int, fmt: str) -> str:
        return f"{start}offset={offset}&f={fmt}"

    found = [
        link(at(query.offset, "json"), "self", GEOJSON, "This page"),
        link(at(query.offset, "html"), "alternate", "text/html", "This page as HTML"),
    ]
    if query.offset + len(page.positions) < page.matched:
        found.append(link(at(query.offset + query.limit, "json"), "next", GEOJSON, "Next page"))
    if query.offset > 0:
        found.append(
            link(at(max(0, query.offset - query.limit), "json"), "prev", GEOJSON, "Previous page")
        )
    return found
