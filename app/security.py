"""Response headers that every page gets, who may frame which page, and which proxies to believe.

* **Content-Security-Policy**: scripts only from palmap itself and the inline scripts of the page,
  each allowed by its SHA-256 hash (:func:`script_hashes`, computed once when a page is rendered
  and kept with the cached page, so it costs nothing on a cache hit); no plugins, no ``<base>``,
  forms only to palmap, images from palmap, ``data:`` URLs and the tile server the page's map
  draws from. Styles allow ``'unsafe-inline'``: the tables colour their swatches with ``style``
  attributes and Leaflet and folium write ``style`` attributes into the markup they build; CSS
  cannot run script, and every text palmap shows is escaped, so no visitor can add a style.
* Only the read-only ``/embed/`` pages may be framed: by palmap itself and by the origins in
  ``PALMAP_EMBED_ORIGINS``. Every other page sends ``frame-ancestors 'none'`` and
  ``X-Frame-Options: DENY`` (for browsers that ignore CSP), so a page with forms cannot be
  clickjacked.
* ``Permissions-Policy`` turns off what palmap never uses (camera, microphone, geolocation, ...).
* With ``PALMAP_HTTPS=1``: ``Strict-Transport-Security`` on every response, ``Secure`` cookies.
* ``X-Forwarded-*`` headers are believed only from ``PALMAP_TRUSTED_PROXIES`` proxies (Werkzeug's
  ``ProxyFix``); palmap builds no absolute URL from the request's host anyway.
* A query longer than :data:`MAX_QUERY_BYTES` is answered 414 by palmap, with these headers.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

from mapping.errors import ConfigurationError

EMBED_PREFIX = "/embed/"
_ORIGIN = re.compile(r"https?://[a-z0-9.-]+(:[0-9]{1,5})?")

#: The longest query string palmap reads; a longer one is answered 414 (URI Too Long). The
#: longest real query (the weights of every indicator of a ranking) is far shorter.
MAX_QUERY_BYTES = 8192

#: Features of the browser that no palmap page uses. Only names Chromium knows (an unknown name
#: is an error in the console).
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)
HSTS = "max-age=31536000; includeSubDomains"

# An inline script: the HTML parser ends a script element at the first ``</script``, so does this.
_SCRIPT = re.compile(r"<script\b(?P<attrs>[^>]*)>(?P<body>.*?)</script\s*>", re.S | re.I)
_SRC = re.compile(r"\ssrc\s*=", re.I)
# The URL template of a Leaflet tile layer, as folium writes it (tile URLs hold no quote).
_TILE_LAYER = re.compile(r'L\.tileLayer\(\s*"(?P<url>[^"\\]+)"')


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


def script_hashes(html: str) -> tuple[str, ...]:
    """The CSP sources (``'sha256-...'``) of every inline ``<script>`` of ``html``, in order,
    each once.

    Examples
    --------
    >>> script_hashes('<script src="/l.js"></script><script>alert(1)</script>')
    ("'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='",)
    """
    found: dict[str, None] = {}
    for match in _SCRIPT.finditer(html):
        if _SRC.search(match["attrs"]):
            continue
        digest = hashlib.sha256(match["body"].encode("utf-8")).digest()
        found[f"'sha256-{base64.b64encode(digest).decode('ascii')}'"] = None
    return tuple(found)


def tile_sources(html: str) -> tuple[str, ...]:
    """The origins of the tile layers the maps of ``html`` draw from (``'self'`` for a tile
    path on this server), for ``img-src``.

    Examples
    --------
    >>> tile_sources('<script>L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {});'
    ...              '</script><p>L.tileLayer("https://not.a.script/{z}/{x}/{y}")</p>')
    ('https://tile.openstreetmap.org',)
    """
    found: dict[str, None] = {}
    for script in _SCRIPT.finditer(html):
        for match in _TILE_LAYER.finditer(script["body"]):
            parts = urlsplit(match["url"])
            origin = f"{parts.scheme}://{parts.netloc}" if parts.netloc else "'self'"
            found[origin.lower()] = None
    return tuple(found)


def content_security_policy(
    path: str,
    origins: tuple[str, ...],
    *,
    scripts: Iterable[str] = (),
    images: Iterable[str] = (),
) -> str:
    """The whole CSP of a page at ``path``: its inline ``scripts`` (hashes) and the tile
    origins its maps draw from (``images``) allowed, and nothing else from elsewhere.

    Examples
    --------
    >>> print(content_security_policy("/zasoby", (), scripts=["'sha256-x'"]).replace("; ", "\\n"))
    default-src 'self'
    script-src 'self' 'sha256-x'
    style-src 'self' 'unsafe-inline'
    img-src 'self' data:
    object-src 'none'
    base-uri 'self'
    form-action 'self'
    frame-ancestors 'none'
    """
    image_sources = dict.fromkeys(["'self'", "data:", *images])
    return "; ".join(
        (
            "default-src 'self'",
            " ".join(("script-src 'self'", *scripts)),
            "style-src 'self' 'unsafe-inline'",
            " ".join(("img-src", *image_sources)),
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            frame_ancestors(path, origins),
        )
    )


def page_policy(response: Response) -> str:
    """The CSP of ``response`` to the current request: from its body when it is HTML (the
    hashes of its inline scripts, the origins of its tiles)."""
    origins = current_app.config["EMBED_ORIGINS_PARSED"]
    if response.mimetype != "text/html" or response.direct_passthrough:
        return content_security_policy(request.path, origins)
    html = response.get_data(as_text=True)
    return content_security_policy(
        request.path, origins, scripts=script_hashes(html), images=tile_sources(html)
    )


def _whole_number(app: Flask, key: str, allowed: str) -> int:
    value = app.config.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigurationError(f"PALMAP_{key}: expected {allowed}, got {value!r}")
    return value


def init_app(app: Flask) -> None:
    app.config["EMBED_ORIGINS_PARSED"] = parse_origins(app.config.get("EMBED_ORIGINS"))
    proxies = _whole_number(app, "TRUSTED_PROXIES", "a whole number of proxies >= 0 (0: none)")
    if _whole_number(app, "HTTPS", "0 or 1") not in (0, 1):
        raise ConfigurationError(f"PALMAP_HTTPS: expected 0 or 1, got {app.config['HTTPS']!r}")
    https = app.config["HTTPS"] == 1
    app.config["SESSION_COOKIE_SECURE"] = https
    if proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )

    @app.before_request
    def _query_length() -> None:
        if len(request.query_string) > MAX_QUERY_BYTES:
            abort(414)

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers["Permissions-Policy"] = PERMISSIONS_POLICY
        if https:
            response.headers["Strict-Transport-Security"] = HSTS
        # A 304 keeps the policy the browser stored with the page (a 304's headers replace the
        # stored ones, and this one has no body to hash); a cached page brings its own.
        if response.status_code != 304 and "Content-Security-Policy" not in response.headers:
            response.headers["Content-Security-Policy"] = page_policy(response)
        if not request.path.startswith(EMBED_PREFIX):
            response.headers["X-Frame-Options"] = "DENY"
        return response
