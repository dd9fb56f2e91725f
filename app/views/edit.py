"""Editors change data in the browser: one resource's form (``/zasoby/<id>/edycja``), with the
409 conflict view, and the audit log (``/dziennik``, ``/dziennik.csv``).

Every view here needs the ``editor`` role (:func:`app.auth.role_required`) and every POST the
CSRF token (Flask-WTF, app-wide). A form is checked with the import's own checks
(:mod:`mapping.pages.resource_form`) and saved with optimistic locking
(:mod:`mapping.db.resource_edit`), its changes written to the audit log in the same transaction.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from app import auth, pages
from app.db import get_engine
from app.findings import shown_problems
from mapping.errors import ConflictError
from mapping.listing import csv_text
from mapping.pages.resource_form import FORM_FIELDS, check_resource_form, form_values

bp = Blueprint("edit", __name__)

#: Rows of the audit log per page.
AUDIT_PAGE = 100


def _labels() -> dict[str, str]:
    return {
        "name": _("Name"),
        "category": _("Category"),
        "address": _("Address"),
        "lat": _("Latitude"),
        "lon": _("Longitude"),
        "district": _("District"),
        "district_code": _("District"),
        "capacity": _("Capacity"),
        "operator": _("Operator"),
        "phone": _("Phone"),
        "website": _("Website"),
        "opening_hours": _("Opening hours"),
        "description": _("Description"),
        "source": _("Source"),
    }


def _history(resource_id: int | None) -> Any:
    from mapping.db import audit

    if resource_id is None:
        return []
    entries, _total = audit.list_entries(
        get_engine(), audit.AuditFilter(table="resource", record_id=str(resource_id)), limit=50
    )
    return entries.to_dict("records")


def _placing_map(page_data: Any, record: Any) -> Any:
    """The districts with the resource's point: a click on it fills latitude and longitude
    (``static/js/place-point.js``); the fields stay the way to type them."""
    from mapping.pages import maps as core_maps
    from mapping.render.interactive import map_fragments

    resources = page_data.analysis.resources
    chosen = resources[resources["id"] == (record.id if record is not None else -1)]
    district = record.values.get("district_code") if record is not None else None
    folium_map = core_maps.resources_map(
        page_data,
        chosen,
        pages.map_settings(),
        legend=None,
        name=_("Districts"),
        district=district or None,
    )
    return map_fragments(folium_map)


def _form_page(
    record: Any, fields: dict[str, str], *, status: int = 200, **extra: Any
) -> tuple[str, int]:
    page_data = pages.page_data()
    data = page_data.analysis
    page = render_template(
        "resource_edit.html",
        fragments=_placing_map(page_data, record),
        form=auth.TokenForm(),
        record=record,
        fields=fields,
        field_names=FORM_FIELDS,
        labels=_labels(),
        categories=data.categories.to_dict("records"),
        districts=data.districts[["code", "name"]].to_dict("records"),
        history=_history(record.id if record is not None else None),
        **extra,
    )
    return page, status


@pages.page_route(
    bp,
    "/zasoby/<int:resource_id>/edycja",
    "/resources/<int:resource_id>/edit",
    endpoint="resource",
    methods=["GET", "POST"],
)
@auth.role_required("editor")
def resource(resource_id: int) -> BaseResponse | tuple[str, int]:
    """One resource's form; on POST, the checks, the save, or the conflict view."""
    from mapping.db.resource_edit import get_resource, update_resource

    record = get_resource(get_engine(), resource_id)
    if request.method == "GET":
        return _form_page(record, form_values(record.values), saved=bool(request.args.get("saved")))
    submitted = {name: request.form.get(name, "") for name in FORM_FIELDS}
    version = request.form.get("version", "")
    if not version.isdigit():
        abort(400)
    data = pages.page_data().analysis
    values, problems = check_resource_form(
        submitted, districts=data.districts, categories=data.categories
    )
    if values is None:
        return _form_page(
            record, submitted, status=422, problems=shown_problems(problems), version=version
        )
    try:
        with get_engine().begin() as conn:
            update_resource(
                conn, resource_id, int(version), values, actor=current_user.login, how="form"
            )
    except ConflictError as conflict:
        theirs = form_values(conflict.current.values)  # type: ignore[attr-defined]
        differ = [name for name in FORM_FIELDS if theirs[name] != submitted[name]]
        return _form_page(
            conflict.current,
            submitted,
            status=409,
            theirs=theirs,
            differ=differ,
            version=str(conflict.current.version),  # type: ignore[attr-defined]
        )
    return redirect(pages.page_url("edit.resource", resource_id=resource_id, saved=1))


