"""palmap's command table: every command as a :class:`LazyCommand`, imported when it runs.

The table is apart from :mod:`app.cli` (the ``palmap`` group) so that :func:`app.create_app`
can register the commands with the app while :mod:`app.cli` builds the app: neither imports
the other in a circle.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, NamedTuple

import click

if TYPE_CHECKING:
    from flask import Flask


class LazyCommand(NamedTuple):
    """One palmap command, imported when it runs."""

    #: The name typed after ``palmap``.
    name: str
    #: ``module:attribute`` of the click command.
    target: str
    #: The first paragraph of the command's help, which ``palmap --help`` lists without importing
    #: the module (tests/app/test_cli.py checks that it is the command's own).
    help: str
    #: True when the command gives ``short_help``, which ``--help`` lists whole (Flask's do).
    short: bool = False
    #: False when the command needs only the settings and the database: the app it runs in is
    #: built without pages and views (``create_app(web=False)``), which start-up does not pay.
    web: bool = True

    def placeholder(self) -> click.Command:
        """A command with this one's help only, for the command list of ``palmap --help``."""
        if self.short:
            return click.Command(self.name, short_help=self.help)
        return click.Command(self.name, help=self.help)

    def load(self) -> click.Command:
        """Import the module and return the command."""
        module, _, attribute = self.target.partition(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command), self.target
        return command


#: Every palmap command, in the order of README's table.
COMMANDS: tuple[LazyCommand, ...] = (
    LazyCommand(
        "init-db",
        "app.cli_db:init_db",
        "Create the database, or migrate it to the newest schema (safe to run again).",
        web=False,
    ),
    LazyCommand(
        "load-demo",
        "app.cli_db:load_demo",
        "Load the demo data set (Wałbrzych, schematic). Loading twice changes nothing.",
        web=False,
    ),
    LazyCommand(
        "backup",
        "app.cli_db:backup",
        "Write a consistent copy of the database to TARGET.",
        web=False,
    ),
    LazyCommand(
        "check-db",
        "app.cli_db:check_db",
        "Check the database; say what is wrong and what to do (exit 1 when something is).",
        web=False,
    ),
    LazyCommand(
        "categories",
        "app.cli_categories:categories",
        "Resource categories: list, add, rename (names and colour; never the code).",
        web=False,
    ),
    LazyCommand(
        "user",
        "app.cli_users:user",
        "Accounts: add, passwd, role, disable, enable, list (editors change data; admins also "
        "manage accounts).",
        web=False,
    ),
    LazyCommand(
        "edition",
        "app.cli_editions:edition",
        "Editions of the maps: publish one (the data frozen as it is), list them, compare two.",
        web=False,
    ),
    LazyCommand(
        "report",
        "app.cli_report:report",
        "Write the yearly report of a published EDITION to a PDF, DOCX or HTML file.",
    ),
    LazyCommand(
        "import",
        "app.cli_data:import_group",
        "Import districts, resources, indicator values, partnerships, actions, surveys or a "
        "population surface from a file.",
        web=False,
    ),
    LazyCommand(
        "export",
        "app.cli_data:export",
        "Write districts, resources, indicator values, partnerships, actions or surveys to a file.",
        web=False,
    ),
    LazyCommand(
        "template",
        "app.cli_data:template",
        "An empty file with the expected columns, an example row and the allowed values.",
        web=False,
    ),
    LazyCommand(
        "render",
        "app.cli_render:render",
        "Render maps to files for reports (the same files the pages offer).",
    ),
    LazyCommand(
        "analyse",
        "app.cli_analysis:analyse",
        "Analyses per district: supply, needs, access, gaps, correlations (alias: analyze).",
    ),
    LazyCommand(
        "analyze",
        "app.cli_analysis:analyse",
        "Analyses per district: supply, needs, access, gaps, correlations (alias: analyze).",
    ),
    LazyCommand(
        "rank",
        "app.cli_analysis:rank",
        "Rank districts as target areas (1 = highest priority), with rank_low/rank_high, "
        "top_share and robust/fragile.",
    ),
)
#: Flask's commands, as FlaskGroup offers them (``run`` first imports the map pages' modules).
FLASK_COMMANDS: tuple[LazyCommand, ...] = (
    LazyCommand("run", "app.cli_serve:run", "Run a development server.", short=True),
    LazyCommand("routes", "flask.cli:routes_command", "Show the routes for the app.", short=True),
    LazyCommand("shell", "flask.cli:shell_command", "Run a shell in the app context.", short=True),
)


def commands() -> tuple[click.Command, ...]:
    """Every palmap command, imported, each once (Flask's run, routes and shell not included)."""
    return tuple(dict.fromkeys(entry.load() for entry in COMMANDS))


def register(app: Flask) -> None:
    """Add palmap's commands to the app (``app.test_cli_runner()`` sees them)."""
    for entry in COMMANDS:
        app.cli.add_command(entry.load(), entry.name)
