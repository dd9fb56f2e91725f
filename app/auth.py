"""Who is asking: sessions (Flask-Login), CSRF tokens (Flask-WTF), request limits (Flask-Limiter)
and the role a view needs.

- Anonymous visitors read the public pages as before; nothing here changes a public page.
- ``editor`` changes data, ``admin`` also manages accounts (:mod:`mapping.accounts`).
- Every POST, PUT, PATCH and DELETE needs a CSRF token: without one, or with a wrong one, the
  answer is 400 (Flask-WTF's ``CSRFError``, shown as an error page or JSON in the one error
  shape); with a token but without the role, 403.
- A session keeps ``"account id:session epoch"``; changing an account's password, role or active
  flag raises its epoch, which ends its sessions on every server.
- Logins are limited per client address (``PALMAP_LOGIN_LIMIT``); the counters live in
  ``PALMAP_RATELIMIT_STORAGE`` (by default the shared cache of ``PALMAP_CACHE_URL`` when it is
  set, else each process's memory; ``redis://...`` or ``memcached://...`` share them between
  servers). Too many: 429. While that store does not answer, each process counts in its own
  memory until it answers again (a Redis that is down neither fails the logins nor lifts the
  limit).
- Sessions and CSRF tokens are cookies signed with ``PALMAP_SECRET_KEY`` (the account behind a
  session is read from the database on each request): every server that shares it accepts them.
  A server configured for several servers (a shared cache or shared limits) refuses to start
  with a key of its own (:func:`check_secret`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, current_app, redirect, render_template, request, session
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect
from werkzeug.wrappers import Response as BaseResponse
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from app import pages
from app.db import get_engine
from mapping.accounts import MAX_PASSWORD, Role, UserRecord
from mapping.errors import ConfigurationError

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])

#: Secrets that must never sign cookies of a server reached over HTTPS.
KNOWN_SECRETS = frozenset({"", "dev", "test", "secret", "changeme", "change-me", "palmap"})
MIN_SECRET = 32

F = TypeVar("F", bound=Callable[..., Any])


class SessionUser(UserMixin):  # type: ignore[misc]
    """The logged-in account, as Flask-Login wants it."""

    def __init__(self, account: UserRecord, token: str) -> None:
        self.account, self.token = account, token

    def get_id(self) -> str:
        return self.token

    @property
    def login(self) -> str:
        return self.account.login

    @property
    def role(self) -> str:
        return self.account.role

    def may(self, role: Role) -> bool:
        return self.account.may(role)


def _load(token: str) -> SessionUser | None:
    from mapping.db.accounts import session_account

    account = session_account(get_engine(), token)
    return None if account is None else SessionUser(account, token)


class LoginForm(FlaskForm):  # type: ignore[misc]
    """The login form (its CSRF token included)."""

    login = StringField(validators=[DataRequired(), Length(max=64)])
    password = PasswordField(validators=[DataRequired(), Length(max=MAX_PASSWORD)])


class TokenForm(FlaskForm):  # type: ignore[misc]
    """The CSRF token of a form whose fields a view reads one by one (every editor's form)."""


class LogoutForm(FlaskForm):  # type: ignore[misc]
    """A form with the CSRF token alone: logging out is a POST."""


def role_required(role: Role) -> Callable[[F], F]:
    """Let the view run for an active account with ``role`` (or a stronger one).

    An anonymous visitor is sent to the login page on GET and gets 403 on other methods; a
    logged-in account without the role gets 403.
    """

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                if request.method == "GET":
                    return redirect(pages.page_url("auth.login", next=_here()))
                abort(403)
            if not current_user.may(role):
                abort(403)
            return view(*args, **kwargs)

        wrapper.palmap_role = role  # type: ignore[attr-defined]  # read by the role matrix test
        return wrapper  # type: ignore[return-value]

    return decorate


def _here() -> str:
    query = request.query_string.decode("ascii", "replace")
    return request.path + (f"?{query}" if query else "")


def safe_next(target: str | None) -> str:
    """``target`` if it is a path on this site, else the overview (no open redirect).

    >>> safe_next("/zasoby?page=2"), safe_next("//evil.example/x"), safe_next("https://e.x/")
    ('/zasoby?page=2', '/', '/')
    >>> safe_next("/\\\\evil.example"), safe_next(None)
    ('/', '/')
    """
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return "/"
    return target


@pages.page_route(bp, "/logowanie", "/login", endpoint="login", methods=["GET", "POST"])
@limiter.limit(
    lambda: str(current_app.config.get("LOGIN_LIMIT") or "10 per minute"), methods=["POST"]
)
def login() -> BaseResponse | str:
    """``/logowanie`` (``/login``): the form, and the login itself on POST."""
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        from mapping.db.accounts import authenticate, session_token

        with get_engine().begin() as conn:
            account = authenticate(conn, form.login.data or "", form.password.data or "")
        if account is not None:
            next_url = safe_next(request.args.get("next"))
            session.clear()  # a new session: nothing from before the login carries over
            login_user(SessionUser(account, session_token(get_engine(), account)))
            current_app.logger.info("login: %s (%s)", account.login, account.role)
            return redirect(next_url)
        failed = True
        current_app.logger.warning("failed login for %r from %s", form.login.data, _client())
    status = 200 if not failed else 401
    return render_template("login.html", form=form, failed=failed), status  # type: ignore[return-value]


@pages.page_route(bp, "/wyloguj", "/logout", endpoint="logout", methods=["GET", "POST"])
def logout() -> BaseResponse | str:
    """``/wyloguj`` (``/logout``): a button on GET (a link cannot log anyone out), the logout
    on POST."""
    form = LogoutForm()
    if request.method == "POST" and form.validate_on_submit():
        logout_user()
        session.clear()
        return redirect(pages.page_url("maps.overview"))
    return render_template("logout.html", form=form)


def _client() -> str:
    return get_remote_address() or "?"


def shared_by(app: Flask) -> str | None:
    """The setting that says several servers share this site (a shared cache or shared limits),
    or None."""
    if app.config.get("CACHE_URL"):
        return "PALMAP_CACHE_URL"
    storage = str(app.config.get("RATELIMIT_STORAGE") or "memory://")
    return None if storage.startswith("memory://") else "PALMAP_RATELIMIT_STORAGE"


def check_secret(app: Flask) -> None:
    """Refuse to serve with the secret key palmap generated in the instance folder (it is this
    server's alone) when the settings say several servers share the site; and over HTTPS
    (``PALMAP_HTTPS=1``) outside debug with a secret key that is missing, known, short, or
    generated."""
    several = shared_by(app)
    if several and app.config.get("SECRET_KEY_GENERATED"):
        raise ConfigurationError(
            f"PALMAP_SECRET_KEY: expected the secret every server of this site shares when "
            f"{several} is set (several servers), got none: the key generated in "
            f"{app.instance_path}/secret_key is this server's own, and a login or a form made "
            "on one server would be refused by the others. Set the same PALMAP_SECRET_KEY on "
            "every server; make one with `python3 -c 'import secrets; "
            "print(secrets.token_hex(32))'`"
        )
    if not app.config.get("HTTPS") or app.debug or app.testing:
        return
    key = "" if app.config.get("SECRET_KEY_GENERATED") else str(app.config.get("SECRET_KEY") or "")
    if key.strip().lower() in KNOWN_SECRETS or len(key) < MIN_SECRET:
        raise ConfigurationError(
            "PALMAP_SECRET_KEY: expected a secret of at least 32 random characters when "
            "PALMAP_HTTPS=1 (it signs the session cookies; every server of one site needs the "
            "same one); make one with `python3 -c 'import secrets; print(secrets.token_hex(32))'`"
        )


def init_app(app: Flask) -> None:
    """Sessions, CSRF, limits, the login and logout pages."""
    https = bool(app.config.get("HTTPS"))
    for cookie in ("SESSION", "REMEMBER"):
        app.config[f"{cookie}_COOKIE_HTTPONLY"] = True
        app.config[f"{cookie}_COOKIE_SAMESITE"] = "Lax"
        app.config[f"{cookie}_COOKIE_SECURE"] = https
    app.config["WTF_CSRF_TIME_LIMIT"] = None  # valid as long as the session
    app.config["RATELIMIT_STORAGE_URI"] = (
        app.config.get("RATELIMIT_STORAGE") or app.config.get("CACHE_URL") or "memory://"
    )
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    # A shared store that does not answer (Redis down) must not turn every login into a 500:
    # the limits count in this process's memory until it answers again (checked with backoff).
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    check_secret(app)
    login_manager.init_app(app)
    login_manager.user_loader(_load)
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    limiter.init_app(app)
    app.register_blueprint(bp)

    @app.after_request
    def _private(response: BaseResponse) -> BaseResponse:
        # Whatever a logged-in person is shown may name them or hold private data: no browser
        # or proxy keeps it (the page cache never does: app/cache.py).
        if current_user and current_user.is_authenticated:
            response.headers["Cache-Control"] = "private, no-store"
            response.vary.add("Cookie")
        return response

    @app.context_processor
    def _account() -> dict[str, Any]:
        user = current_user if current_user and current_user.is_authenticated else None
        return {"account": user, "login_label": _("Log in")}
