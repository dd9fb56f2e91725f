"""Maps that leave palmap: PNG/SVG/PDF for reports, a standalone HTML map, a printable sheet.

* ``/mapa/<layer>.png|.svg|.pdf|.html`` (``/map/...``): the indicator map with exactly the classes
  of the interactive page (both draw :func:`mapping.pages.indicator_map.build_choropleth`);
  ``palmap render map`` writes the same bytes (:func:`mapping.pages.exports.indicator_map_file`).
* ``/porownanie/<layer>.png|.svg|.pdf`` (``/compare/...``): the change map of a comparison.
* ``/obszary/mapa.png|.svg|.pdf`` (``/targets/map...``): the map of the top target areas.
* ``/obszary/karta`` and ``/obszary/karta.pdf`` (``/targets/sheet``): a one-page justification
  of a ranking: settings, ranking table, map, sources, date.

Static files are A4 portrait at 300 dpi unless ``width``/``height`` (mm) and ``dpi`` say otherwise.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from flask import Blueprint, Response, render_template
from flask_babel import gettext as _

from app import pages
from app.cache import cached_page
from mapping.pages.comparison import build_comparison
from mapping.pages.data import PageData
from mapping.pages.exports import (
    MIME,
    change_map_spec,
    draw_static,
    file_name,
    indicator_map_file,
    schematic_note,
    targets_map_spec,
)
from mapping.pages.indicator_map import build_choropleth
from mapping.pages.query import (
    parse_compare_query,
    parse_export_query,
    parse_map_query,
    parse_target_query,
)
from mapping.pages.targets import RUNS, TargetRanking, build_ranking
from mapping.pages.text import Translator
from mapping.render.static import PageSize, render_static

bp = Blueprint("exports", __name__)


def _file(body: bytes | str, fmt: str, name: str) -> Response:
    response = Response(body, mimetype=MIME[fmt])
    response.headers["Content-Disposition"] = f'inline; filename="{name}.{fmt}"'
    return response


@pages.page_route(
    bp,
    "/mapa/<layer>.<any(png,svg,pdf,html):fmt>",
    "/map/<layer>.<any(png,svg,pdf,html):fmt>",
    endpoint="indicator_map",
)
@cached_page
def indicator_map(layer: str, fmt: str) -> Response:
    """The indicator map as a file: static for reports, or a standalone interactive page."""
    data, tr, args = pages.page_data(), pages.translator(), pages.args()
    query = parse_map_query(args, data.analysis, tr, layer=layer)
    export = parse_export_query(args, tr)
    built = build_choropleth(data, query, tr)
    prefix = pages.map_settings()["asset_prefix"]
    body = indicator_map_file(
        data,
        built,
        tr,
        export,
        fmt,
        today=date.today(),
        asset_prefix=prefix,
    )
    return _file(body, fmt, file_name(query.layer.code, query.year))


@pages.page_route(
    bp,
    "/porownanie/<layer>.<any(png,svg,pdf):fmt>",
    "/compare/<layer>.<any(png,svg,pdf):fmt>",
    endpoint="compare_map",
)
@cached_page
def compare_map(layer: str, fmt: str) -> Response:
    """The change map of a comparison (improved / worsened) as a file for a report."""
    data, tr, args = pages.page_data(), pages.translator(), pages.args()
    query = parse_compare_query(args, data.analysis, tr, layer=layer)
    size = parse_export_query(args, tr).size
    built = build_comparison(data, query, tr)
    today = date.today()
    body = draw_static(data, change_map_spec(data, built, tr, today), size, fmt, today)
    return _file(body, fmt, file_name(query.layer.code, query.first, query.last))


def _ranking(data: PageData, tr: Translator) -> TargetRanking:
    return build_ranking(data, parse_target_query(pages.args(), data.analysis, tr), tr)


@pages.page_route(
    bp,
    "/obszary/mapa.<any(png,svg,pdf):fmt>",
    "/targets/map.<any(png,svg,pdf):fmt>",
    endpoint="targets_map",
)
@cached_page
def targets_map(fmt: str) -> Response:
    """The map of the top target areas as a file for a report."""
    data, tr = pages.page_data(), pages.translator()
    size = parse_export_query(pages.args(), tr).size
    built = _ranking(data, tr)
    today = date.today()
    body = draw_static(data, targets_map_spec(data, built, tr, today), size, fmt, today)
    return _file(body, fmt, file_name("targets", built.query.year))


def _sheet_map(data: PageData, built: TargetRanking, tr: Translator, fmt: str, dpi: int) -> bytes:
    return render_static(
        data.analysis.districts,
        targets_map_spec(data, built, tr, date.today()),
        size=PageSize(width_mm=120, height_mm=120, dpi=dpi),
        fmt=fmt,
        compact=True,
    )


@pages.page_route(bp, "/obszary/karta", "/targets/sheet", endpoint="targets_sheet")
@cached_page
def targets_sheet() -> str:
    """A printable one-page justification of a ranking (HTML with print CSS)."""
    data, tr = pages.page_data(), pages.translator()
    built = _ranking(data, tr)
    return render_template(
        "targets_sheet.html",
        built=built,
        map_svg=_sheet_map(data, built, tr, "svg", 96).decode("utf-8"),
        sources=built.sources,
        today=tr.long_date(date.today()),
        pdf_url=pages.page_url("exports.targets_sheet_pdf", **built.args),
        back_url=pages.page_url("targets.index", **built.args),
        schematic=schematic_note(data, tr),
    )


@dataclass(frozen=True)
class SheetTexts:
    """The translated texts of the justification sheet's PDF."""

    title: str
    lines: list[str]
    header: list[str]
    footer: list[str]
    document_title: str


