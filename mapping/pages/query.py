"""The query of every page, embed and export: typed, frozen, parsed once from its arguments.

``args`` is any mapping of strings (a request's ``args``, a dict from the CLI or a notebook).
Every parser checks each value against the data: a setting out of range raises
:class:`~mapping.pages.errors.QueryError` (400) naming the values that work, and a layer, year,
district or category that does not exist raises :class:`~mapping.pages.errors.UnknownItemError`
(404) listing the ones that do. Every number is finite and within its range.

Examples
--------
>>> from mapping.pages.text import Translator
>>> tr = Translator.plain()
>>> finite_number("2,5", what="zoom", low=1, high=18, tr=tr)
2.5
>>> finite_number("1e400", what="zoom", low=1, high=18, tr=tr)
Traceback (most recent call last):
...
mapping.pages.errors.QueryError: zoom: expected a number from 1 to 18, got 1e400.
>>> choice("9", (3, 4, 5), default=5, what="k", tr=tr)
Traceback (most recent call last):
...
mapping.pages.errors.QueryError: k: expected one of 3, 4, 5, got 9.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from mapping.analysis import AnalysisData, Method, parse_weights
from mapping.classify import Scheme
from mapping.errors import MappingError, ValidationError
from mapping.layers import NEEDS_INDEX, Layer, find_layer, layer_years
from mapping.listing import filter_resources
from mapping.network_distance import DISTANCES
from mapping.pages.errors import QueryError, UnknownItemError
from mapping.pages.labels import (
    SCHEMES,
    category_names,
    district_names,
    indicator_name,
    layer_options,
)
from mapping.pages.text import Translator
from mapping.render.choropleth import DEFAULT_PALETTE, PALETTES
from mapping.sensitivity import METHOD_VERSION, METHOD_VERSIONS

#: The query arguments of a page: any mapping of strings (Werkzeug's MultiDict is one).
Args = Mapping[str, str]

METHODS: tuple[Method, ...] = ("zscore", "imd")
CLASS_COUNTS: tuple[int, ...] = (3, 4, 5, 6, 7)
DEFAULT_SCHEME = "quantiles"
DEFAULT_K = 5
#: The largest weight of an indicator (or of the access and supply terms of a ranking).
MAX_WEIGHT = 100.0
TOP_CHOICES: tuple[int, ...] = (3, 4, 5, 6, 7, 8, 9)
DEFAULT_TOP = 5
#: Longest text query of the resource list (longer ones are cut): matched, never stored.
MAX_TEXT = 200
TILES: tuple[str, ...] = ("osm", "none")
#: Arguments that are not settings of a page (the language, the layer select of a form, the
#: page of a table: links to other views, files and embeds leave it).
NOT_SETTINGS: tuple[str, ...] = ("lang", "layer", "page")

T = TypeVar("T")


# --------------------------------------------------------------------------- values


def raw_arg(args: Args, name: str) -> str | None:
    value = args.get(name)
    return None if value is None or value == "" else str(value)


def choice(raw: str | None, allowed: Sequence[T], *, default: T, what: str, tr: Translator) -> T:
    """A setting that must be one of ``allowed`` (compared as text); ``default`` when absent."""
    if raw is None or raw == "":
        return default
    for option in allowed:
        if str(option) == raw:
            return option
    raise QueryError(
        tr(
            "%(what)s: expected one of %(allowed)s, got %(value)s.",
            what=what,
            allowed=", ".join(map(str, allowed)),
            value=raw,
        ),
        field=what,
        allowed=allowed,
    )


def finite_number(raw: str, *, what: str, low: float, high: float, tr: Translator) -> float:
    """A number (decimal comma allowed) that is finite and from ``low`` to ``high``."""
    try:
        value = float(raw.strip().replace(",", "."))
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not low <= value <= high:
        raise QueryError(
            tr(
                "%(what)s: expected a number from %(min)s to %(max)s, got %(value)s.",
                what=what,
                min=f"{low:g}",
                max=f"{high:g}",
                value=raw,
            ),
            field=what,
            low=low,
            high=high,
        )
    return value


def _year(
    raw: str | None, years: Sequence[int], *, default: int, field: str, tr: Translator
) -> int:
    """The year asked (or ``default``), or a 404 listing the years with data."""
    if raw is None:
        return default
    try:
        year: int | None = int(raw)
    except ValueError:
        year = None
    if year is None or year not in years:
        raise UnknownItemError(
            tr("There are no data for the year %(year)s.", year=raw),
            field=field,
            known=[(str(y), str(y)) for y in years],
            heading=tr("Years with data"),
        )
    return year


def _settings_args(args: Args) -> tuple[tuple[str, str], ...]:
    return tuple((str(k), str(v)) for k, v in args.items() if k not in NOT_SETTINGS)


# --------------------------------------------------------------------------- layers and weights


def default_layer(data: AnalysisData, tr: Translator) -> str:
    """The layer a map opens on: the needs index, else the first layer."""
    codes = [code for code, _label in layer_options(data, tr)]
    if not codes:
        raise UnknownItemError(
            tr("No indicators are loaded yet."), field="layer", heading=tr("Layers")
        )
    return NEEDS_INDEX if NEEDS_INDEX in codes else codes[0]


def _layer(data: AnalysisData, code: str, tr: Translator) -> Layer:
    try:
        return find_layer(data.registry, code)
    except MappingError:
        raise UnknownItemError(
            tr("There is no layer %(code)s.", code=code),
            field="layer",
            known=[(label, layer) for layer, label in layer_options(data, tr)],
            heading=tr("Layers"),
        ) from None


def _weight_fields(args: Args, data: AnalysisData) -> dict[str, str]:
    text = raw_arg(args, "weights")
    if text is not None:
        return {"weights": text}
    return {
        code: raw for code in data.registry.codes if (raw := raw_arg(args, f"w_{code}")) is not None
    }


def parse_weights_query(args: Args, data: AnalysisData, tr: Translator) -> dict[str, float] | None:
    """Weights of the needs index from ``weights=code=w,...`` or the form's ``w_<code>`` fields,
    each from 0 to :data:`MAX_WEIGHT`; None when neither is given (equal weights)."""
    fields = _weight_fields(args, data)
    weights: dict[str, float] = {}
    if "weights" in fields:
        try:
            parsed = parse_weights(fields["weights"])
        except ValidationError as exc:
            raise QueryError(str(exc), field="weights") from None
        for code, weight in parsed.items():
            name = indicator_name(data, code, tr) if code in data.registry else code
            weights[code] = finite_number(f"{weight!r}", what=name, low=0, high=MAX_WEIGHT, tr=tr)
    else:
        for code, raw in fields.items():
            name = indicator_name(data, code, tr)
            weights[code] = finite_number(raw, what=name, low=0, high=MAX_WEIGHT, tr=tr)
    if not weights:
        return None
    unknown = [code for code in weights if code not in data.registry]
    if unknown:
        raise QueryError(
            tr("Unknown indicator %(code)s in the weights.", code=unknown[0]),
            field="weights",
            allowed=data.needs_codes(),
        )
    if not any(w > 0 for w in weights.values()):
        raise QueryError(tr("Give at least one indicator a weight above 0."), field="weights")
    return weights


# --------------------------------------------------------------------------- map pages


def link_values(args: tuple[tuple[str, str], ...], changes: Mapping[str, Any]) -> dict[str, Any]:
    """A query's settings as given (``args``) as URL query values, with ``changes`` applied."""
    return {**dict(args), **changes}


