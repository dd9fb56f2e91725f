"""Resources: a filtered list and a map of exactly the same rows (``/zasoby``), and the same rows as
CSV (``/zasoby.csv``) and GeoJSON (``/zasoby.geojson``); English aliases under ``/resources``."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _

from app import pages
from app.cache import cached_page
from app.i18n import current_lang
from mapping.analysis import AnalysisData
from mapping.listing import filter_resources, resources_csv, resources_geojson
from mapping.render.choropleth import district_map
from mapping.render.escape import safe_url
from mapping.render.interactive import map_fragments

bp = Blueprint("resources", __name__)

#: Longest text query accepted (longer ones are cut): the query is matched, never stored.
MAX_QUERY = 200
#: Rows of the list on one page (``?page=2`` for the next ones). The map shows every matching
#: resource and the downloads hold them all; a table of 10,000 rows takes Chromium about 3 s.
PAGE_SIZE = 500


def _missing(value: Any) -> bool:
    return value is None or bool(pd.isna(value))


def _filters(data: AnalysisData) -> dict[str, str | None]:
    """The filters of the query, checked: unknown category or district -> 404 listing them."""
    args = request.args
    category = args.get("category") or None
    district = args.get("district") or None
    q = (args.get("q") or "").strip()[:MAX_QUERY] or None
    if category is not None and category not in set(data.categories["code"]):
        links = [
            (name, pages.page_url("resources.index", category=code))
            for code, name in pages.category_names(data).items()
        ]
        raise pages.not_found(
            _("There is no resource category %(code)s.", code=category), links, _("Categories")
        )
    if district is not None and district not in set(data.districts["code"]):
        links = [
            (str(name), pages.page_url("resources.index", district=code))
            for code, name in zip(data.districts["code"], data.districts["name"], strict=True)
        ]
        raise pages.not_found(
            _("There is no district %(code)s.", code=district), links, _("Districts")
        )
    return {"category": category, "district": district, "q": q}


def _selection(data: AnalysisData):
    filters = _filters(data)
    return filters, filter_resources(data.resources, data.districts, **filters)


@bp.get("/zasoby", endpoint="index")
@bp.get("/resources", endpoint="index_en")
@cached_page
def index():
    """The filtered list and the map of the same resources, with download links."""
    data = pages.data()
    filters, chosen = _selection(data)
    category_names = pages.category_names(data)
    district_names = dict(
        zip(data.districts["code"].astype(str), data.districts["name"], strict=True)
    )
    pages_total = max(1, -(-len(chosen) // PAGE_SIZE))
    page = _page_number(pages_total)
    first = (page - 1) * PAGE_SIZE
    rows = []
    for r in chosen.iloc[first : first + PAGE_SIZE].itertuples(index=False):
        placed = r.geometry is not None and not r.geometry.is_empty
        district = None if _missing(r.district_code) else str(r.district_code)
        rows.append(
            {
                "id": int(r.id),
                "name": r.name,
                "category": category_names.get(str(r.category), str(r.category)),
                "district": district_names.get(district, "") if district else "",
                "district_url": pages.page_url("districts.detail", code=district)
                if district
                else None,
                "address": "" if _missing(r.address) else r.address,
                "operator": "" if _missing(r.operator) else r.operator,
                "website": safe_url(r.website),
                "placed": placed,
            }
        )
    folium_map, placed = resource_map(data, chosen, district=filters["district"])
    query = {k: v for k, v in filters.items() if v}
    return render_template(
        "resources.html",
        fragments=map_fragments(folium_map),
        rows=rows,
        count=len(chosen),
        listing={
            "first": first + 1,
            "last": first + len(rows),
            "page": page,
            "pages": pages_total,
            "size": PAGE_SIZE,
            "previous": pages.page_url("resources.index", **query, page=page - 1)
            if page > 1
            else None,
            "next": pages.page_url("resources.index", **query, page=page + 1)
            if page < pages_total
            else None,
        },
        filters=filters,
        categories=sorted(category_names.items(), key=lambda kv: kv[1]),
        districts=sorted(district_names.items(), key=lambda kv: str(kv[1])),
        placed_count=len(placed),
        csv_url=pages.page_url("resources.csv", **query),
        geojson_url=pages.page_url("resources.geojson", **query),
        total=len(data.resources),
        schematic=bool(data.districts["schematic"].any()),
    )


def resource_map(
    data: AnalysisData,
    chosen: Any,
    *,
    legend: bool = True,
    district: str | None = None,
    map_args: dict[str, Any] | None = None,
) -> tuple[Any, Any]:
    """The map of the ``chosen`` resources that have a point (page and embed), and those rows.

    ``legend`` False leaves out the legend of categories; ``district`` (the district filter)
    is outlined and the view fitted to it; ``map_args`` overrides
    :func:`app.pages.map_settings` (the embed's tiles).
    """
    focus = {"fit": [district], "highlight": [district]} if district else {}
    placed = chosen[chosen.geometry.notna() & ~chosen.geometry.is_empty]
    folium_map = district_map(
        data.districts,
        fills={},
        tooltips={},
        resources=placed if len(placed) else None,
        categories=data.categories,
        resource_ids=[int(i) for i in placed["id"]],
        resource_legend=_("Categories") if legend else None,
        fill_opacity=0.06,
        layer_name=_("Districts"),
        **focus,
        **{**pages.map_settings(), **(map_args or {})},
    )
    return folium_map, placed


def _page_number(pages_total: int) -> int:
    """The list page of ``?page=`` (1 when absent), or a 400 naming the pages that exist."""
    raw = request.args.get("page")
    if raw is None or raw == "":
        return 1
    if not raw.isdigit() or not 1 <= int(raw) <= pages_total:
        raise pages.SettingError(
            _(
                "%(what)s: expected a whole number from 1 to %(max)d, got %(value)s.",
                what=_("Page of the list"),
                max=pages_total,
                value=raw,
            )
        )
    return int(raw)


def _filename(filters: dict[str, str | None], ext: str) -> str:
    parts = ["palmap-zasoby" if current_lang() == "pl" else "palmap-resources"]
    for key in ("category", "district"):
        if filters[key]:
            parts.append("".join(c for c in filters[key] if c.isalnum() or c in "-_")[:40])
    return "-".join(parts) + f".{ext}"


@bp.get("/zasoby.csv", endpoint="csv")
@bp.get("/resources.csv", endpoint="csv_en")
@cached_page
def csv():
    """The filtered resources as CSV (cells a spreadsheet would run are prefixed with ')."""
    data = pages.data()
    filters, chosen = _selection(data)
    return Response(
        resources_csv(chosen),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{_filename(filters, "csv")}"'},
    )


@bp.get("/zasoby.geojson", endpoint="geojson")
@bp.get("/resources.geojson", endpoint="geojson_en")
@cached_page
def geojson():
    """The filtered resources as a GeoJSON FeatureCollection."""
    data = pages.data()
    filters, chosen = _selection(data)
    body = json.dumps(resources_geojson(chosen), ensure_ascii=False)
    return Response(
        body,
        mimetype="application/geo+json",
        headers={"Content-Disposition": f'attachment; filename="{_filename(filters, "geojson")}"'},
    )
