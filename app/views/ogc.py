"""OGC API - Features at ``/ogc`` (:mod:`mapping.ogc`): QGIS, GDAL and other GIS clients read
palmap's districts, resources, indicators per year and actions, live and per published edition.

The collections are built from the data the pages read (:func:`app.cache.page_cache`) once per
data version, and each collection's features are encoded once (:class:`FeatureSet`): an items
request checks its query, selects with numpy and joins bytes. Editions are collections of their
own (``edition-<code>-...``), so ``?edition=`` is not read here. Links are relative: no answer
holds the host a request named.
"""

from __future__ import annotations

import json
import math
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from flask import Blueprint, Response, current_app, render_template, request

from app.cache import page_cache
from app.db import get_engine
from mapping.db import editions as stored_editions
from mapping.ogc.collections import Collection, build_catalogue
from mapping.ogc.crs import label
from mapping.ogc.documents import (
    collection_document,
    collections_document,
    conformance_document,
    landing_document,
    queryables_document,
)
from mapping.ogc.features import GEOJSON, FeatureSet, link, page_links
from mapping.ogc.openapi import openapi_document
from mapping.ogc.query import (
    COMMON,
    OgcError,
    check_parameters,
    parse_crs,
    parse_format,
    parse_items_query,
)
from mapping.pages.programme_year import load_programme
from mapping.privacy import suppress

bp = Blueprint("ogc", __name__, url_prefix="/ogc")

_KEY = "palmap_ogc"
JSON = "application/json"
#: Seconds a worker serves the catalogue without reading the data version again: the read (a
#: connection and a query, about 3 ms on SQLite) would be most of an items request's time. An
#: edit shows in the API within this time (the pages read it on every request).
VERSION_CHECK_SECONDS = 1.0


@dataclass
class _Catalogue:
    """The collections of one data version, their feature sets, the editions' collections."""

    db_version: int
    live: list[Collection]
    by_id: dict[str, Collection]
    editions: tuple[str, ...] | None = None
    sets: dict[str, FeatureSet] = field(default_factory=dict)
    openapi: dict[str, bytes] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Holder:
    def __init__(self) -> None:
        self.catalogue: _Catalogue | None = None
        self.lock = threading.Lock()
        #: When the data version was last read (time.monotonic()).
        self.checked = -math.inf


def _min_count() -> int:
    return int(current_app.config["MIN_COUNT"])


def _catalogue() -> _Catalogue:
    """The collections of the current data version (built again when it changes)."""
    holder: _Holder = current_app.extensions[_KEY]
    now = time.monotonic()
    if holder.catalogue is not None and now - holder.checked < VERSION_CHECK_SECONDS:
        return holder.catalogue
    engine = get_engine()
    state = page_cache().current(engine)
    holder.checked = now
    found = holder.catalogue
    if found is not None and found.db_version == state.db_version:
        return found
    with holder.lock:
        found = holder.catalogue
        if found is None or found.db_version != state.db_version:
            data = state.data
            actions = load_programme(engine, None, data.years).actions
            live = build_catalogue(
                data,
                suppression=suppress(data.values, data.registry, min_count=_min_count()),
                actions=actions,
            )
            found = _Catalogue(state.db_version, live, {c.id: c for c in live})
            holder.catalogue = found
    return found


def _with_editions(catalogue: _Catalogue) -> list[Collection]:
    """Every collection, the published editions' included (their list read again)."""
    engine = get_engine()
    codes = tuple(e.code for e in stored_editions.list_editions(engine, published_only=True))
    with catalogue.lock:
        if catalogue.editions != codes:
            by_id = {c.id: c for c in catalogue.live}
            for code in codes:
                data = page_cache().edition(engine, code).data
                actions = load_programme(engine, code, data.years).actions
                sup = suppress(data.values, data.registry, min_count=_min_count())
                for item in build_catalogue(data, suppression=sup, actions=actions, edition=code):
                    by_id[item.id] = item
            catalogue.by_id = by_id
            catalogue.editions = codes
            catalogue.openapi.clear()
        return list(catalogue.by_id.values())


