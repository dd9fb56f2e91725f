"""The content of an edition's yearly report, built once for the HTML, PDF and DOCX writers.

Sections, in order: the title page data; the needs maps of this edition beside the previous
published edition's; the resource changes since then (:func:`mapping.edition_diff.diff_editions`);
the rankings the partnerships saved with their target areas, each reproduced from its saved
settings (:func:`mapping.pages.targets.build_ranking` on the edition's frozen data: the ranking
they chose from), its settings written out and the chosen districts marked, or, only when none
was saved, the default ranking labelled as such; the target areas the partnerships chose;
actions by type with participants and funds; the survey change; the sources of data; the note
on the district boundaries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from mapping.edition_diff import diff_editions
from mapping.editions import EditionRecord
from mapping.errors import MappingError
from mapping.layers import NEEDS_INDEX, RATE_SUFFIX
from mapping.pages.data import PageData
from mapping.pages.errors import UnknownItemError
from mapping.pages.exports import draw_static, indicator_map_spec
from mapping.pages.indicator_map import build_choropleth
from mapping.pages.labels import category_names, indicator_name, source_text
from mapping.pages.query import TargetQuery, parse_map_query, parse_target_query
from mapping.pages.targets import SEED, TargetRanking, build_ranking
from mapping.pages.text import Translator
from mapping.programme import ACTION_TYPES, names_of
from mapping.render.attribution import OSM_DATA_CREDIT, holds_osm
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
from mapping.report.programme import (
    FUNDING_SOURCES,
    ProgrammeSummary,
    SurveySummary,
    TargetAreaChoice,
)

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
#: The size of each map figure: two side by side fit the width of an A4 page, two rows of them
#: with their captions its height, so they are printed at this size, not shrunk.
MAP_SIZE = PageSize(width_mm=85, height_mm=100, dpi=150)
#: The size of the maps' legend and scale texts relative to an A4 map's.
MAP_TEXT_SIZE = 0.85
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
    # The legend's type as large as a printed page's small print (not scaled down with the map).
    png = draw_static(data, spec, MAP_SIZE, "png", day, compact=True, text_size=MAP_TEXT_SIZE)
    caption = tr("Edition %(code)s: %(title)s", code=code, title=spec.title)
    if spec.subtitle:
        caption = f"{caption}. {spec.subtitle[:1].upper()}{spec.subtitle[1:]}"
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


def _count(value: int | None) -> str:
    """A count, or a dash where it is hidden."""
    return "–" if value is None else str(value)


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


def _method_name(method: str, tr: Translator) -> str:
    names = {
        "zscore": tr("z-scores (weighted mean)"),
        "imd": tr("IMD method (exponential scores)"),
    }
    return names.get(method, method)


def _weights_text(data: PageData, query: TargetQuery, tr: Translator) -> str:
    """Each weight as set, with its share of all the weights: "Unemployment 3 (60%); ..."."""
    items = [(indicator_name(data.analysis, c, tr), w) for c, w in query.weights.items()]
    items += [(tr("poor access"), query.access_weight), (tr("few resources"), query.supply_weight)]
    total = sum(weight for _name, weight in items)
    return "; ".join(
        f"{name} {tr.number(weight, 2).rstrip('0').rstrip('.,')} "
        f"({tr.number(100 * weight / total, 0)}%)"
        for name, weight in items
        if weight > 0
    )


def _settings(data: PageData, built: TargetRanking, saved: dict[str, str], tr: Translator) -> Facts:
    """The settings the ranking was computed with (for a saved one: as they were saved)."""
    query = built.query
    rows = [
        (tr("Year"), str(query.year)),
        (tr("Method"), _method_name(query.method, tr)),
        (tr("Weights"), _weights_text(data, query, tr)),
    ]
    if query.category:
        names = category_names(data.analysis, tr)
        rows.append((tr("Category"), names.get(query.category, query.category)))
    seed = tr("Seed: %(seed)s.", seed=saved.get("seed", str(SEED)))
    sensitivity = f"{built.sensitivity} {seed}"
    rows += [(tr("Sensitivity"), sensitivity), (tr("Top"), str(query.top))]
    return Facts(tuple(rows))


def _ranking_table(
    built: TargetRanking, caption: str, marks: dict[str, list[str]], tr: Translator
) -> Table:
    """The ranking's rows; the last column names the partnerships that chose each district."""
    columns = (
        tr("Rank"),
        tr("District"),
        tr("Score"),
        tr("Rank interval"),
        tr("Stability"),
        tr("In the top %(count)d", count=built.query.top),
        tr("Chosen by"),
    )
    rows = tuple(
        (
            str(r["rank"]),
            str(r["name"]),
            str(r["score"]),
            str(r["interval"]),
            str(r["stability_label"]),
            "–" if r["share"] is None else f"{r['share']}%",
            ", ".join(marks.get(str(r["code"]), [])),
        )
        for r in built.rows
    )
    return Table(caption, columns, rows)


