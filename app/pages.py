"""What the views share, and the one place that reads the request for it: the query arguments,
the translation function and the loaded data that the core page functions take
(:mod:`mapping.pages`), links in the visitor's language, and :func:`page_route`, which registers a
page's Polish route with its English alias."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, current_app, g, request, url_for
from flask_babel import gettext
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from werkzeug.routing import BuildError

from app.cache import (
    CANONICAL_ARGS,
    EDITION_KEY,
    PUBLIC_KEY,
    analysis_data,
    current_edition,
    memo,
    suppression,
)
from app.i18n import current_lang
from mapping.pages.arguments import EDITION_ARG
from mapping.pages.data import PageData
from mapping.pages.indicator_map import TablePage
from mapping.pages.labels import scheme_choices
from mapping.pages.maps import map_settings as core_map_settings
from mapping.pages.text import Translator

#: The pages in the header's navigation: (endpoint, label function).
NAV: tuple[tuple[str, Callable[[], str]], ...] = (
    ("maps.overview", lambda: gettext("Overview")),
    ("maps.indicator_map_default", lambda: gettext("Indicator map")),
    ("maps.compare_default", lambda: gettext("Comparison")),
    ("districts.index", lambda: gettext("Districts")),
    ("resources.index", lambda: gettext("Resources")),
    ("targets.index", lambda: gettext("Target areas")),
    ("programme.partnerships", lambda: gettext("Partnerships")),
    ("programme.actions", lambda: gettext("Actions")),
    ("surveys.index", lambda: gettext("Surveys")),
    ("editions.index", lambda: gettext("Editions")),
)
#: Suffix of the endpoint of a page's English alias.
EN = "_en"
#: Attribute that :func:`page_route` sets on a view: its (Polish, English) rules.
ROUTES_ATTRIBUTE = "palmap_routes"

View = Callable[..., Any]


def page_route(
    bp: Blueprint | Flask, polish: str, english: str, *, endpoint: str, **options: Any
) -> Callable[[View], View]:
    """Register a view on its Polish rule (``endpoint``) and its English alias
    (``endpoint + "_en"``), the same view with the same options.

    Examples
    --------
    >>> bp = Blueprint("demo", __name__)
    >>> @page_route(bp, "/mapa/<layer>", "/map/<layer>", endpoint="indicator_map")
    ... def indicator_map(layer: str) -> str:
    ...     return layer
    >>> app = Flask(__name__)
    >>> app.register_blueprint(bp)
    >>> sorted(str(r) for r in app.url_map.iter_rules() if r.endpoint.startswith("demo."))
    ['/map/<layer>', '/mapa/<layer>']
    """
    options.setdefault("methods", ["GET"])

    def register(view: View) -> View:
        bp.add_url_rule(polish, endpoint=endpoint, view_func=view, **options)
        bp.add_url_rule(english, endpoint=endpoint + EN, view_func=view, **options)
        routes = getattr(view, ROUTES_ATTRIBUTE, ())
        setattr(view, ROUTES_ATTRIBUTE, (*routes, (polish, english)))
        return view

    return register


# --------------------------------------------------------------------------- the request


def args() -> Mapping[str, str]:
    """The query arguments the page may read (a MultiDict: ``get`` gives the first value).

    Inside a cached page (:func:`app.cache.cached_page`) these are only the arguments the page
    declared, one value each, in a fixed order: exactly what its cache key holds, so an unknown
    or repeated argument can neither change the page nor make a new cache entry."""
    canonical = g.get(CANONICAL_ARGS)
    return request.args if canonical is None else canonical


def view_args() -> dict[str, Any]:
    """The values of the route's variables (``layer``, ``code``, ``fmt``)."""
    return dict(request.view_args or {})


def endpoint() -> str:
    """The endpoint of the request without the English alias's suffix."""
    return (request.endpoint or "").removesuffix(EN)


def query_items(*skip: str) -> list[tuple[str, str]]:
    """The request's query without ``lang`` (each link adds its own), ``edition``
    (:func:`page_url` adds it) and ``skip``, every value."""
    left_out = {"lang", EDITION_ARG, *skip}
    query = args()
    items = query.items(multi=True) if isinstance(query, MultiDict) else query.items()
    return [(k, v) for k, v in items if k not in left_out]