@dataclass(frozen=True)
class MapQuery:
    """The indicator map (its page, table, embed and files): one layer, one year, its classes."""

    layer: Layer
    year: int
    years: tuple[int, ...]
    scheme: Scheme
    k: int
    palette: str
    method: Method
    weights: Mapping[str, float] | None
    #: The query's settings as given (without ``lang`` and ``layer``), for links.
    args: tuple[tuple[str, str], ...] = ()

    def link(self, **changes: Any) -> dict[str, Any]:
        """The settings as URL query values, with ``changes`` applied."""
        return link_values(self.args, changes)


@dataclass(frozen=True)
class CompareQuery:
    """The comparison of two years of a layer (page, embed, files)."""

    layer: Layer
    first: int
    last: int
    years: tuple[int, ...]
    scheme: Scheme
    k: int
    palette: str
    method: Method
    weights: Mapping[str, float] | None
    args: tuple[tuple[str, str], ...] = ()
    against: str | None = None  # ?against=: an earlier edition (``first`` of its ``first_years``)
    first_years: tuple[int, ...] = ()

    def link(self, **changes: Any) -> dict[str, Any]:
        """The settings as URL query values, with ``changes`` applied."""
        return link_values(self.args, changes)


def _classes(args: Args, data: AnalysisData, layer: Layer, tr: Translator) -> dict[str, Any]:
    weights = parse_weights_query(args, data, tr) if layer.kind == "index" else None
    settings: dict[str, Any] = {
        "weights": weights,
        "method": choice(
            raw_arg(args, "method"), METHODS, default="zscore", what=tr("Method"), tr=tr
        ),
        "scheme": choice(
            raw_arg(args, "scheme"), SCHEMES, default=DEFAULT_SCHEME, what=tr("Classes"), tr=tr
        ),
        "k": choice(
            raw_arg(args, "k"), CLASS_COUNTS, default=DEFAULT_K, what=tr("Number of classes"), tr=tr
        ),
        "palette": choice(
            raw_arg(args, "palette"),
            tuple(PALETTES),
            default=DEFAULT_PALETTE,
            what=tr("Colours"),
            tr=tr,
        ),
    }
    years = tuple(layer_years(data, layer, weights=weights))
    if not years:
        raise UnknownItemError(
            tr("There are no data for this layer yet."),
            field="layer",
            known=[(label, code) for code, label in layer_options(data, tr)],
            heading=tr("Layers"),
        )
    settings["years"] = years
    return settings