def sheet_pdf(texts: SheetTexts, built: TargetRanking, map_png: bytes) -> bytes:
    """The justification sheet as a one-page A4 PDF (matplotlib, no browser).

    The "render" part of issue 10 moves this layout to a core sheet renderer in
    ``mapping/render/``; its inputs are plain texts, rows and the map's PNG for that reason.
    """
    import matplotlib  # imported when used (see mapping.render.static.render_static)
    from matplotlib.figure import Figure
    from matplotlib.image import imread

    figure = Figure(figsize=(210 / 25.4, 297 / 25.4), dpi=150)
    figure.text(0.07, 0.965, texts.title, fontsize=14, fontweight="bold", va="top")
    figure.text(0.07, 0.93, "\n".join(texts.lines), fontsize=8.5, va="top", wrap=True)
    table_ax = figure.add_axes((0.07, 0.44, 0.86, 0.42))
    table_ax.set_axis_off()
    cells = [
        [str(r["rank"]), r["name"], r["score"], r["interval"], r["stability_label"]]
        for r in built.rows
    ]
    table = table_ax.table(
        cellText=cells,
        colLabels=texts.header,
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
    map_ax = figure.add_axes((0.07, 0.08, 0.5, 0.34))
    map_ax.imshow(imread(io.BytesIO(map_png), format="png"))
    map_ax.set_axis_off()
    figure.text(0.6, 0.42, "\n".join(texts.footer), fontsize=6.5, va="top", wrap=True)
    buffer = io.BytesIO()
    with matplotlib.rc_context({"pdf.fonttype": 42}):  # extractable, searchable text
        figure.savefig(buffer, format="pdf", metadata={"Title": texts.document_title})
    return buffer.getvalue()


def _sheet_texts(data: PageData, built: TargetRanking, tr: Translator) -> SheetTexts:
    query = built.query
    footer = [f"{name}: {source}" for name, source in built.sources]
    footer.append(_("Exported: %(date)s", date=tr.long_date(date.today())))
    note = schematic_note(data, tr)
    if note:
        footer.append(note)
    return SheetTexts(
        title=_("Target areas: justification of the ranking"),
        lines=[
            _(
                "Year: %(year)s. Method: %(method)s. Sensitivity: %(runs)d runs, each weight "
                "times a factor from 0.5 to 1.5.",
                year=query.year,
                method=query.method,
                runs=RUNS,
            ),
            _("Weights: %(weights)s", weights=", ".join(f"{n} {s}%" for n, s in built.shares)),
        ],
        header=[_("Rank"), _("District"), _("Score"), _("Rank interval"), _("Stability")],
        footer=footer,
        document_title=_("Target areas"),
    )


@pages.page_route(bp, "/obszary/karta.pdf", "/targets/sheet.pdf", endpoint="targets_sheet_pdf")
@cached_page
def targets_sheet_pdf() -> Response:
    """The justification sheet as a one-page A4 PDF (matplotlib, no browser)."""
    data, tr = pages.page_data(), pages.translator()
    built = _ranking(data, tr)
    body = sheet_pdf(_sheet_texts(data, built, tr), built, _sheet_map(data, built, tr, "png", 150))
    return _file(body, "pdf", file_name("targets-sheet", built.query.year))
