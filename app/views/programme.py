"""The programme: partnerships with their members (``/partnerstwa``, ``/partnerships``) and
actions by district, on a map and in a filterable list (``/dzialania``, ``/actions``)
(:mod:`mapping.pages.programme`).

Both read ``?edition=CODE``: then they show the records of that edition's programme year on
its frozen district boundaries (the rule: :mod:`mapping.pages.programme_year`); without it every
live record on the live boundaries, and they say so. Neither page is kept in the page cache
(:func:`app.cache.uncached_page`): its key is a fingerprint of the analysis frames (districts,
resources, indicators), which the programme's tables are not part of, so a cached page would not
change after an import of actions. Both read a few dozen rows per request.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import gettext as _

from app import pages
from app.cache import uncached_page
from app.db import get_engine
from mapping.pages import arguments as take
from mapping.pages import maps as core_maps
from mapping.pages.data import PageData
from mapping.pages.programme import build_actions, build_partnerships, parse_actions_query
from mapping.pages.programme_year import ProgrammeRecords, load_programme
from mapping.render.interactive import map_fragments

bp = Blueprint("programme", __name__)


def _records(data: PageData) -> ProgrammeRecords:
    """The live records, or those of the page's edition (``?edition=``)."""
    return load_programme(get_engine(), data.edition, data.analysis.years)


@pages.page_route(bp, "/partnerstwa", "/partnerships", endpoint="partnerships")
@uncached_page
def partnerships() -> str:
    """Every partnership with its members and the number of its actions (of the edition)."""
    data = pages.page_data()
    records = _records(data)
    page = build_partnerships(records.partnerships, records.actions, pages.translator())
    return render_template(
        "partnerships.html",
        **pages.fields_of(page),
        target_areas=_target_areas(data, records),
        programme_year=records.year,
    )


def _target_areas(data: PageData, records: ProgrammeRecords) -> dict[str, list[dict[str, object]]]:
    """Each partnership's target areas, by edition, with the link to the justification sheet
    that reproduces the saved ranking (mapping.target_areas.sheet_args)."""
    from mapping.target_areas import sheet_args

    districts = data.analysis.districts
    names = dict(zip(districts["code"], districts["name"], strict=True))
    found: dict[str, list[dict[str, object]]] = {}
    for area in records.target_areas:
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
@uncached_page
def actions() -> str:
    """The actions by district (map and table) and one by one, filtered by type, district, year
    and partnership (of the edition's programme year with ``?edition=``)."""
    data, tr = pages.page_data(), pages.translator()
    records = _records(data)
    known = records.partnerships
    districts = data.analysis.districts
    names = {str(c): str(n) for c, n in zip(districts["code"], districts["name"], strict=True)}
    query = parse_actions_query(pages.args(), districts=names, partnerships=known, tr=tr)
    page = build_actions(data, records.actions, known, query, tr)
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
        "actions.html",
        fragments=map_fragments(folium_map),
        programme_year=records.year,
        **pages.fields_of(page),
    )
