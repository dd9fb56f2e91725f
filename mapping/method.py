"""How an analysis was made, written into every output: the ``meta`` of JSON and CSV files.

:func:`method_meta` builds one dictionary for an analysis (``supply``, ``needs``, ``access``,
``gaps``, ``rank``): the method, its settings and weights, the categories and units of the
access and supply terms, the demand model, the denominators and smoothing of the rates, the
sources of the indicators, the data version and palmap's version. It is the one place that says
this: ``palmap analyse``, ``palmap rank``, the pages' CSV downloads and the notebooks all call
it, and a new part of the method (a population surface, smoothing, domains) is a new key here.

Files
    JSON (:func:`json_with_meta`) is an object ``{"meta": {...}, "rows": [...]}``. CSV
    (:func:`csv_with_meta`) starts with one comment row per key, ``# key: value``, the value
    written as JSON, then the table with its header row; ``pandas.read_csv(path, comment="#")``
    reads the table and :func:`read_meta` the comment rows. A comma inside a text value is
    written ``\\u002c`` (the JSON escape), so that a spreadsheet that opens the file splits a
    comment row only between JSON items and no cell of it starts with ``=``, ``+`` or ``@``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from mapping import __version__
from mapping.access import DEFAULT_STEPS
from mapping.population import demand_model_description

if TYPE_CHECKING:
    from mapping.analysis import AccessCategories, AnalysisData

__all__ = [
    "METHODS",
    "comment_rows",
    "csv_with_meta",
    "json_with_meta",
    "layer_meta",
    "method_meta",
    "rank_meta",
    "read_meta",
]

#: What each analysis computes, in one sentence (the ``method`` of its ``meta``).
METHODS: dict[str, str] = {
    "indicator": (
        "an indicator's values as imported (value) or per 1,000 of its denominator (rate); "
        "counts of people below the minimum shown as < N and rates built from them hidden"
    ),
    "supply": (
        "resources per district and category: count, capacity (summed within a category only, "
        "in the category's unit), count per 1,000 residents and per km²"
    ),
    "needs": (
        "composite needs index by domains: each indicator's rate per 1,000 of its denominator, "
        "normalised (zscore: z-scores; imd: normal scores of the ranks), combined within its "
        "domain by its weight; each domain score z-scored (zscore) or ranked and exponentially "
        "transformed (imd, as the English Indices of Deprivation); domains weighted and summed"
    ),
    "access": (
        "access from where people live, measured along the walking network or straight (see "
        "distance): population-weighted nearest resource, share of residents within the "
        "radius, 2SFCA and E2SFCA (pysal access) per category in its own unit, "
        "1.0 = the city average"
    ),
    "gaps": (
        "needs rank against E2SFCA access rank; quadrants split each at its median "
        "(a district at the median counts as low)"
    ),
    "rank": (
        "target-area score: the needs index by domains plus poor access and few resources as "
        "one-sided terms (a value above the city median counts as the median); rank interval "
        "and top-N share from runs that multiply each weight by a factor from [0.5, 1.5], "
        "change the normalisation and leave each indicator out in turn (see index)"
    ),
    "correlations": (
        "Pearson and Spearman correlation of each pair of weighted indicators' rates; a "
        "warning above 0.8"
    ),
}


#: How the rates of an index are smoothed (:mod:`mapping.indicators.smoothing`), by the name
#: the needs index records (``NeedsIndex.smoothing``).
SMOOTHING = {
    "eb": "empirical Bayes (esda.smoothing.Empirical_Bayes): each district's rate shrunk towards "
    "the city's in proportion to how small its denominator is; the needs index's default",
    "none": "none: raw rates",
}


def _indicator_parts(data: AnalysisData, codes: Sequence[str]) -> dict[str, Any]:
    denominators: dict[str, str | None] = {}
    sources: dict[str, str | None] = {}
    for code in codes:
        indicator = data.registry[code]
        denominator = getattr(indicator, "denominator", None)
        source = getattr(indicator, "source", None)
        denominators[code] = (
            None if denominator is None or pd.isna(denominator) else str(denominator)
        )
        sources[code] = None if source is None or pd.isna(source) else str(source)
    return {"denominators": denominators, "sources": sources}


def _access_part(categories: AccessCategories) -> dict[str, Any]:
    from mapping.analysis import COMBINATION

    return {
        "category": categories.category,
        "combination": "one category" if categories.category else COMBINATION,
        "categories": [
            {
                "code": supply.code,
                "weight": categories.weights[supply.code],
                "measure": supply.measure,
                "unit": supply.unit,
                "resources": supply.resources,
                "imputed_capacities": supply.imputed,
                "imputed_as": supply.fill,
            }
            for supply in categories.supplies
        ],
        "left_out": dict(categories.left_out),
        "e2sfca_steps_m_weight": [list(step) for step in DEFAULT_STEPS],
    }


def method_meta(
    analysis: str,
    data: AnalysisData,
    *,
    settings: Mapping[str, Any] | None = None,
    weights: Mapping[str, float] | None = None,
    indicators: Sequence[str] = (),
    access: AccessCategories | None = None,
    supply: str | None = None,
    smoothing: str = "eb",
) -> dict[str, Any]:
    """The ``meta`` of one analysis's output (``smoothing``: the rates' smoothing, as the needs
    index names it).

    Parameters
    ----------
    analysis
        ``supply``, ``needs``, ``access``, ``gaps`` or ``rank`` (a key of :data:`METHODS`).
    data
        The data analysed (its ``version`` is the data version).
    settings
        The options as given (year, category, method, runs, ...); None values are left out.
    weights
        The weights of the needs indicators and the ranking's terms, as given.
    indicators
        The indicators used: their denominators and sources are listed.
    access
        The categories, units and weights of the access measure
        (:func:`mapping.analysis.access_categories`), when access is part of the analysis.
    supply
        How the ranking's supply term was built, when it is part of the analysis.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> meta = method_meta("supply", SimpleNamespace(version="live data, version 7"),
    ...                    settings={"year": 2021, "category": None})
    >>> meta["analysis"], meta["settings"], meta["data_version"]
    ('supply', {'year': 2021}, 'live data, version 7')
    """
    meta: dict[str, Any] = {
        "analysis": analysis,
        "method": METHODS[analysis],
        "settings": {k: v for k, v in (settings or {}).items() if v is not None},
    }
    if weights:
        meta["weights"] = {str(k): float(v) for k, v in weights.items()}
    if access is not None:
        meta["access"] = _access_part(access)
        meta["demand_model"] = demand_model_description(access.demand)
        meta["distance"] = dict(access.distance)
    if supply is not None:
        meta["supply"] = supply
    if indicators:
        meta.update(_indicator_parts(data, indicators))
        meta["smoothing"] = SMOOTHING.get(smoothing, smoothing)
    meta["data_version"] = data.version
    meta["palmap_version"] = __version__
    return meta


def _escape(value: Any) -> Any:
    """``value`` as JSON-ready data (numpy numbers as Python numbers, NaN as None)."""
    if isinstance(value, Mapping):
        return {str(k): _escape(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_escape(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value


def _comment_value(value: Any) -> str:
    text = json.dumps(_escape(value), ensure_ascii=False, separators=(", ", ": "))
    # Commas inside strings as the JSON escape: the only commas left separate JSON items.
    out, in_string, escaped = [], False, False
    for char in text:
        if in_string and char == ",":
            out.append("\\u002c")
            continue
        out.append(char)
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = in_string
        elif char == '"':
            in_string = not in_string
    return "".join(out)


def comment_rows(meta: Mapping[str, Any], *, line_end: str = "\n") -> str:
    """``meta`` as ``# key: value`` rows (values as JSON), to put above a CSV table."""
    return "".join(f"# {key}: {_comment_value(value)}{line_end}" for key, value in meta.items())


