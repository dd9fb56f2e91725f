"""Health checks for a load balancer: ``/zdrowie`` (``/health``) and ``/gotowosc`` (``/ready``).

- Liveness, ``/zdrowie``: the process answers (it reads nothing): ``200 {"status": "ok"}``.
- Readiness, ``/gotowosc``: the database answers and is at the newest migration this palmap
  knows, and the shared cache (``PALMAP_CACHE_URL``) answers when one is set: ``200`` with
  ``"status": "ready"``, else ``503`` with ``"status": "not ready"``; ``checks`` says which part
  is ``ok``, ``down`` or (the database) ``behind`` (run ``palmap init-db``).

Both are JSON, never cached (``Cache-Control: no-store``), name no host, user or error message
(a failure's cause goes to the log) and are exempt from the request limits.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from flask import Blueprint, Response, jsonify

from app import auth, pages
from app.cache import page_cache
from app.db import get_engine

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


def _answer(body: dict[str, Any], status: int) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@pages.page_route(bp, "/zdrowie", "/health", endpoint="live")
@auth.limiter.exempt
def live() -> Response:
    """Liveness: the process answers."""
    return _answer({"status": "ok"}, 200)


@cache
def _newest_migration() -> str | None:
    from mapping.db.migrate import head_revision

    return head_revision()


def _database() -> str:
    from mapping.db.migrate import current_revision

    try:
        revision = current_revision(get_engine())
    except Exception as error:  # any failure to connect or read means "not ready"
        log.warning("readiness: the database does not answer: %s", error)
        return "down"
    if revision != _newest_migration():
        log.warning("readiness: the database is at migration %s, not the newest", revision)
        return "behind"
    return "ok"


@pages.page_route(bp, "/gotowosc", "/ready", endpoint="ready")
@auth.limiter.exempt
def ready() -> Response:
    """Readiness: the database (at the newest migration) and the shared cache, if any."""
    checks = {"database": _database()}
    shared = page_cache().shared
    if shared is not None:
        checks["cache"] = "ok" if shared.ping() else "down"
    good = all(value == "ok" for value in checks.values())
    body = {"status": "ready" if good else "not ready", "checks": checks}
    return _answer(body, 200 if good else 503)
