"""Districts: the list (``/dzielnice``) and one district's page (``/dzielnice/<code>``), with the
English aliases ``/districts`` and ``/districts/<code>``."""

from __future__ import annotations

from typing import Any

import pandas as pd
from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _

from app import pages
from app.cache import cached_page, memo, suppression
from mapping.analysis import AnalysisData, access_table, supply_table
from mapping.errors import MappingError
from mapping.layers import NEEDS_INDEX, Layer, layer_by_year, layer_history, layer_years
from mapping.listing import filter_resources
from mapping.render.charts import line_chart_svg
from mapping.render.choropleth import MapLegend, class_colours, district_map, palette
from mapping.render.escape import safe_url
from mapping.render.interactive import map_fragments

bp = Blueprint("districts", __name__)


def _missing(value: Any) -> bool:
    return value is None or bool(pd.isna(value))


def _latest_year(data: AnalysisData) -> int | None:
    years = data.years
    return years[-1] if years else None


def _needs(data: AnalysisData, year: int | None):
    """Needs index values (equal weights) for ``year``, or None when it cannot be computed."""
    if year is None or not data.needs_codes():
        return None
    layer = Layer(NEEDS_INDEX, "index", None)
    if year not in layer_years(data, layer):
        return None
    try:
        return pages.values_of(layer, year)
    except MappingError:
        return None


def _residents(data: AnalysisData, year: int | None):
    if year is None or "residents" not in data.registry:
        return None
    layer = Layer("residents", "value", data.registry["residents"])
    if year not in layer_years(data, layer):
        return None
    return pages.values_of(layer, year)


@bp.get("/dzielnice", endpoint="index")
@bp.get("/districts", endpoint="index_en")
@cached_page
def index():
    """Every district with residents, needs rank and resources, on a map and in a table."""
    data = pages.data()
    year = _latest_year(data)
    min_count = int(current_app.config["MIN_COUNT"])
    needs = _needs(data, year)
    residents = _residents(data, year)
    listed = filter_resources(data.resources, data.districts)
    counts = listed["district_code"].value_counts()
    total = len(data.districts)
    rows = []
    fills: dict[str, str | None] = {}
    tips = {}
    links = {}
    needs_table = needs.table.set_index("district_code") if needs is not None else None
    res_table = residents.table.set_index("district_code") if residents is not None else None
    if needs is not None:
        shown = needs.shown
        breaks = pages_breaks(shown)
        fills = class_colours(shown, breaks, palette("viridis", len(breaks))) if breaks else {}
    for code, name in zip(data.districts["code"], data.districts["name"], strict=True):
        code = str(code)
        res_text = ""
        if res_table is not None:
            r = res_table.loc[code]
            res_text = pages.shown(
                r["shown"], small=r["small"], hidden=r["hidden"], decimals=0, min_count=min_count
            )
        rank = needs_table.loc[code, "rank"] if needs_table is not None else None
        rank_text = "–" if _missing(rank) else f"{int(rank)} / {total}"
        url = pages.page_url("districts.detail", code=code)
        rows.append(
            {
                "code": code,
                "name": name,
                "url": url,
                "residents": res_text,
                "rank": rank_text,
                "rank_sort": 10**6 if _missing(rank) else int(rank),
                "resources": int(counts.get(code, 0)),
            }
        )
        tips[code] = [
            (_("Residents"), res_text),
            (_("Needs rank"), rank_text),
            (_("Resources"), str(int(counts.get(code, 0)))),
        ]
        links[code] = (url, _("Open the page of %(name)s", name=name))
    legend = None
    if fills:
        legend = MapLegend(
            title=_("Needs index, %(year)s", year=year),
            entries=[
                (palette("viridis", 5)[0], _("less need")),
                (palette("viridis", 5)[-1], _("more need")),
            ],
            note=_("Click a district to open its page."),
        )
    folium_map = district_map(
        data.districts,
        fills=fills,
        tooltips=tips,
        links=links,
        legend=legend,
        layer_name=_("Districts"),
        **pages.map_settings(),
    )
    return render_template(
        "districts.html",
        fragments=map_fragments(folium_map),
        rows=sorted(rows, key=lambda r: str(r["name"])),
        year=year,
        schematic=bool(data.districts["schematic"].any()),
    )


