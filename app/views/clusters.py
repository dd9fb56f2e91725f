"""The resources of one map view as clusters (``/zasoby/klastry``, English ``/resources/clusters``).

The map pages of a very large resource set (``CLUSTER_MIN_RESOURCES``) carry no resource: their
map asks this endpoint for ``?bbox=west,south,east,north&zoom=Z`` after every move and gets the
clusters (or, when few, the single resources) that :mod:`mapping.clusters` computes from an
index kept per data version (and edition, ``?edition=``). A malformed ``bbox`` or ``zoom``
answers 400 with the reason.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from app import pages
from app.cache import uncached_page
from app.findings import error_text
from mapping.clusters import build_index, parse_view, view_clusters
from mapping.errors import ValidationError

bp = Blueprint("clusters", __name__)


@pages.page_route(bp, "/zasoby/klastry", "/resources/clusters", endpoint="resources")
@uncached_page
def resources() -> Response:
    """Clusters or single resources (id, name, category, position only) inside the view; a
    malformed ``bbox`` or ``zoom`` answers 400 with JSON ``{"error", "message", "status"}``;
    an unknown ``edition`` answers 404 first, like every page that reads it."""
    data = pages.page_data()
    try:
        view = parse_view(pages.args())
    except ValidationError as error:
        answer = jsonify({"error": "invalid_setting", "message": error_text(error), "status": 400})
        answer.status_code = 400
        return answer
    index = data.memo(("cluster-index",), lambda: build_index(data.analysis.resources))
    answer = jsonify(view_clusters(index, view))
    answer.headers["Cache-Control"] = "no-cache"
    return answer
