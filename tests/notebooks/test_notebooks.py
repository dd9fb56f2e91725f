"""The notebooks run on a fresh demo database, show what they promise, and are stored stripped.

The demo database is made the way a person makes it (``palmap init-db``, ``palmap load-demo``,
through the app's CLI runner) in a temporary folder. Each notebook is executed once with nbclient
in the ``python3`` kernel of this interpreter's environment, with ``PALMAP_DATABASE_URL`` naming
that database. Cells carry tags that the assertions look for: ``setup``, ``map`` (draws a map),
``ranking-table``, ``top-table``, ``methods-table``, ``access-table``, ``change-table``.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from app import create_app

REPO_ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = REPO_ROOT / "notebooks"
NOTEBOOKS = sorted(p.name for p in NOTEBOOK_DIR.glob("*.ipynb"))
EXPECTED = ["01_needs_and_resources.ipynb", "02_target_areas.ipynb"]
CELL_TIMEOUT_S = 60
NOTEBOOK_BUDGET_S = 60
DEMO_DISTRICTS = 21
RANKING_COLUMNS = [
    "district_code",
    "district_name",
    "score",
    "rank",
    "rank_low",
    "rank_high",
    "top_share",
    "stability",
]
#: An executed notebook and the seconds its execution took.
Executed = tuple[nbformat.NotebookNode, float]
# Appended to the executed copy (never to the file): where the kernel's Python lives.
PROBE = "import os, sys\nprint(sys.executable)\nprint(sys.prefix)\nprint(os.environ['MPLBACKEND'])"


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A new SpatiaLite database with the demo data, made with ``init-db`` and ``load-demo``."""
    folder = tmp_path_factory.mktemp("notebook-db")
    url = f"sqlite:///{folder / 'demo.sqlite'}"
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(folder / "instance"),
            "DATABASE_URL": url,
            "SECRET_KEY": "test",
            "TILES": "none",
        }
    )
    runner = app.test_cli_runner()
    for command in (["init-db"], ["load-demo"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output
    return url


def execute(name: str, url: str, workdir: Path) -> Executed:
    """Execute a copy of notebook ``name`` against ``url``; return it and the seconds it took."""
    nb = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE, metadata={"tags": ["probe"]}))
    with pytest.MonkeyPatch.context() as mp:
        # The kernel inherits this environment when the client starts it.
        mp.setenv("PALMAP_DATABASE_URL", url)
        mp.setenv("MPLBACKEND", "Agg")
        client = NotebookClient(
            nb,
            kernel_name="python3",
            timeout=CELL_TIMEOUT_S,
            resources={"metadata": {"path": str(workdir)}},
        )
        started = time.perf_counter()
        client.execute()  # raises CellExecutionError naming the cell on any error
        elapsed = time.perf_counter() - started
    return nb, elapsed


@pytest.fixture(scope="module")
def run_notebook(
    demo_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], Executed]:
    """Execute a notebook on first use; later tests of this module share the result."""
    cache: dict[str, Executed] = {}

    def run(name: str) -> Executed:
        if name not in cache:
            cache[name] = execute(name, demo_url, tmp_path_factory.mktemp("run"))
        return cache[name]

    return run


def tagged(nb: nbformat.NotebookNode, tag: str) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if tag in c.get("metadata", {}).get("tags", [])]


def one(nb: nbformat.NotebookNode, tag: str) -> nbformat.NotebookNode:
    cells = tagged(nb, tag)
    assert len(cells) == 1, f"expected one cell tagged {tag!r}, got {len(cells)}"
    return cells[0]


def text_of(cell: nbformat.NotebookNode) -> str:
    """Printed text and plain-text results of a cell."""
    parts: list[str] = []
    for output in cell.outputs:
        if output.output_type == "stream":
            parts.append(output.text)
        elif "data" in output:
            parts.append(output.data.get("text/plain", ""))
    return "\n".join(parts)