def pages_breaks(shown: pd.Series) -> list[float]:
    from mapping.classify import class_breaks

    values = shown.dropna()
    distinct = int(values.nunique())
    if not distinct:
        return []
    return class_breaks(values, scheme="quantiles", k=min(5, distinct))


def _indicator_rows(data: AnalysisData, code: str, year: int) -> list[dict[str, Any]]:
    """One row per indicator: value, rate, rank among districts, a chart over the years."""
    min_count = int(current_app.config["MIN_COUNT"])
    rows = []
    for item in data.registry:
        value_layer = Layer(item.code, "value", item)
        chart_layer = Layer(item.code + "_rate", "rate", item) if item.denominator else value_layer
        by_year = memo(
            ("by_year", chart_layer.code), lambda layer=chart_layer: layer_by_year(data, layer)
        )
        history = layer_history(
            data, chart_layer, district=code, suppression=suppression(), by_year=by_year
        )
        row: dict[str, Any] = {
            "code": item.code,
            "name": pages.indicator_name(data, item.code),
            "unit": pages.layer_unit(data, value_layer),
            "rate_unit": pages.layer_unit(data, chart_layer) if item.denominator else "",
            "value": "",
            "rate": "",
            "rank": "–",
            "history": [],
        }
        ranked = len(data.districts)
        if year in layer_years(data, value_layer):
            values = pages.values_of(value_layer, year)
            r = values.table.set_index("district_code").loc[code]
            row["value"] = pages.shown(
                r["shown"],
                small=r["small"],
                hidden=r["hidden"],
                decimals=value_layer.decimals,
                min_count=min_count,
            )
            rank = r["rank"]
            ranked = int(values.table["rank"].notna().sum())
        else:
            rank = None
        if item.denominator and year in layer_years(data, chart_layer):
            rated = pages.values_of(chart_layer, year)
            r = rated.table.set_index("district_code").loc[code]
            row["rate"] = pages.shown(
                r["shown"], small=False, hidden=r["hidden"], decimals=1, min_count=min_count
            )
            rank = r["rank"]
            ranked = int(rated.table["rank"].notna().sum())
        row["rank"] = "–" if _missing(rank) else f"{int(rank)} / {ranked}"
        decimals = chart_layer.decimals
        points = [
            (int(h.year), None if h.hidden or _missing(h.shown) else float(h.shown))
            for h in history.itertuples(index=False)
        ]
        row["history"] = [
            {
                "year": int(h.year),
                "text": pages.shown(
                    h.shown,
                    small=h.small,
                    hidden=h.hidden,
                    decimals=decimals,
                    min_count=min_count,
                ),
            }
            for h in history.itertuples(index=False)
        ]
        chart_label = pages.layer_label(data, chart_layer)
        row["chart_label"] = chart_label
        row["chart"] = line_chart_svg(
            points,
            label=chart_label,
            fmt=lambda v, d=decimals: pages.number(v, d),
            missing=_("hidden"),
        )
        rows.append(row)
    return rows


