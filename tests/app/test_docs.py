"""README.md documents every setting and every palmap command (as datasette's docs tests do)."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from app.cli import commands
from app.config import SETTINGS

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.env)
def test_every_setting_is_documented(setting) -> None:
    assert f"`{setting.env}`" in README


def _leaves(commands, prefix=""):
    for command in commands:
        name = f"{prefix}{command.name}"
        if isinstance(command, click.Group):
            yield from _leaves(command.commands.values(), prefix=f"{name} ")
        else:
            yield name, command


@pytest.mark.parametrize(("name", "command"), list(_leaves(commands())), ids=lambda v: str(v))
def test_every_command_is_documented(name, command) -> None:
    assert f"`palmap {name}" in README
    for param in command.params:
        for option in getattr(param, "opts", []):
            if option.startswith("--"):
                assert option in README, f"{command.name} {option}"


def test_readme_gives_the_two_commands() -> None:
    assert "make run" in README
    assert "make test" in README
