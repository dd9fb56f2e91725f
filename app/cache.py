"""Pages rendered once per data version: a small in-process cache with ETag and 304.

Each request reads the database's data version (:func:`mapping.db.store.data_version`, one row
that triggers raise on every insert, update or delete in palmap's tables, whoever makes it: an
import, or an edit in QGIS or psql). While it is the same, the loaded frames and the rendered
pages are reused; when it changes, the frames are loaded again and their fingerprint (a hash of
districts, resources, categories, indicators and values) becomes the pages' version. So an edit
shows on the next request, and a change that leaves the data as it was (an import of the same
file) keeps the pages and their ETags.

A page's cache key is the fingerprint, the path, the query reduced to the arguments the page
reads (:mod:`mapping.pages.arguments`), the language and ``MIN_COUNT``; its
ETag is a hash of that key, so a browser that sends ``If-None-Match`` gets a 304 without the page
being rendered or even looked up. Responses say ``Cache-Control: no-cache`` (revalidate every
time) and ``Vary: Cookie`` (the language cookie changes the page).

With ``PALMAP_CACHE_URL`` the rendered pages are also kept in a Redis database that every server
shares (:mod:`app.shared_cache`): a page this process has not kept is looked up there before it
is rendered. ``X-Cache`` says where a page came from: ``hit`` (this process), ``shared`` (the
shared cache) or ``miss`` (rendered now)."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

import pandas as pd
import shapely
from flask import Flask, Response, current_app, g, make_response, request, session
from werkzeug.datastructures import MultiDict

from app.db import get_engine
from app.i18n import current_lang
from app.security import page_policy
from app.shared_cache import SharedPages
from mapping.analysis import AnalysisData
from mapping.db import store
from mapping.editions import EditionRecord, clean_code
from mapping.errors import MappingError, Message, NotFoundError, ValidationError, msg
from mapping.pages.arguments import EDITION_ARG, canonical_args, domain_codes
from mapping.pages.errors import UnknownItemError
from mapping.privacy import Suppression, suppress

_KEY = "palmap_page_cache"
#: Name in ``flask.g`` of the query a cached page may read (:func:`app.pages.args`).
CANONICAL_ARGS = "palmap_canonical_args"

#: Rendered pages kept per process (least recently used ones are dropped); the byte budget is
#: the ``PAGE_CACHE_MB`` setting.
MAX_ENTRIES = 512


@dataclass
class _Data:
    db_version: int
    version: str
    data: AnalysisData
    suppression: dict[int, Suppression]
    memo: dict[Any, Any] = field(default_factory=dict)
    #: The published edition this data is (None: the live data).
    edition: EditionRecord | None = None


class PageCache:
    """The data version, the loaded frames and the rendered pages of one app (thread-safe)."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = 256 * 2**20) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._data: _Data | None = None
        #: Published editions never change: loaded once each, kept until :meth:`clear`.
        self._editions: dict[str, _Data] = {}
        self._pages: OrderedDict[str, tuple[bytes, int, dict[str, str]]] = OrderedDict()
        self._bytes = 0
        #: The cache the servers share (``PALMAP_CACHE_URL``), or None.
        self.shared: SharedPages | None = None

    @property
    def size(self) -> tuple[int, int]:
        """Pages kept and the bytes of their bodies."""
        with self._lock:
            return len(self._pages), self._bytes

    def clear(self) -> None:
        """Forget everything (the next request reloads the data)."""
        with self._lock:
            self._data = None
            self._editions.clear()
            self._drop_pages()

    def _drop_pages(self) -> None:
        self._pages.clear()
        self._bytes = 0

    def current(self, engine: Any) -> _Data:
        """The current data, loaded again when the database's data version changed."""
        db_version = store.data_version(engine)
        with self._lock:
            state = self._data
            if state is not None and state.db_version == db_version:
                return state
        # The version is read before the frames: a change made while they load raises it again,
        # and the next request loads once more.
        data = AnalysisData.from_store(engine)
        version = _fingerprint(data)
        with self._lock:
            state = self._data
            if state is not None and state.version == version:
                state.db_version = db_version
                return state
            self._data = _Data(db_version, version, data, {})
            self._drop_pages()
            return self._data

    def edition(self, engine: Any, code: str) -> _Data:
        """The frozen data of the published edition ``code`` (NotFoundError if there is none).

        Its version is the edition's digest, so its pages' keys and ETags never change, and
        a change of the live data does not touch them."""
        with self._lock:
            state = self._editions.get(code)
            if state is not None:
                return state
        from mapping.db import editions

        record = editions.get_edition(engine, code)
        data = AnalysisData.from_edition(engine, code)
        state = _Data(-1, f"edition:{code}:{record.digest}", data, {}, edition=record)
        with self._lock:
            return self._editions.setdefault(code, state)

    def get(self, key: str) -> tuple[bytes, int, dict[str, str]] | None:
        with self._lock:
            hit = self._pages.get(key)
            if hit is not None:
                self._pages.move_to_end(key)
            return hit

    def lookup(self, key: str) -> tuple[tuple[bytes, int, dict[str, str]] | None, str]:
        """The page of ``key`` and where it was found: ``hit`` (this process), ``shared`` (the
        shared cache, and now this process too) or ``miss`` (None)."""
        found = self.get(key)
        if found is not None:
            return found, "hit"
        if self.shared is not None:
            found = self.shared.get(key)
            if found is not None:
                self._keep(key, found)
                return found, "shared"
        return None, "miss"

    def put(self, key: str, value: tuple[bytes, int, dict[str, str]]) -> None:
        """Keep a page here and in the shared cache (if there is one)."""
        self._keep(key, value)
        if self.shared is not None:
            self.shared.put(key, value)

    def _keep(self, key: str, value: tuple[bytes, int, dict[str, str]]) -> None:
        """Keep a page; drop the least recently used ones beyond the entry and byte budgets (a
        page larger than the whole budget is not kept)."""
        size = len(value[0])
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._pages.pop(key, None)
            if old is not None:
                self._bytes -= len(old[0])
            self._pages[key] = value
            self._bytes += size
            while len(self._pages) > self.max_entries or self._bytes > self.max_bytes:
                _, dropped = self._pages.popitem(last=False)
                self._bytes -= len(dropped[0])


