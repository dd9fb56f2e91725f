"""The content of an edition's yearly report, built once for the HTML, PDF and DOCX writers.

Sections, in order: the title page data; the needs maps of this edition beside the previous
published edition's; the resource changes since then (:func:`mapping.edition_diff.diff_editions`);
the target-area ranking (:func:`mapping.pages.targets.build_ranking`, its settings written out)
and the target areas the partnerships chose; actions by type with participants and funds; the
survey change; the sources of data; the note on the district boundaries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from mapping.edition_diff import diff_editions
from mapping.editions import EditionRecord
from mapping.layers import NEEDS_INDEX, RATE_SUFFIX
from mapping.pages.data import PageData
from mapping.pages.errors import UnknownItemError
from mapping.pages.exports import draw_static, indicator_map_spec
from mapping.pages.indicator_map import build_choropleth
from mapping.pages.labels import indicator_name, source_text
from mapping.pages.query import parse_map_query, parse_target_query
from mapping.pages.targets import build_ranking
from mapping.pages.text import Translator
from mapping.render.static import PageSize
from mapping.report.content import (
    Block,
    Facts,
    Figure,
    Figures,
    Paragraph,
    ReportContent,
    Section,
    Table,
)
from mapping.report.programme import FUNDING_SOURCES, ProgrammeSummary, SurveySummary

__all__ = ["MAP_SIZE", "SECTION_KEYS", "ReportInputs", "build_report", "report_layers"]

#: The sections, in the order the report prints them.
SECTION_KEYS: tuple[str, ...] = (
    "title",
    "maps",
    "resources",
    "targets",
    "actions",
    "surveys",
    "sources",
    "schematic",
)
#: The size of each map figure (two side by side fit the width of an A4 page).
MAP_SIZE = PageSize(width_mm=85, height_mm=120, dpi=150)
#: Longest list of changed resources printed (the counts cover every one).
MAX_LISTED = 40


@dataclass(frozen=True)
class ReportInputs:
    """An edition, its data, the previous published edition (or None) and the programme's
    summaries of the edition (empty when nothing is recorded)."""

    edition: EditionRecord
    data: PageData
    previous: EditionRecord | None = None
    previous_data: PageData | None = None
    programme: ProgrammeSummary = field(default_factory=ProgrammeSummary)
    surveys: SurveySummary = field(default_factory=SurveySummary)


def _day(edition: EditionRecord) -> date:
    stamp = edition.published_at or edition.created_at
    return stamp.date()


def report_layers(data: PageData) -> list[str]:
    """The layers of the needs maps: the needs index, then the rate of every needs indicator
    that has a denominator (its values per 1,000 residents)."""
    analysis = data.analysis
    rates = [
        code + RATE_SUFFIX
        for code in analysis.needs_codes()
        if analysis.registry[code].denominator is not None
    ]
    return ([NEEDS_INDEX] if analysis.needs_codes() else []) + rates


def _title(inputs: ReportInputs, tr: Translator) -> Section:
    edition = inputs.edition
    rows = (
        (tr("Edition"), edition.code),
        (tr("Title"), edition.title),
        (tr("Published"), tr.long_date(_day(edition))),
        (tr("Published by"), edition.published_by or ""),
        (tr("Previous edition"), inputs.previous.code if inputs.previous else tr("none")),
    )
    return Section("title", tr("Edition"), (Facts(rows),))


def _figure(data: PageData, layer: str, tr: Translator, code: str) -> Figure | None:
    analysis = data.analysis
    try:
        query = parse_map_query({}, analysis, tr, layer=layer)
    except UnknownItemError:  # the layer is not in this edition (its indicator was added later)
        return None
    built = build_choropleth(data, query, tr)
    day = data.day(date.today())
    spec = indicator_map_spec(data, built, tr, day)
    png = draw_static(data, spec, MAP_SIZE, "png", day, compact=True)
    caption = tr("Edition %(code)s: %(title)s", code=code, title=spec.title)
    if spec.subtitle:
        caption = f"{caption} ({spec.subtitle})"
    entries = "; ".join(label for _colour, label in built.legend.entries)
    return Figure(png=png, caption=caption, alt=f"{caption}. {tr('Legend')}: {entries}")


def _maps(inputs: ReportInputs, tr: Translator) -> Section:
    blocks: list[Block] = []
    previous, before = inputs.previous, inputs.previous_data
    if previous is None or before is None:
        blocks.append(
            Paragraph(
                tr("There is no earlier published edition: the maps show this edition only."),
                note=True,
            )
        )
    for layer in report_layers(inputs.data):
        figures = [_figure(inputs.data, layer, tr, inputs.edition.code)]
        if previous is not None and before is not None:
            figures.append(_figure(before, layer, tr, previous.code))
        shown = tuple(f for f in figures if f is not None)
        if shown:
            blocks.append(Figures(shown))
    if not report_layers(inputs.data):
        blocks.append(Paragraph(tr("This edition has no needs indicators to map."), note=True))
    return Section("maps", tr("Needs maps"), tuple(blocks))


def _number(value: object) -> str:
    return "" if value is None or value != value else f"{value}"


def _resources(inputs: ReportInputs, tr: Translator) -> Section:
    previous, before = inputs.previous, inputs.previous_data
    if previous is None or before is None:
        text = tr("There is no earlier published edition to compare the resources with.")
        return Section("resources", tr("Resource changes"), (Paragraph(text, note=True),))
    found = diff_editions(before.analysis, inputs.data.analysis).resources
    labels = {
        "added": tr("added"),
        "removed": tr("removed"),
        "moved": tr("moved"),
        "changed": tr("changed"),
    }
    counts = {k: int((found["change"] == k).sum()) if len(found) else 0 for k in labels}
    blocks: list[Block] = [
        Paragraph(tr("Changes since edition %(code)s.", code=previous.code)),
        Facts(tuple((labels[k], str(counts[k])) for k in labels)),
    ]
    if len(found):
        rows = tuple(
            (
                labels.get(str(r.change), str(r.change)),
                str(r.name),
                str(r.category),
                str(r.fields or ""),
                tr.number(r.moved_m, 0) if r.moved_m == r.moved_m else "",
            )
            for r in found.head(MAX_LISTED).itertuples(index=False)
        )
        columns = (tr("Change"), tr("Name"), tr("Category"), tr("Fields"), tr("Moved (m)"))
        blocks.append(Table(tr("Resources added, removed, moved or changed"), columns, rows))
        if len(found) > MAX_LISTED:
            more = tr("and %(count)d more", count=len(found) - MAX_LISTED)
            blocks.append(Paragraph(more, note=True))
    else:
        blocks.append(Paragraph(tr("No resource changed."), note=True))
    return Section("resources", tr("Resource changes"), tuple(blocks))


def _targets(inputs: ReportInputs, tr: Translator) -> Section:
    data = inputs.data
    query = parse_target_query({}, data.analysis, tr)
    built = build_ranking(data, query, tr)
    shares = ", ".join(f"{n} {s}%" for n, s in built.shares)
    settings = Facts(
        (
            (tr("Year"), str(query.year)),
            (tr("Method"), query.method),
            (tr("Weights"), shares),
            (
                tr("Sensitivity"),
                built.sensitivity,
            ),
            (tr("Top"), str(query.top)),
        )
    )
    rows = tuple(
        (
            str(r["rank"]),
            str(r["name"]),
            str(r["score"]),
            str(r["interval"]),
            str(r["stability_label"]),
        )
        for r in built.rows
    )
    columns = (tr("Rank"), tr("District"), tr("Score"), tr("Rank interval"), tr("Stability"))
    blocks: list[Block] = [
        Paragraph(tr("The ranking of this edition with the settings of the target-area page.")),
        settings,
        Table(built.legend.title, columns, rows),
    ]
    chosen = inputs.programme.target_areas
    if chosen:
        blocks.append(
            Table(
                tr("Target areas chosen by the partnerships"),
                (tr("Partnership"), tr("Districts")),
                tuple((c.partnership, ", ".join(c.districts)) for c in chosen),
            )
        )
    else:
        blocks.append(Paragraph(tr("No target areas chosen for this edition."), note=True))
    return Section("targets", tr("Target areas"), tuple(blocks))


def _source_names(tr: Translator) -> dict[str, str]:
    return {
        "eu": tr("EU funds"),
        "city": tr("city funds"),
        "state": tr("state budget"),
        "sponsor": tr("sponsors"),
    }


def _actions(inputs: ReportInputs, tr: Translator) -> Section:
    actions = inputs.programme.actions
    if not actions:
        text = tr("No actions recorded for this edition.")
        return Section("actions", tr("Actions"), (Paragraph(text, note=True),))
    names = _source_names(tr)
    columns = (
        tr("Type"),
        tr("Actions"),
        tr("Participants (planned)"),
        tr("Participants (actual)"),
        *(names[s] for s in FUNDING_SOURCES),
    )
    rows = tuple(
        (
            a.action_type,
            str(a.actions),
            str(a.planned_participants),
            str(a.actual_participants),
            *(tr.number(a.fund(s), 0) for s in FUNDING_SOURCES),
        )
        for a in actions
    )
    table = Table(tr("Actions by type, participants and funds (PLN)"), columns, rows)
    return Section("actions", tr("Actions"), (table,))


def _surveys(inputs: ReportInputs, tr: Translator) -> Section:
    surveys = inputs.surveys
    if not surveys.changes:
        text = tr("No surveys loaded for this edition.")
        return Section("surveys", tr("Survey change"), (Paragraph(text, note=True),))

    def shown(value: float | None) -> str:
        return "–" if value is None else tr.number(value, 1)

    rows = tuple(
        (
            c.action,
            c.question,
            shown(c.initial),
            shown(c.final),
            _number(c.respondents_initial),
            _number(c.respondents_final),
        )
        for c in surveys.changes
    )
    columns = (
        tr("Action"),
        tr("Question"),
        tr("Initial"),
        tr("Final"),
        tr("Respondents (initial)"),
        tr("Respondents (final)"),
    )
    blocks: list[Block] = [Table(surveys.measure or tr("Survey change"), columns, rows)]
    blocks.append(Paragraph(tr("A dash: fewer respondents than the privacy limit."), note=True))
    return Section("surveys", tr("Survey change"), tuple(blocks))


def _sources(inputs: ReportInputs, tr: Translator) -> Section:
    analysis = inputs.data.analysis
    rows = tuple(
        (indicator_name(analysis, code, tr), source_text(analysis.registry[code].source, tr))
        for code in analysis.registry.codes
    )
    return Section("sources", tr("Sources of data"), (Facts(rows),))


def _schematic(inputs: ReportInputs, tr: Translator) -> Section:
    if inputs.data.schematic:
        text = tr(
            "Schematic boundaries, not official: the district boundaries of this edition are "
            "drawn for illustration; figures per district are approximate."
        )
    else:
        text = tr("The district boundaries of this edition are official.")
    return Section("schematic", tr("District boundaries"), (Paragraph(text),))


_BUILDERS: tuple[Callable[[ReportInputs, Translator], Section], ...] = (
    _title,
    _maps,
    _resources,
    _targets,
    _actions,
    _surveys,
    _sources,
    _schematic,
)


def build_report(inputs: ReportInputs, tr: Translator) -> ReportContent:
    """The report of ``inputs.edition`` in the language of ``tr`` (same inputs, same content)."""
    edition = inputs.edition
    return ReportContent(
        title=tr("Yearly report: %(title)s", title=edition.title),
        lang=tr.lang,
        edition=edition.code,
        author=edition.published_by or "",
        day=_day(edition),
        sections=tuple(build(inputs, tr) for build in _BUILDERS),
    )
