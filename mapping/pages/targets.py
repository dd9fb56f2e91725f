"""Target areas (``/obszary``): the ranking with its rank interval and stability, and the map of
the top districts; shared by the page, its sheet (HTML and PDF), its map files and its embed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from mapping.analysis import AnalysisData, correlations_table, rank_table
from mapping.indicators.domains import CORRELATION_WARNING, domain_weights, domains_of
from mapping.pages.data import PageData
from mapping.pages.indicator_map import Tooltips
from mapping.pages.labels import category_names, indicator_name, source_text
from mapping.pages.query import TargetQuery, target_domains
from mapping.pages.text import Translator
from mapping.render.choropleth import NO_DATA_COLOUR, MapLegend, palette
from mapping.sensitivity import DEFAULT_RUNS, METHOD_VERSION, ROBUST_SHARE
from mapping.supply import category_supply

#: Sensitivity runs of the ranking (current method version) and their seed: fixed, so that the
#: same link always gives the same ranking. A version-1 ranking has its own 1,000 runs.
RUNS = DEFAULT_RUNS[METHOD_VERSION]
SEED = 0


@dataclass(frozen=True)
class TargetRanking:
    """A ranking for a query: its rows, the map's fills and tooltips, the legend, weight shares."""

    query: TargetQuery
    ranking: pd.DataFrame
    rows: list[dict[str, Any]]
    fills: dict[str, str | None]
    tips: Tooltips
    legend: MapLegend
    shares: list[tuple[str, str]]
    #: Every setting as query values: the link that reproduces the ranking.
    args: dict[str, Any]
    #: Each weighted indicator's (name, source).
    sources: list[tuple[str, str]]
    #: Pairs of weighted indicators: first, second (names), pearson, spearman (text), warning,
    #: same_domain.
    correlations: list[dict[str, Any]]
    #: The runs of the sensitivity analysis.
    runs: int
    #: How the rank interval and stability were found (translated, one sentence or two).
    sensitivity: str
    #: The correlation above which two indicators are flagged, as text.
    correlation_limit: str

    @property
    def settings(self) -> TargetQuery:
        """The query (templates call it the settings)."""
        return self.query

    @property
    def top_codes(self) -> list[str]:
        """The districts in the top."""
        return [r["code"] for r in self.rows if r["top"]]


def target_args(data: AnalysisData, query: TargetQuery) -> dict[str, Any]:
    """Every setting of a ranking as query values: the link that reproduces it."""
    values: dict[str, Any] = {"year": query.year, "method": query.method}
    for code in data.needs_codes():
        values[f"w_{code}"] = f"{query.weights.get(code, 0):g}"
    for code, weight in query.weights.items():
        if code not in data.needs_codes():
            values[f"w_{code}"] = f"{weight:g}"
    values["access_weight"] = f"{query.access_weight:g}"
    values["supply_weight"] = f"{query.supply_weight:g}"
    values["category"] = query.category or ""
    values["top"] = query.top
    values["mv"] = query.method_version
    if query.distance:
        values["distance"] = query.distance
    for domain, weight in (query.domain_weights or {}).items():
        values[f"d_{domain}"] = f"{weight:g}"
    return values


def used_domain_weights(data: AnalysisData, query: TargetQuery) -> dict[str, float] | None:
    """The query's domain weights of the domains that have a weighted indicator (a weight on
    a domain whose indicators all weigh 0 changes nothing), or None."""
    if not query.domain_weights:
        return None
    weighted = [c for c, w in query.weights.items() if w > 0 and c in data.registry]
    present = set(domains_of(weighted, {c: data.registry[c].domain for c in weighted}).values())
    return {d: w for d, w in query.domain_weights.items() if d in present} or None


