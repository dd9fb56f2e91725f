"""The overview map (``/``)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, url_for
from flask_babel import gettext as _

from app.db import get_engine
from app.i18n import current_lang
from mapping.db import store
from mapping.render.interactive import map_fragments, overview_map

bp = Blueprint("maps", __name__)


def map_labels() -> dict[str, str]:
    """The interface strings the map itself shows, in the request's language."""
    return {
        "districts": _("Districts"),
        "legend": _("Resources"),
        "schematic_note": _("Schematic boundaries, not official"),
        "category": _("Category"),
        "address": _("Address"),
        "operator": _("Operator"),
        "website": _("Website"),
    }


@bp.get("/")
def overview():
    """All districts and every resource with a point, one layer per category."""
    engine = get_engine()
    store.require_schema(engine)
    districts = store.load_districts(engine)
    resources = store.load_resources(engine)
    categories = store.load_categories(engine)
    prefix = url_for("vendor.asset", name="x", filename="x").rsplit("/x/x", 1)[0]
    folium_map = overview_map(
        districts,
        resources,
        categories,
        lang=current_lang(),
        tiles=current_app.config["TILES"],
        tiles_attribution=current_app.config["TILES_ATTRIBUTION"],
        asset_prefix=prefix,
        labels=map_labels(),
    )
    return render_template(
        "overview.html",
        fragments=map_fragments(folium_map),
        district_count=len(districts),
        resource_count=len(resources),
        unplaced_count=int(resources.geometry.isna().sum()),
        schematic=bool(districts["schematic"].any()) if len(districts) else False,
    )