def translator() -> Translator:
    """The translation function of the visitor's language (what the core page functions take)."""
    return Translator(gettext, current_lang())


def page_data() -> PageData:
    """The loaded data of the current data version, with its suppression and memo."""
    edition = current_edition()
    return PageData(
        analysis=analysis_data(),
        suppression=suppression(),
        min_count=int(current_app.config["MIN_COUNT"]),
        memo=memo,
        edition=None if edition is None else edition.code,
        published=None
        if edition is None or edition.published_at is None
        else edition.published_at.date(),
    )


def map_settings(**changes: Any) -> dict[str, Any]:
    """Keyword arguments of every map: language, the app's tiles, local assets, labels."""
    prefix = url_for("vendor.asset", name="x", filename="x").rsplit("/x/x", 1)[0]
    settings = core_map_settings(
        translator(),
        tiles=current_app.config["TILES"],
        tiles_attribution=current_app.config["TILES_ATTRIBUTION"],
        asset_prefix=prefix,
        data=page_data(),
    )
    settings.update(
        topojson_min_districts=int(current_app.config["TOPOJSON_MIN_DISTRICTS"]),
        cluster_min_resources=int(current_app.config["CLUSTER_MIN_RESOURCES"]),
        cluster_url=page_url("clusters.resources"),
    )
    settings.update(changes)
    return settings


def fields_of(built: Any) -> dict[str, Any]:
    """The fields of a core page object (a dataclass) as template variables, not copied."""
    return {name: getattr(built, name) for name in built.__dataclass_fields__}


# --------------------------------------------------------------------------- links


def endpoint_for(name: str, lang: str) -> str:
    """``name``, or its English alias in English when it has one."""
    if lang == "en" and f"{name}{EN}" in current_app.view_functions:
        return f"{name}{EN}"
    return name


def passes_edition(view: View) -> View:
    """Mark a public view that is not a cached page but hands ``?edition=`` on (a redirect to
    a layer's page keeps the whole query), so that links to it keep the edition too."""
    view.palmap_reads_edition = True  # type: ignore[attr-defined]
    return view


def edition_items() -> list[tuple[str, str]]:
    """``[("edition", CODE)]`` on a page of a published edition, else nothing."""
    code = g.get(EDITION_KEY)
    return [(EDITION_ARG, code)] if code else []


def page_url(name: str, **values: Any) -> str:
    """URL of a page on the route of the visitor's language (Polish, or its English alias).

    On a page of a published edition a link to another public page (one that reads editions,
    :func:`app.cache.cached_page`) stays in that edition (``edition=""`` leaves it: the live
    data); links to forms, the login and the editions list never carry it."""
    endpoint_name = endpoint_for(name, current_lang())
    view = current_app.view_functions.get(endpoint_name)
    if getattr(view, "palmap_reads_edition", False):  # a public page, not a form or a login
        values = {**dict(edition_items()), **values}
    values = {k: v for k, v in values.items() if v is not None and v != ""}
    return url_for(endpoint_name, **values)


def with_query(url: str, query: list[tuple[str, str]]) -> str:
    """``url?query`` (``url`` alone without a query; ``&`` when ``url`` has one already, such as
    the edition :func:`page_url` adds)."""
    if not query:
        return url
    return f"{url}{'&' if '?' in url else '?'}{urlencode(query)}"


def lang_url(code: str) -> str:
    """This page in language ``code`` (on that language's route), every query setting kept."""
    query = [*edition_items(), *query_items(), ("lang", code)]
    path = request.path
    if request.endpoint and request.view_args is not None:
        try:
            path = url_for(endpoint_for(endpoint(), code), **request.view_args)
        except BuildError:
            pass
    return f"{path}?{urlencode(query)}"


def link_with(field: str, value: str, *, page: str | None = None) -> str:
    """The current page (or ``page``) with ``field`` set to ``value``: a route variable when the
    route has one of that name, else a query argument (in place, the others kept)."""
    route_values = view_args()
    name = endpoint_for(page or endpoint(), current_lang())
    query = [*edition_items(), *query_items()]
    if field in route_values:
        route_values[field] = value
    elif any(k == field for k, _v in query):
        query = [(k, value if k == field else v) for k, v in query]
    else:
        query.append((field, value))
    try:
        return with_query(url_for(name, **route_values), query)
    except BuildError:  # a value the route cannot hold: the label alone, without a link
        return ""


