"""README.md documents every setting and every palmap command (as datasette's docs tests do)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import COMMANDS
from app.config import SETTINGS

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.env)
def test_every_setting_is_documented(setting) -> None:
    assert f"`{setting.env}`" in README


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_every_command_is_documented(command) -> None:
    assert f"`palmap {command.name}" in README
    for param in command.params:
        for option in getattr(param, "opts", []):
            if option.startswith("--"):
                assert option in README, f"{command.name} {option}"


def test_readme_gives_the_two_commands() -> None:
    assert "make run" in README
    assert "make test" in README
