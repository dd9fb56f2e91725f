"""``palmap categories list|add|rename``: the resource categories, as data.

A category's code is what resources reference, so it never changes; ``rename`` changes its names,
colour, aliases or capacity unit. Every page and legend reads the categories from the database.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask.cli import with_appcontext

from app.cli_common import EXIT_USAGE, FORMATS, announce_wait, cli_actor, emit, fail, handle_errors
from app.db import get_engine, write_wait

if TYPE_CHECKING:
    from mapping.categories import CategoryRecord

_NAME_PL = click.option("--name-pl", help="Polish name, as the pages show it.")
_NAME_EN = click.option("--name-en", help="English name, as the pages show it.")
_COLOUR = click.option("--colour", help="Colour of the markers and the legend: #RRGGBB.")
_ALIASES = click.option(
    "--aliases", help="Other names met in files to import, separated by | (matched on import)."
)
_UNIT = click.option(
    "--capacity-unit", help="What a resource's capacity counts, e.g. places or seats."
)


@click.group("categories")
def categories() -> None:
    """Resource categories: list, add, rename (names and colour; never the code)."""


@categories.command("list")
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
    """Every category: code, names, colour, capacity unit, aliases and its resources."""
    import pandas as pd

    from mapping.db import categories as stored

    engine = get_engine()
    counts = stored.resource_counts(engine)
    rows = [
        {**vars(category), "resources": counts.get(category.code, 0)}
        for category in stored.list_categories(engine)
    ]
    frame = pd.DataFrame(rows)
    if fmt == "table":  # empty cells, not "None"; CSV and JSON keep their own empty values
        frame = frame.astype(object).where(frame.notna(), "")
    emit(frame, fmt, output)


@categories.command("add")
@click.argument("code")
@_NAME_PL
@_NAME_EN
@_COLOUR
@_UNIT
@_ALIASES
@with_appcontext
@handle_errors
def add_command(
    code: str,
    name_pl: str | None,
    name_en: str | None,
    colour: str | None,
    capacity_unit: str | None,
    aliases: str | None,
) -> None:
    """Add the category CODE (lowercase ASCII letters, digits and _), e.g. klub_seniora."""
    from mapping.categories import CategoryRecord
    from mapping.db import audit
    from mapping.db import categories as stored
    from mapping.db.store import write_transaction

    missing = [
        flag
        for flag, value in (("--name-pl", name_pl), ("--name-en", name_en), ("--colour", colour))
        if value is None
    ]
    if missing:
        fail(f"a new category needs {', '.join(missing)}", EXIT_USAGE)
    record = CategoryRecord(
        code=code,
        name_pl=str(name_pl),
        name_en=str(name_en),
        colour=str(colour),
        aliases=aliases,
        capacity_unit=capacity_unit,
    )
    with write_transaction(
        get_engine(), what="categories add", wait=write_wait(announce_wait)
    ) as conn:
        added = stored.add_category(conn, record)
        created = audit.Change("resource_category", added.code, None, None, vars(added))
        audit.record(conn, [created], actor=cli_actor(), how="cli")
    click.echo(f"Category {added.code} added: {_describe(added)}.")


@categories.command("rename")
@click.argument("code")
@_NAME_PL
@_NAME_EN
@_COLOUR
@_UNIT
@_ALIASES
@with_appcontext
@handle_errors
def rename_command(
    code: str,
    name_pl: str | None,
    name_en: str | None,
    colour: str | None,
    capacity_unit: str | None,
    aliases: str | None,
) -> None:
    """Change the names, colour, capacity unit or aliases of CODE (the code stays)."""
    from mapping.categories import CategoryChange
    from mapping.db import audit
    from mapping.db import categories as stored
    from mapping.db.store import write_transaction

    change = CategoryChange(
        name_pl=name_pl,
        name_en=name_en,
        colour=colour,
        aliases=aliases,
        capacity_unit=capacity_unit,
    )
    if change.is_empty():
        fail(
            "give at least one of --name-pl, --name-en, --colour, --capacity-unit, --aliases",
            EXIT_USAGE,
        )
    with write_transaction(
        get_engine(), what="categories rename", wait=write_wait(announce_wait)
    ) as conn:
        before = stored.get_category(conn, code)
        renamed = stored.rename_category(conn, code, change)
        changes = audit.diff("resource_category", code, vars(before), vars(renamed))
        audit.record(conn, changes, actor=cli_actor(), how="cli")
    click.echo(f"Category {renamed.code} is now: {_describe(renamed)}.")


def _describe(category: CategoryRecord) -> str:
    parts = [
        f"{field} {value!r}"
        for field, value in vars(category).items()
        if field != "code" and value is not None
    ]
    return ", ".join(parts)
