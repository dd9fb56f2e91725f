"""Target areas (``/obszary``, English ``/targets``): the weights form, the ranking with its rank
interval and stability, and a map of the top districts. Every setting is in the URL, so a ranking
is shared by its link."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pandas as pd
from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from app import pages
from app.cache import cached_page
from mapping.analysis import AnalysisData, rank_table
from mapping.layers import NEEDS_INDEX, Layer, layer_years
from mapping.render.choropleth import NO_DATA_COLOUR, MapLegend, district_map, palette
from mapping.render.interactive import map_fragments

bp = Blueprint("targets", __name__)

#: Sensitivity draws of the ranking (each weight times a factor from [0.5, 1.5]) and their seed:
#: fixed, so that the same link always gives the same ranking.
RUNS = 1000
SEED = 0
TOP_CHOICES: tuple[int, ...] = (3, 4, 5, 6, 7, 8, 9)
DEFAULT_TOP = 5
MAX_WEIGHT = 100.0


def _number(name: str, label: str, *, default: float) -> float:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0 or value > MAX_WEIGHT:
        raise pages.SettingError(
            _(
                "%(what)s: expected a number from 0 to %(max)s, got %(value)s.",
                what=label,
                max=int(MAX_WEIGHT),
                value=raw,
            )
        )
    return value


def _settings(data: AnalysisData) -> dict[str, Any]:
    args = request.args
    needs = data.needs_codes()
    if not needs:
        raise pages.not_found(_("No needs indicators are loaded yet."), [], _("Layers"))
    weights = pages.weights_from_query(data) or dict.fromkeys(needs, 1.0)
    for code, weight in weights.items():
        if weight > MAX_WEIGHT:
            raise pages.SettingError(
                _(
                    "%(what)s: expected a number from 0 to %(max)s, got %(value)s.",
                    what=pages.indicator_name(data, code),
                    max=int(MAX_WEIGHT),
                    value=f"{weight:g}",
                )
            )
    method = pages.choice(args.get("method"), pages.METHODS, default="zscore", what=_("Method"))
    years = layer_years(data, Layer(NEEDS_INDEX, "index", None), weights=weights)
    if not years:
        raise pages.not_found(_("There are no data for these indicators."), [], _("Years"))
    categories = list(data.categories["code"])
    category = args.get("category") or None
    if category is not None and category not in categories:
        raise pages.not_found(
            _("There is no resource category %(code)s.", code=category),
            [(c, pages.page_url("targets.index", category=c)) for c in categories],
            _("Categories"),
        )
    settings = {
        "weights": weights,
        "method": method,
        "access_weight": _number("access_weight", _("Weight of poor access"), default=0.0),
        "supply_weight": _number("supply_weight", _("Weight of few resources"), default=0.0),
        "category": category,
        "top": pages.choice(
            args.get("top"), TOP_CHOICES, default=DEFAULT_TOP, what=_("Top districts")
        ),
    }

    def year_link(y: int) -> str:
        return pages.page_url("targets.index", **{**_query(data, settings), "year": y})

    settings["year"] = pages.require_year(
        args.get("year"), years, default=years[-1], link=year_link
    )
    settings["years"] = years
    return settings


def _query(data: AnalysisData, settings: dict[str, Any]) -> dict[str, Any]:
    """Every setting as query values: the link that reproduces the ranking."""
    query: dict[str, Any] = {}
    if "year" in settings:
        query["year"] = settings["year"]
    query["method"] = settings["method"]
    for code in data.needs_codes():
        query[f"w_{code}"] = f"{settings['weights'].get(code, 0):g}"
    for code, weight in settings["weights"].items():
        if code not in data.needs_codes():
            query[f"w_{code}"] = f"{weight:g}"
    query["access_weight"] = f"{settings['access_weight']:g}"
    query["supply_weight"] = f"{settings['supply_weight']:g}"
    query["category"] = settings["category"] or ""
    query["top"] = settings["top"]
    return query


def _missing(value: Any) -> bool:
    return value is None or bool(pd.isna(value))


@dataclass(frozen=True)
class TargetRanking:
    """A ranking for the request's settings, shared by the page, its sheet and its exports."""

    data: AnalysisData
    settings: dict[str, Any]
    ranking: pd.DataFrame
    rows: list[dict[str, Any]]
    fills: dict[str, str | None]
    tips: dict[str, list[tuple[str, object]]]
    legend: MapLegend
    shares: list[tuple[str, str]]
    query: dict[str, Any]