def _hash_frame(digest: Any, frame: pd.DataFrame) -> None:
    plain = frame.drop(columns=["geometry"], errors="ignore")
    try:
        hashed = pd.util.hash_pandas_object(plain, index=False)
    except TypeError:  # a cell pandas cannot hash as it is
        hashed = pd.util.hash_pandas_object(plain.astype(str), index=False)
    digest.update(hashed.to_numpy().tobytes())
    digest.update(",".join(map(str, frame.columns)).encode())
    if "geometry" in frame.columns:
        wkbs = shapely.to_wkb(frame.geometry.array, output_dimension=2)
        digest.update(b"|".join(wkb or b"-" for wkb in wkbs))


def _fingerprint(data: AnalysisData) -> str:
    digest = hashlib.sha256()
    for frame in (data.districts, data.resources, data.categories, data.values):
        _hash_frame(digest, frame)
    _hash_frame(digest, pd.DataFrame([vars(item) for item in data.registry]))
    # The walking network changes access figures too (issue 15).
    digest.update(b"network:" + (data.network.digest if data.network else "none").encode())
    return digest.hexdigest()[:24]


def page_cache(app: Flask | None = None) -> PageCache:
    """The app's cache."""
    app = app or current_app
    return app.extensions[_KEY]


#: Name in ``flask.g`` of the edition code a public page shows (set by :func:`cached_page`).
EDITION_KEY = "palmap_edition"


def _state() -> _Data:
    state = g.get("palmap_data_state")
    if state is None:
        code = g.get(EDITION_KEY)
        cache = page_cache()
        try:
            state = (
                cache.current(get_engine()) if code is None else cache.edition(get_engine(), code)
            )
        except MappingError as error:
            # The error page that follows is not a page of this edition, nor of the live data.
            g.pop(EDITION_KEY, None)
            g.pop(PUBLIC_KEY, None)
            if isinstance(error, NotFoundError) and code is not None:
                raise _unknown_edition(error.translatable or str(error)) from None
            raise
        g.palmap_data_state = state
    return state


def _unknown_edition(message: Message | str) -> UnknownItemError:
    """A 404 that lists the published editions (each a link to this page in that edition)."""
    from flask_babel import gettext

    from mapping.db import editions

    known = [
        (f"{e.code}: {e.title}", e.code)
        for e in reversed(editions.list_editions(get_engine(), published_only=True))
    ]
    return UnknownItemError(
        message, field=EDITION_ARG, known=known, heading=gettext("Published editions")
    )


def current_edition() -> EditionRecord | None:
    """The published edition the current page shows (None: the live data)."""
    return _state().edition if g.get(EDITION_KEY) else None


#: Name in ``flask.g`` set on the public pages (they read editions and say which data they show).
PUBLIC_KEY = "palmap_public_page"


