"""Editors add and change the programme's actions and partnerships in the browser:
``/dzialania/nowe`` (``/actions/new``), ``/dzialania/<code>/edycja`` (``/actions/<code>/edit``),
``/partnerstwa/nowe`` (``/partnerships/new``) and ``/partnerstwa/<code>/edycja``
(``/partnerships/<code>/edit``: name, description and the members, one line each).

The ``editor`` role and the CSRF token (Flask-WTF, app-wide) are required; a form is checked with
the import's own checks (:mod:`mapping.pages.action_form`) and saved with optimistic locking
(:func:`mapping.db.programme.save_actions`: a form opened before someone else's save is a 409
with their values beside yours), each changed field in the audit log (``how = form``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from app import auth, findings, pages
from app.db import get_engine
from mapping.errors import ConflictError, ValidationError
from mapping.programme import ACTION_TYPES, STATUSES

bp = Blueprint("programme_edit", __name__)


def _labels() -> dict[str, str]:
    return {
        "code": _("Code"),
        "title": _("Title"),
        "type": _("Type of action"),
        "partnership": _("Partnership"),
        "districts": _("Target districts"),
        "funding": _("Funding"),
        "start_date": _("Start date"),
        "end_date": _("End date"),
        "planned_participants": _("Planned participants"),
        "actual_participants": _("Actual participants"),
        "reserve_list": _("Reserve list"),
        "status": _("Status"),
        "description": _("Description"),
    }


def _history(code: str | None) -> list[dict[str, Any]]:
    from mapping.db import audit

    if code is None:
        return []
    entries, _total = audit.list_entries(
        get_engine(), audit.AuditFilter(table="action", record_id=code), limit=50
    )
    return list(entries.to_dict("records"))


def _page(
    code: str | None,
    fields: dict[str, str],
    chosen: list[str],
    *,
    status: int = 200,
    **extra: Any,
) -> tuple[str, int]:
    from mapping.db import programme as stored
    from mapping.pages.action_form import FUNDING_FIELDS
    from mapping.programme import FUNDING_SOURCES

    lang = pages.translator().lang
    districts = pages.page_data().analysis.districts
    page = render_template(
        "action_edit.html",
        form=auth.TokenForm(),
        code=code,
        fields=fields,
        chosen=chosen,
        labels=_labels(),
        types=[(t.code, f"{t.code} {t.name(lang)}") for t in ACTION_TYPES],
        statuses=[(s.code, s.name(lang)) for s in STATUSES],
        sources=[(f"funding_{s.code}", s.name(lang)) for s in FUNDING_SOURCES],
        funding_fields=FUNDING_FIELDS,
        partnerships=[(p.code, p.name) for p in stored.load_partnerships(get_engine())],
        districts=sorted(
            zip(districts["code"], districts["name"], strict=True), key=lambda d: d[1]
        ),
        history=_history(code),
        **extra,
    )
    return page, status


def _stored(code: str) -> Any:
    from mapping.db import programme as stored

    found = {a.code: a for a in stored.load_actions(get_engine())}.get(code)
    if found is None:
        abort(404)
    return found


def _submitted() -> tuple[dict[str, str], list[str]]:
    from mapping.pages.action_form import FORM_FIELDS, FUNDING_FIELDS

    names = (*FORM_FIELDS, *FUNDING_FIELDS)
    return {n: request.form.get(n, "") for n in names}, request.form.getlist("districts")


def _save(code: str | None, version: int | None) -> BaseResponse | tuple[str, int]:
    """Check the submitted form, save it, or show it again with what is wrong."""
    from mapping.db import programme as stored
    from mapping.pages.action_form import check_action_form, form_values

    fields, chosen = _submitted()
    if code is not None:
        fields["code"] = code  # the code of a stored action never changes
    engine = get_engine()
    known = [p.code for p in stored.load_partnerships(engine)]
    districts = pages.page_data().analysis.districts
    action, problems = check_action_form(fields, chosen, districts=districts, partnerships=known)
    if action is None:
        shown = findings.shown_findings(problems)  # in the page's language
        return _page(code, fields, chosen, status=422, problems=shown, version=version)
    try:
        with engine.begin() as conn:
            stored.save_actions(
                conn,
                [replace(action, version=version)],
                actor=current_user.login,
                how="form",
                new=code is None,
            )
    except ConflictError:
        now = _stored(action.code)
        theirs = form_values(now)
        differ = [n for n in theirs if theirs[n] != fields.get(n, "")]
        if list(now.districts) != sorted(chosen):
            differ.append("districts")
        return _page(
            code,
            fields,
            chosen,
            status=409,
            theirs={**theirs, "districts": ", ".join(now.districts)},
            differ=differ,
            version=now.version,
        )
    except ValidationError as error:
        return _page(code, fields, chosen, status=422, failed=str(error), version=version)
    return redirect(pages.page_url("programme_edit.action", code=action.code, saved="1"))


@pages.page_route(
    bp, "/dzialania/nowe", "/actions/new", endpoint="new_action", methods=["GET", "POST"]
)
@auth.role_required("editor")
def new_action() -> BaseResponse | tuple[str, int]:
    """An empty action form; on POST, the checks and the save (a taken code is refused)."""
    from mapping.pages.action_form import form_values

    if request.method == "GET":
        return _page(None, form_values(None), [])
    return _save(None, None)


@pages.page_route(
    bp,
    "/dzialania/<code>/edycja",
    "/actions/<code>/edit",
    endpoint="action",
    methods=["GET", "POST"],
)
@auth.role_required("editor")
def action(code: str) -> BaseResponse | tuple[str, int]:
    """One action's form; on POST, the checks, the save, or the conflict view."""
    from mapping.pages.action_form import form_values

    stored_action = _stored(code)
    if request.method == "GET":
        return _page(
            code,
            form_values(stored_action),
            list(stored_action.districts),
            version=stored_action.version,
            saved=bool(request.args.get("saved")),
        )
    version = request.form.get("version", "")
    if not version.isdigit():
        abort(400)
    return _save(code, int(version))


