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

from datetime import date

from flask import Blueprint, Response, render_template
from flask_babel import gettext as _

from app import pages
from app.cache import cached_page
from mapping.pages import arguments as take
from mapping.pages.comparison import build_comparison
from mapping.pages.data import PageData
from mapping.pages.edition_compare import comparison_inputs
from mapping.pages.embed_query import parse_export_query
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
    parse_map_query,
    parse_target_query,
)
from mapping.pages.targets import TargetRanking, build_ranking
from mapping.pages.text import Translator
from mapping.render import sheet
from mapping.render.static import PageSize

bp = Blueprint("exports", __name__)


def _file(body: bytes | str, fmt: str, name: str) -> Response:
    # The whole Content-Type (MIME names the charset of HTML): ``mimetype=`` would add another.
    response = Response(body, content_type=MIME[fmt])
    response.headers["Content-Disposition"] = f'inline; filename="{name}.{fmt}"'
    return response


@pages.page_route(
    bp,
    "/mapa/<layer>.<any(png,svg,pdf,html):fmt>",
    "/map/<layer>.<any(png,svg,pdf,html):fmt>",
    endpoint="indicator_map",
)
@cached_page(*take.MAP_ARGS, *take.EXPORT_ARGS)
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
@cached_page(*take.COMPARE_ARGS, *take.EXPORT_ARGS)
def compare_map(layer: str, fmt: str) -> Response:
    """The change map of a comparison (improved / worsened / no clear change; two editions
    with ``against``, estimates outlined) as a file for a report."""
    tr, args = pages.translator(), pages.args()
    data, query, estimated = comparison_inputs(
        pages.page_data(), args, tr, layer=layer, against=pages.against_edition()
    )
    size = parse_export_query(args, tr).size
    built = build_comparison(data, query, tr, estimated=estimated)
    today = date.today()
    body = draw_static(data, change_map_spec(data, built, tr, today), size, fmt, today)
    against = () if query.against is None else ("against", query.against)
    return _file(body, fmt, file_name(query.layer.code, query.first, query.last, *against))


def _ranking(data: PageData, tr: Translator) -> TargetRanking:
    return build_ranking(data, parse_target_query(pages.args(), data.analysis, tr), tr)


@pages.page_route(
    bp,
    "/obszary/mapa.<any(png,svg,pdf):fmt>",
    "/targets/map.<any(png,svg,pdf):fmt>",
    endpoint="targets_map",
)
@cached_page(*take.TARGET_ARGS, *take.EXPORT_ARGS)
def targets_map(fmt: str) -> Response:
    """The map of the top target areas as a file for a report."""
    data, tr = pages.page_data(), pages.translator()
    size = parse_export_query(pages.args(), tr).size
    built = _ranking(data, tr)
    today = date.today()
    body = draw_static(data, targets_map_spec(data, built, tr, today), size, fmt, today)
    return _file(body, fmt, file_name("targets", built.query.year))


def _sheet_map(data: PageData, built: TargetRanking, tr: Translator, fmt: str, dpi: int) -> bytes:
    spec = targets_map_spec(data, built, tr, date.today())
    # Wide, so that the legend stands beside the map across the sheet's text width.
    size = PageSize(width_mm=180, height_mm=115, dpi=dpi)
    return draw_static(data, spec, size, fmt, date.today(), compact=True, text_size=1.0)


@pages.page_route(bp, "/obszary/karta", "/targets/sheet", endpoint="targets_sheet")
@cached_page(*take.TARGET_ARGS)
def targets_sheet() -> str:
    """A printable one-page justification of a ranking (HTML with print CSS)."""
    data, tr = pages.page_data(), pages.translator()
    built = _ranking(data, tr)
    return render_template(
        "targets_sheet.html",
        built=built,
        map_svg=_sheet_map(data, built, tr, "svg", 96).decode("utf-8"),
        sources=built.sources,
        exported=_exported(data, tr),
        pdf_url=pages.page_url("exports.targets_sheet_pdf", **built.args),
        back_url=pages.page_url("targets.index", **built.args),
        schematic=schematic_note(data, tr),
    )


def _exported(data: PageData, tr: Translator) -> str:
    """ "Exported: <today>", or on a published edition's sheet its code and publication day."""
    day = tr.long_date(data.day(date.today()))
    if data.edition:
        return _("Edition %(code)s, published: %(date)s", code=data.edition, date=day)
    return _("Exported: %(date)s", date=day)


def _sheet_rows(built: TargetRanking) -> list[sheet.SheetRow]:
    return [
        sheet.SheetRow(
            rank=str(r["rank"]),
            name=r["name"],
            score=r["score"],
            interval=r["interval"],
            stability=r["stability_label"],
            top=r["top"],
        )
        for r in built.rows
    ]


def _sheet_pdf(data: PageData, built: TargetRanking, tr: Translator) -> bytes:
    query = built.query
    return sheet.targets_sheet_pdf(
        data.analysis.districts,
        targets_map_spec(data, built, tr, date.today()),
        settings=[
            _(
                "Year: %(year)s. Method: %(method)s. Sensitivity: %(runs)d runs, each weight "
                "times a factor from 0.5 to 1.5.",
                year=query.year,
                method=query.method,
                runs=built.runs,
            )
            if query.method_version == 1
            else _("Year: %(year)s. Method: %(method)s.", year=query.year, method=query.method)
            + " "
            + built.sensitivity,
            _("Weights: %(weights)s", weights=", ".join(f"{n} {s}%" for n, s in built.shares)),
        ],
        rows=_sheet_rows(built),
        sources=built.sources,
        exported=_exported(data, tr),
        note=schematic_note(data, tr),
        labels=sheet.SheetLabels(
            heading=_("Target areas: justification of the ranking"),
            columns=(_("Rank"), _("District"), _("Score"), _("Rank interval"), _("Stability")),
            document_title=_("Target areas"),
            sources=_("Sources"),
        ),
    )


@pages.page_route(bp, "/obszary/karta.pdf", "/targets/sheet.pdf", endpoint="targets_sheet_pdf")
@cached_page(*take.TARGET_ARGS)
def targets_sheet_pdf() -> Response:
    """The justification sheet as a one-page A4 PDF (matplotlib, no browser)."""
    data, tr = pages.page_data(), pages.translator()
    built = _ranking(data, tr)
    body = _sheet_pdf(data, built, tr)
    return _file(body, "pdf", file_name("targets-sheet", built.query.year))
