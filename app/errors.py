"""Every error as a page or as JSON, from one handler and in one shape.

JSON (when the client asks for it): ``{"error": <machine code>, "message": <text>, "status": N,
"title": <title>}``, plus ``known`` (``[{"label", "url"}]``: the items that exist) on a 404 that
lists them, ``allowed`` (the values that work) on a 400 that names them and ``range``
(``{"min", "max"}``) on a 400 for a number out of its range. The HTML page shows
the same title, message and links. Core query errors (:mod:`mapping.pages.errors`), any other
:class:`~mapping.errors.MappingError`, HTTP errors and unexpected errors all pass through
:func:`describe`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.findings import error_text
from app.pages import link_with
from mapping.errors import (
    ConfigurationError,
    MappingError,
    NotFoundError,
    RefusedInputError,
    ValidationError,
)
from mapping.pages.errors import QueryError, UnknownItemError

log = logging.getLogger(__name__)

#: Machine codes of the core's errors (the most specific class first).
CODES: tuple[tuple[type[MappingError], str], ...] = (
    (QueryError, "invalid_setting"),
    (NotFoundError, "not_found"),
    (ValidationError, "validation_failed"),
    (RefusedInputError, "refused"),
    (ConfigurationError, "configuration_error"),
    (MappingError, "bad_request"),
)


@dataclass(frozen=True)
class ErrorAnswer:
    """What an error answers, as a page or as JSON."""

    status: int
    code: str
    title: str
    message: str
    known: tuple[tuple[str, str], ...] = ()
    heading: str = ""
    allowed: tuple[str, ...] | None = None
    #: The bounds of a number out of range: ``(low, high)``.
    bounds: tuple[float, float] | None = None

    def json(self) -> dict[str, object]:
        body: dict[str, object] = {
            "error": self.code,
            "message": self.message,
            "status": self.status,
            "title": self.title,
        }
        if self.status == 404 and self.known:
            body["known"] = [{"label": label, "url": url} for label, url in self.known]
        if self.allowed:
            body["allowed"] = list(self.allowed)
        if self.bounds is not None:
            body["range"] = {"min": self.bounds[0], "max": self.bounds[1]}
        return body


def _mapping_answer(exc: MappingError) -> ErrorAnswer:
    code = next(name for kind, name in CODES if isinstance(exc, kind))
    if isinstance(exc, ConfigurationError):
        log.error("configuration error: %s", exc)
        return ErrorAnswer(500, code, _("Server configuration error"), str(exc))
    if isinstance(exc, UnknownItemError):
        known = tuple(
            (label, link_with(exc.field, value, page=exc.page)) for label, value in exc.known
        )
        return ErrorAnswer(404, code, _("Not found"), error_text(exc), known, exc.heading)
    if isinstance(exc, QueryError):
        bounds = None if exc.low is None or exc.high is None else (exc.low, exc.high)
        title = _("Setting out of range")
        return ErrorAnswer(400, code, title, str(exc), allowed=exc.allowed, bounds=bounds)
    if isinstance(exc, NotFoundError):
        return ErrorAnswer(404, code, _("Not found"), error_text(exc))
    title = _("The request cannot be served")
    return ErrorAnswer(exc.status_code, code, title, error_text(exc))


#: What a refusal of the accounts layer (app/auth.py) says: status -> (code, title, message).
_ACCOUNT_WORDS = {
    403: (
        "forbidden",
        lambda: _("Not allowed"),
        lambda: _("Your account may not do this. Ask an administrator of palmap."),
    ),
    429: (
        "too_many_requests",
        lambda: _("Too many attempts"),
        lambda: _("Too many attempts. Wait a minute and try again."),
    ),
}


def describe(exc: Exception) -> ErrorAnswer:
    """The answer to any error raised while serving a request."""
    if isinstance(exc, MappingError):
        return _mapping_answer(exc)
    if isinstance(exc, CSRFError):
        title = _("The form cannot be accepted")
        message = _(
            "The form has expired or did not come from palmap. Reload the page and send it again."
        )
        return ErrorAnswer(400, "csrf_failed", title, message)
    if isinstance(exc, HTTPException) and exc.code in _ACCOUNT_WORDS:
        code, title, message = _ACCOUNT_WORDS[exc.code]
        return ErrorAnswer(exc.code, code, title(), message())
    if isinstance(exc, HTTPException):
        code = re.sub(r"[^a-z0-9]+", "_", (exc.name or "error").lower()).strip("_")
        return ErrorAnswer(exc.code or 500, code, exc.name, exc.description or "")
    log.exception("unexpected error", exc_info=exc)
    return ErrorAnswer(500, "internal_error", _("Unexpected error"), _("The error was logged."))


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def respond(answer: ErrorAnswer) -> tuple[Response | str, int]:
    """The answer as JSON when the client prefers it, else as the error page."""
    if _wants_json():
        return jsonify(answer.json()), answer.status
    page = render_template(
        "error.html",
        status=answer.status,
        title=answer.title,
        message=answer.message,
        known=list(answer.known),
        known_title=answer.heading,
    )
    return page, answer.status


def init_app(app: Flask) -> None:
    @app.errorhandler(Exception)
    def _error(exc: Exception) -> tuple[Response | str, int]:
        return respond(describe(exc))
