"""No drift between the core's message templates and the catalogues.

Every template the core can emit is written as ``msg("...")`` (:func:`mapping.errors.msg`); this
scan finds each one in ``mapping/`` and checks that both catalogues translate it with the same
placeholders, so that a page never shows an English problem on a Polish page nor fails to fill
in a value. It also checks that every finding in ``mapping/`` is written as such a template.
"""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import Flask

from app.i18n import SOURCE_DIR

MAPPING = Path(__file__).resolve().parents[2] / "mapping"


def _is_msg(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and (
        (isinstance(node.func, ast.Name) and node.func.id == "msg")
        or (isinstance(node.func, ast.Attribute) and node.func.attr == "msg")
    )


def core_templates() -> dict[str, str]:
    """Every ``msg("...")`` template in ``mapping/`` with the place it is written."""
    found: dict[str, str] = {}
    for path in sorted(MAPPING.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not _is_msg(node) or path.name == "errors.py" and not node.args:
                continue
            assert isinstance(node, ast.Call)
            first = node.args[0] if node.args else None
            where = f"{path.relative_to(MAPPING.parent)}:{node.lineno}"
            if path.name == "errors.py" and isinstance(first, ast.Name):
                continue  # the definition of msg itself
            assert isinstance(first, ast.Constant) and isinstance(first.value, str), (
                f"{where}: msg() takes a literal template (values go in as arguments)"
            )
            found.setdefault(first.value, where)
    return found


def placeholders(template: str) -> set[str]:
    """The names of the ``{placeholders}`` (conversion and format spec left aside)."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _catalogue(lang: str) -> dict[str, str]:
    with (SOURCE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle, locale=lang)
    return {str(m.id): str(m.string) for m in catalogue if m.id and m.string and not m.fuzzy}


def test_the_scan_finds_the_findings_templates() -> None:
    templates = core_templates()
    assert len(templates) > 60
    assert "expected a number, got {value!r}" in templates
    assert placeholders("expected {width:g} fields, got {value!r}") == {"width", "value"}


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_every_core_template_is_translated_with_the_same_placeholders(lang: str) -> None:
    catalogue = _catalogue(lang)
    missing = {t: where for t, where in core_templates().items() if t not in catalogue}
    assert missing == {}, f"templates without a translation in {lang}"
    for template in core_templates():
        translation = catalogue[template]
        assert placeholders(translation) == placeholders(template), (template, translation)
        translation.format(**dict.fromkeys(placeholders(template), 1.5))  # well formed
    if lang == "pl":
        same = [t for t in core_templates() if catalogue[t] == t and placeholders(t) != {"text"}]
        assert same == [], "Polish translations that are the English text"


def _text_argument(node: ast.expr | None) -> bool:
    """A problem or fix given as plain text (a literal, an f-string or a sum of them)."""
    return isinstance(node, ast.Constant | ast.JoinedStr | ast.BinOp) and not (
        isinstance(node, ast.Constant) and node.value == ""
    )


def test_every_finding_in_the_core_is_a_template() -> None:
    plain: list[str] = []
    for path in sorted(MAPPING.rglob("*.py")):
        if path.name == "report.py":
            continue  # the report's own examples
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("add", "add_rows")
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "report"
            ):
                continue
            given = [node.args[0]] if node.func.attr == "add" and node.args else []
            given += [k.value for k in node.keywords if k.arg in ("problem", "fix")]
            if any(_text_argument(arg) for arg in given):
                plain.append(f"{path.relative_to(MAPPING.parent)}:{node.lineno}")
    assert plain == [], "findings written as plain text: write them with msg() to translate them"


def test_values_are_filled_in_after_translation_and_never_read_as_templates(
    empty_app: Flask,
) -> None:
    from app.findings import translate
    from mapping.errors import msg

    hostile = "{value!r} %(x)s {0} <b>"
    message = msg("expected a number, got {value!r}", value=hostile)
    assert str(message) == f"expected a number, got {hostile!r}"
    with empty_app.test_request_context("/?lang=pl"):
        assert translate(message) == f"oczekiwano liczby, a wpisano „{hostile}”"
    with empty_app.test_request_context("/?lang=en"):
        assert translate(message) == str(message)
        # a message the catalogue does not know is shown in English, filled in
        assert translate(msg("not in the catalogue: {n}", n=3)) == "not in the catalogue: 3"
