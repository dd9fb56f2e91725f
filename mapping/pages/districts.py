"""Districts: the list (``/dzielnice``) with residents, needs rank and resources, and one
district's page (``/dzielnice/<code>``) with its indicators over the years, rank, resources and
access figures."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import pandas as pd

from mapping.analysis import access_categories, access_table, demand_for, supply_table
from mapping.classify import class_breaks
from mapping.errors import MappingError
from mapping.layers import (
    NEEDS_INDEX,
    Layer,
    LayerValues,
    layer_by_year,
    layer_history,
    layer_years,
)
from mapping.listing import filter_resources
from mapping.pages.data import PageData
from mapping.pages.indicator_map import Tooltips, missing
from mapping.pages.labels import category_names, indicator_name, layer_label, layer_unit
from mapping.pages.query import DistrictQuery
from mapping.pages.text import Translator
from mapping.render.charts import line_chart_svg
from mapping.render.choropleth import MapLegend, class_colours, palette
from mapping.render.escape import safe_url

#: Fill of the other districts and of the district itself on its page's small map.
OTHER_FILL, OWN_FILL = "#cfd8e3", "#1f5f8b"


def needs_values(data: PageData, year: int | None) -> LayerValues | None:
    """Needs index values (equal weights) for ``year``, or None when it cannot be computed."""
    analysis = data.analysis
    if year is None or not analysis.needs_codes():
        return None
    layer = Layer(NEEDS_INDEX, "index", None)
    if year not in layer_years(analysis, layer):
        return None
    try:
        return data.values(layer, year)
    except MappingError:
        return None


def residents_values(data: PageData, year: int | None) -> LayerValues | None:
    """Residents per district for ``year``, or None without them."""
    registry = data.analysis.registry
    if year is None or "residents" not in registry:
        return None
    layer = Layer("residents", "value", registry["residents"])
    if year not in layer_years(data.analysis, layer):
        return None
    return data.values(layer, year)


def quantile_breaks(shown: pd.Series) -> list[float]:
    """Five quantile classes (fewer with fewer distinct values) of the shown values."""
    values = shown.dropna()
    distinct = int(values.nunique())
    if not distinct:
        return []
    return class_breaks(values, scheme="quantiles", k=min(5, distinct))


@dataclass(frozen=True)
class DistrictsPage:
    """The list of districts and its map (needs index of the latest year)."""

    rows: list[dict[str, Any]]
    fills: dict[str, str | None]
    tips: Tooltips
    legend: MapLegend | None
    year: int | None
    schematic: bool


def _cell(values: LayerValues | None, code: str, tr: Translator, min_count: int) -> str:
    if values is None:
        return ""
    r = values.table.set_index("district_code").loc[code]
    return tr.shown(
        r["shown"], small=r["small"], hidden=r["hidden"], decimals=0, min_count=min_count
    )


def build_districts(data: PageData, tr: Translator) -> DistrictsPage:
    """Every district with residents, needs rank and resources (rows sorted by name)."""
    analysis = data.analysis
    years = analysis.years
    year = years[-1] if years else None
    needs = needs_values(data, year)
    residents = residents_values(data, year)
    counts = filter_resources(analysis.resources, analysis.districts)[
        "district_code"
    ].value_counts()
    total = len(analysis.districts)
    fills: dict[str, str | None] = {}
    if needs is not None:
        breaks = quantile_breaks(needs.shown)
        fills = (
            class_colours(needs.shown, breaks, palette("viridis", len(breaks))) if breaks else {}
        )
    ranks = needs.table.set_index("district_code")["rank"] if needs is not None else None
    rows = []
    tips: Tooltips = {}
    for code, name in zip(analysis.districts["code"], analysis.districts["name"], strict=True):
        code = str(code)
        res_text = _cell(residents, code, tr, data.min_count)
        rank: Any = ranks.loc[code] if ranks is not None else None
        rank_text = "–" if missing(rank) else f"{int(rank)} / {total}"
        count = int(counts.get(code, 0))
        rows.append(
            {
                "code": code,
                "name": name,
                "residents": res_text,
                "rank": rank_text,
                "rank_sort": 10**6 if missing(rank) else int(rank),
                "resources": count,
            }
        )
        tips[code] = [
            (tr("Residents"), res_text),
            (tr("Needs rank"), rank_text),
            (tr("Resources"), str(count)),
        ]
    legend = None
    if fills:
        legend = MapLegend(
            title=tr("Needs index, %(year)s", year=year),
            entries=[
                (palette("viridis", 5)[0], tr("less need")),
                (palette("viridis", 5)[-1], tr("more need")),
            ],
            note=tr("Click a district to open its page."),
        )
    return DistrictsPage(
        rows=sorted(rows, key=lambda r: str(r["name"])),
        fills=fills,
        tips=tips,
        legend=legend,
        year=year,
        schematic=data.schematic,
    )


# --------------------------------------------------------------------------- one district


def _rank_and_cell(
    data: PageData, layer: Layer, year: int, code: str, tr: Translator, *, rate: bool
) -> tuple[str, Any, int]:
    values = data.values(layer, year)
    r = values.table.set_index("district_code").loc[code]
    if rate:
        text = tr.shown(r["shown"], small=False, hidden=r["hidden"], decimals=1, min_count=0)
    else:
        text = tr.shown(
            r["shown"],
            small=r["small"],
            hidden=r["hidden"],
            decimals=layer.decimals,
            min_count=data.min_count,
        )
    return text, r["rank"], int(values.table["rank"].notna().sum())


def _history(data: PageData, layer: Layer, code: str, tr: Translator) -> dict[str, Any]:
    analysis = data.analysis
    by_year = data.memo(("by_year", layer.code), lambda: layer_by_year(analysis, layer))
    history = layer_history(
        analysis, layer, district=code, suppression=data.suppression, by_year=by_year
    )
    decimals = layer.decimals
    points = [
        (int(h.year), None if h.hidden or missing(h.shown) else float(h.shown))
        for h in history.itertuples(index=False)
    ]
    label = layer_label(analysis, layer, tr)
    return {
        "history": [
            {
                "year": int(h.year),
                "text": tr.shown(
                    h.shown,
                    small=h.small,
                    hidden=h.hidden,
                    decimals=decimals,
                    min_count=data.min_count,
                ),
            }
            for h in history.itertuples(index=False)
        ],
        "chart_label": label,
        "chart": line_chart_svg(
            points,
            label=label,
            fmt=partial(tr.number, decimals=decimals),
            missing=tr("hidden"),
        ),
    }


def indicator_rows(data: PageData, code: str, year: int, tr: Translator) -> list[dict[str, Any]]:
    """One row per indicator: value, rate, rank among districts, a chart over the years."""
    analysis = data.analysis
    rows = []
    for item in analysis.registry:
        value_layer = Layer(item.code, "value", item)
        chart_layer = Layer(item.code + "_rate", "rate", item) if item.denominator else value_layer
        row: dict[str, Any] = {
            "code": item.code,
            "name": indicator_name(analysis, item.code, tr),
            "unit": layer_unit(analysis, value_layer, tr),
            "rate_unit": layer_unit(analysis, chart_layer, tr) if item.denominator else "",
            "value": "",
            "rate": "",
        }
        rank: Any = None
        ranked = len(analysis.districts)
        if year in layer_years(analysis, value_layer):
            row["value"], rank, ranked = _rank_and_cell(
                data, value_layer, year, code, tr, rate=False
            )
        if item.denominator and year in layer_years(analysis, chart_layer):
            row["rate"], rank, ranked = _rank_and_cell(data, chart_layer, year, code, tr, rate=True)
        row["rank"] = "–" if missing(rank) else f"{int(rank)} / {ranked}"
        row.update(_history(data, chart_layer, code, tr))
        rows.append(row)
    return rows


def _supply_rows(data: PageData, code: str, year: int, tr: Translator) -> list[dict[str, Any]]:
    analysis = data.analysis
    registry = analysis.registry
    if "residents" not in registry or year not in layer_years(
        analysis, Layer("residents", "value", registry["residents"])
    ):
        return []
    try:
        supply = data.memo(("supply", year), lambda: supply_table(analysis, year=year))
    except MappingError:
        return []
    names = category_names(analysis, tr)
    return [
        {
            "category": names.get(str(row.category), str(row.category)),
            "count": int(row.count),
            "per_1000": tr.number(row.per_1000, 2),
        }
        for row in supply[supply["district_code"] == code].itertuples(index=False)
        if int(row.count) != 0
    ]


def _access(
    data: PageData, code: str, query: DistrictQuery, tr: Translator, demand: str
) -> dict | None:
    year, distance = query.year, query.distance
    try:
        categories = data.memo(
            ("access_categories", year, distance),
            lambda: access_categories(data.analysis, year=year, distance=distance),
        )
        table = data.memo(
            ("access", year, distance),
            lambda: access_table(data.analysis, year=year, categories=categories),
        )
    except MappingError:
        return None
    row = table[table["district_code"] == code]
    if not len(row):
        return None
    a = row.iloc[0]
    return {
        "model": _demand_model(data, year, tr, code),
        "distance": distance_text(categories.distance, tr),
        "nearest": tr.number(a["nearest_m"], 0),
        "coverage": tr.number(a["coverage"] * 100, 0),
        "fca2": tr.number(a["2sfca"], 2),
        "fca2e": tr.number(a["e2sfca"], 2),
        "demand": demand,
    }


def distance_text(described: dict[str, Any], tr: Translator) -> str:
    """Which distance access was measured with, in one sentence for a page
    (:meth:`mapping.network_distance.DistanceMode.description` with its snap figures)."""
    kind = described.get("distance")
    if kind == "network":
        return tr(
            "Walking distances along the street and path network: residents and resources are "
            "joined to its nearest node (on average %(demand)s m for residents, at most "
            "%(demand_max)s m; %(resources)s m for resources), and that distance is added.",
            demand=tr.number(described.get("demand_snap_mean_m") or 0, 0),
            demand_max=tr.number(described.get("demand_snap_max_m") or 0, 0),
            resources=tr.number(described.get("resources_snap_mean_m") or 0, 0),
        )
    if kind == "detour":
        return tr(
            "Straight-line distances times %(factor)s (no walking network is loaded: walks are "
            "longer than the straight line); resources anywhere in the city count.",
            factor=tr.number(described.get("detour_factor", 1.3), 1),
        )
    return tr("Straight-line distances; resources anywhere in the city count.")


def distance_options(data: PageData, tr: Translator) -> list[tuple[str, str]]:
    """The choices of the page's distance field: (value, label); the network only when one
    is loaded."""
    network = data.analysis.network
    options = [("", tr("default"))]
    if network is not None and network.edges:
        options.append(("network", tr("walking, along the network")))
    options += [
        ("detour", tr("straight line x 1.3")),
        ("straight", tr("straight line")),
    ]
    return options


def _demand_model(data: PageData, year: int, tr: Translator, code: str) -> str:
    """The demand model of the access figures, in one or two sentences
    (:mod:`mapping.population`)."""
    demand = data.memo(("demand", year), lambda: demand_for(data.analysis, year=year))
    if demand.model == "surface" and code not in demand.fallback:
        return tr(
            "Measured from where people live: the population surface imported for %(year)s, "
            "weighted by population.",
            year=year,
        )
    if not demand.residential:
        return tr(
            "Measured from where people live: the residents of %(year)s spread evenly over a "
            "%(cell)s m grid inside the district, weighted by population.",
            year=year,
            cell=tr.number(demand.cell_m, 0),
        )
    if code in demand.residential_fallback:
        return tr(
            "Measured from where people live: the residents of %(year)s spread evenly over a "
            "%(cell)s m grid inside the district, weighted by population; the imported "
            "residential areas do not reach this district, so its whole area was used.",
            year=year,
            cell=tr.number(demand.cell_m, 0),
        )
    return tr(
        "Measured from where people live: the residents of %(year)s spread evenly over a "
        "%(cell)s m grid inside the district's imported residential areas (dasymetric), "
        "weighted by population.",
        year=year,
        cell=tr.number(demand.cell_m, 0),
    )


@dataclass(frozen=True)
class DistrictPage:
    """One district: its figures, indicators, resources, access, and its small map."""

    query: DistrictQuery
    name: str
    schematic: bool
    total: int
    needs_rank: int | None
    needs_value: str
    residents: str
    indicators: list[dict[str, Any]]
    supply: list[dict[str, Any]]
    resources: list[dict[str, Any]]
    access: dict[str, str] | None
    #: The choices of the distance field: (value, label).
    distances: list[tuple[str, str]]
    listed: Any
    fills: dict[str, str | None]


def build_district(data: PageData, query: DistrictQuery, tr: Translator) -> DistrictPage:
    """The page of the district ``query.code`` for ``query.year``."""
    analysis, code, year = data.analysis, query.code, query.year
    districts = analysis.districts
    own = districts["code"] == code
    needs = needs_values(data, year)
    needs_rank, needs_value = None, ""
    if needs is not None:
        r = needs.table.set_index("district_code").loc[code]
        needs_rank = None if missing(r["rank"]) else int(r["rank"])
        needs_value = tr.number(r["shown"], 2)
    residents = _cell(residents_values(data, year), code, tr, data.min_count)
    listed = filter_resources(analysis.resources, districts, district=code)
    names = category_names(analysis, tr)
    resources = [
        {
            "name": r.name,
            "category": names.get(str(r.category), str(r.category)),
            "address": "" if missing(r.address) else r.address,
            "website": safe_url(r.website),
            "placed": r.geometry is not None and not r.geometry.is_empty,
        }
        for r in listed.itertuples(index=False)
    ]
    return DistrictPage(
        query=query,
        name=str(districts.loc[own, "name"].iloc[0]),
        schematic=bool(districts.loc[own, "schematic"].iloc[0]),
        total=len(districts),
        needs_rank=needs_rank,
        needs_value=needs_value,
        residents=residents,
        indicators=indicator_rows(data, code, year, tr),
        supply=_supply_rows(data, code, year, tr),
        resources=resources,
        access=_access(data, code, query, tr, residents),
        distances=distance_options(data, tr),
        listed=listed,
        fills={str(c): (OWN_FILL if str(c) == code else OTHER_FILL) for c in districts["code"]},
    )