def _collection(catalogue: _Catalogue, cid: str) -> Collection:
    found = catalogue.by_id.get(cid)
    if found is None and cid.startswith("edition-"):
        _with_editions(catalogue)
        found = catalogue.by_id.get(cid)
    if found is None:
        raise OgcError(
            404,
            "NotFound",
            f"collectionId: no collection {cid[:80]!r}; the collections are listed at "
            f"{_root()}/collections",
            parameter="collectionId",
        )
    return found


def _features(catalogue: _Catalogue, collection: Collection) -> FeatureSet:
    found = catalogue.sets.get(collection.id)
    if found is None:
        with catalogue.lock:
            found = catalogue.sets.get(collection.id)
            if found is None:
                found = FeatureSet(collection)
                catalogue.sets[collection.id] = found
    return found


# --------------------------------------------------------------------------- answers


def _root() -> str:
    return request.script_root + bp.url_prefix if bp.url_prefix else request.script_root


def _args() -> dict[str, str]:
    return {k: v for k, v in request.args.items()}


def _html_wanted(fmt: str | None) -> bool:
    if fmt is not None:
        return fmt == "html"
    accept = request.accept_mimetypes
    best = accept.best_match([JSON, GEOJSON, "text/html"])
    return best == "text/html" and accept["text/html"] > max(accept[JSON], accept[GEOJSON])


def _json(body: Any, mimetype: str = JSON, **headers: str) -> Response:
    data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    response = Response(data, mimetype=mimetype, headers=headers)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _html(kind: str, **values: Any) -> str:
    return render_template("ogc.html", kind=kind, root=_root(), **values)


def _simple(names: tuple[str, ...] = ()) -> str | None:
    args = _args()
    check_parameters(args, [*names, *COMMON])
    return parse_format(args)


@bp.errorhandler(OgcError)
def _refused(error: OgcError) -> tuple[Response | str, int]:
    titles = {400: "Bad request", 404: "Not found"}
    title = titles.get(error.status, "Error")
    fmt = request.args.get("f")
    if _html_wanted(fmt if fmt in ("json", "html") else None):
        page = render_template(
            "error.html", status=error.status, title=title, message=error.message, known=[]
        )
        return page, error.status
    body: dict[str, Any] = {
        "code": error.code,
        "description": error.message,
        "type": f"http://www.opengis.net/def/exceptions/ogcapi-features-1/1.0/{error.code}",
        "title": title,
        "status": error.status,
        "detail": error.message,
        # palmap's own error shape (app/errors.py), which every JSON error has.
        "error": "invalid_setting" if error.status == 400 else "not_found",
        "message": error.message,
    }
    if error.parameter:
        body["parameter"] = error.parameter
    if error.allowed:
        body["allowed"] = error.allowed
    if error.status == 404:
        body["known"] = [{"label": "Collections", "url": f"{_root()}/collections"}]
    return _json(body), error.status


# --------------------------------------------------------------------------- routes


@bp.get("", strict_slashes=False)
def landing() -> Response | str:
    """The landing page: links to the API definition, conformance and the collections."""
    fmt = _simple()
    document = landing_document(_root())
    if _html_wanted(fmt):
        return _html("landing", document=document)
    return _json(document)


@bp.get("/conformance")
def conformance() -> Response | str:
    """The conformance classes palmap implements."""
    fmt = _simple()
    document = conformance_document()
    if _html_wanted(fmt):
        return _html("conformance", document=document)
    return _json(document)


@bp.get("/api")
def api() -> Response | str:
    """The OpenAPI 3.0 document (``f=html``: a page that describes the API)."""
    fmt = _simple()
    catalogue = _catalogue()
    ids = [c.id for c in _with_editions(catalogue)]
    if _html_wanted(fmt):
        return _html("api", collections=ids)
    root = _root()
    body = catalogue.openapi.get(root)
    if body is None:
        body = json.dumps(openapi_document(root, ids), ensure_ascii=False).encode()
        catalogue.openapi[root] = body
    return _json(body, "application/vnd.oai.openapi+json;version=3.0")


