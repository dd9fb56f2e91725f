"""Map files for reports (PNG, SVG, PDF) and the standalone interactive map (HTML).

The page ``/mapa/<layer>.png|svg|pdf|html`` and ``palmap render map`` both call
:func:`indicator_map_file`, and the same query gives the same bytes: matplotlib's random SVG ids
are salted with a constant, and the date a PDF or SVG records is the export date the map prints
(midnight UTC of ``today``), not the second it was drawn; folium's random element names become
sequential ones.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Literal

from mapping.pages.comparison import Comparison
from mapping.pages.data import PageData
from mapping.pages.embed_query import ExportQuery
from mapping.pages.indicator_map import Choropleth
from mapping.pages.labels import scheme_names
from mapping.pages.maps import ASSET_PREFIX, indicator_map, map_settings, osm_data
from mapping.pages.targets import TargetRanking
from mapping.pages.text import Translator
from mapping.render.assets import inline_assets
from mapping.render.attribution import OSM_DATA_CREDIT
from mapping.render.escape import escape_text
from mapping.render.interactive import standalone_html
from mapping.render.static import PageSize, StaticFormat, StaticLabels, StaticMap, render_static

FileFormat = Literal["png", "svg", "pdf", "html"]
FILE_FORMATS: tuple[FileFormat, ...] = ("png", "svg", "pdf", "html")
MIME: dict[str, str] = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
}
#: Salt of matplotlib's SVG ids (random otherwise).
SVG_SALT = "palmap"

_FOLIUM_ID = re.compile(r"_([0-9a-f]{32})(?![0-9a-f])")
_PDF_DATE = re.compile(rb"/CreationDate \(D:(\d{14})")
_SVG_DATE = re.compile(r"<dc:date>[^<]*</dc:date>")


def static_labels(tr: Translator, data: PageData | None = None) -> StaticLabels:
    """The words a static map prints (a published edition's map names it and its day)."""
    edition = None if data is None else data.edition
    exported = tr("Edition %(code)s, published", code=edition) if edition else tr("Exported")
    return StaticLabels(
        source=tr("Source"), exported=exported, no_data=tr("no data or hidden"), north=tr("N")
    )


def schematic_note(data: PageData, tr: Translator) -> str | None:
    """The note under maps of schematic boundaries (None for official ones)."""
    return tr("Schematic boundaries, not official") if data.schematic else None


def file_name(*parts: object) -> str:
    """``palmap-<part>-<part>`` with anything but letters, digits, ``_.-`` replaced by ``-``."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", "-".join(["palmap", *map(str, parts)]))


def stable_bytes(body: bytes, fmt: str, today: date) -> bytes:
    """The file with the dates and ids that change from run to run made fixed.

    Examples
    --------
    >>> stable_bytes(b"/CreationDate (D:20261201153012Z)", "pdf", date(2026, 12, 1))
    b'/CreationDate (D:20261201000000Z)'
    """
    if fmt == "pdf":
        stamp = today.strftime("%Y%m%d000000").encode()
        return _PDF_DATE.sub(lambda _m: b"/CreationDate (D:" + stamp, body, count=1)
    if fmt == "svg":
        text = _SVG_DATE.sub(f"<dc:date>{today.isoformat()}</dc:date>", body.decode("utf-8"))
        return text.encode("utf-8")
    return body


def stable_html(page: str) -> str:
    """folium's random element names (``map_<32 hex>``) numbered in order of appearance."""
    names: dict[str, str] = {}

    def number(match: re.Match[str]) -> str:
        return "_" + names.setdefault(match.group(1), f"{len(names) + 1:032x}")

    return _FOLIUM_ID.sub(number, page)


def draw_static(
    data: PageData,
    spec: StaticMap,
    size: PageSize,
    fmt: StaticFormat,
    today: date,
    *,
    compact: bool = False,
    text_size: float | None = None,
) -> bytes:
    """:func:`~mapping.render.static.render_static`, the same bytes for the same input."""
    import matplotlib  # imported when used (see mapping.render.static.render_static)

    if osm_data(data) and not spec.attribution:
        spec = replace(spec, attribution=OSM_DATA_CREDIT)
    with matplotlib.rc_context({"svg.hashsalt": SVG_SALT}):
        body = render_static(
            data.analysis.districts, spec, size=size, fmt=fmt, compact=compact, text_size=text_size
        )
    return stable_bytes(body, fmt, data.day(today))


def indicator_map_spec(data: PageData, built: Choropleth, tr: Translator, today: date) -> StaticMap:
    """The static indicator map: title with year, classes, source, export date, note."""
    scheme = built.query.scheme
    return StaticMap(
        colours=built.fills,
        legend=built.legend,
        title=f"{built.label}, {built.values.year}",
        subtitle=tr(
            "%(unit)s; classes: %(scheme)s, %(k)d",
            unit=built.unit or "",
            scheme=scheme_names(tr).get(scheme, scheme),
            k=len(built.breaks),
        ),
        source=built.source,
        export_date=tr.long_date(data.day(today)),
        schematic_note=schematic_note(data, tr),
        labels=static_labels(tr, data),
    )


def indicator_map_file(
    data: PageData,
    built: Choropleth,
    tr: Translator,
    export: ExportQuery,
    fmt: FileFormat,
    *,
    today: date,
    asset_prefix: str = ASSET_PREFIX,
) -> bytes:
    """The indicator map as a file: static for reports, or a standalone interactive page."""
    if fmt == "html":
        settings = map_settings(tr, tiles=export.tiles, asset_prefix=asset_prefix, data=data)
        page = inline_assets(standalone_html(indicator_map(data, built, settings)), asset_prefix)
        title = f"<title>{escape_text(built.label)}, {built.values.year} · palmap</title>"
        # WCAG 3.1.1: the document names its language (folium writes a bare <html>).
        page = page.replace("<html>", f'<html lang="{tr.lang}">', 1)
        return stable_html(page.replace("<head>", "<head>" + title, 1)).encode("utf-8")
    spec = indicator_map_spec(data, built, tr, today)
    return draw_static(data, spec, export.size, fmt, today)


def change_map_spec(data: PageData, built: Comparison, tr: Translator, today: date) -> StaticMap:
    """The static change map of a comparison (estimated districts outlined, with their entry)."""
    return StaticMap(
        colours=built.change_fills,
        legend=built.change_legend,
        highlight=tuple(sorted(built.estimated)),
        highlight_label=built.change_legend.note,
        title=f"{built.label}: {built.first_label}–{built.last_label}",
        subtitle=built.change_legend.unit,
        source=built.source,
        export_date=tr.long_date(data.day(today)),
        schematic_note=schematic_note(data, tr),
        labels=static_labels(tr, data),
    )


def targets_map_spec(
    data: PageData, built: TargetRanking, tr: Translator, today: date
) -> StaticMap:
    """The static map of the top target areas (the rest plain grey)."""
    return StaticMap(
        colours=built.fills,
        legend=built.legend,
        title=built.legend.title,
        subtitle=tr(
            "Method: %(method)s; weights: %(weights)s",
            method=built.query.method,
            weights=", ".join(f"{n} {s}%" for n, s in built.shares),
        ),
        source=tr("palmap ranking of the indicators in the database"),
        export_date=tr.long_date(data.day(today)),
        schematic_note=schematic_note(data, tr),
        highlight=built.top_codes,
        labels=static_labels(tr, data),
        rest_label=tr("other districts"),
    )