def layer_meta(
    data: AnalysisData,
    *,
    layer: str,
    kind: str,
    indicator: str | None,
    year: int,
    weights: Mapping[str, float] | None = None,
    method: str = "zscore",
    min_count: int | None = None,
) -> dict[str, Any]:
    """The ``meta`` of a map layer's table (the needs index or one indicator's values or rate)."""
    settings = {"layer": layer, "year": year, "min_count": min_count}
    if indicator is None:
        from mapping.analysis import needs_table

        used = needs_table(
            data, year=year, weights=weights, method="imd" if method == "imd" else "zscore"
        ).weights
        settings["method"] = method
        return method_meta("needs", data, settings=settings, weights=used, indicators=list(used))
    settings["kind"] = kind
    return method_meta("indicator", data, settings=settings, indicators=[indicator])


def csv_with_meta(frame: pd.DataFrame, meta: Mapping[str, Any], **to_csv: Any) -> str:
    """``# key: value`` rows (values as JSON), then ``frame`` as CSV (``to_csv`` options).

    Examples
    --------
    >>> import pandas as pd
    >>> text = csv_with_meta(pd.DataFrame({"a": [1]}), {"method": "x, y", "weights": {"b": 2}})
    >>> print(text, end="")
    # method: "x\\u002c y"
    # weights: {"b": 2}
    a
    1
    >>> read_meta(text)
    {'method': 'x, y', 'weights': {'b': 2}}
    """
    lines = comment_rows(meta, line_end=to_csv.get("lineterminator", "\n"))
    return lines + frame.to_csv(index=False, **to_csv)