@bp.get("/dzielnice/<code>", endpoint="detail")
@bp.get("/districts/<code>", endpoint="detail_en")
@cached_page
def detail(code: str):
    """One district: small map, indicators over the years, rank, resources, access."""
    data = pages.data()
    districts = data.districts
    known = [str(c) for c in districts["code"]]
    if code not in known:
        links = [
            (str(name), pages.page_url("districts.detail", code=str(c)))
            for c, name in zip(districts["code"], districts["name"], strict=True)
        ]
        raise pages.not_found(_("There is no district %(code)s.", code=code), links, _("Districts"))
    name = str(districts.loc[districts["code"] == code, "name"].iloc[0])
    schematic = bool(districts.loc[districts["code"] == code, "schematic"].iloc[0])
    years = data.years
    if not years:
        raise pages.not_found(_("No indicator values are loaded yet."), [], _("Years with data"))
    year = pages.require_year(
        request.args.get("year"),
        years,
        default=years[-1],
        link=lambda y: pages.page_url("districts.detail", code=code, year=y),
    )
    min_count = int(current_app.config["MIN_COUNT"])
    total = len(districts)

    needs = _needs(data, year)
    needs_rank = None
    needs_value = ""
    if needs is not None:
        r = needs.table.set_index("district_code").loc[code]
        needs_rank = None if _missing(r["rank"]) else int(r["rank"])
        needs_value = pages.number(r["shown"], 2)
    residents = _residents(data, year)
    residents_text = ""
    if residents is not None:
        r = residents.table.set_index("district_code").loc[code]
        residents_text = pages.shown(
            r["shown"], small=r["small"], hidden=r["hidden"], decimals=0, min_count=min_count
        )

    listed = filter_resources(data.resources, data.districts, district=code)
    names = pages.category_names(data)
    supply_rows = []
    if "residents" in data.registry and year in layer_years(
        data, Layer("residents", "value", data.registry["residents"])
    ):
        try:
            supply = memo(("supply", year), lambda: supply_table(data, year=year))
        except MappingError:
            supply = None
        if supply is not None:
            mine = supply[supply["district_code"] == code]
            for row in mine.itertuples(index=False):
                if int(row.count) == 0:
                    continue
                supply_rows.append(
                    {
                        "category": names.get(str(row.category), str(row.category)),
                        "count": int(row.count),
                        "per_1000": pages.number(row.per_1000, 2),
                    }
                )
    resources = [
        {
            "name": r.name,
            "category": names.get(str(r.category), str(r.category)),
            "address": "" if _missing(r.address) else r.address,
            "website": safe_url(r.website),
            "placed": r.geometry is not None and not r.geometry.is_empty,
        }
        for r in listed.itertuples(index=False)
    ]

    access = None
    try:
        table = memo(("access", year), lambda: access_table(data, year=year))
        row = table[table["district_code"] == code]
        if len(row):
            a = row.iloc[0]
            access = {
                "nearest": pages.number(a["nearest_m"], 0),
                "coverage": pages.number(a["coverage"] * 100, 0),
                "fca2": pages.number(a["2sfca"], 2),
                "fca2e": pages.number(a["e2sfca"], 2),
                "demand": residents_text,
            }
    except MappingError:
        access = None

    fills = {str(c): ("#cfd8e3" if str(c) != code else "#1f5f8b") for c in districts["code"]}
    tips = {str(c): [] for c in districts["code"]}
    links = {
        str(c): (pages.page_url("districts.detail", code=str(c)), str(n))
        for c, n in zip(districts["code"], districts["name"], strict=True)
        if str(c) != code
    }
    placed = listed[listed.geometry.notna()]
    folium_map = district_map(
        districts,
        fills=fills,
        tooltips=tips,
        highlight=[code],
        links=links,
        resources=placed if len(placed) else None,
        categories=data.categories,
        resource_ids=list(placed["id"]),
        fit=[code],
        layer_name=_("Districts"),
        fill_opacity=0.35,
        **pages.map_settings(),
    )
    return render_template(
        "district.html",
        fragments=map_fragments(folium_map),
        code=code,
        name=name,
        schematic=schematic,
        year=year,
        years=years,
        total=total,
        needs_rank=needs_rank,
        needs_value=needs_value,
        residents=residents_text,
        indicators=_indicator_rows(data, code, year),
        supply=supply_rows,
        resources=resources,
        access=access,
        resource_count=len(listed),
    )
