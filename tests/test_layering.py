"""scripts/check_layering.py: each check reports a violation planted in a small package.

The last tests check the whole tree, as ``make check`` does.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "check_layering.py"

_spec = importlib.util.spec_from_file_location("check_layering", SCRIPT)
assert _spec is not None and _spec.loader is not None
layering = importlib.util.module_from_spec(_spec)
sys.modules["check_layering"] = layering  # dataclasses look their module up while defining
_spec.loader.exec_module(layering)

PYPROJECT = """
[[tool.importlinter.contracts]]
name = "Only mapping.db speaks SQL"
type = "forbidden"
source_modules = [{listed}]
forbidden_modules = ["sqlalchemy"]
"""


def make_tree(root: Path, files: dict[str, str], *, listed: str = "") -> Path:
    """A tree with the packages ``mapping`` and ``app`` holding ``files`` (path -> source)."""
    for package in ("mapping", "app"):
        (root / package).mkdir(parents=True, exist_ok=True)
        (root / package / "__init__.py").touch()
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source), encoding="utf-8")
    (root / "pyproject.toml").write_text(PYPROJECT.format(listed=listed), encoding="utf-8")
    return root


# -- private -------------------------------------------------------------------------------


def test_private_name_imported_from_another_module_is_reported(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path,
        {
            "mapping/a.py": "def _helper(): ...\ndef public(): ...\n",
            "mapping/b.py": "from mapping.a import _helper, public\n",
            "mapping/sub/__init__.py": "",
            "mapping/sub/c.py": "from ..a import _helper\n",
            "app/d.py": "import mapping.sub._hidden\n",
            "mapping/sub/_hidden.py": "",
        },
    )
    found = [str(f) for f in layering.check_private(root)]
    assert found == [
        "private: app/d.py:1: import mapping.sub._hidden",
        "private: mapping/b.py:1: from mapping.a import _helper",
        "private: mapping/sub/c.py:1: from mapping.a import _helper",
    ]


def test_private_attribute_of_an_imported_module_is_reported(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path,
        {
            "mapping/a.py": "def _helper(): ...\n",
            "app/views.py": """\
                from mapping import a
                import mapping.a
                import mapping.a as alias

                def view():
                    return a._helper(), mapping.a._helper, alias._helper
            """,
        },
    )
    found = [str(f) for f in layering.check_private(root)]
    assert found == [
        "private: app/views.py:6: a._helper (another module)",
        "private: app/views.py:6: alias._helper (another module)",
        "private: app/views.py:6: mapping.a._helper (another module)",
    ]


def test_own_private_names_dunders_and_tests_are_allowed(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path,
        {
            "mapping/a.py": """\
                from mapping import __version__
                from gettext import gettext as _

                class Box:
                    def __init__(self):
                        self._value = 1

                    def value(self, other):
                        return self._value + other._value + _helper()

                def _helper():
                    return len(__name__)
            """,
            "tests/test_a.py": "from mapping.a import _helper\n",
        },
    )
    assert layering.check_private(root) == []


# -- cycles --------------------------------------------------------------------------------


def test_cycle_through_an_import_inside_a_function_is_reported(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path,
        {
            "mapping/a.py": "from mapping.b import f\n",
            "mapping/b.py": "def f():\n    from mapping import a\n    return a\n",
            "app/x.py": "from . import y\n",
            "app/y.py": "import app.z\n",
            "app/z.py": "from app.x import thing\n",
            "app/ok.py": "import mapping.a\n",
        },
    )
    found = [(f.where, f.message) for f in layering.check_cycles(root)]
    assert found == [
        ("app.x -> app.y -> app.z -> app.x",
         "app/x.py:1 imports app.y; app/y.py:1 imports app.z; app/z.py:1 imports app.x"),
        ("mapping.a -> mapping.b -> mapping.a",
         "mapping/a.py:1 imports mapping.b; mapping/b.py:2 imports mapping.a"),
    ]  # fmt: skip


def test_every_module_of_a_tangle_is_on_a_reported_cycle(tmp_path: Path) -> None:
    # a <-> b and b <-> c: one tangle, two shortest cycles; a -> c alone is no cycle.
    root = make_tree(
        tmp_path,
        {
            "mapping/a.py": "import mapping.b\nimport mapping.c\n",
            "mapping/b.py": "import mapping.a\nimport mapping.c\n",
            "mapping/c.py": "import mapping.b\n",
        },
    )
    assert [f.where for f in layering.check_cycles(root)] == [
        "mapping.a -> mapping.b -> mapping.a",
        "mapping.b -> mapping.c -> mapping.b",
    ]


def test_a_layered_tree_has_no_cycle(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path,
        {
            "mapping/low.py": "import json\n",
            "mapping/mid.py": "from mapping.low import x\nfrom mapping import low\n",
            "app/top.py": "from mapping import mid, low\n",
        },
    )
    assert layering.check_cycles(root) == []
    assert layering.graph(root)["app.top"] == {"mapping.mid": 1, "mapping.low": 1}


# -- size ----------------------------------------------------------------------------------


def test_module_over_the_line_limit_is_reported(tmp_path: Path) -> None:
    root = make_tree(tmp_path, {"mapping/big.py": "x = 1\n" * 601, "app/fits.py": "x = 1\n" * 600})
    assert [str(f) for f in layering.check_size(root)] == [
        "size: mapping/big.py: 601 lines, over 600; split it by concern"
    ]
    assert layering.check_size(root, max_lines=700) == []


# -- sql-contract --------------------------------------------------------------------------


def test_core_module_missing_from_the_sql_contract_is_reported(tmp_path: Path) -> None:
    files = {
        "mapping/db/__init__.py": "",
        "mapping/db/store.py": "",
        "mapping/listed.py": "",
        "mapping/new.py": "",
        "mapping/newpkg/__init__.py": "",
        "mapping/newpkg/inner.py": "",
    }
    root = make_tree(tmp_path, files, listed='"app", "mapping.listed", "mapping.gone"')
    assert [f.message for f in layering.check_sql_contract(root)] == [
        "mapping.new is not in the source_modules of 'Only mapping.db speaks SQL'; add it",
        "mapping.newpkg is not in the source_modules of 'Only mapping.db speaks SQL'; add it",
        "mapping.gone is listed but no such module exists",
    ]
    fixed = make_tree(
        tmp_path, files, listed='"app", "mapping.listed", "mapping.new", "mapping.newpkg"'
    )
    assert layering.check_sql_contract(fixed) == []


def test_sql_contract_may_not_cover_mapping_db_or_be_missing(tmp_path: Path) -> None:
    root = make_tree(tmp_path, {"mapping/db/__init__.py": ""}, listed='"mapping.*"')
    assert [f.message for f in layering.check_sql_contract(root)] == [
        "mapping.* covers mapping.db, which speaks SQL"
    ]
    (root / "pyproject.toml").write_text("[tool.importlinter]\n", encoding="utf-8")
    assert [f.message for f in layering.check_sql_contract(root)] == [
        "no import-linter contract named 'Only mapping.db speaks SQL'"
    ]


# -- the command ---------------------------------------------------------------------------


def test_command_prints_findings_and_exits_1_then_0_when_fixed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_tree(
        tmp_path,
        {"mapping/a.py": "from mapping.b import _x\n", "mapping/b.py": "_x = 1\n"},
        listed='"mapping.a", "mapping.b"',
    )
    assert layering.main(["--root", str(root)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "private: mapping/a.py:1: from mapping.b import _x",
        "check_layering: 1 finding(s) (private 1, cycles 0, size 0, sql-contract 0)",
    ]
    (root / "mapping/a.py").write_text("from mapping.b import x\n", encoding="utf-8")
    (root / "mapping/b.py").write_text("x = 1\n", encoding="utf-8")
    assert layering.main(["--root", str(root), "--check", "private"]) == 0
    assert capsys.readouterr().out.endswith("check_layering: 0 finding(s) (private 0)\n")


# -- the real tree -------------------------------------------------------------------------


def test_the_whole_tree_keeps_every_layering_rule() -> None:
    """mapping/ and app/: no private name across modules, no cycle, no module over 600 lines,
    and the SQL contract lists every core module (``make check`` runs the same checks)."""
    assert [str(f) for f in layering.check_private(ROOT)] == []
    assert [str(f) for f in layering.check_cycles(ROOT)] == []
    assert [str(f) for f in layering.check_size(ROOT)] == []
    assert layering.check_sql_contract(ROOT) == []


def test_the_import_contracts_hold() -> None:
    """import-linter's contracts of pyproject.toml (mapping never imports the app or Flask, views
    do not import views, only mapping.db speaks SQL), as ``make check`` runs them."""
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(linter), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "Contracts: 3 kept, 0 broken." in result.stdout
