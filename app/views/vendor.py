"""Third-party assets (Leaflet, MarkerCluster) served from their installed XStatic packages."""

from __future__ import annotations

from flask import Blueprint, Response, abort, send_from_directory

from mapping.errors import NotFoundError
from mapping.render.assets import vendor_dir

bp = Blueprint("vendor", __name__, url_prefix="/static/vendor")


@bp.get("/<name>/<path:filename>")
def asset(name: str, filename: str) -> Response:
    """One file of one vendored package; long cache, since the URL changes with nothing else."""
    try:
        folder = vendor_dir(name)
    except (KeyError, NotFoundError):
        abort(404)
    # send_from_directory refuses paths that leave the folder (../).
    return send_from_directory(folder, filename, max_age=7 * 24 * 3600)