def html_table(cell: nbformat.NotebookNode) -> tuple[list[str], list[list[str]]]:
    """Column names and body rows of the DataFrame a cell displays (its text/html)."""
    html = [o.data["text/html"] for o in cell.outputs if "text/html" in o.get("data", {})]
    assert html, "expected the cell to display a table"
    head, body = re.search(r"<thead>(.*?)</thead>\s*<tbody>(.*?)</tbody>", html[-1], re.S).groups()
    columns = [c for c in re.findall(r"<th[^>]*>(.*?)</th>", head) if c]
    rows = [
        re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]
    return columns, rows


def column(table: tuple[list[str], list[list[str]]], name: str) -> list[str]:
    """One column's cells; each row starts with its index cell, so shift by one."""
    columns, rows = table
    position = columns.index(name) + 1
    return [row[position] for row in rows]


def pngs(cell: nbformat.NotebookNode) -> int:
    return sum("image/png" in o.get("data", {}) for o in cell.outputs)


def test_the_expected_notebooks_exist() -> None:
    assert NOTEBOOKS == EXPECTED


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_notebook_is_stripped(name: str) -> None:
    nb = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    for cell in code:
        assert cell.outputs == [], f"outputs left in {name}: {cell.source[:60]!r}"
        assert cell.execution_count is None, f"execution count left in {name}"
        assert "execution" not in cell.metadata, f"execution timing left in {name}"
        # Notebooks use mapping, never the Flask app.
        assert not re.search(r"^\s*(from|import)\s+app\b", cell.source, re.M)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_on_the_demo_database(
    name: str, demo_url: str, run_notebook: Callable[[str], Executed]
) -> None:
    nb, elapsed = run_notebook(name)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    # Warnings (pandas, matplotlib, mapping's own) reach the notebook as stderr: none allowed.
    stderr = [o.text for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    assert not stderr, stderr
    assert elapsed < NOTEBOOK_BUDGET_S, f"{name} took {elapsed:.1f} s"

    # The kernel is this environment's Python, and the notebook used PALMAP_DATABASE_URL.
    executable, prefix, backend = text_of(one(nb, "probe")).splitlines()
    assert (executable, prefix) == (sys.executable, sys.prefix)
    assert backend == "Agg"
    setup = text_of(one(nb, "setup"))
    assert Path(demo_url.removeprefix("sqlite:///")).name in setup
    assert f"{DEMO_DISTRICTS} districts" in setup
    assert "district boundaries: schematic, not official" in setup

    # Every map cell draws exactly one figure, as a PNG.
    maps = tagged(nb, "map")
    assert maps, "expected at least one cell tagged 'map'"
    assert [pngs(cell) for cell in maps] == [1] * len(maps)


def test_needs_and_resources_shows_its_analyses(run_notebook: Callable[[str], Executed]) -> None:
    nb, _ = run_notebook("01_needs_and_resources.ipynb")
    assert len(tagged(nb, "map")) == 3  # needs index, E2SFCA with points, change 2010-2013
    # Every map cell says on the map that the boundaries are schematic (when they are).
    assert all("schematic_note(ax)" in cell.source for cell in tagged(nb, "map"))

    change = one(nb, "change-table")
    statuses = column(html_table(change), "status")
    assert len(statuses) == DEMO_DISTRICTS
    # Changes within the chance variation of the counts read no_clear_change (issue 14, point 8).
    assert set(statuses) <= {"improved", "worsened", "no_clear_change", "unchanged"}
    assert {"improved", "worsened", "no_clear_change"} <= set(statuses)  # the demo has all three
    printed = text_of(change)
    for status in ("improved", "worsened", "no_clear_change"):
        count = int(re.search(rf"^{status}\s+(\d+)$", printed, re.M).group(1))
        assert count == statuses.count(status)


def test_target_areas_ranks_every_district(run_notebook: Callable[[str], Executed]) -> None:
    nb, _ = run_notebook("02_target_areas.ipynb")
    ranking = html_table(one(nb, "ranking-table"))
    columns, rows = ranking
    assert columns[: len(RANKING_COLUMNS)] == RANKING_COLUMNS
    assert len(rows) == DEMO_DISTRICTS
    ranks = [int(r) for r in column(ranking, "rank")]
    assert ranks == list(range(1, DEMO_DISTRICTS + 1))
    low = [int(r) for r in column(ranking, "rank_low")]
    high = [int(r) for r in column(ranking, "rank_high")]
    assert all(a <= b for a, b in zip(low, high, strict=True))
    stability = column(ranking, "stability")
    assert set(stability) <= {"robust", "fragile"}
    shares = [float(s) for s in column(ranking, "top_share")]
    assert all(
        (s == "robust") == (x >= 0.9 or x <= 0.1) for s, x in zip(stability, shares, strict=True)
    )

    top = html_table(one(nb, "top-table"))
    assert [int(r) for r in column(top, "rank")] == list(range(1, 11))
    assert column(top, "district_name") == column(ranking, "district_name")[:10]

    methods = html_table(one(nb, "methods-table"))
    assert len(methods[1]) == DEMO_DISTRICTS
    assert sorted(int(r) for r in column(methods, "rank_imd")) == ranks
    assert re.search(r"Spearman rank correlation (-?\d\.\d{3})", text_of(one(nb, "methods-table")))

    effect = html_table(one(nb, "access-table"))
    assert {"rank_needs", "rank_with_access", "e2sfca", "move"} <= set(effect[0])
    assert len(effect[1]) == DEMO_DISTRICTS
    moves = [int(m) for m in column(effect, "move")]
    assert sum(moves) == 0 and any(moves)  # a permutation, and the access term changes it

    assert len(tagged(nb, "map")) == 1  # the top five


def test_needs_and_resources_explains_denominators_and_smoothing(
    run_notebook: Callable[[str], Executed],
) -> None:
    """Issue 14, points 3 and 4, in notebook 01: children per residents aged 0-17, and the
    empirical Bayes rates of the two smallest districts (Lubiechów, Książ) against the largest,
    checked by hand in the notebook against rate_table."""
    nb, _ = run_notebook("01_needs_and_resources.ipynb")
    denominators = html_table(one(nb, "denominators-table"))
    assert {"per_1000_residents", "per_1000_aged_0_17"} <= set(denominators[0])
    assert len(denominators[1]) == DEMO_DISTRICTS
    assert re.search(r"(\d+) of 21 districts change rank", text_of(one(nb, "denominators-table")))

    cell = one(nb, "smoothing-table")
    assert "small-denominator threshold: 1,000 people" in text_of(cell)
    table = html_table(cell)
    rows = [dict(zip(table[0], row[1:], strict=True)) for row in table[1]]
    assert {r["district_name"] for r in rows} == {"Lubiechów", "Książ", "Podzamcze"}
    for row in rows:
        raw, smoothed, city = (float(row[k]) for k in ("raw_rate", "smoothed_rate", "city_rate"))
        assert min(raw, city) <= smoothed <= max(raw, city)  # pulled towards the city's rate
        small = row["district_name"] != "Podzamcze"
        assert (row["small_denominator"] == "True") == small
        same = [r for r in rows if r["indicator"] == row["indicator"]]
        big = next(r for r in same if r["district_name"] == "Podzamcze")
        if small:  # a small district trusts its own rate less than the largest does
            assert float(row["weight_own_rate"]) < float(big["weight_own_rate"])


def test_target_areas_measures_what_smoothing_changes_in_the_ranking(
    run_notebook: Callable[[str], Executed],
) -> None:
    nb, _ = run_notebook("02_target_areas.ipynb")
    cell = one(nb, "smoothing-ranking")
    table = html_table(cell)
    assert {"rank_raw", "rank_smoothed", "move", "residents"} <= set(table[0])
    assert len(table[1]) == DEMO_DISTRICTS
    moves = [int(m) for m in column(table, "move")]
    assert sum(moves) == 0 and any(moves)
    printed = re.search(
        r"(\d+) of 21 districts move; Spearman rank correlation raw against smoothed (\d\.\d{3})",
        text_of(cell),
    )
    assert printed and int(printed[1]) == sum(1 for m in moves if m)
