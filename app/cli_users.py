"""``palmap user add|passwd|role|disable|enable|list``: the accounts of the people who change data.

Passwords are asked twice without echo, or read from standard input with ``--password-stdin``
(one line, for scripts). They never appear in arguments, where other users of the machine could
read them in the process list.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from app.cli_common import EXIT_USAGE, FORMATS, cli_actor, emit, fail, handle_errors
from app.db import get_engine

ROLE_CHOICE = click.Choice(["editor", "admin"])
_STDIN = click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input (one line), for scripts.",
)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        if not password:
            fail("expected a password on standard input, got nothing", EXIT_USAGE)
        return password
    if not sys.stdin.isatty():
        fail(
            "no terminal to ask the password on; pass --password-stdin and give it on "
            "standard input",
            EXIT_USAGE,
        )
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@click.group("user")
def user() -> None:
    """Accounts: add, passwd, role, disable, enable, list (editors change data; admins also
    manage accounts)."""


@user.command("add")
@click.argument("login")
@click.option("--role", type=ROLE_CHOICE, required=True, help="editor or admin.")
@_STDIN
@with_appcontext
@handle_errors
def add_command(login: str, role: str, password_stdin: bool) -> None:
    """Create the account LOGIN (3-64 lowercase letters, digits, '.', '_', '-')."""
    from mapping.accounts import check_password, clean_login
    from mapping.db import accounts

    name = clean_login(login)
    password = _password(password_stdin)
    check_password(password, login=name)
    with get_engine().begin() as conn:
        added = accounts.add_account(conn, name, password, role, actor=cli_actor())
    click.echo(f"Account {added.login} added ({added.role}).")


@user.command("passwd")
@click.argument("login")
@_STDIN
@with_appcontext
@handle_errors
def passwd_command(login: str, password_stdin: bool) -> None:
    """Set a new password for LOGIN (its open sessions end)."""
    from mapping.db import accounts

    account = accounts.get_account(get_engine(), login)
    password = _password(password_stdin)
    with get_engine().begin() as conn:
        accounts.set_password(conn, account.login, password, actor=cli_actor())
    click.echo(f"Password of {account.login} changed; its sessions have ended.")


@user.command("role")
@click.argument("login")
@click.argument("role", type=ROLE_CHOICE)
@with_appcontext
@handle_errors
def role_command(login: str, role: str) -> None:
    """Give LOGIN the role ROLE (editor or admin; its open sessions end)."""
    from mapping.db import accounts

    with get_engine().begin() as conn:
        changed = accounts.set_role(conn, login, role, actor=cli_actor())
    click.echo(f"Account {changed.login} is now {changed.role}.")


@user.command("disable")
@click.argument("login")
@with_appcontext
@handle_errors
def disable_command(login: str) -> None:
    """Disable LOGIN: it cannot log in, its sessions end; it stays in the audit log."""
    from mapping.db import accounts

    with get_engine().begin() as conn:
        changed = accounts.set_active(conn, login, False, actor=cli_actor())
    click.echo(f"Account {changed.login} disabled.")


@user.command("enable")
@click.argument("login")
@with_appcontext
@handle_errors
def enable_command(login: str) -> None:
    """Enable LOGIN again."""
    from mapping.db import accounts

    with get_engine().begin() as conn:
        changed = accounts.set_active(conn, login, True, actor=cli_actor())
    click.echo(f"Account {changed.login} enabled.")


@user.command("list")
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
    """Every account: login, role, active, created, last login (never a password hash)."""
    import pandas as pd

    from mapping.db import accounts

    rows = [vars(account) for account in accounts.list_accounts(get_engine())]
    columns = ["id", "login", "role", "active", "created_at", "last_login_at"]
    frame = pd.DataFrame(rows, columns=columns)
    if fmt == "table":
        frame = frame.astype(object).where(frame.notna(), "")
    emit(frame, fmt, output)
