"""The ``palmap`` command: Flask's commands (``run``, ``routes``, ``shell``) plus palmap's own.

palmap's commands live in the ``app.cli_*`` modules listed in :data:`COMMANDS`. A module is
imported only when one of its commands runs (or asks for its own ``--help``), and the app only by
a command that needs it: ``palmap --help`` and ``palmap --version`` start without the data and
database stacks (benchmarks/startup.py measures it, tests/app/test_cli.py keeps it so).

Add a command: write it in an ``app/cli_*.py`` module (it imports :mod:`app.cli_common`, never
this module) and add one :class:`LazyCommand` line to :data:`COMMANDS`. README.md documents every
command and option (tests/app/test_docs.py).

Exit statuses: see :mod:`app.cli_common`.
"""

from __future__ import annotations

import functools
import importlib
from typing import TYPE_CHECKING, Any, NamedTuple

import click
from flask.cli import FlaskGroup

from app import preload_server_modules

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
    ),
    LazyCommand(
        "load-demo",
        "app.cli_db:load_demo",
        "Load the demo data set (Wałbrzych, schematic). Loading twice changes nothing.",
    ),
    LazyCommand(
        "backup", "app.cli_db:backup", "Write a consistent copy of the database to TARGET."
    ),
    LazyCommand(
        "categories",
        "app.cli_categories:categories",
        "Resource categories: list, add, rename (names and colour; never the code).",
    ),
    LazyCommand(
        "import",
        "app.cli_data:import_group",
        "Import districts, resources or indicator values from a file.",
    ),
    LazyCommand(
        "export",
        "app.cli_data:export",
        "Write districts, resources or indicator values to a file QGIS or a spreadsheet opens.",
    ),
    LazyCommand(
        "template",
        "app.cli_data:template",
        "An empty file with the expected columns, an example row and the allowed values.",
    ),
    LazyCommand(
        "render",
        "app.cli_data:render",
        "Render maps to files for reports (the same files the pages offer).",
    ),
    LazyCommand(
        "analyse",
        "app.cli_analysis:analyse",
        "Analyses per district: supply, needs, access, gaps (alias: analyze).",
    ),
    LazyCommand(
        "analyze",
        "app.cli_analysis:analyse",
        "Analyses per district: supply, needs, access, gaps (alias: analyze).",
    ),
    LazyCommand(
        "rank",
        "app.cli_analysis:rank",
        "Rank districts as target areas (1 = highest priority), with rank_low/rank_high.",
    ),
)
_BY_NAME = {entry.name: entry for entry in COMMANDS}


class PalmapGroup(FlaskGroup):
    """A FlaskGroup that imports palmap's commands only when they run.

    Flask's own group builds the app to list the commands of ``app.cli``; palmap's commands are
    in :data:`COMMANDS` instead (``app.cli`` holds the same ones, for ``app.test_cli_runner()``),
    so listing them imports nothing. Commands that need the app load it themselves
    (``with_appcontext``).
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Flask's commands, plugins' commands and palmap's, without building the app."""
        self._load_plugin_commands()
        return sorted(set(self.commands) | set(_BY_NAME))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        """palmap's command ``name`` (imported now), else Flask's lookup."""
        entry = _BY_NAME.get(name)
        if entry is not None:
            return entry.load()
        return super().get_command(ctx, name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of ``--help``: palmap's help lines come from :data:`COMMANDS`."""
        listed: list[tuple[str, click.Command]] = []
        for name in self.list_commands(ctx):
            entry = _BY_NAME.get(name)
            command = click.Command(name, help=entry.help) if entry else self.get_command(ctx, name)
            if command is not None and not command.hidden:
                listed.append((name, command))
        if not listed:
            return
        width = formatter.width - 6 - max(len(name) for name, _ in listed)
        with formatter.section("Commands"):
            formatter.write_dl([(name, cmd.get_short_help_str(width)) for name, cmd in listed])


def _create_app() -> Flask:
    from app import create_app

    return create_app()


@click.group(cls=PalmapGroup, create_app=_create_app, add_version_option=True)
def cli() -> None:
    """palmap: maps of a city's resources and needs, district by district.

    Settings come from PALMAP_* environment variables (see README.md).
    """


def _run_command() -> click.Command:
    """Flask's ``run`` that first imports :data:`app.SERVER_MODULES`."""
    import copy

    from flask.cli import run_command

    command = copy.copy(run_command)
    serve = run_command.callback
    assert serve is not None

    @functools.wraps(serve)
    def callback(*args: Any, **kwargs: Any) -> Any:
        preload_server_modules()
        return serve(*args, **kwargs)

    command.callback = callback
    return command


cli.add_command(_run_command(), "run")


def commands() -> tuple[click.Command, ...]:
    """Every palmap command, imported, each once (Flask's run, routes and shell come on top)."""
    return tuple(dict.fromkeys(entry.load() for entry in COMMANDS))


def register(app: Flask) -> None:
    """Add palmap's commands to the app (``app.test_cli_runner()`` sees them)."""
    for entry in COMMANDS:
        app.cli.add_command(entry.load(), entry.name)