def build_ranking() -> TargetRanking:
    """Rank the districts for the settings in the query (same link, same ranking)."""
    data = pages.data()
    settings = _settings(data)
    ranking = rank_table(
        data,
        year=settings["year"],
        weights=settings["weights"],
        method=settings["method"],
        runs=RUNS,
        seed=SEED,
        category=settings["category"],
        access_weight=settings["access_weight"],
        supply_weight=settings["supply_weight"],
    )
    top = min(settings["top"], len(ranking))
    colours = palette("viridis", top)[::-1] if top else []
    labels = {"robust": _("robust"), "fragile": _("fragile")}
    total = len(ranking)
    rows = []
    fills: dict[str, str | None] = {}
    tips = {}
    legend_entries = []
    for row in ranking.itertuples(index=False):
        rank = int(row.rank)
        is_top = rank <= top
        colour = colours[rank - 1] if is_top else None
        fills[row.district_code] = colour
        interval = f"{int(row.rank_low)}–{int(row.rank_high)}"
        stability = labels.get(str(row.stability), str(row.stability))
        rows.append(
            {
                "rank": rank,
                "code": row.district_code,
                "name": row.district_name,
                "url": pages.page_url("districts.detail", code=row.district_code),
                "score": pages.number(row.score, 2),
                "interval": interval,
                "stability": str(row.stability),
                "stability_label": stability,
                "top": is_top,
                "colour": colour or NO_DATA_COLOUR,
            }
        )
        tips[row.district_code] = [
            (_("Rank"), f"{rank} / {total}"),
            (_("Score"), pages.number(row.score, 2)),
            (_("Rank interval"), interval),
            (_("Stability"), stability),
        ]
        if is_top:
            legend_entries.append((colour, f"{rank}. {row.district_name}"))
    legend = MapLegend(
        title=_("Top %(count)d target areas, %(year)s", count=top, year=settings["year"]),
        entries=legend_entries,
    )
    total_weight = sum(settings["weights"].values()) + (
        settings["access_weight"] + settings["supply_weight"]
    )
    shares = [
        (pages.indicator_name(data, code), pages.number(100 * w / total_weight, 0))
        for code, w in settings["weights"].items()
        if w > 0
    ]
    for key, label in (("access_weight", _("poor access")), ("supply_weight", _("few resources"))):
        if settings[key] > 0:
            shares.append((label, pages.number(100 * settings[key] / total_weight, 0)))
    return TargetRanking(
        data, settings, ranking, rows, fills, tips, legend, shares, _query(data, settings)
    )


@bp.get("/obszary", endpoint="index")
@bp.get("/targets", endpoint="index_en")
@cached_page
def index():
    """The weights form, the ranking and the map of the top districts."""
    built = build_ranking()
    data, settings, rows = built.data, built.settings, built.rows
    fills, tips, legend, shares = built.fills, built.tips, built.legend, built.shares
    folium_map = district_map(
        data.districts,
        fills=fills,
        tooltips=tips,
        legend=legend,
        highlight=[r["code"] for r in rows if r["top"]],
        layer_name=_("Target areas"),
        **pages.map_settings(),
    )
    query = built.query
    share_path = pages.page_url("targets.index")
    share_url = request.host_url.rstrip("/") + share_path + "?" + urlencode(query)
    category_names = list(pages.category_names(data).items())
    weight_fields = [
        {
            "code": code,
            "label": pages.indicator_name(data, code),
            "value": f"{settings['weights'].get(code, 0):g}",
        }
        for code in data.needs_codes()
    ]
    return render_template(
        "targets.html",
        fragments=map_fragments(folium_map),
        rows=rows,
        settings=settings,
        weight_fields=weight_fields,
        categories=category_names,
        share_url=share_url,
        sheet_url=pages.page_url("exports.targets_sheet", **query),
        sheet_pdf_url=pages.page_url("exports.targets_sheet_pdf", **query),
        map_urls={
            fmt: pages.page_url("exports.targets_map", fmt=fmt, **query)
            for fmt in ("png", "svg", "pdf")
        },
        top_choices=TOP_CHOICES,
        runs=RUNS,
        shares=shares,
        schematic=bool(data.districts["schematic"].any()),
    )
