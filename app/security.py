"""Response headers that every page gets, and who may frame which page.

Only the read-only ``/embed/`` pages may be framed: by palmap itself and by the origins in
``PALMAP_EMBED_ORIGINS``. Every other page sends ``frame-ancestors 'none'`` and
``X-Frame-Options: DENY`` (for browsers that ignore CSP), so a page with forms cannot be
clickjacked.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request

from mapping.errors import ConfigurationError

EMBED_PREFIX = "/embed/"
_ORIGIN = re.compile(r"https?://[a-z0-9.-]+(:[0-9]{1,5})?")


def parse_origins(text: str | None) -> tuple[str, ...]:
    """Check ``PALMAP_EMBED_ORIGINS``: scheme://host[:port] only, space-separated.

    Examples
    --------
    >>> parse_origins("https://www.um.walbrzych.pl  http://localhost:8080")
    ('https://www.um.walbrzych.pl', 'http://localhost:8080')
    """
    origins = []
    for origin in (text or "").split():
        origin = origin.rstrip("/").lower()
        parts = urlsplit(origin)
        if not _ORIGIN.fullmatch(origin) or parts.path or parts.query:
            raise ConfigurationError(
                "PALMAP_EMBED_ORIGINS: expected origins such as https://www.example.pl "
                f"(scheme, host and optional port; no path, no wildcard), got {origin!r}"
            )
        origins.append(origin)
    return tuple(origins)


def frame_ancestors(path: str, origins: tuple[str, ...]) -> str:
    """The CSP ``frame-ancestors`` value for a path.

    Examples
    --------
    >>> frame_ancestors("/embed/zasoby", ("https://a.pl",))
    "frame-ancestors 'self' https://a.pl"
    >>> frame_ancestors("/zasoby", ("https://a.pl",))
    "frame-ancestors 'none'"
    """
    if path.startswith(EMBED_PREFIX):
        return " ".join(("frame-ancestors 'self'", *origins))
    return "frame-ancestors 'none'"


def init_app(app: Flask) -> None:
    app.config["EMBED_ORIGINS_PARSED"] = parse_origins(app.config.get("EMBED_ORIGINS"))

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        policy = frame_ancestors(request.path, current_app.config["EMBED_ORIGINS_PARSED"])
        response.headers["Content-Security-Policy"] = policy
        if not request.path.startswith(EMBED_PREFIX):
            response.headers["X-Frame-Options"] = "DENY"
        return response