@bp.get("/collections")
def collections() -> Response | str:
    """Every collection with its extent and CRS."""
    fmt = _simple()
    document = collections_document(_root(), _with_editions(_catalogue()))
    if _html_wanted(fmt):
        return _html("collections", document=document)
    return _json(document)


@bp.get("/collections/<collection_id>")
def collection(collection_id: str) -> Response | str:
    """One collection's metadata."""
    fmt = _simple()
    document = collection_document(_root(), _collection(_catalogue(), collection_id))
    if _html_wanted(fmt):
        return _html("collection", document=document)
    return _json(document)


@bp.get("/collections/<collection_id>/queryables")
def queryables(collection_id: str) -> Response | str:
    """The properties an items request may filter on, as JSON Schema."""
    fmt = _simple()
    found = _collection(_catalogue(), collection_id)
    document = queryables_document(_root(), found)
    if _html_wanted(fmt):
        return _html("queryables", document=document, collection=found)
    return _json(document, "application/schema+json")


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@bp.get("/collections/<collection_id>/items")
def items(collection_id: str) -> Response | str:
    """A page of the collection's features (bbox, datetime, property filters, paging, crs)."""
    catalogue = _catalogue()
    found = _collection(catalogue, collection_id)
    query = parse_items_query(_args(), found)
    features = _features(catalogue, found)
    page = features.select(query)
    path = f"{_root()}/collections/{found.id}/items"
    links = page_links(path, list(request.args.items()), query, page)
    links.append(link(f"{_root()}/collections/{found.id}", "collection", JSON, found.title))
    if _html_wanted(query.fmt):
        return _html(
            "items",
            collection=found,
            rows=features.rows(page.positions),
            names=[p.name for p in found.properties],
            matched=page.matched,
            offset=query.offset,
            links={item["rel"]: item["href"] for item in links},
        )
    body = features.items_json(query, page, links, _stamp())
    return _json(body, GEOJSON, **{"Content-Crs": f"<{query.crs}>"})


@bp.get("/collections/<collection_id>/items/<feature_id>")
def item(collection_id: str, feature_id: str) -> Response | str:
    """One feature."""
    catalogue = _catalogue()
    found = _collection(catalogue, collection_id)
    args = _args()
    check_parameters(args, ["crs", *COMMON])
    crs, fmt = parse_crs(args), parse_format(args)
    features = _features(catalogue, found)
    href = f"{_root()}/collections/{found.id}/items/{feature_id}"
    links = [
        link(f"{href}?f=json", "self", GEOJSON, "This feature"),
        link(f"{href}?f=html", "alternate", "text/html", "This feature as HTML"),
        link(f"{_root()}/collections/{found.id}", "collection", JSON, found.title),
    ]
    body = features.feature_json(feature_id, crs, links)
    if body is None:
        raise OgcError(
            404,
            "NotFound",
            f"featureId: no feature {feature_id[:80]!r} in {found.id}; its items are listed at "
            f"{_root()}/collections/{found.id}/items",
            parameter="featureId",
        )
    if _html_wanted(fmt):
        at = features.position[feature_id]
        row = features.rows(np.array([at]))[0]
        return _html("item", collection=found, row=row, crs=label(crs))
    return _json(body, GEOJSON, **{"Content-Crs": f"<{crs}>"})


def init_app(app: Any) -> None:
    """Keep the catalogue holder on the app and serve the blueprint."""
    from app.auth import csrf, limiter

    app.extensions[_KEY] = _Holder()
    # Read-only GET routes: no request limit and no form to protect; skip both checks.
    limiter.exempt(bp)
    csrf.exempt(bp)
    app.register_blueprint(bp)