def _effective_weights(data: AnalysisData, query: TargetQuery) -> dict[str, float]:
    """Each weighted indicator's weight in the index: with domain weights given, its domain's
    weight shared among the domain's indicators by their weights."""
    weighted = {c: float(w) for c, w in query.weights.items() if w > 0}
    explicit = used_domain_weights(data, query)
    if not explicit:
        return weighted
    domains = domains_of(list(weighted), {c: data.registry[c].domain for c in weighted})
    between = domain_weights(weighted, domains, explicit)
    inside = {d: sum(w for c, w in weighted.items() if domains[c] == d) for d in between}
    scale = sum(weighted.values()) / (sum(between.values()) or 1.0)
    return {c: scale * between[domains[c]] * w / inside[domains[c]] for c, w in weighted.items()}


def _shares(data: PageData, query: TargetQuery, tr: Translator) -> list[tuple[str, str]]:
    effective = _effective_weights(data.analysis, query)
    total = sum(effective.values()) + query.access_weight + query.supply_weight
    shares = [
        (indicator_name(data.analysis, code, tr), tr.number(100 * w / total, 0))
        for code, w in effective.items()
        if w > 0
    ]
    for weight, label in (
        (query.access_weight, tr("poor access")),
        (query.supply_weight, tr("few resources")),
    ):
        if weight > 0:
            shares.append((label, tr.number(100 * weight / total, 0)))
    return shares


def sensitivity_text(query: TargetQuery, runs: int, tr: Translator) -> str:
    """How the rank interval and the stability of ``query``'s ranking were found."""
    if query.method_version == 1:
        return tr(
            "The rank interval holds 90%% of the ranks over %(runs)d random changes of every "
            "weight by a factor of 0.5 to 1.5; a district is robust when its interval spans at "
            "most 2 places.",
            runs=runs,
        )
    return tr(
        "The rank interval holds 90%% of the ranks over %(runs)d runs that change every weight "
        "by a factor of 0.5 to 1.5, the normalisation (z-scores, min-max, IMD scores) and leave "
        "each indicator out in turn. A district is robust when it is in the top %(top)d in at "
        "least %(share)d%% of the runs, or in at most %(rest)d%%; the shares vary by about 1 "
        "percentage point between seeds.",
        runs=runs,
        top=query.top,
        share=round(100 * ROBUST_SHARE),
        rest=round(100 * (1 - ROBUST_SHARE)),
    )


def correlations(data: PageData, query: TargetQuery, tr: Translator) -> list[dict[str, Any]]:
    """Correlations (Pearson, Spearman) of the weighted indicators, strongest first; ``warning``
    where two correlate above :data:`~mapping.indicators.domains.CORRELATION_WARNING`."""
    weighted = {c: w for c, w in query.weights.items() if w > 0}
    if len(weighted) < 2:
        return []
    table, _index = correlations_table(
        data.analysis, year=query.year, weights=weighted, method=query.method
    )
    return [
        {
            "first": indicator_name(data.analysis, row.first, tr),
            "second": indicator_name(data.analysis, row.second, tr),
            "pearson": tr.number(row.pearson, 2),
            "spearman": tr.number(row.spearman, 2),
            "warning": bool(row.warning),
            "same_domain": bool(row.same_domain),
        }
        for row in table.itertuples(index=False)
    ]


