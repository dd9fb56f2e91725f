"""``palmap edition publish|list``: the yearly editions of the maps.

Publishing freezes the live data (districts, categories, resources, indicators and values) as it
is; the pages then show it with ``?edition=CODE``, unchanged by later edits and imports. A
published edition never changes: corrections are published as a new edition.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from app.cli_common import FORMATS, announce_wait, cli_actor, emit, handle_errors
from app.db import get_engine, write_wait


@click.group("edition")
def edition() -> None:
    """Editions of the maps: publish one (the data frozen as it is), list them, compare two."""


@edition.command("publish")
@click.argument("code")
@click.option("--title", required=True, help="The edition's title, e.g. 'Mapy zasobów 2013'.")
@click.option("--draft", is_flag=True, help="Only create the edition as a draft; publish it later.")
@with_appcontext
@handle_errors
def publish_command(code: str, title: str, draft: bool) -> None:
    """Publish the edition CODE (such as 2013): the live data is frozen whole, for good."""
    from mapping.db import editions
    from mapping.db.locking import write_transaction

    wait = write_wait(announce_wait)
    with write_transaction(get_engine(), what="edition publish", wait=wait) as conn:
        done = editions.publish(conn, code, title, actor=cli_actor(), how="cli", draft=draft)
    if not done.published:
        click.echo(f"Edition {done.code} saved as a draft: {done.title}.")
        return
    click.echo(f"Edition {done.code} published: {done.title}. Its pages take ?edition={done.code}.")


@edition.command("list")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to FILE instead of the terminal.",
)
@with_appcontext
@handle_errors
def list_command(fmt: str, output: Path | None) -> None:
    """Every edition: code, title, status, who published it and when."""
    import pandas as pd

    from mapping.db import editions

    columns = ["code", "title", "status", "published_by", "published_at", "digest"]
    rows = [{c: getattr(e, c) for c in columns} for e in editions.list_editions(get_engine())]
    frame = pd.DataFrame(rows, columns=columns)
    frame["published_at"] = frame["published_at"].map(
        lambda t: "" if t is None or pd.isna(t) else t.isoformat(timespec="seconds")
    )
    if fmt == "table":
        frame = frame.astype(object).where(frame.notna(), "")
    emit(frame, fmt, output)


@edition.command("diff")
@click.argument("before")
@click.argument("after")
@click.option(
    "--what",
    type=click.Choice(["districts", "resources", "values"]),
    default="resources",
    show_default=True,
    help="Which changes to list.",
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
def diff_command(before: str, after: str, what: str, fmt: str, output: Path | None) -> None:
    """What changed from the published edition BEFORE to AFTER: districts added, removed,
    renamed or redrawn; resources added, removed, moved or changed; indicator values (earlier
    counts on redrawn districts are areal-weighting estimates, marked ``estimated``)."""
    from mapping.analysis import AnalysisData
    from mapping.edition_diff import diff_editions

    engine = get_engine()
    found = diff_editions(
        AnalysisData.from_edition(engine, before), AnalysisData.from_edition(engine, after)
    )
    frame = getattr(found, what)
    if found.estimated and what == "values":
        click.echo(
            f"District boundaries changed between {before} and {after}: the earlier counts of "
            "the redrawn or new districts are estimates by areal weighting (estimated = True).",
            err=True,
        )
    if fmt == "table":
        frame = frame.astype(object).where(frame.notna(), "")
    emit(frame, fmt, output)