_ACTIVE = {
    "maps.overview": "maps.overview",
    "maps.indicator_map": "maps.indicator_map_default",
    "maps.indicator_map_default": "maps.indicator_map_default",
    "maps.compare": "maps.compare_default",
    "maps.compare_default": "maps.compare_default",
    "districts.index": "districts.index",
    "districts.detail": "districts.index",
    "resources.index": "resources.index",
    "targets.index": "targets.index",
    "editions.index": "editions.index",
    "programme.partnerships": "programme.partnerships",
    "programme.actions": "programme.actions",
    "surveys.index": "surveys.index",
}


def edition_field() -> Markup:
    """The hidden ``edition`` field of a GET form on a page of a published edition (a GET form
    drops its action's query), so that the form's answer stays in the edition."""
    code = g.get(EDITION_KEY)
    if not code:
        return Markup("")
    return Markup('<input type="hidden" name="{}" value="{}">').format(EDITION_ARG, code)


def live_url() -> str:
    """This page with the live data (the edition left out, every other setting kept)."""
    try:
        url = page_url(endpoint(), edition="", **view_args())
    except BuildError:
        url = request.path
    return with_query(url, query_items())


def edition_notice() -> dict[str, Any] | None:
    """What a public page says about its data: the published edition it shows, or that it shows
    the live data (None on the other pages: forms, login, errors)."""
    if not g.get(PUBLIC_KEY):
        return None
    edition = current_edition()
    if edition is None:
        return {"live": True, "editions_url": page_url("editions.index", edition="")}
    return {
        "live": False,
        "code": edition.code,
        "title": edition.title,
        "published": edition.published_at.date().isoformat() if edition.published_at else "",
        "live_url": live_url(),
        "editions_url": page_url("editions.index", edition=""),
    }


def against_edition() -> tuple[str, Any] | None:
    """``?against=CODE`` of the comparison page (two editions compared): that published
    edition's code and frozen data (a 404 naming the published editions when it is none), or
    None when the query has no ``against``."""
    from app.cache import page_cache
    from app.db import get_engine
    from mapping.db import editions
    from mapping.pages.errors import UnknownItemError

    code = str(args().get("against", "")).strip()
    if not code:
        return None
    engine = get_engine()
    published = editions.list_editions(engine, published_only=True)
    if code not in {e.code for e in published}:
        shown = code if len(code) <= 40 else code[:40] + "…"
        raise UnknownItemError(
            f"against: expected a published edition, got {shown!r}",
            field="against",
            known=[(f"{e.code}: {e.title}", e.code) for e in reversed(published)],
            heading=gettext("Published editions"),
        )
    return code, page_cache().edition(engine, code).data


def init_app(app: Flask) -> None:
    # A global, not a context variable: the form macros are imported without the context.
    app.add_template_global(lambda: scheme_choices(translator()), "scheme_choices")
    app.add_template_global(edition_field, "edition_field")

    @app.context_processor
    def _helpers() -> dict[str, Any]:
        tr = translator()
        return {
            "page_url": page_url,
            "lang_url": lang_url,
            "edition_notice": edition_notice,
            "edition_items": edition_items,
            "nav": [(name, label()) for name, label in NAV],
            "nav_active": _ACTIVE.get(endpoint()),
            "num": tr.number,
        }


def listing(table: TablePage, url_of: Callable[[int | None], str]) -> dict[str, object]:
    """The pager of one page of a table (templates/_macros.html ``pager``): the rows shown, the
    page and the links to the previous and the next page. ``url_of(n)`` is the URL of page
    ``n``, ``url_of(None)`` the first page's (the page's own URL, without ``?page=``)."""

    def link(number: int) -> str | None:
        if not 1 <= number <= table.pages or number == table.page:
            return None
        return url_of(number if number > 1 else None)

    return {
        "first": table.first,
        "last": table.last,
        "page": table.page,
        "pages": table.pages,
        "size": table.size,
        "previous": link(table.page - 1),
        "next": link(table.page + 1),
    }