def _audit_filter() -> Any:
    from mapping.db.audit import AuditFilter

    def day(name: str) -> date | None:
        raw = (request.args.get(name) or "").strip()
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            abort(
                400,
                _("%(field)s: expected a date as YYYY-MM-DD, got %(value)s", field=name, value=raw),
            )

    record = (request.args.get("record") or "").strip()
    table, _sep, record_id = record.rpartition(":") if ":" in record else ("", "", record)
    return AuditFilter(
        table=table or None,
        record_id=record_id or None,
        actor=(request.args.get("actor") or "").strip() or None,
        since=day("since"),
        until=day("until"),
    )


@pages.page_route(bp, "/dziennik", "/audit", endpoint="audit")
@auth.role_required("editor")
def audit_log() -> tuple[str, int]:
    """The audit log, newest first, filtered by record, person and days."""
    from mapping.db import audit

    chosen = _audit_filter()
    raw_page = request.args.get("page", "1")
    page = int(raw_page) if raw_page.isdigit() and int(raw_page) >= 1 else 1
    entries, total = audit.list_entries(
        get_engine(), chosen, limit=AUDIT_PAGE, offset=(page - 1) * AUDIT_PAGE
    )
    query = {k: v for k, v in request.args.items() if k in ("record", "actor", "since", "until")}
    page_html = render_template(
        "audit.html",
        entries=entries.to_dict("records"),
        total=total,
        page=page,
        pages_total=max(1, -(-total // AUDIT_PAGE)),
        query=query,
        labels=_labels(),
    )
    return page_html, 200


@pages.page_route(bp, "/dziennik.csv", "/audit.csv", endpoint="audit_csv")
@auth.role_required("editor")
def audit_csv() -> Response:
    """The entries the same filters choose, as CSV (formulas guarded)."""
    from mapping.db import audit

    entries, _total = audit.list_entries(get_engine(), _audit_filter())
    rows = entries.astype(object).where(entries.notna(), None).to_dict("records")
    response = Response(csv_text(rows, list(audit.COLUMNS)), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="palmap-dziennik.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@pages.page_route(
    bp, "/zasoby/nowy", "/resources/new", endpoint="new_resource", methods=["GET", "POST"]
)
@auth.role_required("editor")
def new_resource() -> BaseResponse | tuple[str, int]:
    """A new resource: the same form, the same checks; a point or a district."""
    from mapping.db.resource_edit import add_resource

    if request.method == "GET":
        return _form_page(None, dict.fromkeys(FORM_FIELDS, ""))
    submitted = {name: request.form.get(name, "") for name in FORM_FIELDS}
    data = pages.page_data().analysis
    values, problems = check_resource_form(
        submitted, districts=data.districts, categories=data.categories
    )
    if values is None:
        return _form_page(None, submitted, status=422, problems=shown_problems(problems))
    with get_engine().begin() as conn:
        added = add_resource(conn, values, actor=current_user.login, how="form")
    return redirect(pages.page_url("edit.resource", resource_id=added.id, saved=1))


@pages.page_route(
    bp,
    "/zasoby/<int:resource_id>/usun",
    "/resources/<int:resource_id>/delete",
    endpoint="delete_resource",
    methods=["POST"],
)
@auth.role_required("editor")
def delete(resource_id: int) -> BaseResponse | tuple[str, int]:
    """Delete the resource read at the form's version (an admin can restore it)."""
    from mapping.db.resource_edit import delete_resource

    version = request.form.get("version", "")
    if not version.isdigit():
        abort(400)
    try:
        with get_engine().begin() as conn:
            delete_resource(conn, resource_id, int(version), actor=current_user.login)
    except ConflictError as conflict:
        current = conflict.current
        return _form_page(
            current,
            form_values(current.values),
            status=409,
            stale_delete=True,  # type: ignore[attr-defined]
        )
    flash(_("Deleted. An administrator can restore it from the deleted records."))
    return redirect(pages.page_url("resources.index"))


@pages.page_route(bp, "/kosz", "/trash", endpoint="trash")
@auth.role_required("admin")
def trash() -> tuple[str, int]:
    """Deleted resources, with a button to restore each (admins)."""
    from mapping.db.resource_edit import list_deleted

    page = render_template("trash.html", form=auth.TokenForm(), deleted=list_deleted(get_engine()))
    return page, 200


@pages.page_route(
    bp,
    "/kosz/<int:deleted_id>/przywroc",
    "/trash/<int:deleted_id>/restore",
    endpoint="restore",
    methods=["POST"],
)
@auth.role_required("admin")
def restore(deleted_id: int) -> BaseResponse:
    """Put a deleted resource back."""
    from mapping.db.resource_edit import restore_resource

    with get_engine().begin() as conn:
        resource_id = restore_resource(conn, deleted_id, actor=current_user.login)
    return redirect(pages.page_url("edit.resource", resource_id=resource_id, saved=1))