def _choose_edition() -> None:
    """Take ``?edition=CODE`` of a public page (a code that cannot exist is a 404 at once)."""
    raw = request.args.get(EDITION_ARG, "")
    if raw.strip():
        try:
            setattr(g, EDITION_KEY, clean_code(raw))
        except ValidationError:
            shown = raw if len(raw) <= 40 else raw[:40] + "…"
            raise _unknown_edition(msg("edition: no edition {value!r}", value=shown)) from None
    setattr(g, PUBLIC_KEY, True)


def analysis_data() -> AnalysisData:
    """The frames of the current data version (loaded once per version, shared by requests)."""
    return _state().data


def suppression() -> Suppression:
    """Small-count suppression of the current data at the app's ``MIN_COUNT``."""
    state = _state()
    min_count = int(current_app.config["MIN_COUNT"])
    found = state.suppression.get(min_count)
    if found is None:
        found = suppress(state.data.values, state.data.registry, min_count=min_count)
        state.suppression[min_count] = found
    return found


def memo(key: Any, compute: Callable[[], Any]) -> Any:
    """``compute()`` once per data version and ``key`` (results shared by every request)."""
    store_ = _state().memo
    try:
        return store_[key]
    except KeyError:
        value = compute()
        store_[key] = value
        return value


#: The session key where Flask-Login keeps the account of a logged-in session (app/auth.py).
_USER_KEY = "_user_id"


def cached_page(*names: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Serve the view from the cache while the data version is the same; answer 304 to a
    matching ``If-None-Match``. Only 200 answers are kept; errors are raised as usual.

    ``names`` are the query arguments the page reads (:mod:`mapping.pages.arguments`). The key
    and the view's :func:`app.pages.args` are the request's query reduced to them
    (:func:`mapping.pages.arguments.canonical_args`), so the page is a function of its key: an
    unknown, repeated or reordered argument makes no new entry and no new render, and what the
    first visitor sent beyond the key cannot reach the page the next ones get. A kept page keeps
    its Content-Security-Policy (the hashes of its inline scripts, computed once)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Response:
            _choose_edition()
            state = _state()
            registry = state.data.registry
            query = canonical_args(
                request.args, (EDITION_ARG, *names), registry.codes, domain_codes(registry)
            )
            setattr(g, CANONICAL_ARGS, MultiDict(query))
            if _USER_KEY in session:
                # A logged-in person's page names them and offers what their role may do: never
                # from or into the shared cache (app/auth.py marks it private, no-store).
                return make_response(view(*args, **kwargs))
            min_count = current_app.config["MIN_COUNT"]
            key = json.dumps([state.version, request.path, query, current_lang(), min_count])
            etag = hashlib.sha256(key.encode()).hexdigest()[:32]
            if request.if_none_match.contains(etag):
                response = Response(status=304)
            else:
                response = _page(key, view, args, kwargs)
            response.set_etag(etag)
            response.headers["Cache-Control"] = "no-cache"
            response.vary.add("Cookie")
            return response

        wrapper.palmap_reads_edition = True  # type: ignore[attr-defined]  # app.pages.page_url
        return wrapper

    return decorate


def uncached_page(view: Callable[..., Any]) -> Callable[..., Any]:
    """A public page that reads ``?edition=CODE`` like a :func:`cached_page` (an unknown edition
    is a 404 at once, its links and forms keep the edition, it says which data it shows) but is
    rendered on every request: what it shows (the programme's records) is not part of the
    fingerprint a cached page's key holds."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _choose_edition()
        _state()  # the edition's frozen data (or a 404 listing the published ones)
        return view(*args, **kwargs)

    wrapper.palmap_reads_edition = True  # type: ignore[attr-defined]  # app.pages.page_url
    return wrapper


#: Headers kept with a cached page.
KEPT_HEADERS: tuple[str, ...] = ("Content-Type", "Content-Disposition", "Content-Security-Policy")


def _page(key: str, view: Callable[..., Any], args: Any, kwargs: Any) -> Response:
    cache = page_cache()
    hit, where = cache.lookup(key)
    if hit is not None:
        body, status, headers = hit
        response = Response(body, status=status, headers=headers)
    else:
        response = make_response(view(*args, **kwargs))
        if response.status_code == 200 and not response.direct_passthrough:
            response.headers["Content-Security-Policy"] = page_policy(response)
            headers = {k: v for k, v in response.headers.items() if k in KEPT_HEADERS}
            cache.put(key, (response.get_data(), 200, headers))
    response.headers["X-Cache"] = where
    return response


def init_app(app: Flask) -> None:
    from app import shared_cache

    cache = PageCache(max_bytes=int(app.config["PAGE_CACHE_MB"]) * 2**20)
    cache.shared = shared_cache.from_config(app)
    app.extensions[_KEY] = cache
