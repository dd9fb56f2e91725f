"""Maps that leave palmap: PNG/SVG/PDF for reports, a standalone HTML map, a printable sheet.

* ``/mapa/<layer>.png|.svg|.pdf|.html`` (``/map/...``): the indicator map with exactly the classes
  of the interactive page (both come from :func:`app.views.maps.build_choropleth`).
* ``/obszary/mapa.png|.svg|.pdf`` (``/targets/map...``): the map of the top target areas.
* ``/obszary/karta`` and ``/obszary/karta.pdf`` (``/targets/sheet``): a one-page justification
  of a ranking: settings, ranking table, map, sources, date.

Static files are A4 portrait at 300 dpi unless ``width``/``height`` (mm) and ``dpi`` say otherwise.
"""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

from flask import Blueprint, Response, render_template, request
from flask_babel import format_date
from flask_babel import gettext as _

from app import pages
from app.cache import cached_page
from app.views.maps import _tooltips, build_choropleth, build_comparison
from app.views.targets import build_ranking
from mapping.errors import ValidationError
from mapping.render.assets import inline_assets
from mapping.render.choropleth import district_map
from mapping.render.escape import escape_text
from mapping.render.interactive import standalone_html
from mapping.render.static import (
    PageSize,
    StaticLabels,
    StaticMap,
    render_static,
)

bp = Blueprint("exports", __name__)

MIME = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
}


def _page_size() -> PageSize:
    def number(name: str, default: float) -> float:
        raw = request.args.get(name)
        if raw in (None, ""):
            return default
        try:
            return float(raw.replace(",", "."))
        except ValueError:
            raise pages.SettingError(
                _("%(what)s: expected a number, got %(value)s.", what=name, value=raw)
            ) from None

    try:
        return PageSize(
            width_mm=number("width", 210.0),
            height_mm=number("height", 297.0),
            dpi=int(number("dpi", 300)),
        )
    except ValidationError as exc:
        raise pages.SettingError(str(exc)) from None


def _labels() -> StaticLabels:
    return StaticLabels(
        source=_("Source"), exported=_("Exported"), no_data=_("no data or hidden"), north=_("N")
    )


def _schematic_note(data: Any) -> str | None:
    return _("Schematic boundaries, not official") if data.districts["schematic"].any() else None


def _file(body: bytes | str, fmt: str, name: str) -> Response:
    response = Response(body, mimetype=MIME[fmt])
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name)
    response.headers["Content-Disposition"] = f'inline; filename="{safe}.{fmt}"'
    return response


@bp.get("/mapa/<layer>.<any(png,svg,pdf,html):fmt>", endpoint="indicator_map")
@bp.get("/map/<layer>.<any(png,svg,pdf,html):fmt>", endpoint="indicator_map_en")
@cached_page
def indicator_map(layer: str, fmt: str):
    """The indicator map as a file: static for reports, or a standalone interactive page."""
    choropleth = build_choropleth(layer, "maps.indicator_map")
    data, values, settings = choropleth.data, choropleth.values, choropleth.settings
    label = pages.layer_label(data, values.layer)
    name = f"palmap-{values.layer.code}-{values.year}"
    if fmt == "html":
        options = pages.map_settings()
        # Offline by default: a file opened without a network draws everything but base tiles.
        options["tiles"] = (
            request.args.get("tiles") if request.args.get("tiles") == "osm" else "none"
        )
        folium_map = district_map(
            data.districts,
            fills=choropleth.fills,
            tooltips=_tooltips(values, unit=choropleth.unit),
            legend=choropleth.legend,
            resources=data.resources,
            categories=data.categories,
            resource_ids=list(data.resources["id"]),
            show_resources=False,
            layer_name=label,
            **options,
        )
        page = inline_assets(standalone_html(folium_map), options["asset_prefix"])
        title = f"<title>{escape_text(label)}, {values.year} · palmap</title>"
        return _file(page.replace("<head>", "<head>" + title, 1), fmt, name)
    spec = StaticMap(
        colours=choropleth.fills,
        legend=choropleth.legend,
        title=f"{label}, {values.year}",
        subtitle=_(
            "%(unit)s; classes: %(scheme)s, %(k)d",
            unit=choropleth.unit or "",
            scheme=dict(pages.scheme_choices()).get(settings.scheme, settings.scheme),
            k=len(choropleth.breaks),
        ),
        source=pages.layer_source(data, values.layer, settings.weights),
        export_date=format_date(date.today(), "long"),
        schematic_note=_schematic_note(data),
        labels=_labels(),
    )
    body = render_static(data.districts, spec, size=_page_size(), fmt=fmt)
    return _file(body, fmt, name)


@bp.get("/porownanie/<layer>.<any(png,svg,pdf):fmt>", endpoint="compare_map")
@bp.get("/compare/<layer>.<any(png,svg,pdf):fmt>", endpoint="compare_map_en")
@cached_page
def compare_map(layer: str, fmt: str):
    """The change map of a comparison (improved / worsened) as a file for a report."""
    built = build_comparison(layer)
    spec = StaticMap(
        colours=built.change_fills,
        legend=built.change_legend,
        title=f"{built.label}: {built.first}–{built.last}",
        subtitle=built.change_legend.unit,
        source=pages.layer_source(built.data, built.found, built.settings.weights),
        export_date=format_date(date.today(), "long"),
        schematic_note=_schematic_note(built.data),
        labels=_labels(),
    )
    body = render_static(built.data.districts, spec, size=_page_size(), fmt=fmt)
    return _file(body, fmt, f"palmap-{built.found.code}-{built.first}-{built.last}")


