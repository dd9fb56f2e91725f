"""CONTRIBUTING.md, docs/ARCHITECTURE.md and docs/SECURITY.md stay true: every file, Python
name and test they mention exists, every recipe names the tests that keep it, and the module
map lists every module.

The recipes' behaviour is tested by the tests each one names; this file keeps the text pointing at
things that exist, so a rename or a move cannot leave a recipe behind silently.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTRIBUTING = ROOT / "CONTRIBUTING.md"
ARCHITECTURE = ROOT / "docs" / "ARCHITECTURE.md"
SECURITY = ROOT / "docs" / "SECURITY.md"
DOCS = [CONTRIBUTING, ARCHITECTURE, SECURITY]

_CODE = re.compile(r"`([^`\n]+)`")
_TEST_REF = re.compile(r"(tests/[\w/]+\.py)(?:::(\w+))?")
_DOTTED = re.compile(r"^(?:mapping|app)(?:\.\w+)+$")
#: Placeholders a recipe writes for what the reader chooses.
_PLACEHOLDER = re.compile(r"<|NNNN|…|\.\.\.")


def _spans(path: Path) -> list[str]:
    return _CODE.findall(path.read_text(encoding="utf-8"))


def _paths(text: str) -> list[str]:
    """Backticked repo paths: a slash, no spaces or placeholders, under a top-level folder."""
    roots = {p.name for p in ROOT.iterdir()}
    found = []
    for span in _CODE.findall(text):
        token = span.split("::")[0]
        if " " in token or "/" not in token or _PLACEHOLDER.search(token) or "://" in token:
            continue
        if token.split("/")[0] in roots:
            found.append(token)
    return found


def _exists(token: str) -> bool:
    return any(ROOT.glob(token.rstrip("/"))) if "*" in token else (ROOT / token).exists()


def _test_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}


def _resolves(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            if not hasattr(obj, name):
                return False
            obj = getattr(obj, name)
        return True
    return False


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_file_the_doc_names_exists(doc: Path) -> None:
    missing = [token for token in _paths(doc.read_text(encoding="utf-8")) if not _exists(token)]
    assert missing == []


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_test_the_doc_names_exists(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    missing = []
    for file, name in _TEST_REF.findall(text):
        path = ROOT / file
        if not path.exists() or (name and name not in _test_names(path)):
            missing.append(f"{file}::{name}" if name else file)
    assert missing == []


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_python_name_the_doc_names_exists(doc: Path) -> None:
    dotted = sorted({s for s in _spans(doc) if _DOTTED.match(s)})
    assert dotted, "the doc names no module or function: the check would prove nothing"
    assert [name for name in dotted if not _resolves(name)] == []


def _sections(text: str) -> dict[str, str]:
    parts = re.split(r"^## (.+)$", text, flags=re.M)
    return {title.strip(): body for title, body in zip(parts[1::2], parts[2::2], strict=True)}


def test_every_recipe_names_tests_that_keep_it_true() -> None:
    sections = _sections(CONTRIBUTING.read_text(encoding="utf-8"))
    recipes = {t: b for t, b in sections.items() if t.startswith("Add ") or t.startswith("Where ")}
    wanted = {"indicator", "resource category", "page", "import format", "migration"}
    assert {w for w in wanted if any(w in t for t in recipes)} == wanted
    without = [
        t for t, body in recipes.items() if not _TEST_REF.search(body.split("Kept true")[-1])
    ]
    assert [t for t, b in recipes.items() if "Kept true by" not in b] == []
    assert without == []


#: Folders whose modules the map lists one by one, and the heading of their table.
_MAPPED = {
    "mapping": "The analysis core (`mapping/`)",
    "mapping/io": "Files in and out (`mapping/io/`)",
    "mapping/db": "The database (`mapping/db/`)",
    "mapping/render": "Drawing (`mapping/render/`)",
    "mapping/pages": "Page logic (`mapping/pages/`)",
    "app": "The web app and the command (`app/`)",
}


def _map_section(text: str, heading: str) -> str:
    start = text.index(f"### {heading}")
    end = text.find("\n### ", start + 1)
    stop = text.find("\n## ", start + 1)
    ends = [e for e in (end, stop) if e != -1]
    return text[start : min(ends)] if ends else text[start:]


@pytest.mark.parametrize("folder", sorted(_MAPPED))
def test_the_module_map_lists_every_module(folder: str) -> None:
    section = _map_section(ARCHITECTURE.read_text(encoding="utf-8"), _MAPPED[folder])
    listed = set(_CODE.findall(section))
    names = {n.strip() for span in listed for n in span.split(",")}
    missing = []
    for path in sorted((ROOT / folder).iterdir()):
        if path.name.startswith(("_", ".")) or path.name == "__pycache__":
            continue
        if path.is_dir():
            if str(path.relative_to(ROOT)) in _MAPPED:
                continue  # a table of its own
            if (
                (path / "__init__.py").exists()
                and f"{path.name}/" not in names
                and (f"{path.name}/*.py" not in names)
            ):
                missing.append(f"{path.name}/")
        elif path.suffix == ".py" and path.name not in names:
            missing.append(path.name)
    assert missing == [], f"add these to the table '{_MAPPED[folder]}' of docs/ARCHITECTURE.md"


def test_every_bad_input_names_the_tests_that_show_it() -> None:
    """docs/SECURITY.md: each row of the bad inputs names at least one test (which the tests
    above find), and none is left as "not yet"."""
    rows = [
        r for r in SECURITY.read_text(encoding="utf-8").splitlines() if re.match(r"\| \d+ \|", r)
    ]
    assert len(rows) >= 33
    for row in rows:
        shown_by = row.rstrip(" |").rsplit("|", 1)[-1]
        assert _TEST_REF.search(shown_by), row[:80]
        assert "not yet" not in shown_by, row[:80]
