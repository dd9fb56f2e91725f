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
from werkzeug.datastructures import MultiDict
from werkzeug.routing import BuildError

from app.cache import CANONICAL_ARGS, analysis_data, memo, suppression
from app.i18n import current_lang
from mapping.pages.data import PageData
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
    """The request's query without ``lang`` (each link adds its own) and ``skip``, every value."""
    left_out = {"lang", *skip}
    query = args()
    items = query.items(multi=True) if isinstance(query, MultiDict) else query.items()
    return [(k, v) for k, v in items if k not in left_out]


def translator() -> Translator:
    """The translation function of the visitor's language (what the core page functions take)."""
    return Translator(gettext, current_lang())


def page_data() -> PageData:
    """The loaded data of the current data version, with its suppression and memo."""
    return PageData(
        analysis=analysis_data(),
        suppression=suppression(),
        min_count=int(current_app.config["MIN_COUNT"]),
        memo=memo,
    )


def map_settings(**changes: Any) -> dict[str, Any]:
    """Keyword arguments of every map: language, the app's tiles, local assets, labels."""
    prefix = url_for("vendor.asset", name="x", filename="x").rsplit("/x/x", 1)[0]
    settings = core_map_settings(
        translator(),
        tiles=current_app.config["TILES"],
        tiles_attribution=current_app.config["TILES_ATTRIBUTION"],
        asset_prefix=prefix,
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


def page_url(name: str, **values: Any) -> str:
    """URL of a page on the route of the visitor's language (Polish, or its English alias)."""
    values = {k: v for k, v in values.items() if v is not None and v != ""}
    return url_for(endpoint_for(name, current_lang()), **values)


def with_query(url: str, query: list[tuple[str, str]]) -> str:
    """``url?query`` (``url`` alone without a query)."""
    return f"{url}?{urlencode(query)}" if query else url


def lang_url(code: str) -> str:
    """This page in language ``code`` (on that language's route), every query setting kept."""
    query = [*query_items(), ("lang", code)]
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
    query = query_items()
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
    "programme.partnerships": "programme.partnerships",
    "programme.actions": "programme.actions",
    "surveys.index": "surveys.index",
}


def init_app(app: Flask) -> None:
    # A global, not a context variable: the form macros are imported without the context.
    app.add_template_global(lambda: scheme_choices(translator()), "scheme_choices")

    @app.context_processor
    def _helpers() -> dict[str, Any]:
        tr = translator()
        return {
            "page_url": page_url,
            "lang_url": lang_url,
            "nav": [(name, label()) for name, label in NAV],
            "nav_active": _ACTIVE.get(endpoint()),
            "num": tr.number,
        }