@bp.get("/obszary/mapa.<any(png,svg,pdf):fmt>", endpoint="targets_map")
@bp.get("/targets/map.<any(png,svg,pdf):fmt>", endpoint="targets_map_en")
@cached_page
def targets_map(fmt: str):
    """The map of the top target areas as a file for a report."""
    built = build_ranking()
    body = render_static(built.data.districts, _targets_spec(built), size=_page_size(), fmt=fmt)
    return _file(body, fmt, f"palmap-targets-{built.settings['year']}")


def _targets_spec(built: Any) -> StaticMap:
    top = [r["code"] for r in built.rows if r["top"]]
    return StaticMap(
        colours=built.fills,
        legend=built.legend,
        title=built.legend.title,
        subtitle=_(
            "Method: %(method)s; weights: %(weights)s",
            method=built.settings["method"],
            weights=", ".join(f"{n} {s}%" for n, s in built.shares),
        ),
        source=_("palmap ranking of the indicators in the database"),
        export_date=format_date(date.today(), "long"),
        schematic_note=_schematic_note(built.data),
        highlight=top,
        labels=_labels(),
        rest_label=_("other districts"),
    )


@bp.get("/obszary/karta", endpoint="targets_sheet")
@bp.get("/targets/sheet", endpoint="targets_sheet_en")
@cached_page
def targets_sheet():
    """A printable one-page justification of a ranking (HTML with print CSS)."""
    built = build_ranking()
    svg = render_static(
        built.data.districts,
        _targets_spec(built),
        size=PageSize(width_mm=120, height_mm=120, dpi=96),
        fmt="svg",
        compact=True,
    ).decode("utf-8")
    return render_template(
        "targets_sheet.html",
        built=built,
        map_svg=svg,
        sources=_sources(built),
        today=format_date(date.today(), "long"),
        pdf_url=pages.page_url("exports.targets_sheet_pdf", **built.query),
        back_url=pages.page_url("targets.index", **built.query),
        schematic=_schematic_note(built.data),
    )


def _sources(built: Any) -> list[tuple[str, str]]:
    registry = built.data.registry
    return [
        (pages.indicator_name(built.data, code), str(registry[code].source or ""))
        for code, weight in built.settings["weights"].items()
        if weight > 0
    ]


@bp.get("/obszary/karta.pdf", endpoint="targets_sheet_pdf")
@bp.get("/targets/sheet.pdf", endpoint="targets_sheet_pdf_en")
@cached_page
def targets_sheet_pdf():
    """The justification sheet as a one-page A4 PDF (matplotlib, no browser)."""
    import matplotlib  # imported when used (see mapping.render.static.render_static)
    from matplotlib.figure import Figure

    built = build_ranking()
    figure = Figure(figsize=(210 / 25.4, 297 / 25.4), dpi=150)
    settings = built.settings
    figure.text(
        0.07,
        0.965,
        _("Target areas: justification of the ranking"),
        fontsize=14,
        fontweight="bold",
        va="top",
    )
    lines = [
        _(
            "Year: %(year)s. Method: %(method)s. Sensitivity: %(runs)d runs, each weight "
            "times a factor from 0.5 to 1.5.",
            year=settings["year"],
            method=settings["method"],
            runs=1000,
        ),
        _("Weights: %(weights)s", weights=", ".join(f"{n} {s}%" for n, s in built.shares)),
    ]
    figure.text(0.07, 0.93, "\n".join(lines), fontsize=8.5, va="top", wrap=True)
    table_ax = figure.add_axes((0.07, 0.44, 0.86, 0.42))
    table_ax.set_axis_off()
    header = [_("Rank"), _("District"), _("Score"), _("Rank interval"), _("Stability")]
    cells = [
        [str(r["rank"]), r["name"], r["score"], r["interval"], r["stability_label"]]
        for r in built.rows
    ]
    table = table_ax.table(
        cellText=cells,
        colLabels=header,
        loc="upper left",
        colWidths=[0.08, 0.42, 0.14, 0.18, 0.18],
        cellLoc="left",
    )
    table.auto_set_font_size(False)
    table.set_fontsize(7.5)
    table.scale(1, 1.05)
    for (row, _col), cell in table.get_celld().items():
        cell.set_edgecolor("#c8ced6")
        if row == 0:
            cell.set_text_props(fontweight="bold")
        elif built.rows[row - 1]["top"]:
            cell.set_facecolor("#f3e8ee")
    map_png = render_static(
        built.data.districts,
        _targets_spec(built),
        size=PageSize(width_mm=120, height_mm=120, dpi=150),
        fmt="png",
        compact=True,
    )
    from matplotlib.image import imread

    map_ax = figure.add_axes((0.07, 0.08, 0.5, 0.34))
    map_ax.imshow(imread(io.BytesIO(map_png), format="png"))
    map_ax.set_axis_off()
    footer = [f"{name}: {source}" for name, source in _sources(built)]
    footer.append(_("Exported: %(date)s", date=format_date(date.today(), "long")))
    note = _schematic_note(built.data)
    if note:
        footer.append(note)
    figure.text(0.6, 0.42, "\n".join(footer), fontsize=6.5, va="top", wrap=True)
    buffer = io.BytesIO()
    with matplotlib.rc_context({"pdf.fonttype": 42}):  # extractable, searchable text
        figure.savefig(buffer, format="pdf", metadata={"Title": _("Target areas")})
    return _file(buffer.getvalue(), "pdf", f"palmap-targets-sheet-{settings['year']}")
