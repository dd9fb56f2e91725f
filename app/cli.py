"""The ``palmap`` command: palmap's commands plus Flask's ``run``, ``routes`` and ``shell``.

palmap's commands live in the ``app.cli_*`` modules listed in the table of
:mod:`app.commands`. A module is imported only when one of its commands runs (or asks for its own
``--help``), Flask only when a command runs, and the app only for a command that needs it:
``palmap --help`` and ``palmap --version`` import click and nothing heavier
(benchmarks/startup.py measures it, tests/app/test_cli.py keeps it so).

Add a command: write it in an ``app/cli_*.py`` module (it imports :mod:`app.cli_common`, never
this module) and add one ``LazyCommand`` line to ``app.commands.COMMANDS``. README.md documents
every command and option (tests/app/test_docs.py).

Exit statuses: see :mod:`app.cli_common`.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import click

from app.commands import COMMANDS, FLASK_COMMANDS, LazyCommand, commands

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["COMMANDS", "FLASK_COMMANDS", "LazyCommand", "cli", "commands"]


_BY_NAME = {entry.name: entry for entry in (*COMMANDS, *FLASK_COMMANDS)}


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    import platform
    from importlib.metadata import version

    click.echo(
        f"palmap {version('palmap')}\nPython {platform.python_version()}\n"
        f"Flask {version('flask')}\nWerkzeug {version('werkzeug')}",
        color=ctx.color,
    )
    ctx.exit()


def _set_debug(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """``--debug/--no-debug``, as Flask's: given, it sets FLASK_DEBUG for the app and ``run``."""
    if ctx.get_parameter_source(str(param.name)) in (
        click.core.ParameterSource.DEFAULT,
        click.core.ParameterSource.DEFAULT_MAP,
    ):
        return
    os.environ["FLASK_DEBUG"] = "1" if value else "0"


#: Key in the click context's ``meta`` (shared by the whole command line): whether the
#: command that runs needs the web app (:attr:`LazyCommand.web`).
_WEB = "palmap.web"


def _create_app() -> Flask:
    from app import create_app

    context = click.get_current_context(silent=True)
    return create_app(web=context is None or bool(context.meta.get(_WEB, True)))


class PalmapGroup(click.Group):
    """The ``palmap`` group: every command is a :class:`LazyCommand`, imported when it runs.

    It does what Flask's FlaskGroup does for palmap, without importing Flask to print help:
    a command that runs gets Flask's :class:`~flask.cli.ScriptInfo` (which builds the app with
    :func:`app.create_app` for commands that use ``with_appcontext``), ``FLASK_*`` variables set
    options (``FLASK_RUN_PORT``), and ``--debug`` sets the debug mode.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command's name, without importing any."""
        return sorted(set(self.commands) | set(_BY_NAME))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        """The command ``name`` (its module imported now)."""
        entry = _BY_NAME.get(name)
        if entry is None:
            return super().get_command(ctx, name)
        ctx.meta[_WEB] = entry.web
        return entry.load()

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of ``--help``; a lazy command's line comes from its entry."""
        listed: list[tuple[str, click.Command]] = []
        for name in self.list_commands(ctx):
            entry = _BY_NAME.get(name)
            command = entry.placeholder() if entry else self.get_command(ctx, name)
            if command is not None and not command.hidden:
                listed.append((name, command))
        if listed:
            width = formatter.width - 6 - max(len(name) for name, _ in listed)
            with formatter.section("Commands"):
                formatter.write_dl([(n, c.get_short_help_str(width)) for n, c in listed])

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command with Flask's ScriptInfo, as FlaskGroup would."""
        from flask.cli import ScriptInfo

        os.environ["FLASK_RUN_FROM_CLI"] = "true"  # app.run() in imported code does nothing
        if ctx.obj is None:
            ctx.obj = ScriptInfo(create_app=_create_app, set_debug_flag=True)
        from mapping.errors import MappingError

        try:
            return super().invoke(ctx)
        except MappingError as error:  # from building the app: a bad setting, a damaged database
            from app.cli_common import exit_status, fail

            fail(str(error), exit_status(error))


@click.group(cls=PalmapGroup, context_settings={"auto_envvar_prefix": "FLASK"})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the palmap, Python and Flask versions.",
)
@click.option("--debug/--no-debug", expose_value=False, callback=_set_debug, help="Set debug mode.")
def cli() -> None:
    """palmap: maps of a city's resources and needs, district by district.

    Settings come from PALMAP_* environment variables (see README.md).
    """
