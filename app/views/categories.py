"""Admins manage resource categories in the browser (``/kategorie``): add one, or change the
names, colour, capacity unit or aliases of one (never its code, which resources reference).

The same checks as ``palmap categories`` (:mod:`mapping.categories`); each change is in the
audit log (table ``resource_category``) and shows on every page and legend at once.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from app import auth, pages
from app.db import get_engine
from app.findings import error_text
from mapping.errors import MappingError

bp = Blueprint("categories", __name__)

FIELDS = ("name_pl", "name_en", "colour", "capacity_unit", "aliases")


@pages.page_route(bp, "/kategorie", "/categories", endpoint="index", methods=["GET", "POST"])
@auth.role_required("admin")
def index() -> BaseResponse | tuple[str, int]:
    """Every category with its form, and the form that adds one."""
    from mapping.categories import CategoryRecord
    from mapping.db import audit
    from mapping.db import categories as stored

    if request.method == "POST":
        form = {name: request.form.get(name, "").strip() for name in ("code", *FIELDS)}
        record = CategoryRecord(
            code=form["code"],
            name_pl=form["name_pl"],
            name_en=form["name_en"],
            colour=form["colour"],
            aliases=form["aliases"] or None,
            capacity_unit=form["capacity_unit"] or None,
        )
        try:
            with get_engine().begin() as conn:
                added = stored.add_category(conn, record)
                created = audit.Change("resource_category", added.code, None, None, vars(added))
                audit.record(conn, [created], actor=current_user.login, how="form")
        except MappingError as error:
            flash(error_text(error))
        else:
            flash(_("Category %(code)s added.", code=added.code))
        return redirect(pages.page_url("categories.index"))
    from mapping.pages.targets import supply_units

    engine = get_engine()
    page = render_template(
        "categories.html",
        form=auth.TokenForm(),
        categories=stored.list_categories(engine),
        counts=stored.resource_counts(engine),
        fields=FIELDS,
        units=supply_units(pages.page_data().analysis, pages.translator()),
    )
    return page, 200


@pages.page_route(
    bp,
    "/kategorie/<code>",
    "/categories/<code>",
    endpoint="change",
    methods=["POST"],
)
@auth.role_required("admin")
def change(code: str) -> BaseResponse:
    """New names, colour, capacity unit or aliases of ``code`` ("" clears the optional ones)."""
    from mapping.categories import CategoryChange
    from mapping.db import audit
    from mapping.db import categories as stored

    values = {name: request.form.get(name, "").strip() for name in FIELDS}
    try:
        with get_engine().begin() as conn:
            before = stored.get_category(conn, code)
            renamed = stored.rename_category(conn, code, CategoryChange(**values))
            if before is not None:
                changes = audit.diff("resource_category", code, vars(before), vars(renamed))
                audit.record(conn, changes, actor=current_user.login, how="form")
    except MappingError as error:
        flash(error_text(error))
    else:
        flash(_("Category %(code)s changed.", code=code))
    return redirect(pages.page_url("categories.index"))
