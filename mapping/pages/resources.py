"""Resources (``/zasoby``): the filtered list, one page of it at a time, and a map and downloads
of exactly the same rows; the embed draws the same selection."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mapping.pages import query as queries
from mapping.pages.data import PageData
from mapping.pages.indicator_map import missing
from mapping.pages.labels import category_names, district_names
from mapping.pages.query import ResourceQuery, page_error, total_pages
from mapping.pages.text import Translator
from mapping.render.escape import safe_url


@dataclass(frozen=True)
class ResourcesPage:
    """One page of the list, with the whole selection for the map and the downloads."""

    query: ResourceQuery
    chosen: Any
    rows: list[dict[str, Any]]
    first: int
    pages: int
    categories: list[tuple[str, str]]
    districts: list[tuple[str, str]]
    total: int
    schematic: bool

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1


def build_resources(data: PageData, query: ResourceQuery, tr: Translator) -> ResourcesPage:
    """The resources of ``query``: the list's page ``query.page`` (400 beyond the last page)."""
    analysis = data.analysis
    chosen = query.select(analysis)
    pages = total_pages(len(chosen))
    if query.page > pages:
        raise page_error(query.page, pages, tr)
    categories = category_names(analysis, tr)
    districts = district_names(analysis)
    size = queries.PAGE_SIZE
    start = (query.page - 1) * size
    rows = []
    for r in chosen.iloc[start : start + size].itertuples(index=False):
        district = None if missing(r.district_code) else str(r.district_code)
        rows.append(
            {
                "id": int(r.id),
                "name": r.name,
                "category": categories.get(str(r.category), str(r.category)),
                "district_code": district,
                "district": districts.get(district, "") if district else "",
                "address": "" if missing(r.address) else r.address,
                "operator": "" if missing(r.operator) else r.operator,
                "website": safe_url(r.website),
                "placed": r.geometry is not None and not r.geometry.is_empty,
            }
        )
    return ResourcesPage(
        query=query,
        chosen=chosen,
        rows=rows,
        first=start + 1,
        pages=pages,
        categories=sorted(categories.items(), key=lambda kv: kv[1]),
        districts=sorted(districts.items(), key=lambda kv: str(kv[1])),
        total=len(analysis.resources),
        schematic=data.schematic,
    )


def placed(chosen: Any) -> Any:
    """The rows of ``chosen`` that have a point."""
    return chosen[chosen.geometry.notna() & ~chosen.geometry.is_empty]


def selection_title(data: PageData, query: ResourceQuery, tr: Translator) -> str:
    """``Resources · category · district · "text"``: the title of a selection's embed."""
    parts = [tr("Resources")]
    if query.category:
        parts.append(category_names(data.analysis, tr).get(query.category, query.category))
    if query.district:
        parts.append(district_names(data.analysis).get(query.district) or query.district)
    if query.q:
        parts.append(f"„{query.q}”" if tr.lang == "pl" else f"“{query.q}”")
    return " · ".join(parts)


def download_name(query: ResourceQuery, ext: str, tr: Translator) -> str:
    """``palmap-zasoby-<category>-<district>.csv`` (``palmap-resources-...`` in English)."""
    parts = ["palmap-zasoby" if tr.lang == "pl" else "palmap-resources"]
    for value in (query.category, query.district):
        if value:
            parts.append("".join(c for c in value if c.isalnum() or c in "-_")[:40])
    return "-".join(parts) + f".{ext}"