def parse_map_query(args: Args, data: AnalysisData, tr: Translator, *, layer: str) -> MapQuery:
    """The indicator map's query: ``year``, ``scheme``, ``k``, ``palette``, ``method``, weights."""
    found = _layer(data, layer, tr)
    settings = _classes(args, data, found, tr)
    years = settings["years"]
    year = _year(raw_arg(args, "year"), years, default=years[-1], field="year", tr=tr)
    return MapQuery(layer=found, year=year, args=_settings_args(args), **settings)


def parse_compare_query(
    args: Args, data: AnalysisData, tr: Translator, *, layer: str, against: Any = None
) -> CompareQuery:
    """``from``, ``to`` (two years), classes; ``against``: ``edition_compare.earlier_years``."""
    found = _layer(data, layer, tr)
    settings = _classes(args, data, found, tr)
    years = settings["years"]
    code, first_years = against or (None, years)
    if len(years) < 2 and code is None:
        raise UnknownItemError(
            tr("This layer has data for one year only: nothing to compare."),
            field="year",
            known=[(str(y), str(y)) for y in years],
            heading=tr("Years with data"),
            page="maps.indicator_map",
        )
    last = _year(raw_arg(args, "to"), years, default=years[-1], field="to", tr=tr)
    before = [y for y in first_years if y < last] or list(first_years)  # of another edition
    default = first_years[0] if code is None else before[-1]
    first = _year(raw_arg(args, "from"), first_years, default=default, field="from", tr=tr)
    if first == last:
        raise QueryError(tr("Choose two different years to compare."), field="to")
    settings.update(against=code, first_years=tuple(first_years), args=_settings_args(args))
    return CompareQuery(layer=found, first=first, last=last, **settings)


# --------------------------------------------------------------------------- target areas


@dataclass(frozen=True)
class TargetQuery:
    """The ranking of target areas (page, sheet, map files, embed)."""

    year: int
    years: tuple[int, ...]
    weights: Mapping[str, float]
    method: Method
    access_weight: float
    supply_weight: float
    category: str | None
    top: int
    method_version: int = METHOD_VERSION  # mv=1: a ranking saved before version 2, as it was
    #: How access is measured (``network``, ``detour``, ``straight``); None: the default.
    distance: str | None = None
    #: Domain weights given (``d_<domain>``); a domain not named weighs the mean weight of its
    #: indicators (:func:`mapping.indicators.domains.domain_weights`).
    domain_weights: Mapping[str, float] | None = None