def json_with_meta(frame: pd.DataFrame, meta: Mapping[str, Any]) -> str:
    """``{"meta": meta, "rows": [one object per row]}`` as indented JSON."""
    rows = json.loads(frame.to_json(orient="records", force_ascii=False))
    return json.dumps({"meta": _escape(meta), "rows": rows}, ensure_ascii=False, indent=2) + "\n"


def read_meta(text: str) -> dict[str, Any]:
    """The ``meta`` of a CSV written by :func:`csv_with_meta` (its leading ``# key:`` rows)."""
    meta: dict[str, Any] = {}
    for line in text.splitlines():
        if not line.startswith("# "):
            break
        key, _, value = line[2:].partition(": ")
        meta[key] = json.loads(value)
    return meta


def rank_meta(
    data: AnalysisData,
    *,
    year: int,
    weights: Mapping[str, float],
    method: str = "zscore",
    runs: int | None = None,
    seed: int = 0,
    category: str | None = None,
    category_weights: Mapping[str, float] | None = None,
    access_weight: float = 0.0,
    supply_weight: float = 0.0,
    top: int | None = None,
    domain_weights: Mapping[str, float] | None = None,
    method_version: int | None = None,
    distance: str | None = None,
) -> dict[str, Any]:
    """The ``meta`` of :func:`mapping.analysis.rank_table` called with the same options; its
    ``index`` key describes the domains and the sensitivity runs
    (:func:`mapping.ranking.index_description`)."""
    from mapping.analysis import access_categories, needs_table
    from mapping.ranking import DEFAULT_TOP, METHOD_VERSION, index_description

    access = None
    if access_weight > 0:
        access = access_categories(
            data,
            year=year,
            category=category,
            category_weights=category_weights,
            distance=distance,
        )
    supply = None
    if supply_weight > 0:
        supply = (
            f"resources of {category} per 1,000 residents"
            if category
            else "weighted mean over the categories of each category's resources per 1,000 "
            "residents divided by the city's (1.0 = the city's rate of that category)"
        )
    terms = {**weights, "access": access_weight, "supply": supply_weight}
    index = needs_table(
        data,
        year=year,
        weights=weights,
        method="imd" if method == "imd" else "zscore",
        domain_weights=domain_weights,
    )
    meta = method_meta(
        "rank",
        data,
        settings={
            "year": year,
            "method": method,
            "runs": runs,
            "seed": seed,
            "category": category,
            "category_weights": dict(category_weights) if category_weights else None,
        },
        weights={k: v for k, v in terms.items() if k in weights or v > 0},
        indicators=[*weights, "residents"],
        access=access,
        supply=supply,
    )
    meta["index"] = index_description(
        index,
        top=DEFAULT_TOP if top is None else top,
        runs=runs,
        method_version=METHOD_VERSION if method_version is None else method_version,
        access_weight=access_weight,
        supply_weight=supply_weight,
    )
    return meta
