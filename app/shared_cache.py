"""The page cache that several servers share: rendered pages and downloads in one Redis database
(``PALMAP_CACHE_URL``), beside each process's own cache (:mod:`app.cache`).

A page's key already holds the data's fingerprint (a hash of what the database holds, the same
in every server that reads the same data), the path, the query the page reads, the language and
``MIN_COUNT``: a page one server rendered is served by every other one, and a change made
through any server (or in the database directly) gives every page a new key on the next request.
Nothing has to be deleted when the data changes: old pages are never asked for again and expire
(:data:`TTL`), or Redis drops them first when it runs out of its ``maxmemory``.

The Redis key is ``palmap:<namespace>:page:<sha256 of the page key>``; the namespace is a hash
of palmap's version and of the settings that shape a page beyond its key (the base map, the
embedding origins, the default language), so servers that differ in them never share a page.

redis-py is used directly rather than Flask-Caching: the keys, the ETags and what is kept of a
response (its body, status and a few headers) are :mod:`app.cache`'s already, so a caching layer
over the client would add nothing but its own keys and pickled values; here a value is JSON for
the status and headers, a newline and the body, and nothing read from Redis is ever unpickled.

When Redis does not answer, a page is rendered as if it had not been kept (the failure is
logged); the readiness check (``/gotowosc``, :mod:`app.views.health`) says the cache is down.
"""

from __future__ import annotations

import hashlib
import json
import logging
from importlib import metadata
from typing import TYPE_CHECKING, Any

from mapping.errors import ConfigurationError

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger(__name__)

#: Seconds a page stays in the shared cache (pages of an old data version are never asked for
#: again; this bounds how long they take room).
TTL = 24 * 3600
#: Seconds to wait for Redis before a page is rendered without it.
TIMEOUT = 2.0
#: Settings that change a rendered page but are not part of its key.
PAGE_SETTINGS: tuple[str, ...] = ("TILES", "TILES_ATTRIBUTION", "EMBED_ORIGINS", "DEFAULT_LANG")

Entry = tuple[bytes, int, dict[str, str]]


def namespace(config: Any) -> str:
    """A hash of palmap's version and the :data:`PAGE_SETTINGS` (servers of one site share it)."""
    try:
        version = metadata.version("palmap")
    except metadata.PackageNotFoundError:  # pragma: no cover - palmap runs installed
        version = "unknown"
    shaping = [version, *(str(config.get(name) or "") for name in PAGE_SETTINGS)]
    return hashlib.sha256(json.dumps(shaping).encode()).hexdigest()[:12]


class SharedPages:
    """Rendered pages in a Redis database, keyed like :class:`app.cache.PageCache`'s."""

    def __init__(self, url: str, space: str, *, ttl: int = TTL) -> None:
        try:
            import redis
        except ImportError:
            raise ConfigurationError(
                "PALMAP_CACHE_URL: expected the redis package to be installed "
                "(pip install -e '.[server]'), got none"
            ) from None
        try:
            self.client = redis.Redis.from_url(
                url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT
            )
        except ValueError as error:
            raise ConfigurationError(
                f"PALMAP_CACHE_URL: expected a Redis URL such as redis://host:6379/0, got "
                f"{_without_password(url)!r} ({error})"
            ) from None
        self.prefix = f"palmap:{space}:page:"
        self.ttl = ttl
        self._errors = redis.RedisError

    def name(self, key: str) -> str:
        """The Redis key of the page key ``key``."""
        return self.prefix + hashlib.sha256(key.encode()).hexdigest()

    def get(self, key: str) -> Entry | None:
        try:
            blob = self.client.get(self.name(key))
        except self._errors as error:
            log.warning("shared cache: not read (%s); rendering the page", error)
            return None
        if not blob:
            return None
        head, _, body = bytes(blob).partition(b"\n")
        try:
            meta = json.loads(head)
            return body, int(meta["status"]), dict(meta["headers"])
        except (ValueError, KeyError, TypeError):  # not a page palmap wrote: render it again
            log.warning("shared cache: %s holds no page; rendering it again", self.name(key))
            return None

    def put(self, key: str, value: Entry) -> None:
        body, status, headers = value
        head = json.dumps({"status": status, "headers": headers}).encode()
        try:
            self.client.set(self.name(key), head + b"\n" + body, ex=self.ttl)
        except self._errors as error:
            log.warning("shared cache: page not kept (%s)", error)

    def ping(self) -> bool:
        """Whether Redis answers."""
        try:
            return bool(self.client.ping())
        except self._errors:
            return False


def _without_password(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.password:
        return url.replace(parts.password, "***", 1)
    return url


def from_config(app: Flask) -> SharedPages | None:
    """The shared cache of ``PALMAP_CACHE_URL`` (None when it is not set)."""
    url = str(app.config.get("CACHE_URL") or "").strip()
    if not url:
        return None
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigurationError(
            "PALMAP_CACHE_URL: expected a Redis URL (redis://, rediss:// or unix://) such as "
            f"redis://host:6379/0, got {_without_password(url)!r}"
        )
    return SharedPages(url, namespace(app.config))