def parse_distance(args: Args, data: AnalysisData, tr: Translator) -> str | None:
    """``distance`` (:data:`mapping.network_distance.DISTANCES`), None when absent (the default:
    the walking network when one is loaded, else straight x the detour factor). ``network``
    without a loaded network (or on an edition, which freezes none) is a 400 that says so and
    names the distances that work."""
    what = tr("Distance")
    value = choice(raw_arg(args, "distance"), DISTANCES, default=None, what=what, tr=tr)
    if value == "network" and (data.network is None or not data.network.edges):
        allowed = tuple(d for d in DISTANCES if d != "network")
        raise QueryError(
            tr(
                "%(what)s: there is no walking network to measure along (import one with "
                "palmap import network); choose one of %(allowed)s.",
                what=what,
                allowed=", ".join(allowed),
            ),
            field=what,
            allowed=allowed,
        )
    return value


def target_domains(data: AnalysisData, tr: Translator) -> dict[str, str]:
    """Each domain of the needs indicators (their ``domain``, or the indicator's own code) ->
    its name in the reader's language."""
    from mapping.indicators.domains import DEFAULT_DOMAINS, domains_of

    needs = data.needs_codes()
    declared = {code: data.registry[code].domain for code in needs}
    names: dict[str, str] = {}
    for code, domain in domains_of(needs, declared).items():
        if domain in DEFAULT_DOMAINS:
            names[domain] = DEFAULT_DOMAINS[domain][0 if tr.lang == "pl" else 1]
        else:
            names.setdefault(domain, indicator_name(data, code, tr) if domain == code else domain)
    return names


def _domain_weights(
    args: Args, data: AnalysisData, tr: Translator, weights: Mapping[str, float]
) -> dict[str, float] | None:
    """The ``d_<domain>`` weights given (each from 0 to :data:`MAX_WEIGHT`), None for none;
    a 400 when no domain with a weighted indicator keeps a weight above 0."""
    from mapping.indicators.domains import domain_weights, domains_of

    names = target_domains(data, tr)
    given = {
        domain: finite_number(
            raw, what=tr("Weight of the domain %(name)s", name=name), low=0, high=MAX_WEIGHT, tr=tr
        )
        for domain, name in names.items()
        if (raw := raw_arg(args, f"d_{domain}")) is not None
    }
    if not given:
        return None
    weighted = {code: w for code, w in weights.items() if code in data.registry and w > 0}
    domains = domains_of(list(weighted), {c: data.registry[c].domain for c in weighted})
    used = {d: w for d, w in given.items() if d in set(domains.values())}
    if weighted and not any(domain_weights(weighted, domains, used).values()):
        raise QueryError(
            tr("Give at least one domain with a weighted indicator a weight above 0."),
            field="d_" + next(iter(given)),
        )
    return given


def _category(args: Args, data: AnalysisData, tr: Translator) -> str | None:
    category = raw_arg(args, "category")
    if category is not None and category not in set(data.categories["code"]):
        raise UnknownItemError(
            tr("There is no resource category %(code)s.", code=category),
            field="category",
            known=[(name, code) for code, name in category_names(data, tr).items()],
            heading=tr("Categories"),
        )
    return category


def parse_target_query(args: Args, data: AnalysisData, tr: Translator) -> TargetQuery:
    """The ranking's query: weights, ``method``, ``access_weight``, ``supply_weight``,
    ``category``, ``top``, ``year``, ``mv`` (the method version) and ``d_<domain>`` (domain
    weights)."""
    needs = data.needs_codes()
    if not needs:
        raise UnknownItemError(
            tr("No needs indicators are loaded yet."), field="layer", heading=tr("Layers")
        )
    weights = parse_weights_query(args, data, tr) or dict.fromkeys(needs, 1.0)
    method = choice(raw_arg(args, "method"), METHODS, default="zscore", what=tr("Method"), tr=tr)
    years = tuple(layer_years(data, Layer(NEEDS_INDEX, "index", None), weights=weights))
    if not years:
        raise UnknownItemError(
            tr("There are no data for these indicators."), field="year", heading=tr("Years")
        )
    terms: dict[str, float] = {}
    for name, label in (
        ("access_weight", tr("Weight of poor access")),
        ("supply_weight", tr("Weight of few resources")),
    ):
        raw = raw_arg(args, name)
        terms[name] = (
            0.0 if raw is None else finite_number(raw, what=label, low=0, high=MAX_WEIGHT, tr=tr)
        )
    return TargetQuery(
        year=_year(raw_arg(args, "year"), years, default=years[-1], field="year", tr=tr),
        years=years,
        weights=weights,
        method=method,
        category=_category(args, data, tr),
        top=choice(
            raw_arg(args, "top"), TOP_CHOICES, default=DEFAULT_TOP, what=tr("Top districts"), tr=tr
        ),
        method_version=choice(
            raw_arg(args, "mv"), METHOD_VERSIONS, default=METHOD_VERSION, what=tr("Version"), tr=tr
        ),
        distance=parse_distance(args, data, tr),
        domain_weights=_domain_weights(args, data, tr, weights),
        **terms,
    )


