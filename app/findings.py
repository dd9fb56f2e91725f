"""Import findings and the core's messages in the page's language.

The core writes every finding's problem and fix as a :class:`mapping.errors.Message`: an English
template with named ``{placeholders}`` and the values that fill them (``Finding.problem_msg``,
``Finding.fix_msg``; ``MappingError.translatable``). Here the template is looked up in the
catalogue (``app/translations``) and the values are filled in afterwards, so a value from a file
never becomes part of a message id, and the page escapes the whole text as any other. A message
without a template (plain English from a caller that wrote none) is shown as it is.

The upload preview (``/dane/import``), the resource form, the indicator values table and the
categories page show findings and errors through this module; the CLI never does (it stays
English).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from flask_babel import gettext

from mapping.errors import MappingError, Message
from mapping.io.report import Finding

__all__ = ["ShownFinding", "error_text", "shown_findings", "shown_problems", "translate"]

_Problem = TypeVar("_Problem")


def translate(message: Message | str | None, english: str = "") -> str:
    """``message`` in the page's language with its values filled in (``english`` without one).

    Values that are messages themselves (a word such as "line") are translated too. A catalogue
    entry that does not fit its values (which the catalogue test prevents) falls back to English.
    """
    if message is None:
        return english
    if isinstance(message, str):
        return message
    values = {
        name: translate(value) if isinstance(value, Message) else value
        for name, value in message.args.items()
    }
    try:
        return gettext(message.template).format(**values)
    except (KeyError, IndexError, ValueError):
        return str(message)


def _severity_labels() -> dict[str, str]:
    return {"error": gettext("error"), "warning": gettext("warning"), "info": gettext("info")}


@dataclass(frozen=True)
class ShownFinding:
    """One finding as a page shows it: problem, fix and severity in the page's language."""

    row: int | None
    field: str | None
    value: str | None
    problem: str
    fix: str
    severity: str
    severity_label: str


def shown_findings(findings: Iterable[Finding]) -> list[ShownFinding]:
    """The findings in the page's language, in the order given."""
    labels = _severity_labels()
    return [
        ShownFinding(
            row=f.row,
            field=f.field,
            value=f.value,
            problem=translate(f.problem_msg, f.problem),
            fix=translate(f.fix_msg, f.fix),
            severity=f.severity,
            severity_label=labels.get(f.severity, f.severity),
        )
        for f in findings
    ]


def shown_problems(problems: Iterable[_Problem]) -> list[_Problem]:
    """Form problems (``mapping.pages.resource_form.FormProblem``: ``problem``, ``fix`` and their
    ``problem_msg``, ``fix_msg``) with problem and fix in the page's language."""
    shown: list[Any] = []
    for p in problems:
        item: Any = p
        shown.append(
            replace(
                item,
                problem=translate(item.problem_msg, item.problem),
                fix=translate(item.fix_msg, item.fix),
            )
        )
    return shown


def error_text(error: BaseException) -> str:
    """A core error's message in the page's language (English when it carries no template)."""
    message = error.translatable if isinstance(error, MappingError) else None
    return translate(message, str(error))
