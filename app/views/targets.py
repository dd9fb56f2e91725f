"""Target areas (``/obszary``, English ``/targets``): the weights form, the ranking with its rank
interval and stability, and a map of the top districts. Every setting is in the URL, so a ranking
is shared by its link (:func:`mapping.pages.targets.build_ranking` does the work)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from app import auth, pages
from app.cache import cached_page
from app.db import get_engine
from app.findings import error_text
from mapping.errors import MappingError
from mapping.pages import arguments as take
from mapping.pages import maps as core_maps
from mapping.pages.data import PageData
from mapping.pages.districts import distance_options
from mapping.pages.query import TOP_CHOICES, parse_target_query
from mapping.pages.targets import (
    RUNS,
    access_categories_text,
    build_ranking,
    domain_fields,
    weight_fields,
)
from mapping.render.interactive import map_fragments

bp = Blueprint("targets", __name__)


@pages.page_route(bp, "/obszary", "/targets", endpoint="index")
@cached_page(*take.TARGET_ARGS)
def index() -> str:
    """The weights form, the ranking and the map of the top districts."""
    data, tr = pages.page_data(), pages.translator()
    query = parse_target_query(pages.args(), data.analysis, tr)
    built = build_ranking(data, query, tr)
    folium_map = core_maps.targets_map(data, built, pages.map_settings(), name=_("Target areas"))
    share_path = pages.page_url("targets.index")
    return render_template(
        "targets.html",
        fragments=map_fragments(folium_map),
        rows=built.rows,
        settings=query,
        weight_fields=weight_fields(data, query, tr),
        domain_fields=domain_fields(data, query, tr),
        categories=access_categories_text(data.analysis, tr),
        distances=distance_options(data, tr),
        # Relative: a cached page never holds the Host a visitor sent (docs/SECURITY.md); the
        # page's script shows it absolute with the address in the visitor's address bar.
        share_url=pages.with_query(share_path, list(built.args.items())),
        sheet_url=pages.page_url("exports.targets_sheet", **built.args),
        sheet_pdf_url=pages.page_url("exports.targets_sheet_pdf", **built.args),
        map_urls={
            fmt: pages.page_url("exports.targets_map", fmt=fmt, **built.args)
            for fmt in ("png", "svg", "pdf")
        },
        top_choices=TOP_CHOICES,
        sensitivity=built.sensitivity,
        correlations=built.correlations,
        correlation_limit=built.correlation_limit,
        shares=built.shares,
        schematic=data.schematic,
        choice=_choice_form(data, built.args),
    )


def _choice_form(data: PageData, args: dict[str, Any]) -> dict[str, Any] | None:
    """For an editor on a published edition's ranking: the form that saves the ranking and the
    chosen districts as a partnership's target area (None for everyone else)."""
    if not data.edition or not current_user.is_authenticated or not current_user.may("editor"):
        return None
    from mapping.db import programme

    partnerships = [(p.code, p.name) for p in programme.load_partnerships(get_engine())]
    return {
        "form": auth.TokenForm(),
        "edition": data.edition,
        "partnerships": partnerships,
        "args": sorted((str(k), str(v)) for k, v in args.items()),
    }


#: The choice form's own fields (the rest are the ranking's query values).
_CHOICE_FIELDS = ("csrf_token", "partnership", "district", "note", "edition")


@pages.page_route(bp, "/obszary/wybor", "/targets/choice", endpoint="choose", methods=["POST"])
@auth.role_required("editor")
def choose() -> BaseResponse:
    """Save the ranking shown and the districts ticked as a partnership's target area in the
    edition (replacing its earlier choice there)."""
    from mapping.analysis import AnalysisData
    from mapping.db import store
    from mapping.db import target_areas as stored
    from mapping.pages.targets import target_args
    from mapping.target_areas import TargetAreaRecord, check_districts, ranking_json

    form = request.form
    edition, partnership = form.get("edition", ""), form.get("partnership", "")
    try:
        data = AnalysisData.from_edition(get_engine(), edition)
        query = parse_target_query(form, data, pages.translator())
        districts = check_districts(form.getlist("district"), data.districts["code"])
        record = TargetAreaRecord(partnership, edition, districts, note=form.get("note", ""))
        ranking = ranking_json(target_args(data, query), runs=RUNS)
        with store.write_transaction(get_engine(), what="choose target areas") as conn:
            stored.save_target_area(conn, record, ranking, actor=current_user.login, how="form")
    except MappingError as error:
        flash(error_text(error))
        kept = [(k, v) for k, v in form.items(multi=True) if k not in _CHOICE_FIELDS]
        return redirect(pages.with_query(pages.page_url("targets.index", edition=edition), kept))
    flash(
        _(
            "Target area of %(partnership)s in edition %(edition)s saved with its ranking.",
            partnership=partnership,
            edition=edition,
        )
    )
    return redirect(pages.page_url("programme.partnerships"))
