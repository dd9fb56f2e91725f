"""The JSON documents of the OGC API: landing page, conformance, collections, queryables.

Every link is relative to the site (``/ogc/...``, after the app's ``root``): no document holds the
host a request named (docs/SECURITY.md point 25). Clients resolve them against the URL they
asked (RFC 3986), as GDAL and QGIS do.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mapping.ogc.collections import Collection
from mapping.ogc.crs import STORAGE_CRS, SUPPORTED_CRS
from mapping.ogc.features import GEOJSON, link

__all__ = [
    "CONFORMANCE",
    "collection_document",
    "collections_document",
    "conformance_document",
    "landing_document",
    "queryables_document",
]

_FEATURES = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"
#: The conformance classes palmap implements.
CONFORMANCE: tuple[str, ...] = (
    _FEATURES + "core",
    _FEATURES + "geojson",
    _FEATURES + "html",
    _FEATURES + "oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
)
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
JSON = "application/json"
HTML = "text/html"
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"


def _both(href: str, rel: str, title: str, kind: str = JSON) -> list[dict[str, str]]:
    other = "alternate" if rel == "self" else rel
    return [
        link(f"{href}?f=json", rel, kind, title),
        link(f"{href}?f=html", other, HTML, f"{title} (HTML)"),
    ]


def landing_document(root: str) -> dict[str, Any]:
    """The landing page of the API at ``root`` (such as ``/ogc``)."""
    return {
        "title": "palmap",
        "description": "Resources, needs and the programme's actions per district, as OGC API "
        "Features (GeoJSON, HTML; CRS84, EPSG:4326, EPSG:2180, EPSG:3857).",
        "links": [
            *_both(root, "self", "This document"),
            link(f"{root}/api", "service-desc", OPENAPI, "The API definition (OpenAPI 3.0)"),
            link(f"{root}/api?f=html", "service-doc", HTML, "The API documentation"),
            *_both(f"{root}/conformance", "conformance", "Conformance classes"),
            *_both(f"{root}/collections", "data", "Collections"),
        ],
    }


def conformance_document() -> dict[str, Any]:
    """The conformance classes."""
    return {"conformsTo": list(CONFORMANCE)}


def _stamp(day: str, end: bool) -> str:
    return f"{day}T23:59:59Z" if end else f"{day}T00:00:00Z"


def collection_document(root: str, collection: Collection) -> dict[str, Any]:
    """One collection's metadata: extent, CRS, links to its items and queryables."""
    href = f"{root}/collections/{collection.id}"
    extent: dict[str, Any] = {}
    if collection.bbox is not None:
        extent["spatial"] = {"bbox": [list(collection.bbox)], "crs": STORAGE_CRS}
    if collection.interval is not None:
        first, last = collection.interval
        extent["temporal"] = {
            "interval": [[_stamp(first, False), _stamp(last, True)]],
            "trs": GREGORIAN,
        }
    found: dict[str, Any] = {
        "id": collection.id,
        "title": collection.title,
        "description": collection.description,
        "itemType": "feature",
        "crs": list(SUPPORTED_CRS),
        "storageCrs": STORAGE_CRS,
        "links": [
            *_both(href, "self", collection.title),
            link(f"{href}/items?f=json", "items", GEOJSON, "The features"),
            link(f"{href}/items?f=html", "items", HTML, "The features (HTML)"),
            link(
                f"{href}/queryables",
                "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                "application/schema+json",
                "The properties to filter on",
            ),
        ],
    }
    if extent:
        found["extent"] = extent
    return found


def collections_document(root: str, collections: Sequence[Collection]) -> dict[str, Any]:
    """Every collection."""
    return {
        "links": _both(f"{root}/collections", "self", "Collections"),
        "crs": list(SUPPORTED_CRS),
        "collections": [collection_document(root, c) for c in collections],
    }


def queryables_document(root: str, collection: Collection) -> dict[str, Any]:
    """The JSON Schema of the properties an items request may filter on (``?name=value``)."""
    properties: dict[str, Any] = {
        p.name: {"title": p.title, "type": p.type} for p in collection.queryables.values()
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{root}/collections/{collection.id}/queryables",
        "type": "object",
        "title": collection.title,
        "properties": properties,
        "additionalProperties": False,
    }
