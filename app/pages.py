"""What the pages share: links in the visitor's language, numbers, layer names, query settings,
maps, and 404 pages that list what exists."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from flask import Flask, current_app, jsonify, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest, NotFound
from werkzeug.routing import BuildError

from app.cache import analysis_data, memo, suppression
from app.i18n import current_lang
from mapping.analysis import AnalysisData, parse_weights
from mapping.errors import MappingError
from mapping.layers import NEEDS_INDEX, Layer, LayerValues, find_layer, layer_values, list_layers
from mapping.render.interactive import MapFragments, map_fragments

#: The pages in the header's navigation: (endpoint, label function).
NAV: tuple[tuple[str, Any], ...] = (
    ("maps.overview", lambda: _("Overview")),
    ("maps.indicator_map_default", lambda: _("Indicator map")),
    ("maps.compare_default", lambda: _("Comparison")),
    ("districts.index", lambda: _("Districts")),
    ("resources.index", lambda: _("Resources")),
    ("targets.index", lambda: _("Target areas")),
)

#: Units of the indicator registry that the interface translates.
UNIT_NAMES = {"osoby": lambda: _("persons"), "persons": lambda: _("persons")}

#: Class schemes offered on the map pages (user_defined needs bins, which no page asks for).
SCHEMES: tuple[str, ...] = ("quantiles", "equal_interval", "fisher_jenks")
#: Their names in the interface (the form on the pages, the subtitle of the exports).
SCHEME_NAMES = {
    "quantiles": lambda: _("quantiles (equal counts)"),
    "equal_interval": lambda: _("equal intervals"),
    "fisher_jenks": lambda: _("natural breaks (Fisher-Jenks)"),
}


def scheme_choices() -> list[tuple[str, str]]:
    """(code, name in the request's language) of every class scheme, in the order offered."""
    return [(code, SCHEME_NAMES[code]()) for code in SCHEMES]


METHODS: tuple[str, ...] = ("zscore", "imd")
CLASS_COUNTS: tuple[int, ...] = (3, 4, 5, 6, 7)
DEFAULT_SCHEME = "quantiles"
DEFAULT_K = 5


class ListingNotFound(NotFound):
    """A 404 that says what was asked for and links to what exists."""

    def __init__(self, message: str, known: Sequence[tuple[str, str]], what: str) -> None:
        super().__init__(message)
        self.known = list(known)
        self.what = what


class SettingError(BadRequest):
    """A 400 for a query setting out of range, listing the values that work."""

    def __init__(self, message: str, known: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.known = list(known)
        self.what = ""


def init_app(app: Flask) -> None:
    @app.errorhandler(ListingNotFound)
    @app.errorhandler(SettingError)
    def _listing(exc: ListingNotFound | SettingError):
        status = exc.code or 404
        best = request.accept_mimetypes.best_match(["application/json", "text/html"])
        if best == "application/json":
            known = [{"label": label, "url": url} for label, url in exc.known]
            return jsonify({"error": exc.description, "known": known, "status": status}), status
        title = _("Not found") if status == 404 else _("Setting out of range")
        return (
            render_template(
                "error.html",
                status=status,
                title=title,
                message=exc.description,
                known=exc.known,
                known_title=exc.what,
            ),
            status,
        )

    # A global, not a context variable: the form macros are imported without the context.
    app.add_template_global(scheme_choices)

    @app.context_processor
    def _helpers() -> dict[str, Any]:
        return {
            "page_url": page_url,
            "lang_url": lang_url,
            "nav": [(endpoint, label()) for endpoint, label in NAV],
            "nav_active": _active_nav(),
            "num": number,
        }


def _endpoint_for(endpoint: str, lang: str) -> str:
    if lang == "en" and f"{endpoint}_en" in current_app.view_functions:
        return f"{endpoint}_en"
    return endpoint


def page_url(endpoint: str, **values: Any) -> str:
    """URL of a page on the route of the visitor's language (Polish, or its English alias)."""
    values = {k: v for k, v in values.items() if v is not None and v != ""}
    return url_for(_endpoint_for(endpoint, current_lang()), **values)


def lang_url(code: str) -> str:
    """This page in language ``code`` (on that language's route), every query setting kept."""
    query = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    path = request.path
    if request.endpoint and request.view_args is not None:
        base = request.endpoint.removesuffix("_en")
        try:
            path = url_for(_endpoint_for(base, code), **request.view_args)
        except BuildError:
            pass
    return f"{path}?{urlencode([*query, ('lang', code)])}"


def _active_nav() -> str | None:
    endpoint = (request.endpoint or "").removesuffix("_en")
    families = {
        "maps.overview": "maps.overview",
        "maps.indicator_map": "maps.indicator_map_default",
        "maps.indicator_map_default": "maps.indicator_map_default",
        "maps.compare": "maps.compare_default",
        "maps.compare_default": "maps.compare_default",
        "districts.index": "districts.index",
        "districts.detail": "districts.index",
        "resources.index": "resources.index",
        "targets.index": "targets.index",
    }
    return families.get(endpoint)


def number(value: Any, decimals: int = 1) -> str:
    """A number in the visitor's language (``12,5`` in Polish, ``12.5`` in English); "" for NaN."""
    if value is None:
        return ""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return ""
    if not math.isfinite(number):
        return ""
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(number, format=pattern)


def shown(value: Any, *, small: bool, hidden: bool, decimals: int, min_count: int) -> str:
    """What a table cell shows: ``< 5`` for a small count, a dash for a hidden rate."""
    if small:
        return f"< {min_count}"
    if hidden:
        return "–"
    return number(value, decimals)


def not_found(message: str, known: Iterable[tuple[str, str]], what: str) -> ListingNotFound:
    """A 404 whose page lists ``known`` ``(label, url)`` links under the heading ``what``."""
    return ListingNotFound(message, list(known), what)


# --------------------------------------------------------------------------- layers


def indicator_name(data: AnalysisData, code: str) -> str:
    """The indicator's name in the visitor's language, with a capital first letter."""
    text = data.registry.label(code, lang=current_lang())
    return text[:1].upper() + text[1:]


def layer_label(data: AnalysisData, layer: Layer) -> str:
    """A layer's name in the visitor's language."""
    if layer.kind == "index":
        return _("Needs index")
    assert layer.indicator is not None
    name = indicator_name(data, layer.indicator.code)
    if layer.kind == "rate":
        return _("%(name)s per 1,000", name=name)
    return name


def layer_unit(data: AnalysisData, layer: Layer, *, method: str = "zscore") -> str:
    """The unit line of a layer's legend."""
    if layer.kind == "index":
        if method == "imd":
            return _("weighted sum of IMD scores, 0 to 100")
        return _("weighted mean of z-scores")
    assert layer.indicator is not None
    if layer.kind == "rate":
        denominator = layer.indicator.denominator or ""
        return _(
            "per 1,000 %(denominator)s",
            denominator=data.registry.label(denominator, lang=current_lang()),
        )
    unit = layer.indicator.unit
    translate = UNIT_NAMES.get(unit.strip().lower())
    return translate() if translate else unit


def layer_source(data: AnalysisData, layer: Layer, weights: Mapping[str, float] | None) -> str:
    """The source of a layer's data (the indicators' sources; for rates, the denominator's too)."""
    if layer.kind == "index":
        codes = list(weights) if weights else data.needs_codes()
    else:
        assert layer.indicator is not None
        codes = [layer.indicator.code]
        if layer.kind == "rate" and layer.indicator.denominator:
            codes.append(layer.indicator.denominator)
    parts = []
    for code in codes:
        source = data.registry[code].source or _("unknown")
        if source not in parts:
            parts.append(source)
    return "; ".join(parts)


def layer_options(data: AnalysisData) -> list[tuple[str, str]]:
    """(code, label) of every layer, for a select."""
    return [(layer.code, layer_label(data, layer)) for layer in list_layers(data.registry)]


def require_layer(data: AnalysisData, code: str, endpoint: str) -> Layer:
    """The layer ``code``, or a 404 listing every layer's page."""
    try:
        return find_layer(data.registry, code)
    except MappingError:
        links = [(label, page_url(endpoint, layer=layer)) for layer, label in layer_options(data)]
        raise not_found(_("There is no layer %(code)s.", code=code), links, _("Layers")) from None


def require_year(
    raw: str | None, years: Sequence[int], *, default: int, link: Any, name: str = "year"
) -> int:
    """The year asked in the query (or ``default``), or a 404 listing the years with data."""
    if raw is None or raw == "":
        return default
    try:
        year = int(raw)
    except ValueError:
        year = None
    if year not in years:
        links = [(str(y), link(y)) for y in years]
        raise not_found(
            _("There are no data for the year %(year)s.", year=raw), links, _("Years with data")
        )
    return year


def category_names(data: AnalysisData) -> dict[str, str]:
    """Resource category code -> its name in the request's language (Polish, then the code, when
    that name is missing)."""
    lang = current_lang()
    return {
        str(code): str(name or polish or code)
        for code, name, polish in zip(
            data.categories["code"],
            data.categories[f"name_{lang}"],
            data.categories["name_pl"],
            strict=True,
        )
    }


def choice(raw: str | None, allowed: Sequence[Any], *, default: Any, what: str) -> Any:
    """A query setting that must be one of ``allowed`` (compared as text)."""
    if raw is None or raw == "":
        return default
    for option in allowed:
        if str(option) == raw:
            return option
    raise SettingError(
        _(
            "%(what)s: expected one of %(allowed)s, got %(value)s.",
            what=what,
            allowed=", ".join(map(str, allowed)),
            value=raw,
        )
    )


def weights_from_query(data: AnalysisData) -> dict[str, float] | None:
    """Weights of the needs index from ``weights=code=w,...`` or the form's ``w_<code>`` fields.

    None when neither is given (equal weights on every needs indicator).
    """
    args = request.args
    if args.get("weights"):
        weights = parse_weights(args["weights"])
    else:
        weights = {}
        for code in data.registry.codes:
            raw = args.get(f"w_{code}")
            if raw is None or raw == "":
                continue
            try:
                weights[code] = float(raw.replace(",", "."))
            except ValueError:
                raise SettingError(
                    _("Weight of %(code)s: expected a number, got %(value)s.", code=code, value=raw)
                ) from None
    if not weights:
        return None
    for code, weight in weights.items():
        if code not in data.registry:
            raise SettingError(
                _("Unknown indicator %(code)s in the weights.", code=code),
                [(indicator_name(data, c), "") for c in data.needs_codes()],
            )
        if not math.isfinite(weight) or weight < 0:
            raise SettingError(_("Weight of %(code)s: expected a number of 0 or more.", code=code))
    if not any(w > 0 for w in weights.values()):
        raise SettingError(_("Give at least one indicator a weight above 0."))
    return weights


def weights_query(weights: Mapping[str, float] | None) -> str | None:
    """``code=w,code=w`` for a link, or None."""
    if not weights:
        return None
    return ",".join(f"{code}={weight:g}" for code, weight in weights.items())


def is_index(layer: Layer) -> bool:
    return layer.code == NEEDS_INDEX


# --------------------------------------------------------------------------- maps


def map_settings() -> dict[str, Any]:
    """Keyword arguments of every map: language, tiles, local assets, translated labels."""
    prefix = url_for("vendor.asset", name="x", filename="x").rsplit("/x/x", 1)[0]
    return {
        "lang": current_lang(),
        "tiles": current_app.config["TILES"],
        "tiles_attribution": current_app.config["TILES_ATTRIBUTION"],
        "asset_prefix": prefix,
        "labels": {
            "districts": _("Districts"),
            "legend": _("Resources"),
            "schematic_note": _("Schematic boundaries, not official"),
            "category": _("Category"),
            "address": _("Address"),
            "operator": _("Operator"),
            "website": _("Website"),
        },
    }


def render_map(folium_map: Any) -> MapFragments:
    """Header, body and script of a map for a page template."""
    return map_fragments(folium_map)


def data() -> AnalysisData:
    """The current data (shortcut for the views)."""
    return analysis_data()


def values_of(
    layer: Layer,
    year: int,
    *,
    weights: Mapping[str, float] | None = None,
    method: str = "zscore",
) -> LayerValues:
    """:func:`mapping.layers.layer_values`, computed once per data version and settings."""
    key = (
        "layer",
        layer.code,
        int(year),
        tuple(sorted((weights or {}).items())),
        method,
        int(current_app.config["MIN_COUNT"]),
    )
    return memo(
        key,
        lambda: layer_values(
            data(), layer, year=year, suppression=suppression(), weights=weights, method=method
        ),
    )
