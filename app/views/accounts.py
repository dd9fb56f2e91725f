"""Admins manage accounts in the browser (``/konta``): add, role, disable or enable, new password.

The same checks and rules as ``palmap user`` (:mod:`mapping.db.accounts`): logins and passwords
checked alike, the last active admin kept, every change ending the account's sessions. Each change
goes into the audit log (table ``account``; a new password is logged as "changed", never its
value or hash).
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

bp = Blueprint("accounts", __name__)


@pages.page_route(bp, "/konta", "/accounts", endpoint="index", methods=["GET", "POST"])
@auth.role_required("admin")
def index() -> BaseResponse | tuple[str, int]:
    """Every account, and the form that adds one."""
    from mapping.db import accounts

    if request.method == "POST":
        login, role = request.form.get("login", ""), request.form.get("role", "")
        password = request.form.get("password", "")
        if password != request.form.get("password_again", ""):
            flash(_("The two passwords differ; nothing was changed."))
            return redirect(pages.page_url("accounts.index"))
        try:
            with get_engine().begin() as conn:
                added = accounts.add_account(
                    conn, login, password, role, actor=current_user.login, how="form"
                )
        except MappingError as error:
            flash(error_text(error))
        else:
            flash(_("Account %(login)s added (%(role)s).", login=added.login, role=added.role))
        return redirect(pages.page_url("accounts.index"))
    page = render_template(
        "accounts.html", form=auth.TokenForm(), accounts=accounts.list_accounts(get_engine())
    )
    return page, 200


@pages.page_route(
    bp,
    "/konta/<login>/<any(role,password,disable,enable):action>",
    "/accounts/<login>/<any(role,password,disable,enable):action>",
    endpoint="change",
    methods=["POST"],
)
@auth.role_required("admin")
def change(login: str, action: str) -> BaseResponse:
    """A new role, a new password, or the account disabled or enabled."""
    from mapping.db import accounts

    password = request.form.get("password", "")
    if action == "password" and password != request.form.get("password_again", ""):
        flash(_("The two passwords differ; nothing was changed."))
        return redirect(pages.page_url("accounts.index"))
    try:
        who = {"actor": current_user.login, "how": "form"}
        with get_engine().begin() as conn:
            before = accounts.get_account(conn, login)
            if action == "role":
                accounts.set_role(conn, login, request.form.get("role", ""), **who)
            elif action == "password":
                accounts.set_password(conn, login, password, **who)
            else:
                accounts.set_active(conn, login, action == "enable", **who)
    except MappingError as error:
        flash(error_text(error))
    else:
        flash(_("Account %(login)s changed; its sessions have ended.", login=before.login))
    return redirect(pages.page_url("accounts.index"))
