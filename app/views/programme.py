"""The programme: partnerships with their members (``/partnerstwa``, ``/partnerships``) and
actions by district, on a map and in a filterable list (``/dzialania``, ``/actions``)
(:mod:`mapping.pages.programme`).

Neither page is kept in the page cache (:mod:`app.cache`): its key is a fingerprint of the
analysis frames (districts, resources, indicators), which the programme's tables are not part
of, so a cached page would not change after an import of actions. Both read a few dozen rows
per request.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import gettext as _

from app import pages
from app.db import get_engine
from mapping.db import programme as stored
from mapping.pages import arguments as take
from mapping.pages import maps as core_maps
from mapping.pages.programme import build_actions, build_partnerships, parse_actions_query
from mapping.render.interactive import map_fragments

bp = Blueprint("programme", __name__)


@pages.page_route(bp, "/partnerstwa", "/partnerships", endpoint="partnerships")
def partnerships() -> str:
    """Every partnership with its members and the number of its actions."""
    engine = get_engine()
    page = build_partnerships(
        stored.load_partnerships(engine), stored.load_actions(engine), pages.translator()
    )
    return render_template(
        "partnerships.html", **pages.fields_of(page), target_areas=_target_areas(engine)
    )


def _target_areas(engine: object) -> dict[str, list[dict[str, object]]]:
    """Each partnership's target areas, by edition, with the link to the justification sheet
    that reproduces the saved ranking (mapping.target_areas.sheet_args)."""
    from mapping.db import target_areas as chosen
    from mapping.target_areas import sheet_args

    districts = pages.page_data().analysis.districts
    names = dict(zip(districts["code"], districts["name"], strict=True))
    found: dict[str, list[dict[str, object]]] = {}
    for area in chosen.list_target_areas(engine):  # type: ignore[arg-type]
        found.setdefault(area.partnership, []).append(
            {
                "edition": area.edition,
                "districts": [names.get(code, code) for code in area.districts],
                "note": area.note,
                "chosen_by": area.chosen_by,
                "sheet_url": pages.page_url("exports.targets_sheet", **sheet_args(area)),
                "ranking_url": pages.page_url("targets.index", **sheet_args(area)),
            }
        )
    return found


@pages.page_route(bp, "/dzialania", "/actions", endpoint="actions")
def actions() -> str:
    """The actions by district (map and table) and one by one, filtered by type, district, year
    and partnership."""
    data, tr, engine = pages.page_data(), pages.translator(), get_engine()
    known = stored.load_partnerships(engine)
    districts = data.analysis.districts
    names = {str(c): str(n) for c, n in zip(districts["code"], districts["name"], strict=True)}
    query = parse_actions_query(pages.args(), districts=names, partnerships=known, tr=tr)
    page = build_actions(data, stored.load_actions(engine), known, query, tr)
    here = {k: v for k, v in pages.args().items() if k in take.ACTIONS_ARGS and v}
    links = {
        code: (
            pages.page_url("programme.actions", **{**here, "district": code}),
            _("The actions in %(name)s", name=name),
        )
        for code, name in names.items()
    }
    folium_map = core_maps.actions_map(data, page, links, pages.map_settings(), name=_("Actions"))
    return render_template(
        "actions.html", fragments=map_fragments(folium_map), **pages.fields_of(page)
    )
