"""Two editions on the comparison page: ``/porownanie/<layer>?edition=B&against=A``.

The comparison page compares two years of one data set (the live data or the edition of
``?edition=``). With ``?against=A`` (a published edition) it compares a year of edition ``A``
(``from``, default ``A``'s latest year of the layer) with a year of the page's data (``to``,
default its latest), on the page's districts (the later boundaries):

* a district whose boundary is the same in both keeps ``A``'s values;
* a district redrawn or new since ``A`` gets ``A``'s counts carried by areal weighting
  (:func:`mapping.edition_diff.carried_values`, pysal ``tobler``), and is an *estimate*: outlined
  on the maps with its legend entry, "estimate" in the tooltips, the table and the CSV column
  ``estimated``.

:func:`edition_pair` builds one :class:`~mapping.pages.data.PageData` holding ``A``'s (carried)
values of the year ``from`` and the page's values of the year ``to`` on the page's districts, so
the comparison's own code (:func:`mapping.pages.comparison.build_comparison`) draws it: the
pooled classes, the change map and its chance test (:mod:`mapping.indicators.change`; an
estimated count is tested as if counted, see there).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from mapping.analysis import AnalysisData
from mapping.edition_diff import carried_values
from mapping.errors import MappingError
from mapping.layers import find_layer, layer_years
from mapping.pages.data import PageData
from mapping.pages.errors import UnknownItemError
from mapping.pages.query import CompareQuery, parse_compare_query, parse_weights_query
from mapping.pages.text import Translator

__all__ = ["EditionPair", "comparison_inputs", "earlier_years", "edition_pair"]


@dataclass(frozen=True)
class EditionPair:
    """The data the comparison of two editions draws, and which districts are estimates."""

    #: The page's districts; year ``first`` from the earlier edition, ``last`` from the page's.
    data: PageData
    #: Codes of the districts whose earlier values are areal-weighting estimates.
    estimated: frozenset[str]


def earlier_years(
    earlier: AnalysisData,
    data: AnalysisData,
    args: Mapping[str, str],
    tr: Translator,
    *,
    layer: str,
    code: str,
) -> tuple[str, list[int]]:
    """``code`` and the years of ``layer`` in the earlier edition (``against`` of
    :func:`mapping.pages.query.parse_compare_query`); a 404 when it has none."""
    try:
        found = find_layer(data.registry, layer)
        weights = parse_weights_query(args, data, tr) if found.kind == "index" else None
        years = layer_years(earlier, found, weights=weights)
    except MappingError:
        years = []
    if not years:
        raise UnknownItemError(
            tr("Edition %(code)s has no data for this layer.", code=code),
            field="against",
            known=[],
            heading=tr("Years with data"),
        )
    return code, years


def edition_pair(data: PageData, earlier: AnalysisData, query: CompareQuery) -> EditionPair:
    """The earlier edition's year ``query.first`` (carried onto the page's districts where they
    changed) and the page's year ``query.last``, as one :class:`PageData`."""
    later = data.analysis
    carried, estimated = carried_values(earlier, later)
    before = carried[carried["year"] == query.first]
    after = later.values[later.values["year"] == query.last]
    values = pd.concat([before, after[before.columns]], ignore_index=True)
    combined = dataclasses.replace(later, values=values)
    pair = PageData.from_analysis(combined, min_count=data.min_count)
    pair = dataclasses.replace(pair, edition=data.edition, published=data.published)
    return EditionPair(data=pair, estimated=estimated)


def comparison_inputs(
    data: PageData,
    args: Mapping[str, str],
    tr: Translator,
    *,
    layer: str,
    against: tuple[str, AnalysisData] | None,
) -> tuple[PageData, CompareQuery, frozenset[str]]:
    """What the comparison (page, CSV, files, embed) draws: the data, the query and the
    estimated districts; ``against`` is the earlier edition's code and data, or None (two
    years of ``data``)."""
    if against is None:
        return data, parse_compare_query(args, data.analysis, tr, layer=layer), frozenset()
    code, earlier = against
    years = earlier_years(earlier, data.analysis, args, tr, layer=layer, code=code)
    query = parse_compare_query(args, data.analysis, tr, layer=layer, against=years)
    pair = edition_pair(data, earlier, query)
    return pair.data, query, pair.estimated
