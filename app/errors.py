"""Errors as pages or JSON: MappingError -> its 4xx status, anything else -> 500."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from mapping.errors import ConfigurationError, MappingError

log = logging.getLogger(__name__)


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def _respond(status: int, title: str, message: str):
    if _wants_json():
        return jsonify({"error": title, "message": message, "status": status}), status
    return render_template("error.html", status=status, title=title, message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(MappingError)
    def _mapping_error(exc: MappingError):
        if isinstance(exc, ConfigurationError):
            log.error("configuration error: %s", exc)
            return _respond(500, _("Server configuration error"), str(exc))
        return _respond(exc.status_code, _("The request cannot be served"), str(exc))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        return _respond(exc.code or 500, exc.name, exc.description or "")

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unexpected error")
        return _respond(500, _("Unexpected error"), _("The error was logged."))
