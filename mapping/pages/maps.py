"""The interactive (folium) maps of the pages, their embeds and the standalone HTML file.

:func:`map_settings` gathers what every map takes (language, tiles, where the Leaflet files are,
the translated labels); each ``*_map`` function draws one page's map from what its core function
built. ``extra`` keyword arguments go on to :func:`mapping.render.choropleth.district_map`
(an embed's resources on top, its tiles).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mapping.pages.comparison import Comparison
from mapping.pages.data import PageData
from mapping.pages.districts import DistrictPage, DistrictsPage
from mapping.pages.indicator_map import Choropleth
from mapping.pages.labels import map_labels
from mapping.pages.programme import ActionsPage
from mapping.pages.resources import placed
from mapping.pages.targets import TargetRanking
from mapping.pages.text import Translator
from mapping.render.attribution import holds_osm
from mapping.render.choropleth import district_map
from mapping.render.interactive import overview_map

#: District code -> (URL, link text) of a district's click popup.
Links = Mapping[str, tuple[str, str]]
#: Where the app serves the Leaflet files (``app.views.vendor``) unless mounted elsewhere.
ASSET_PREFIX = "/static/vendor"


def map_settings(
    tr: Translator,
    *,
    tiles: str,
    tiles_attribution: str | None = None,
    asset_prefix: str = ASSET_PREFIX,
    data: PageData | None = None,
) -> dict[str, Any]:
    """Keyword arguments of every map: language, tiles, local assets, translated labels, and
    whether ``data`` holds data from OpenStreetMap (its maps then show the ODbL attribution)."""
    return {
        "lang": tr.lang,
        "tiles": tiles,
        "tiles_attribution": tiles_attribution,
        "osm_data": data is not None and osm_data(data),
        "asset_prefix": asset_prefix,
        "labels": map_labels(tr),
    }


def osm_data(data: PageData) -> bool:
    """Whether the resources or districts of ``data`` come (partly) from OpenStreetMap."""
    return holds_osm(data.analysis.resources, data.analysis.districts)


def all_resources(data: PageData, *, show: bool = False) -> dict[str, Any]:
    """Every resource on the map, switched off (one click away in the layer control)."""
    resources = data.analysis.resources
    return {
        "resources": resources,
        "categories": data.analysis.categories,
        "resource_ids": list(resources["id"]),
        "show_resources": show,
    }


def overview(data: PageData, settings: Mapping[str, Any]) -> Any:
    """All districts and every resource with a point, one layer per category."""
    analysis = data.analysis
    return overview_map(analysis.districts, analysis.resources, analysis.categories, **settings)


def indicator_map(
    data: PageData,
    built: Choropleth,
    settings: Mapping[str, Any],
    *,
    legend: bool = True,
    **extra: Any,
) -> Any:
    """The choropleth with its tooltips and legend; every resource, off, unless ``extra`` says
    which resources to draw."""
    arguments = extra if "resources" in extra else {**all_resources(data), **extra}
    return district_map(
        data.analysis.districts,
        fills=built.fills,
        tooltips=built.tooltips,
        legend=built.legend if legend else None,
        layer_name=built.label,
        **arguments,
        **settings,
    )


def comparison_maps(
    data: PageData, built: Comparison, settings: Mapping[str, Any], *, change_name: str
) -> tuple[Any, Any, Any]:
    """The two years (no legend: the page shows one under the pair) and the change map; the
    districts whose earlier value is an estimate outlined on the earlier year and the change."""
    pair = tuple(
        district_map(
            data.analysis.districts,
            fills=year.fills,
            tooltips=year.tooltips,
            legend=None,
            highlight=marked,
            layer_name=f"{built.label}, {year.values.year}",
            **settings,
        )
        for year, marked in ((built.before, built.estimated), (built.after, frozenset()))
    )
    return pair[0], pair[1], change_map(data, built, settings, name=change_name)


def change_map(
    data: PageData,
    built: Comparison,
    settings: Mapping[str, Any],
    *,
    name: str,
    legend: bool = True,
    **extra: Any,
) -> Any:
    """The change map: improved / worsened / no clear change by the indicator's direction and
    the chance test; estimated districts outlined."""
    return district_map(
        data.analysis.districts,
        fills=built.change_fills,
        tooltips=built.change_tips,
        legend=built.change_legend if legend else None,
        highlight=built.estimated,
        layer_name=name,
        **extra,
        **settings,
    )


def targets_map(
    data: PageData,
    built: TargetRanking,
    settings: Mapping[str, Any],
    *,
    name: str,
    legend: bool = True,
    **extra: Any,
) -> Any:
    """The top target areas, highlighted, with the ranking in the tooltips."""
    return district_map(
        data.analysis.districts,
        fills=built.fills,
        tooltips=built.tips,
        legend=built.legend if legend else None,
        highlight=built.top_codes,
        layer_name=name,
        **extra,
        **settings,
    )


def resources_map(
    data: PageData,
    chosen: Any,
    settings: Mapping[str, Any],
    *,
    legend: str | None,
    name: str,
    district: str | None = None,
) -> Any:
    """The ``chosen`` resources that have a point on faint districts; ``district`` (the filter)
    outlined and fitted; ``legend`` titles the legend of categories (None: no legend)."""
    focus: dict[str, Any] = {"fit": [district], "highlight": [district]} if district else {}
    shown = placed(chosen)
    return district_map(
        data.analysis.districts,
        fills={},
        tooltips={},
        resources=shown if len(shown) else None,
        categories=data.analysis.categories,
        resource_ids=[int(i) for i in shown["id"]],
        resource_legend=legend,
        fill_opacity=0.06,
        layer_name=name,
        **focus,
        **settings,
    )


def districts_map(
    data: PageData, page: DistrictsPage, links: Links, settings: Mapping[str, Any], *, name: str
) -> Any:
    """Every district in its needs class; a click opens its page."""
    return district_map(
        data.analysis.districts,
        fills=page.fills,
        tooltips=page.tips,
        links=links,
        legend=page.legend,
        layer_name=name,
        **settings,
    )


def district_map_of(
    data: PageData, page: DistrictPage, links: Links, settings: Mapping[str, Any], *, name: str
) -> Any:
    """One district outlined and fitted, its resources on top; the others link to their pages."""
    districts = data.analysis.districts
    shown = page.listed[page.listed.geometry.notna()]
    code = page.query.code
    return district_map(
        districts,
        fills=page.fills,
        tooltips={str(c): [] for c in districts["code"]},
        highlight=[code],
        links=links,
        resources=shown if len(shown) else None,
        categories=data.analysis.categories,
        resource_ids=list(shown["id"]),
        fit=[code],
        layer_name=name,
        fill_opacity=0.35,
        **settings,
    )


def upload_map(
    data: PageData, kind: str, frame: Any, settings: Mapping[str, Any], *, name: str
) -> Any | None:
    """The rows of an upload on a map, for its preview: new district boundaries, or new and
    changed resources (numbered in file order) on the loaded districts; None for indicator
    values or when nothing has a place."""
    if frame is None or not len(frame):
        return None
    if kind == "districts":
        return district_map(frame, fills={}, tooltips={}, layer_name=name, **settings)
    if kind != "resources":
        return None
    shown = placed(frame)
    if not len(shown):
        return None
    shown = shown.assign(id=range(1, len(shown) + 1))
    return district_map(
        data.analysis.districts,
        fills={},
        tooltips={},
        resources=shown,
        categories=data.analysis.categories,
        resource_ids=list(shown["id"]),
        fill_opacity=0.06,
        layer_name=name,
        **settings,
    )


def actions_map(
    data: PageData, page: ActionsPage, links: Links, settings: Mapping[str, Any], *, name: str
) -> Any:
    """The number of actions per district (the page's filters applied); a click lists a
    district's actions; the chosen district outlined."""
    chosen = [page.query.district] if page.query.district else []
    return district_map(
        data.analysis.districts,
        fills=page.fills,
        tooltips=page.tips,
        links=links,
        legend=page.legend,
        highlight=chosen,
        layer_name=name,
        **settings,
    )
