"""The query arguments each page reads, and a query reduced to them: the page cache's key.

A page's cache key and what the page may read are the same canonical query
(:func:`canonical_args`): only the arguments its parsers in :mod:`mapping.pages.query` read, the
first value of each (as ``Mapping.get`` on Werkzeug's MultiDict gives), empty values left out (the
parsers read an empty value as an absent one), in a fixed order. An unknown argument such as
``?bust=1``, a repeated one or another order makes neither a new cache entry nor a new render,
and cannot appear on the page (docs/SECURITY.md). Unknown arguments are ignored, not refused:
old links with extra arguments keep working.

Examples
--------
>>> canonical_args({"bust": "9", "k": "4", "year": "2013", "scheme": ""}, MAP_ARGS, ())
[('year', '2013'), ('k', '4')]
>>> canonical_args({"w_residents": "2", "w_bust": "1"}, TARGET_ARGS, ("residents",))
[('w_residents', '2')]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from mapping.pages.embed_query import EMBED_OPTIONS

#: Every public page reads it: ``?edition=CODE`` shows a published edition's frozen data.
EDITION_ARG: Final = "edition"

#: Stands for the weight fields ``w_<code>`` of the indicators that exist (the form's weights).
WEIGHT_FIELDS: Final = "w_<indicator>"
#: Stands for the domain weight fields ``d_<domain>`` of the domains that exist (an indicator
#: without a domain is a domain of its own: its code).
DOMAIN_FIELDS: Final = "d_<domain>"

#: The classes of a choropleth (map, comparison, their embeds and files) and the needs index's
#: weights (:func:`mapping.pages.query.parse_weights_query`).
CLASS_ARGS: tuple[str, ...] = ("scheme", "k", "palette", "method", "weights", WEIGHT_FIELDS)
#: :func:`mapping.pages.query.parse_map_query`.
MAP_ARGS: tuple[str, ...] = ("year", *CLASS_ARGS)
#: :func:`mapping.pages.query.parse_compare_query`; ``against``: an earlier edition compared
#: (:mod:`mapping.pages.edition_compare`).
COMPARE_ARGS: tuple[str, ...] = ("from", "to", "against", *CLASS_ARGS)
#: The layer select of the map and comparison forms (a redirect to the layer's own URL).
LAYER_SELECT: tuple[str, ...] = ("layer",)
#: The page of the table under the indicator map (:func:`mapping.pages.indicator_map.table_page`).
TABLE_PAGE: tuple[str, ...] = ("page",)
#: :func:`mapping.pages.query.parse_target_query`.
TARGET_ARGS: tuple[str, ...] = (
    "year",
    "method",
    "weights",
    WEIGHT_FIELDS,
    "access_weight",
    "supply_weight",
    "category",
    "top",
    "mv",
    "distance",
    DOMAIN_FIELDS,
)
#: :func:`mapping.pages.query.parse_district_query`.
DISTRICT_ARGS: tuple[str, ...] = ("year", "distance")
#: :func:`mapping.pages.query.parse_resource_query`.
RESOURCE_ARGS: tuple[str, ...] = ("category", "district", "q", "page")
#: :func:`mapping.pages.programme.parse_actions_query`.
ACTIONS_ARGS: tuple[str, ...] = ("type", "district", "year", "partnership")
#: :func:`mapping.pages.embed_query.parse_export_query`.
EXPORT_ARGS: tuple[str, ...] = ("width", "height", "dpi", "tiles")
#: :func:`mapping.pages.embed_query.parse_embed_options`.
EMBED_ARGS: tuple[str, ...] = EMBED_OPTIONS


def domain_codes(registry: Iterable[Any]) -> list[str]:
    """The domains of an indicator registry's indicators (their ``domain``, else their code)."""
    return list(dict.fromkeys(item.domain or item.code for item in registry))


def canonical_args(
    args: Mapping[str, str],
    names: Iterable[str],
    indicators: Iterable[str],
    domains: Iterable[str] = (),
) -> list[tuple[str, str]]:
    """``args`` reduced to ``names`` (:data:`WEIGHT_FIELDS` stands for ``w_<code>`` of each of
    ``indicators``, :data:`DOMAIN_FIELDS` for ``d_<domain>`` of each of ``domains``): the first
    value of each, empty ones left out, in the order of ``names``."""
    wanted: dict[str, None] = {}
    for name in names:
        if name == WEIGHT_FIELDS:
            wanted.update((f"w_{code}", None) for code in indicators)
        elif name == DOMAIN_FIELDS:
            wanted.update((f"d_{domain}", None) for domain in domains)
        else:
            wanted[name] = None
    found = []
    for name in wanted:
        value = args.get(name)
        if value is not None and value != "":
            found.append((name, str(value)))
    return found
