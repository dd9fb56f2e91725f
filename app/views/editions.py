"""Editions of the maps (``/edycje``): the published ones for everyone, drafts for editors, and
for admins the form that publishes one (the same as ``palmap edition publish``).

A published edition's pages are the public pages with ``?edition=CODE``
(:func:`app.cache.cached_page` reads it): they show the data frozen when it was published.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from app import auth, pages
from app.db import get_engine
from app.findings import error_text
from mapping.errors import MappingError

bp = Blueprint("editions", __name__)


def _links(code: str) -> list[tuple[str, str]]:
    return [
        (_("Overview map"), pages.page_url("maps.overview", edition=code)),
        (_("Needs index"), pages.page_url("maps.indicator_map_default", edition=code)),
        (_("Districts"), pages.page_url("districts.index", edition=code)),
        (_("Resources"), pages.page_url("resources.index", edition=code)),
        (_("Target areas"), pages.page_url("targets.index", edition=code)),
        (_("Yearly report"), pages.page_url("report.page", edition=code)),
    ]


@pages.page_route(bp, "/edycje", "/editions", endpoint="index", methods=["GET"])
def index() -> tuple[str, int]:
    """The editions: published ones with their links; drafts too for editors and admins."""
    from mapping.db import editions

    signed_in = current_user.is_authenticated
    found = editions.list_editions(get_engine(), published_only=not signed_in)
    published = [e.code for e in found if e.published]
    items: list[dict[str, Any]] = []
    for e in reversed(found):  # newest first
        links = _links(e.code) if e.published else []
        earlier = published[: published.index(e.code)] if e.published else []
        if earlier:
            url = pages.page_url("editions.diff", before=earlier[-1], after=e.code)
            links.append((_("Changes since %(code)s", code=earlier[-1]), url))
        items.append({"edition": e, "links": links})
    may_publish = signed_in and current_user.may("admin")
    page = render_template(
        "editions.html", items=items, form=auth.TokenForm() if may_publish else None
    )
    return page, 200


@pages.page_route(bp, "/edycje", "/editions", endpoint="publish", methods=["POST"])
@auth.role_required("admin")
def publish() -> BaseResponse:
    """Publish an edition (or keep it as a draft): the live data is frozen whole."""
    from mapping.db import editions, store

    code, title = request.form.get("code", ""), request.form.get("title", "")
    draft = request.form.get("draft") == "1"
    try:
        with store.write_transaction(get_engine(), what="publish an edition") as conn:
            done = editions.publish(
                conn, code, title, actor=current_user.login, how="form", draft=draft
            )
    except MappingError as error:
        flash(error_text(error))
    else:
        if done.published:
            flash(_("Edition %(code)s published: its maps now stay as they are.", code=done.code))
        else:
            flash(_("Edition %(code)s saved as a draft.", code=done.code))
    return redirect(pages.page_url("editions.index"))


def _change_maps(data: Any, codes: tuple[str, str]) -> list[tuple[str, str]]:
    """Links to the comparison maps of the two editions: each indicator's rate (or value)."""
    from mapping.layers import RATE_SUFFIX
    from mapping.pages.labels import indicator_name

    tr = pages.translator()
    links = []
    for item in data.registry:
        layer = item.code + RATE_SUFFIX if item.denominator else item.code
        url = pages.page_url("maps.compare", layer=layer, edition=codes[1], against=codes[0])
        links.append((indicator_name(data, item.code, tr), url))
    return links


@pages.page_route(bp, "/edycje/<before>/<after>", "/editions/<before>/<after>", endpoint="diff")
def diff(before: str, after: str) -> tuple[str, int]:
    """What changed between two published editions (values of one year at a time)."""
    from mapping.analysis import AnalysisData
    from mapping.db import editions
    from mapping.edition_diff import diff_editions
    from mapping.pages.errors import UnknownItemError
    from mapping.pages.labels import indicator_name

    engine = get_engine()
    published = [e.code for e in editions.list_editions(engine, published_only=True)]
    for field, code in (("before", before), ("after", after)):
        if code not in published:
            shown = code if len(code) <= 40 else code[:40] + "…"
            raise UnknownItemError(
                f"{field}: expected a published edition, got {shown!r}",
                field=field,
                known=[(c, c) for c in published],
                heading=_("Published editions"),
            )
    codes = before, after
    first, second = (AnalysisData.from_edition(engine, code) for code in codes)
    found = diff_editions(first, second)
    years = sorted(set(found.values["year"])) if len(found.values) else []
    chosen = request.args.get("year", "")
    year = int(chosen) if chosen.isdigit() and int(chosen) in years else None
    year = year if year is not None or not years else years[-1]
    values = found.values[found.values["year"] == year] if year is not None else found.values
    tr = pages.translator()
    page = render_template(
        "edition_diff.html",
        maps=_change_maps(second, codes),
        before=codes[0],
        after=codes[1],
        districts=found.districts.to_dict("records"),
        resources=found.resources.to_dict("records"),
        values=values.to_dict("records"),
        names={
            c: indicator_name(second, c, tr) if c in second.registry.codes else c
            for c in set(values["indicator"])
        },
        years=[
            (y, pages.page_url("editions.diff", before=codes[0], after=codes[1], year=y))
            for y in years
        ],
        year=year,
        estimated=found.estimated,
        district_names={
            **dict(zip(first.districts["code"], first.districts["name"], strict=True)),
            **dict(zip(second.districts["code"], second.districts["name"], strict=True)),
        },
    )
    return page, 200