def _partnership_labels(lines: int) -> dict[str, str]:
    """The form's label of each field the history and the conflict view name."""
    labels = {
        "code": _("Code"),
        "name": _("Name"),
        "description": _("Description"),
        "members": _("Member"),
    }
    for n in range(1, lines + 1):
        member = _("Member %(number)s", number=n)
        for field, label in (
            ("member", _("Member")),
            ("kind", _("Kind")),
            ("role", _("Role")),
            ("contact", _("Contact")),
        ):
            labels[f"{field}_{n}"] = f"{member}: {label}"
    return labels


def _partnership_page(
    code: str | None, fields: dict[str, str], *, status: int = 200, **extra: Any
) -> tuple[str, int]:
    from mapping.db import audit
    from mapping.pages.partnership_form import member_lines
    from mapping.programme import MEMBER_KINDS

    lang = pages.translator().lang
    history: list[dict[str, Any]] = []
    if code is not None:
        entries, _total = audit.list_entries(
            get_engine(), audit.AuditFilter(table="partnership", record_id=code), limit=50
        )
        history = list(entries.to_dict("records"))
    lines = member_lines(fields)
    page = render_template(
        "partnership_edit.html",
        form=auth.TokenForm(),
        code=code,
        fields=fields,
        lines=range(1, lines + 1),
        labels=_partnership_labels(lines),
        kinds=[(k.code, k.name(lang)) for k in MEMBER_KINDS],
        history=history,
        **extra,
    )
    return page, status


def _save_partnership(code: str | None, version: int | None) -> BaseResponse | tuple[str, int]:
    from mapping.db import programme as stored
    from mapping.pages.partnership_form import (
        EMPTY_LINES,
        check_partnership_form,
        member_lines,
        partnership_values,
    )

    fields = {name: value for name, value in request.form.items() if name != "csrf_token"}
    if code is not None:
        fields["code"] = code
    partnership, problems = check_partnership_form(fields)
    if partnership is None:
        shown = findings.shown_findings(problems)  # in the page's language
        return _partnership_page(code, fields, status=422, problems=shown, version=version)
    try:
        with get_engine().begin() as conn:
            stored.save_partnerships(
                conn,
                [replace(partnership, version=version)],
                actor=current_user.login,
                how="form",
                new=code is None,
            )
    except ConflictError:
        now = next(p for p in stored.load_partnerships(get_engine()) if p.code == code)
        theirs = partnership_values(now)
        lines = max(member_lines(fields), member_lines(theirs) - EMPTY_LINES)
        differ = [
            name
            for name in ("name", "description", *(f"member_{n}" for n in range(1, lines + 1)))
            if theirs.get(name, "") != fields.get(name, "")
        ]
        return _partnership_page(
            code, fields, status=409, theirs=theirs, differ=differ, version=now.version
        )
    except ValidationError as error:
        return _partnership_page(code, fields, status=422, failed=str(error), version=version)
    return redirect(pages.page_url("programme_edit.partnership", code=partnership.code, saved="1"))


@pages.page_route(
    bp,
    "/partnerstwa/nowe",
    "/partnerships/new",
    endpoint="new_partnership",
    methods=["GET", "POST"],
)
@auth.role_required("editor")
def new_partnership() -> BaseResponse | tuple[str, int]:
    """An empty partnership form; on POST, the checks and the save (a taken code is refused)."""
    from mapping.pages.partnership_form import partnership_values

    if request.method == "GET":
        return _partnership_page(None, partnership_values(None))
    return _save_partnership(None, None)


@pages.page_route(
    bp,
    "/partnerstwa/<code>/edycja",
    "/partnerships/<code>/edit",
    endpoint="partnership",
    methods=["GET", "POST"],
)
@auth.role_required("editor")
def partnership(code: str) -> BaseResponse | tuple[str, int]:
    """One partnership's form (name, description, members); on POST, the checks, the save, or
    the conflict view."""
    from mapping.db import programme as stored
    from mapping.pages.partnership_form import partnership_values

    found = next((p for p in stored.load_partnerships(get_engine()) if p.code == code), None)
    if found is None:
        abort(404)
    if request.method == "GET":
        return _partnership_page(
            code,
            partnership_values(found),
            version=found.version,
            saved=bool(request.args.get("saved")),
        )
    version = request.form.get("version", "")
    if not version.isdigit():
        abort(400)
    return _save_partnership(code, int(version))
