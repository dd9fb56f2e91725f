"""``palmap analyse supply|needs|access|gaps`` and ``palmap rank``: analyses over the database.

Every output carries how it was made (:func:`mapping.method.method_meta`): JSON as the ``meta``
object beside the ``rows``, CSV as ``# key: value`` rows above the table, the terminal table on
standard error.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from flask.cli import with_appcontext

from app.cli_common import FORMATS, F, emit, handle_errors
from app.db import get_engine

if TYPE_CHECKING:
    import pandas as pd

    from mapping.analysis import AnalysisData

#: Help of ``--category-weights`` (access, gaps and rank).
CATEGORY_WEIGHTS_HELP = (
    "Without --category: weights of the categories' own scores, code=w,code=w "
    "(default: equal over every category with resources)."
)


def _emit(frame: pd.DataFrame, meta: Mapping[str, Any], fmt: str, output: Path | None) -> None:
    """The table with its ``meta``: in the JSON object, as CSV comment rows, or on stderr."""
    from mapping.method import comment_rows, csv_with_meta, json_with_meta

    if fmt == "table":
        click.echo(comment_rows(meta), err=True, nl=False)
        emit(frame, fmt, output)
        return
    text = json_with_meta(frame, meta) if fmt == "json" else csv_with_meta(frame, meta)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"{len(frame)} rows written to {output}.", err=True)


#: Help of ``--distance`` (access, gaps and rank).
DISTANCE_HELP = (
    "How distances are measured: network (along the imported walking network), detour "
    "(straight line x 1.3) or straight (default: network when one is imported, else detour)."
)


def _distance_option(func: F) -> F:
    return click.option(
        "--distance", type=click.Choice(["network", "detour", "straight"]), help=DISTANCE_HELP
    )(func)


def _analysis_options(func: F) -> F:
    options = [
        click.option("--year", type=int, required=True, help="Year of the indicator values."),
        click.option("--category", help="Resource category code (default: all)."),
        click.option("--weights", help="Indicator weights: code=w,code=w (default: equal)."),
        click.option(
            "--method",
            type=click.Choice(["zscore", "imd"]),
            default="zscore",
            show_default=True,
            help="Needs index method.",
        ),
        click.option(
            "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True
        ),
        click.option(
            "-o",
            "--output",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Write to FILE instead of the terminal.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _data() -> AnalysisData:
    from mapping.analysis import AnalysisData

    return AnalysisData.from_store(get_engine())


@click.group("analyse")
def analyse() -> None:
    """Analyses per district: supply, needs, access, gaps, correlations (alias: analyze)."""


@analyse.command("supply")
@_analysis_options
@with_appcontext
@handle_errors
def analyse_supply(
    year: int,
    category: str | None,
    weights: str | None,
    method: str,
    fmt: str,
    output: Path | None,
) -> None:
    """Resources per district and category: count, capacity, per 1,000 residents, per km²."""
    from mapping.analysis import supply_table
    from mapping.method import method_meta

    data = _data()
    table = supply_table(data, year=year, category=category)
    settings = {"year": year, "category": category}
    _emit(table, method_meta("supply", data, settings=settings), fmt, output)


@analyse.command("needs")
@_analysis_options
@click.option(
    "--raw-rates",
    is_flag=True,
    help="Use the raw rates instead of their empirical Bayes estimates (the default).",
)
@with_appcontext
@handle_errors
def analyse_needs(
    year: int,
    category: str | None,
    weights: str | None,
    method: str,
    fmt: str,
    output: Path | None,
    raw_rates: bool,
) -> None:
    """Composite needs index per district (rank 1 = most need)."""
    from mapping.analysis import needs_table, parse_weights
    from mapping.method import method_meta

    data = _data()
    index = needs_table(
        data,
        year=year,
        weights=parse_weights(weights),
        method=method,
        smoothing="none" if raw_rates else "eb",
    )
    if fmt == "table":
        click.echo(index.explain(), err=True)
    meta = method_meta(
        "needs",
        data,
        settings={"year": year, "method": method},
        weights=index.weights,
        indicators=list(index.weights),
        smoothing=index.smoothing,
    )
    _emit(data.with_names(index.scores), meta, fmt, output)


@analyse.command("access")
@_analysis_options
@click.option("--category-weights", help=CATEGORY_WEIGHTS_HELP)
@click.option(
    "--radius",
    "radius_m",
    type=float,
    default=500.0,
    show_default=True,
    help="Radius of the coverage column, metres.",
)
@click.option(
    "--grid-m",
    type=click.FloatRange(min=10.0, max=100_000.0),
    default=100.0,
    show_default=True,
    help="Grid cell (metres) the residents are spread over when the year has no population "
    "surface.",
)
@_distance_option
@with_appcontext
@handle_errors
def analyse_access(
    year: int,
    category: str | None,
    weights: str | None,
    method: str,
    fmt: str,
    output: Path | None,
    category_weights: str | None,
    radius_m: float,
    grid_m: float,
    distance: str | None,
) -> None:
    """Access per district from where people live: demand, nearest_m, coverage (of residents),
    2sfca, e2sfca (1.0 = city average); the demand model in the meta and, for a table, on
    stderr."""
    from mapping.analysis import access_categories, access_table, parse_weights
    from mapping.method import method_meta
    from mapping.population import demand_model_description

    data = _data()
    categories = access_categories(
        data,
        year=year,
        category=category,
        category_weights=parse_weights(category_weights),
        grid_m=grid_m,
        distance=distance,
    )
    table = access_table(
        data, year=year, category=category, radius_m=radius_m, categories=categories
    )
    if fmt == "table":
        model = demand_model_description(categories.demand)
        click.echo(f"Demand model: {model['text']}.", err=True)
        click.echo(f"Distance: {categories.distance['text']}.", err=True)
    settings = {
        "year": year,
        "category": category,
        "radius_m": radius_m,
        "grid_m": grid_m,
        "distance": categories.mode.kind,
    }
    meta = method_meta(
        "access",
        data,
        settings=settings,
        access=categories,
        indicators=["residents"],
        smoothing="none",  # residents are counted people, not a rate
    )
    _emit(table, meta, fmt, output)


@analyse.command("gaps")
@_analysis_options
@click.option("--category-weights", help=CATEGORY_WEIGHTS_HELP)
@_distance_option
@with_appcontext
@handle_errors
def analyse_gaps(
    year: int,
    category: str | None,
    weights: str | None,
    method: str,
    fmt: str,
    output: Path | None,
    category_weights: str | None,
    distance: str | None,
) -> None:
    """Needs rank against E2SFCA access rank, with quadrant labels."""
    from mapping.analysis import access_categories, gaps_table, needs_table, parse_weights
    from mapping.method import method_meta

    data = _data()
    index = needs_table(data, year=year, weights=parse_weights(weights), method=method)
    categories = access_categories(
        data,
        year=year,
        category=category,
        category_weights=parse_weights(category_weights),
        distance=distance,
    )
    table = gaps_table(
        data,
        year=year,
        weights=parse_weights(weights),
        method=method,
        category=category,
        categories=categories,
    )
    meta = method_meta(
        "gaps",
        data,
        settings={
            "year": year,
            "method": method,
            "category": category,
            "distance": categories.mode.kind,
        },
        weights=index.weights,
        indicators=[*index.weights, "residents"],
        access=categories,
    )
    _emit(table, meta, fmt, output)


@analyse.command("correlations")
@_analysis_options
@with_appcontext
@handle_errors
def analyse_correlations(
    year: int,
    category: str | None,
    weights: str | None,
    method: str,
    fmt: str,
    output: Path | None,
) -> None:
    """Pearson and Spearman correlation of each pair of weighted indicators; warning above 0.8."""
    from mapping.analysis import correlations_table, parse_weights
    from mapping.indicators.domains import CORRELATION_WARNING
    from mapping.method import method_meta

    data = _data()
    table, index = correlations_table(
        data, year=year, weights=parse_weights(weights), method=method
    )
    flagged = table[table["warning"]]
    if len(flagged):
        pairs = "; ".join(
            f"{r.first} and {r.second} (Pearson {r.pearson:.2f}, Spearman {r.spearman:.2f})"
            for r in flagged.itertuples(index=False)
        )
        click.echo(
            f"Warning: these indicators correlate above {CORRELATION_WARNING:g} and count nearly "
            f"the same thing: {pairs}. Put them in one domain (the domain column of the "
            "definitions) or lower their weights.",
            err=True,
        )
    meta = method_meta(
        "correlations",
        data,
        settings={"year": year, "method": method, "warning_above": CORRELATION_WARNING},
        weights=index.weights,
        indicators=[*index.weights, "residents"],
    )
    _emit(table, meta, fmt, output)


@click.command("rank")
@click.option("--year", type=int, required=True, help="Year of the indicator values.")
@click.option("--weights", required=True, help="Indicator weights: code=w,code=w.")
@click.option("--method", type=click.Choice(["zscore", "imd"]), default="zscore", show_default=True)
@click.option(
    "--runs",
    type=click.IntRange(1, 100_000),
    default=12_000,
    show_default=True,
    help="Sensitivity runs (weights times factors from [0.5, 1.5], each normalisation, each "
    "indicator left out).",
)
@click.option(
    "--top",
    type=click.IntRange(1, 1000),
    default=5,
    show_default=True,
    help="N of the top_share column (share of runs in the top N); robust when >= 90% or <= 10%.",
)
@click.option(
    "--domain-weights",
    help="Domain weights: domain=w,domain=w (default: the mean weight of each domain's "
    "indicators).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the runs.")
@click.option("--category", help="Category of the access and supply terms (default: all).")
@click.option("--category-weights", help=CATEGORY_WEIGHTS_HELP)
@click.option(
    "--access-weight",
    type=float,
    default=0.0,
    show_default=True,
    help="Weight of poor E2SFCA access as a term.",
)
@click.option(
    "--supply-weight",
    type=float,
    default=0.0,
    show_default=True,
    help="Weight of few resources per 1,000 residents as a term.",
)
@_distance_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to FILE instead of the terminal.",
)
@with_appcontext
@handle_errors
def rank(
    year: int,
    weights: str,
    method: str,
    runs: int,
    seed: int,
    category: str | None,
    category_weights: str | None,
    access_weight: float,
    supply_weight: float,
    top: int,
    domain_weights: str | None,
    distance: str | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Rank districts as target areas (1 = highest priority), with rank_low/rank_high,
    top_share and robust/fragile."""
    from mapping.analysis import parse_weights, rank_table
    from mapping.method import rank_meta

    data = _data()
    data.require_category(category)
    options: dict[str, Any] = {
        "year": year,
        "weights": parse_weights(weights),
        "method": method,
        "runs": runs,
        "seed": seed,
        "category": category,
        "category_weights": parse_weights(category_weights),
        "access_weight": access_weight,
        "supply_weight": supply_weight,
        "top": top,
        "domain_weights": parse_weights(domain_weights) if domain_weights else None,
        "distance": distance,
    }
    table = rank_table(data, **options)
    _emit(table, rank_meta(data, **options), fmt, output)
