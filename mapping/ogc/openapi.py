"""The OpenAPI 3.0 document of palmap's OGC API (``/ogc/api``), built from what exists.

It names every collection id (an ``enum``), every parameter with its range (``limit`` 1 to
10,000, default 10) and the schema of every answer, so that a client (or schemathesis) can check
each response against it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mapping.ogc.crs import CRS84, SUPPORTED_CRS
from mapping.ogc.query import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET

__all__ = ["openapi_document"]

_REF = "#/components/schemas/"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF + name}


def _query(name: str, schema: dict[str, Any], description: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
        "style": "form",
        "explode": False,
        **extra,
    }


_F = _query("f", {"type": "string", "enum": ["json", "html"]}, "The format of the answer.")
_LANG = _query("lang", {"type": "string", "enum": ["pl", "en"]}, "Language of an HTML answer.")
_CRS = {"type": "string", "enum": list(SUPPORTED_CRS), "default": CRS84}


def _schemas() -> dict[str, Any]:
    link = {
        "type": "object",
        "required": ["href", "rel"],
        "properties": {
            "href": {"type": "string"},
            "rel": {"type": "string"},
            "type": {"type": "string"},
            "title": {"type": "string"},
        },
    }
    links = {"type": "array", "items": _ref("link")}
    geometry = {
        "type": "object",
        "nullable": True,
        "required": ["type"],
        "properties": {"type": {"type": "string"}, "coordinates": {"type": "array"}},
    }
    feature = {
        "type": "object",
        "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
            "geometry": geometry,
            "properties": {"type": "object", "nullable": True},
            "links": links,
        },
    }
    collection = {
        "type": "object",
        "required": ["id", "links"],
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "description": {"type": "string"},
            "itemType": {"type": "string"},
            "crs": {"type": "array", "items": {"type": "string"}},
            "storageCrs": {"type": "string"},
            "extent": {"type": "object"},
            "links": links,
        },
    }
    return {
        "link": link,
        "landingPage": {
            "type": "object",
            "required": ["links"],
            "properties": {
                "title": {"type": "string"},
                "description": {"type": "string"},
                "links": links,
            },
        },
        "confClasses": {
            "type": "object",
            "required": ["conformsTo"],
            "properties": {"conformsTo": {"type": "array", "items": {"type": "string"}}},
        },
        "collection": collection,
        "collections": {
            "type": "object",
            "required": ["links", "collections"],
            "properties": {
                "links": links,
                "crs": {"type": "array", "items": {"type": "string"}},
                "collections": {"type": "array", "items": _ref("collection")},
            },
        },
        "featureGeoJSON": feature,
        "featureCollectionGeoJSON": {
            "type": "object",
            "required": ["type", "features"],
            "properties": {
                "type": {"type": "string", "enum": ["FeatureCollection"]},
                "features": {"type": "array", "items": _ref("featureGeoJSON")},
                "links": links,
                "timeStamp": {"type": "string", "format": "date-time"},
                "numberMatched": {"type": "integer", "minimum": 0},
                "numberReturned": {"type": "integer", "minimum": 0},
            },
        },
        "queryables": {
            "type": "object",
            "required": ["type", "properties"],
            "properties": {
                "type": {"type": "string"},
                "title": {"type": "string"},
                "properties": {"type": "object"},
            },
        },
        "exception": {
            "type": "object",
            "required": ["code", "description", "status"],
            "properties": {
                "code": {"type": "string"},
                "description": {"type": "string"},
                "type": {"type": "string"},
                "title": {"type": "string"},
                "status": {"type": "integer"},
                "detail": {"type": "string"},
                "parameter": {"type": "string"},
                "error": {"type": "string"},
                "message": {"type": "string"},
            },
        },
    }


def _answer(description: str, schema: str, kind: str = "application/json") -> dict[str, Any]:
    return {
        "description": description,
        "content": {kind: {"schema": _ref(schema)}, "text/html": {"schema": {"type": "string"}}},
    }


def _errors(*statuses: int) -> dict[str, Any]:
    words = {400: "A parameter is wrong (the answer names it and the fix).", 404: "Not found."}
    return {str(s): _answer(words[s], "exception") for s in statuses}


def _operation(summary: str, ident: str, answer: dict[str, Any], *params: Any) -> dict[str, Any]:
    errors = _errors(400, 404) if any(p.get("in") == "path" for p in params) else _errors(400)
    return {
        "get": {
            "summary": summary,
            "operationId": ident,
            "parameters": [*params, _F, _LANG],
            "responses": {"200": answer, **errors},
        }
    }


def _items_parameters() -> list[dict[str, Any]]:
    return [
        _query(
            "limit",
            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
            f"Features per page: 1 to {MAX_LIMIT:,}, default {DEFAULT_LIMIT}.",
        ),
        _query(
            "offset",
            {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0},
            "Features to skip (the next and prev links carry it).",
        ),
        _query(
            "bbox",
            {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
            "Only features that intersect this box: lower corner, upper corner, in the axis "
            "order of bbox-crs.",
        ),
        _query("bbox-crs", _CRS, "The CRS of bbox (default CRS84, longitude first)."),
        _query("crs", _CRS, "The CRS of the coordinates in the answer (Content-Crs says it)."),
        _query(
            "datetime",
            {"type": "string"},
            "A date, an RFC 3339 date-time or an interval (2012-01-01/2013-12-31, "
            "../2013-12-31) of the indicator and actions collections.",
        ),
    ]


def openapi_document(root: str, collection_ids: Sequence[str]) -> dict[str, Any]:
    """The OpenAPI 3.0 document, with the server at ``root`` (such as ``/ogc``)."""
    cid = {
        "name": "collectionId",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "enum": list(collection_ids)},
        "description": "A collection id (see /collections).",
    }
    fid = {
        "name": "featureId",
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
        "description": "A feature id (a district or action code, a resource id).",
    }
    geojson = "application/geo+json"
    items_answer = _answer("The features of the page.", "featureCollectionGeoJSON", geojson)
    items_answer["headers"] = {"Content-Crs": {"schema": {"type": "string"}}}
    feature_answer = _answer("The feature.", "featureGeoJSON", geojson)
    feature_answer["headers"] = {"Content-Crs": {"schema": {"type": "string"}}}
    api_answer = {
        "description": "This document.",
        "content": {
            "application/vnd.oai.openapi+json;version=3.0": {"schema": {"type": "object"}},
            "text/html": {"schema": {"type": "string"}},
        },
    }
    crs = _items_parameters()[4]
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "palmap OGC API - Features",
            "version": "1.0.0",
            "description": "Districts, resources, indicators per year and actions, live and per "
            "published edition. Small counts of people are hidden as on palmap's pages. Paging: "
            f"limit 1 to {MAX_LIMIT:,} (default {DEFAULT_LIMIT}), offset, next and prev links.",
        },
        "servers": [{"url": root}],
        "paths": {
            "/": _operation("Landing page", "getLandingPage", _answer("Links.", "landingPage")),
            "/conformance": _operation(
                "Conformance classes", "getConformance", _answer("Classes.", "confClasses")
            ),
            "/api": {
                "get": {
                    "summary": "This API definition",
                    "operationId": "getApi",
                    "parameters": [_F, _LANG],
                    "responses": {"200": api_answer, **_errors(400)},
                }
            },
            "/collections": _operation(
                "The collections", "getCollections", _answer("Collections.", "collections")
            ),
            "/collections/{collectionId}": _operation(
                "One collection", "describeCollection", _answer("It.", "collection"), cid
            ),
            "/collections/{collectionId}/queryables": _operation(
                "Properties to filter on",
                "getQueryables",
                _answer("JSON Schema.", "queryables", "application/schema+json"),
                cid,
            ),
            "/collections/{collectionId}/items": _operation(
                "The features of a collection",
                "getFeatures",
                items_answer,
                cid,
                *_items_parameters(),
            ),
            "/collections/{collectionId}/items/{featureId}": _operation(
                "One feature", "getFeature", feature_answer, cid, fid, crs
            ),
        },
        "components": {"schemas": _schemas()},
    }