SavedRanking = tuple[tuple[str, str], ...]


def _saved_rankings(
    chosen: tuple[TargetAreaChoice, ...],
) -> dict[SavedRanking, list[TargetAreaChoice]]:
    """The chosen target areas grouped by the ranking saved with them (a ranking several
    partnerships saved is shown once, their choices marked in it together)."""
    groups: dict[SavedRanking, list[TargetAreaChoice]] = {}
    for choice in chosen:
        if choice.ranking:
            groups.setdefault(choice.ranking, []).append(choice)
    return groups


def _saved_ranking(
    data: PageData, ranking: SavedRanking, choices: list[TargetAreaChoice], tr: Translator
) -> list[Block]:
    """A saved ranking reproduced from its saved settings (the edition's data never change, so
    it is the ranking the partnerships saw), its settings, the chosen districts marked."""
    saved = dict(ranking)
    partnerships = ", ".join(c.partnership for c in choices)
    args = {k: v for k, v in saved.items() if k not in ("runs", "seed", "edition")}
    args.setdefault("mv", "1")  # saved before method versions: the version-1 method
    try:
        query = parse_target_query(args, data.analysis, tr)
        built = build_ranking(data, query, tr, runs=int(saved["runs"]) if "runs" in saved else None)
    except (MappingError, ValueError) as error:
        text = tr(
            "The ranking saved by %(partnerships)s cannot be reproduced: %(error)s",
            partnerships=partnerships,
            error=str(error),
        )
        return [Paragraph(text, note=True)]
    marks: dict[str, list[str]] = {}
    for choice in choices:
        for code in choice.codes:
            marks.setdefault(code, []).append(choice.partnership)
    heading = tr("The ranking saved by %(partnerships)s", partnerships=partnerships)
    return [
        Paragraph(heading),
        _settings(data, built, saved, tr),
        # The partnerships in the caption too: each table (a named region on the page) has
        # its own name.
        _ranking_table(
            built,
            tr(
                "%(title)s, saved by %(partnerships)s",
                title=built.legend.title,
                partnerships=partnerships,
            ),
            marks,
            tr,
        ),
    ]


def _default_ranking(data: PageData, tr: Translator) -> list[Block]:
    """The ranking with the target-area page's default settings, labelled as such."""
    query = parse_target_query({}, data.analysis, tr)
    built = build_ranking(data, query, tr)
    text = tr(
        "No ranking was saved with a target area in this edition. Below is the default "
        "ranking (every needs indicator weighted equally), not one a partnership chose from."
    )
    caption = tr("Default ranking: %(title)s", title=built.legend.title)
    return [
        Paragraph(text, note=True),
        _settings(data, built, {}, tr),
        _ranking_table(built, caption, {}, tr),
    ]


def _targets(inputs: ReportInputs, tr: Translator) -> Section:
    data, chosen = inputs.data, inputs.programme.target_areas
    blocks: list[Block] = []
    groups = _saved_rankings(chosen)
    if groups:
        blocks.append(
            Paragraph(
                tr(
                    "Each ranking a partnership saved with its target area, reproduced from its "
                    "saved settings on this edition's data; the last column marks the chosen "
                    "districts."
                )
            )
        )
        for ranking, choices in groups.items():
            blocks.extend(_saved_ranking(data, ranking, choices, tr))
    else:
        blocks.extend(_default_ranking(data, tr))
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
    type_names = names_of(ACTION_TYPES, tr.lang)
    key = "; ".join(f"{a.action_type}: {type_names.get(a.action_type, '')}" for a in actions)
    return Section(
        "actions", tr("Actions"), (table, Paragraph(tr("Types: %(key)s", key=key), note=True))
    )


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
            _count(c.respondents_initial),
            _count(c.respondents_final),
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
    blocks.append(
        Paragraph(
            tr(
                "A dash: hidden, because fewer people answered than the privacy limit or the "
                "value could be worked out from the totals."
            ),
            note=True,
        )
    )
    return Section("surveys", tr("Survey change"), tuple(blocks))


def _sources(inputs: ReportInputs, tr: Translator) -> Section:
    analysis = inputs.data.analysis
    rows = tuple(
        (indicator_name(analysis, code, tr), source_text(analysis.registry[code].source, tr))
        for code in analysis.registry.codes
    )
    if holds_osm(analysis.resources, analysis.districts):
        rows = (*rows, ("OpenStreetMap", OSM_DATA_CREDIT))
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
