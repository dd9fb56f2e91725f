"""The server's log: a request id on every line of a request, and JSON lines for a log collector.

- Every request gets an id: the ``X-Request-ID`` header the reverse proxy or load balancer sent,
  when it is 8 to 128 characters of letters, digits and ``. _ : -``; else a new random one. The
  response says it in ``X-Request-ID``, and every line palmap logs while answering carries it.
- ``PALMAP_LOG_FORMAT=text`` (the default, for people and ``make run``): Flask's lines, with the
  request id in brackets.
- ``PALMAP_LOG_FORMAT=json`` (for a server whose logs a collector reads): every line of the
  ``app`` and ``mapping`` loggers is one JSON object (``time``, ``level``, ``logger``,
  ``message``, ``request_id``), and each request ends with one more: ``event: "request"``,
  ``method``, ``path``, ``query`` (values of names that look secret replaced by ``[hidden]``),
  ``status``, ``duration_ms`` and ``user_id`` (the account's id, or null). No line holds a
  password, a cookie or a form's fields.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import Flask, g, has_request_context, request, session
from flask.logging import default_handler, has_level_handler
from werkzeug.wrappers import Response

from mapping.errors import ConfigurationError

FORMATS = ("text", "json")
HEADER = "X-Request-ID"
#: A request id palmap takes from the request: letters, digits and ``. _ : -``, 8 to 128 long.
VALID_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")
#: Query names whose values never reach the log.
SECRET_NAMES = re.compile(r"token|key|secret|pass|auth|sig|session|code_verifier", re.I)
#: The loggers palmap writes to (``app.*`` and ``mapping.*``).
LOGGERS = ("app", "mapping")
#: The session key where Flask-Login keeps the account of a logged-in session.
_USER_KEY = "_user_id"
TEXT_FORMAT = "[%(asctime)s] %(levelname)s in %(module)s [%(request_id)s]: %(message)s"


def request_id() -> str | None:
    """The current request's id (None outside a request)."""
    if not has_request_context():
        return None
    found = g.get("request_id")
    if found is None:
        sent = request.headers.get(HEADER, "")
        found = sent if VALID_ID.fullmatch(sent) else uuid.uuid4().hex
        g.request_id = found
    return str(found)


class RequestIdFilter(logging.Filter):
    """Puts ``request_id`` on every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to the ``sys.stderr`` of the moment (gunicorn's, or a test's capture)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr  # under the handler's lock (logging.Handler.handle)
        super().emit(record)


#: The handler of ``PALMAP_LOG_FORMAT=json`` (one per process, whatever the number of apps).
_json_handler = StderrHandler()
_json_handler.setFormatter(JsonFormatter())
_json_handler.addFilter(RequestIdFilter())


def _use_json() -> None:
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _json_handler not in logger.handlers:
            logger.addHandler(_json_handler)
    logging.getLogger("app").removeHandler(default_handler)


def _use_text() -> None:
    for name in LOGGERS:
        logging.getLogger(name).removeHandler(_json_handler)
    logger = logging.getLogger("app")
    if not has_level_handler(logger):  # as Flask does (an earlier app may have used JSON)
        logger.addHandler(default_handler)
    if not any(isinstance(f, RequestIdFilter) for f in default_handler.filters):
        default_handler.addFilter(RequestIdFilter())
    default_handler.setFormatter(logging.Formatter(TEXT_FORMAT))


def safe_query() -> str:
    """The request's query with the values of secret-looking names hidden."""
    pairs = parse_qsl(request.query_string.decode("latin-1"), keep_blank_values=True)
    shown = [(k, "[hidden]" if SECRET_NAMES.search(k) else v) for k, v in pairs]
    return urlencode(shown)[:1000]


def _user_id() -> int | None:
    if _USER_KEY not in session:
        return None
    from flask_login import current_user

    if current_user and current_user.is_authenticated:
        return int(current_user.account.id)
    return None


def init_app(app: Flask) -> None:
    """Choose the format (``PALMAP_LOG_FORMAT``), give every request its id, log each request
    (JSON)."""
    chosen = str(app.config.get("LOG_FORMAT") or "text").lower()
    if chosen not in FORMATS:
        raise ConfigurationError(
            f"PALMAP_LOG_FORMAT: expected one of {', '.join(FORMATS)}, got {chosen!r}"
        )
    if chosen == "json":
        _use_json()
    else:
        _use_text()
    requests_log = logging.getLogger("app.requests")

    @app.before_request
    def _start() -> None:
        g.request_started = time.perf_counter()
        request_id()

    @app.after_request
    def _finish(response: Response) -> Response:
        response.headers[HEADER] = request_id() or ""
        if chosen == "json":
            started = g.get("request_started", time.perf_counter())
            fields = {
                "event": "request",
                "method": request.method,
                "path": request.path,
                "query": safe_query(),
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": _user_id(),
            }
            requests_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={"fields": fields},
            )
        return response