def build_ranking(
    data: PageData, query: TargetQuery, tr: Translator, *, runs: int | None = None
) -> TargetRanking:
    """Rank the districts for ``query`` (same query, same ranking)."""
    analysis = data.analysis
    runs = DEFAULT_RUNS[query.method_version] if runs is None else runs
    ranking = rank_table(
        analysis,
        year=query.year,
        weights=dict(query.weights),
        method=query.method,
        runs=runs,
        seed=SEED,
        category=query.category,
        access_weight=query.access_weight,
        supply_weight=query.supply_weight,
        top=query.top,
        method_version=query.method_version,
        distance=query.distance,
        domain_weights=used_domain_weights(analysis, query),
    )
    top = min(query.top, len(ranking))
    colours = palette("viridis", top)[::-1] if top else []
    labels = {"robust": tr("robust"), "fragile": tr("fragile")}
    total = len(ranking)
    rows = []
    fills: dict[str, str | None] = {}
    tips: Tooltips = {}
    entries: list[tuple[str, str]] = []
    for row in ranking.itertuples(index=False):
        rank = int(row.rank)
        colour = colours[rank - 1] if rank <= top else None
        fills[row.district_code] = colour
        interval = f"{int(row.rank_low)}–{int(row.rank_high)}"
        stability = labels.get(str(row.stability), str(row.stability))
        share = getattr(row, "top_share", None)
        rows.append(
            {
                "rank": rank,
                "code": row.district_code,
                "name": row.district_name,
                "score": tr.number(row.score, 2),
                "interval": interval,
                "stability": str(row.stability),
                "stability_label": stability,
                "share": None if share is None else tr.number(100 * share, 0),
                "top": colour is not None,
                "colour": colour or NO_DATA_COLOUR,
            }
        )
        tips[row.district_code] = [
            (tr("Rank"), f"{rank} / {total}"),
            (tr("Score"), tr.number(row.score, 2)),
            (tr("Rank interval"), interval),
            (tr("Stability"), stability),
        ]
        if share is not None:
            tips[row.district_code].append(
                (tr("In the top %(count)d", count=query.top), f"{tr.number(100 * share, 0)}%")
            )
        if colour is not None:
            entries.append((colour, f"{rank}. {row.district_name}"))
    legend = MapLegend(
        title=tr("Top %(count)d target areas, %(year)s", count=top, year=query.year),
        entries=entries,
    )
    sources = [
        (indicator_name(analysis, code, tr), source_text(analysis.registry[code].source, tr))
        for code, weight in query.weights.items()
        if weight > 0
    ]
    return TargetRanking(
        query=query,
        ranking=ranking,
        rows=rows,
        fills=fills,
        tips=tips,
        legend=legend,
        shares=_shares(data, query, tr),
        args=target_args(analysis, query),
        sources=sources,
        correlations=correlations(data, query, tr),
        runs=runs,
        sensitivity=sensitivity_text(query, runs, tr),
        correlation_limit=tr.number(CORRELATION_WARNING, 1),
    )


def supply_units(data: AnalysisData, tr: Translator) -> dict[str, str]:
    """Each category's unit of supply as access counts it (:func:`mapping.supply.category_supply`),
    in the reader's language: its capacity unit ("places"), "capacity (unit not set)", or
    "resources, each counts 1" for a category whose resources have no capacity."""
    units = (
        dict(zip(data.categories["code"], data.categories["capacity_unit"], strict=True))
        if "capacity_unit" in data.categories
        else {}
    )
    found: dict[str, str] = {}
    for code in data.categories["code"]:
        unit = units.get(code)
        _amounts, how = category_supply(
            data.resources, str(code), capacity_unit=None if pd.isna(unit) else str(unit)
        )
        found[str(code)] = (
            tr("resources, each counts 1") if how.measure == "count" else tr(how.unit)
        )
    return found


def access_categories_text(data: AnalysisData, tr: Translator) -> list[tuple[str, str]]:
    """The categories to choose for access, each ``(code, "name (unit)")``."""
    units = supply_units(data, tr)
    return [(code, f"{name} ({units[code]})") for code, name in category_names(data, tr).items()]


def domain_fields(data: PageData, query: TargetQuery, tr: Translator) -> list[dict[str, Any]]:
    """One weight field per domain of the needs indicators: empty (the mean weight of its
    indicators) unless the query gives it."""
    given = query.domain_weights or {}
    return [
        {"code": code, "label": name, "value": f"{given[code]:g}" if code in given else ""}
        for code, name in target_domains(data.analysis, tr).items()
    ]


def weight_fields(data: PageData, query: TargetQuery, tr: Translator) -> list[dict[str, Any]]:
    """One weight field per needs indicator, filled with the query's weights."""
    return [
        {
            "code": code,
            "label": indicator_name(data.analysis, code, tr),
            "value": f"{query.weights.get(code, 0):g}",
        }
        for code in data.analysis.needs_codes()
    ]