# --------------------------------------------------------------------------- districts


@dataclass(frozen=True)
class DistrictQuery:
    """One district's page: its code and the year of its figures."""

    code: str
    year: int
    years: tuple[int, ...]
    #: How access is measured (``network``, ``detour``, ``straight``); None: the default.
    distance: str | None = None


def parse_district_query(
    args: Args, data: AnalysisData, tr: Translator, *, code: str
) -> DistrictQuery:
    """The district ``code`` (404 listing the districts), ``year`` (404 listing the years) and
    ``distance`` of its access figures (:func:`parse_distance`)."""
    names = district_names(data)
    if code not in names:
        raise UnknownItemError(
            tr("There is no district %(code)s.", code=code),
            field="code",
            known=[(name, known) for known, name in names.items()],
            heading=tr("Districts"),
        )
    years = tuple(data.years)
    if not years:
        raise UnknownItemError(
            tr("No indicator values are loaded yet."), field="year", heading=tr("Years with data")
        )
    year = _year(raw_arg(args, "year"), years, default=years[-1], field="year", tr=tr)
    distance = parse_distance(args, data, tr)
    return DistrictQuery(code=code, year=year, years=years, distance=distance)


# --------------------------------------------------------------------------- resources


@dataclass(frozen=True)
class ResourceQuery:
    """The resource filters (list, map, downloads, embed) and the page of the list."""

    category: str | None
    district: str | None
    q: str | None
    page: int = 1

    @property
    def filters(self) -> dict[str, str | None]:
        """The filters as :func:`mapping.listing.filter_resources` takes them."""
        return {"category": self.category, "district": self.district, "q": self.q}

    def select(self, data: AnalysisData) -> Any:
        """The matching resources (a GeoDataFrame ordered by name then id)."""
        return filter_resources(data.resources, data.districts, **self.filters)


#: Rows of the resource list on one page (``?page=2`` for the next ones). The map shows every
#: matching resource and the downloads hold them all; a table of 10,000 rows takes Chromium 3 s.
PAGE_SIZE = 500


def total_pages(count: int) -> int:
    """Pages of the list for ``count`` matching resources (at least 1)."""
    return max(1, -(-count // PAGE_SIZE))


def page_error(raw: object, pages_total: int, tr: Translator) -> QueryError:
    """The 400 of a list page that does not exist."""
    return QueryError(
        tr(
            "%(what)s: expected a whole number from 1 to %(max)d, got %(value)s.",
            what=tr("Page of the list"),
            max=pages_total,
            value=raw,
        ),
        field="page",
    )


def parse_resource_query(args: Args, data: AnalysisData, tr: Translator) -> ResourceQuery:
    """``category`` and ``district`` (404 listing the known ones), ``q`` and ``page``."""
    category = _category(args, data, tr)
    district = raw_arg(args, "district")
    names = district_names(data)
    if district is not None and district not in names:
        raise UnknownItemError(
            tr("There is no district %(code)s.", code=district),
            field="district",
            known=[(name, code) for code, name in names.items()],
            heading=tr("Districts"),
        )
    q = (args.get("q") or "").strip()[:MAX_TEXT] or None
    query = ResourceQuery(category=category, district=district, q=q)
    raw = raw_arg(args, "page")
    if raw is None:
        return query
    if not raw.isdigit() or int(raw) < 1:
        raise page_error(raw, total_pages(len(query.select(data))), tr)
    return ResourceQuery(category=category, district=district, q=q, page=int(raw))


# --------------------------------------------------------------------------- embeds and files
