"""Editors change a district's name, code, source and schematic flag in the browser
(``/dzielnice/<code>/edycja``, ``/districts/<code>/edit``); its boundary changes by an import.

The form is checked with the district import's own checks (:mod:`mapping.pages.district_form`)
and saved with optimistic locking by a fingerprint of the values it was opened at
(:mod:`mapping.db.districts`): a save from a stale form is a 409 with the values now saved beside
the submitted ones, and nothing is overwritten. Each changed field goes into the audit log.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from app import auth, pages
from app.db import get_engine
from mapping.errors import ConflictError, ValidationError
from mapping.pages.district_form import (
    FORM_FIELDS,
    DistrictProblem,
    check_district_form,
    form_values,
)

bp = Blueprint("district_edit", __name__)


def _labels() -> dict[str, str]:
    return {
        "name": _("Name"),
        "code": _("Code"),
        "source": _("Source"),
        "schematic": _("Schematic boundaries"),
    }


def _message(problem: DistrictProblem) -> str:
    """The problem in the interface's language: the field, what is wrong and the fix."""
    label = _labels().get(problem.field, problem.field)
    value = problem.value
    if problem.rule == "code_format":
        return _(
            "%(field)s: %(value)s is not a code; use only letters, digits, '-', '_' or '.', "
            "starting with a letter or digit, without spaces (for example bialy-kamien).",
            field=label,
            value=repr(value),
        )
    if problem.rule == "code_taken":
        return _(
            "%(field)s: another district already has the code %(value)s; choose another.",
            field=label,
            value=repr(value),
        )
    if problem.rule == "name_empty":
        return _("%(field)s: a district needs a name; type one.", field=label)
    if problem.rule == "name_taken":
        return _(
            "%(field)s: another district already has the name %(value)s; choose another.",
            field=label,
            value=repr(value),
        )
    if problem.rule == "too_long":
        return _(
            "%(field)s: at most %(limit)s characters; shorten it.",
            field=label,
            limit=problem.limit,
        )
    fix = f". {problem.fix}" if problem.fix else ""
    return f"{label}: {problem.problem}{fix}"


def _history(district_id: int) -> list[dict[str, Any]]:
    from mapping.db import audit

    entries, _total = audit.list_entries(
        get_engine(), audit.AuditFilter(table="district", record_id=str(district_id)), limit=50
    )
    records: list[dict[str, Any]] = entries.to_dict("records")
    return records


def _form_page(record: Any, fields: dict[str, str], *, status: int = 200, **extra: Any) -> Any:
    problems = extra.pop("problems", [])
    page = render_template(
        "district_edit.html",
        form=auth.TokenForm(),
        record=record,
        stored=form_values(record.values),
        fields=fields,
        field_names=FORM_FIELDS,
        labels=_labels(),
        problems=[(p.field, _message(p)) for p in problems],
        wrong={p.field for p in problems},
        fingerprint=extra.pop("fingerprint", record.fingerprint),
        history=_history(record.id),
        **extra,
    )
    return page, status


def _check(record: Any, submitted: dict[str, str]) -> tuple[Any, list[DistrictProblem]]:
    from mapping.db.districts import CODE_MAX, NAME_MAX

    return check_district_form(
        submitted,
        districts=pages.page_data().analysis.districts,
        district_id=record.id,
        code_max=CODE_MAX,
        name_max=NAME_MAX,
    )


@pages.page_route(
    bp,
    "/dzielnice/<code>/edycja",
    "/districts/<code>/edit",
    endpoint="form",
    methods=["GET", "POST"],
)
@auth.role_required("editor")
def edit(code: str) -> BaseResponse | tuple[str, int]:
    """One district's form; on POST, the checks, the save, or the conflict view."""
    from mapping.db.districts import get_district, get_district_by_id, update_district

    if request.method == "GET":
        record = get_district(get_engine(), code)
        return _form_page(record, form_values(record.values), saved=bool(request.args.get("saved")))
    raw_id, fingerprint = request.form.get("district_id", ""), request.form.get("fingerprint", "")
    if not raw_id.isdigit() or not fingerprint:
        abort(400)
    record = get_district_by_id(get_engine(), int(raw_id))
    submitted = {name: request.form.get(name, "") for name in FORM_FIELDS}
    values, problems = _check(record, submitted)
    if values is None:
        return _form_page(record, submitted, status=422, problems=problems, fingerprint=fingerprint)
    try:
        with get_engine().begin() as conn:
            saved = update_district(
                conn, record.id, fingerprint, values, actor=current_user.login, how="form"
            )
    except ConflictError as conflict:
        current = conflict.current
        theirs = form_values(current.values)  # type: ignore[attr-defined]
        mine = form_values(values)
        differ = [name for name in FORM_FIELDS if theirs[name] != mine[name]]
        return _form_page(current, submitted, status=409, theirs=theirs, differ=differ)
    except ValidationError as error:  # another district took the code or name meanwhile
        field = str(error).split(":", 1)[0]
        taken = DistrictProblem(field, submitted.get(field, ""), str(error), "", rule="other")
        return _form_page(record, submitted, status=422, problems=[taken], fingerprint=fingerprint)
    return redirect(pages.page_url("district_edit.form", code=saved.values["code"], saved=1))
