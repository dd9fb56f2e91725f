"""``palmap analyse supply|needs|access|gaps`` and ``palmap rank``: analyses over the database."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask.cli import with_appcontext

from app.cli_common import FORMATS, F, emit, handle_errors
from app.db import get_engine

if TYPE_CHECKING:
    from mapping.analysis import AnalysisData


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
    """Analyses per district: supply, needs, access, gaps (alias: analyze)."""


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

    emit(supply_table(_data(), year=year, category=category), fmt, output)


@analyse.command("needs")
@_analysis_options
@with_appcontext
@handle_errors
def analyse_needs(
    year: int,
    category: str | None,
    weights: str | None,
    method: str,
    fmt: str,
    output: Path | None,
) -> None:
    """Composite needs index per district (rank 1 = most need)."""
    from mapping.analysis import needs_table, parse_weights

    data = _data()
    index = needs_table(data, year=year, weights=parse_weights(weights), method=method)
    if fmt == "table":
        click.echo(index.explain(), err=True)
    emit(data.with_names(index.scores), fmt, output)


@analyse.command("access")
@_analysis_options
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
@with_appcontext
@handle_errors
def analyse_access(
    year: int,
    category: str | None,
    weights: str | None,
    method: str,
    fmt: str,
    output: Path | None,
    radius_m: float,
    grid_m: float,
) -> None:
    """Access per district from where people live: demand, nearest_m, coverage (of residents),
    2sfca, e2sfca (1.0 = city average); the demand model on stderr (table format)."""
    from mapping.analysis import access_table, demand_for
    from mapping.population import demand_model_description

    data = _data()
    table = access_table(data, year=year, category=category, radius_m=radius_m, grid_m=grid_m)
    if fmt == "table":
        model = demand_model_description(demand_for(data, year=year, grid_m=grid_m))
        click.echo(f"Demand model: {model['text']}.", err=True)
    emit(table, fmt, output)


@analyse.command("gaps")
@_analysis_options
@with_appcontext
@handle_errors
def analyse_gaps(
    year: int,
    category: str | None,
    weights: str | None,
    method: str,
    fmt: str,
    output: Path | None,
) -> None:
    """Needs rank against E2SFCA access rank, with quadrant labels."""
    from mapping.analysis import gaps_table, parse_weights

    table = gaps_table(
        _data(), year=year, weights=parse_weights(weights), method=method, category=category
    )
    emit(table, fmt, output)


@click.command("rank")
@click.option("--year", type=int, required=True, help="Year of the indicator values.")
@click.option("--weights", required=True, help="Indicator weights: code=w,code=w.")
@click.option("--method", type=click.Choice(["zscore", "imd"]), default="zscore", show_default=True)
@click.option(
    "--runs",
    type=click.IntRange(1, 100_000),
    default=1000,
    show_default=True,
    help="Sensitivity runs (each weight times a factor from [0.5, 1.5]).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the runs.")
@click.option("--category", help="Category of the access and supply terms (default: all).")
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
    access_weight: float,
    supply_weight: float,
    fmt: str,
    output: Path | None,
) -> None:
    """Rank districts as target areas (1 = highest priority), with rank_low/rank_high."""
    from mapping.analysis import parse_weights, rank_table

    data = _data()
    data.require_category(category)
    table = rank_table(
        data,
        year=year,
        weights=parse_weights(weights),
        method=method,
        runs=runs,
        seed=seed,
        category=category,
        access_weight=access_weight,
        supply_weight=supply_weight,
    )
    emit(table, fmt, output)
