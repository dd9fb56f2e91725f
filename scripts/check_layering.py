"""Layering checks that import-linter cannot express; `make check` runs this script.

Four checks over the packages ``mapping`` and ``app`` (tests and benchmarks may do what they
like):

private
    No module imports a ``_private`` name from another module (``from x import _y``,
    ``import x._y``), and no module reads ``x._y`` where ``x`` is an imported module. A private
    name is one that starts with ``_`` and is not a dunder. Make the name public, or move it
    to the module that uses it.
cycles
    No import cycles between modules, counting imports inside functions (they still tie the
    two modules together). Each cycle is printed as a chain ``a -> b -> a`` with the line of
    every import. Break it by moving what both need into a lower module that both import.
size
    No module over ``--max-lines`` lines (600). Split it into cohesive modules; a package
    ``__init__`` may re-export the public names so that importers do not change.
sql-contract
    Every direct subpackage or module of ``mapping`` other than ``mapping.db`` is listed in the
    ``source_modules`` of the import-linter contract "Only mapping.db speaks SQL" in
    ``pyproject.toml``, so that a new module cannot escape it (and no listed module is gone).

Usage::

    python scripts/check_layering.py [--root DIR] [--max-lines N] [--check NAME ...]

Exit status 0 when every check passes, 1 when one finds something (each finding is printed on
its own line, prefixed by the check's name), 2 on a usage error. The functions take a root
folder so that tests can run them on a small package made for the purpose.
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import sys
import tomllib
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

#: The packages whose modules are checked.
PACKAGES: tuple[str, ...] = ("mapping", "app")
#: The most lines a module may have.
MAX_LINES = 600
#: The import-linter contract that every direct child of ``mapping`` but ``mapping.db`` must be in.
SQL_CONTRACT = "Only mapping.db speaks SQL"
#: The core package and its one child that may speak SQL.
CORE_PACKAGE = "mapping"
SQL_PACKAGE = "mapping.db"
CHECKS: tuple[str, ...] = ("private", "cycles", "size", "sql-contract")


@dataclass(frozen=True)
class Module:
    """One Python module of the checked packages."""

    name: str
    path: Path
    is_package: bool

    @property
    def package(self) -> str:
        """The package that relative imports start from."""
        return self.name if self.is_package else self.name.rpartition(".")[0]


@dataclass(frozen=True, order=True)
class Finding:
    """One broken rule, printed as ``check: where: what``."""

    check: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.check}: {self.where}: {self.message}"


@dataclass
class Import:
    """One imported module (resolved to a module of the tree when it is one)."""

    target: str
    line: int
    names: list[str] = field(default_factory=list)


def is_private(name: str) -> bool:
    """True for ``_name`` and ``__name``, false for dunders and public names.

    >>> [is_private(n) for n in ("_x", "__x", "__all__", "x", "_")]
    [True, True, False, False, False]
    """
    dunder = name.startswith("__") and name.endswith("__") and len(name) > 4
    return name.startswith("_") and name != "_" and not dunder


def discover(root: Path, packages: Sequence[str] = PACKAGES) -> dict[str, Module]:
    """Every module of ``packages`` under ``root``, by dotted name (packages by their own name)."""
    modules: dict[str, Module] = {}
    for package in packages:
        base = root / package
        if not (base / "__init__.py").is_file():
            continue
        for path in sorted(base.rglob("*.py")):
            relative = path.relative_to(root).with_suffix("")
            parts = list(relative.parts)
            if not all(p.isidentifier() for p in parts):
                continue
            if not all(
                (root.joinpath(*parts[:i]) / "__init__.py").is_file() for i in range(1, len(parts))
            ):
                continue  # a folder without __init__.py is not part of the package
            is_package = parts[-1] == "__init__"
            if is_package:
                parts = parts[:-1]
            modules[".".join(parts)] = Module(".".join(parts), path, is_package)
    return modules


def parse(module: Module) -> ast.Module:
    """The syntax tree of ``module``."""
    return ast.parse(module.path.read_text(encoding="utf-8"), filename=str(module.path))


def absolute(module: Module, node: ast.ImportFrom) -> str:
    """The absolute module name of a ``from ... import`` (relative ones resolved)."""
    if not node.level:
        return node.module or ""
    parts = module.package.split(".")
    base = parts[: len(parts) - (node.level - 1)] if node.level > 1 else parts
    return ".".join([*base, node.module] if node.module else base)


def imports(module: Module, tree: ast.Module, known: Iterable[str]) -> Iterator[Import]:
    """Every import of ``module`` (at any depth, including inside functions).

    ``from a import b`` is an import of ``a.b`` when that is a known module, else of ``a``.
    """
    known = set(known)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            source = absolute(module, node)
            plain: list[str] = []
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                if sub in known:
                    yield Import(sub, node.lineno)
                else:
                    plain.append(alias.name)
            if plain:
                yield Import(source, node.lineno, plain)


def _module_names(module: Module, tree: ast.Module, known: set[str]) -> dict[str, str]:
    """Local names bound to modules by imports: ``import a.b`` binds ``a``; ``as`` binds its name.

    ``from a import b`` binds ``b`` only when ``a.b`` is a known module of the tree.
    """
    bound: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    bound[alias.asname] = alias.name
                else:
                    root = alias.name.split(".")[0]
                    bound[root] = root
        elif isinstance(node, ast.ImportFrom):
            source = absolute(module, node)
            for alias in node.names:
                if f"{source}.{alias.name}" in known:
                    bound[alias.asname or alias.name] = f"{source}.{alias.name}"
    return bound


def _dotted(node: ast.expr) -> list[str] | None:
    """``a.b.c`` as ``["a", "b", "c"]``; None for anything but names and attributes."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return parts[::-1]


def check_private(root: Path, packages: Sequence[str] = PACKAGES) -> list[Finding]:
    """``_private`` names taken from another module (see the module docstring)."""
    modules = discover(root, packages)
    known = set(modules)
    findings: list[Finding] = []
    for module in modules.values():
        tree = parse(module)
        where = module.path.relative_to(root).as_posix()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    private = [p for p in alias.name.split(".") if is_private(p)]
                    if private:
                        findings.append(
                            Finding("private", f"{where}:{node.lineno}", f"import {alias.name}")
                        )
            elif isinstance(node, ast.ImportFrom):
                source = absolute(module, node)
                names = [a.name for a in node.names if is_private(a.name)]
                if names or any(is_private(p) for p in source.split(".")):
                    text = (
                        f"from {source} import {', '.join(names or [a.name for a in node.names])}"
                    )
                    findings.append(Finding("private", f"{where}:{node.lineno}", text))
        bound = _module_names(module, tree, known)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Attribute) and is_private(node.attr)):
                continue
            chain = _dotted(node)
            if chain is None or chain[0] not in bound:
                continue
            findings.append(
                Finding("private", f"{where}:{node.lineno}", f"{'.'.join(chain)} (another module)")
            )
    return sorted(set(findings))


def graph(root: Path, packages: Sequence[str] = PACKAGES) -> dict[str, dict[str, int]]:
    """Module -> imported module of the tree -> line of the first such import."""
    modules = discover(root, packages)
    known = set(modules)
    edges: dict[str, dict[str, int]] = {name: {} for name in modules}
    for module in modules.values():
        for item in imports(module, parse(module), known):
            target = item.target
            # ``import a.b.c`` of a name that is not a module: the nearest enclosing module.
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != module.name:
                edges[module.name].setdefault(target, item.line)
    return edges


def strongly_connected(edges: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0
    for start in sorted(edges):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, {})))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return sorted(components)


def shortest_cycle(edges: dict[str, dict[str, int]], start: str, within: set[str]) -> list[str]:
    """The shortest chain ``start -> ... -> start`` inside ``within`` (breadth first)."""
    previous: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child in sorted(edges[node]):
            if child not in within:
                continue
            if child == start:
                chain = [node]
                while chain[-1] != start:
                    chain.append(previous[chain[-1]])
                return [*chain[::-1], start]
            if child not in previous:
                previous[child] = node
                queue.append(child)
    return []


def check_cycles(root: Path, packages: Sequence[str] = PACKAGES) -> list[Finding]:
    """Import cycles, one shortest chain through every module that is in one."""
    edges = graph(root, packages)
    modules = discover(root, packages)
    findings: list[Finding] = []
    for component in strongly_connected(edges):
        members = set(component)
        seen: set[tuple[str, ...]] = set()
        for start in component:
            chain = shortest_cycle(edges, start, members)
            body = chain[:-1]
            turn = body.index(min(body))
            key = tuple(body[turn:] + body[:turn])
            if key in seen:
                continue
            seen.add(key)
            cycle = [*key, key[0]]
            steps = [
                f"{modules[a].path.relative_to(root).as_posix()}:{edges[a][b]} imports {b}"
                for a, b in zip(cycle, cycle[1:], strict=False)
            ]
            findings.append(Finding("cycles", " -> ".join(cycle), "; ".join(steps)))
    return sorted(findings)


def check_size(
    root: Path, packages: Sequence[str] = PACKAGES, max_lines: int = MAX_LINES
) -> list[Finding]:
    """Modules over ``max_lines`` lines."""
    findings = []
    for module in discover(root, packages).values():
        lines = len(module.path.read_text(encoding="utf-8").splitlines())
        if lines > max_lines:
            where = module.path.relative_to(root).as_posix()
            findings.append(
                Finding("size", where, f"{lines} lines, over {max_lines}; split it by concern")
            )
    return sorted(findings)


def check_sql_contract(root: Path, pyproject: Path | None = None) -> list[Finding]:
    """Direct children of ``mapping`` missing from (or stale in) the SQL contract."""
    pyproject = pyproject or root / "pyproject.toml"
    where = pyproject.name
    with pyproject.open("rb") as handle:
        config = tomllib.load(handle)
    contracts = config.get("tool", {}).get("importlinter", {}).get("contracts", [])
    contract = next((c for c in contracts if c.get("name") == SQL_CONTRACT), None)
    if contract is None:
        return [Finding("sql-contract", where, f"no import-linter contract named {SQL_CONTRACT!r}")]
    listed = [str(m) for m in contract.get("source_modules", [])]
    children = sorted(
        name
        for name in discover(root, [CORE_PACKAGE])
        if name.count(".") == 1 and name != SQL_PACKAGE
    )
    findings = []
    for child in children:
        if not any(fnmatch.fnmatchcase(child, pattern) for pattern in listed):
            findings.append(
                Finding(
                    "sql-contract",
                    where,
                    f"{child} is not in the source_modules of {SQL_CONTRACT!r}; add it",
                )
            )
    existing = set(discover(root, PACKAGES))
    for pattern in listed:
        if pattern == SQL_PACKAGE or fnmatch.fnmatchcase(SQL_PACKAGE, pattern):
            findings.append(
                Finding("sql-contract", where, f"{pattern} covers {SQL_PACKAGE}, which speaks SQL")
            )
        elif not any(fnmatch.fnmatchcase(name, pattern) for name in existing):
            findings.append(
                Finding("sql-contract", where, f"{pattern} is listed but no such module exists")
            )
    return findings


def run(root: Path, checks: Sequence[str] = CHECKS, max_lines: int = MAX_LINES) -> list[Finding]:
    """The findings of ``checks`` over the tree at ``root``."""
    findings: list[Finding] = []
    if "private" in checks:
        findings += check_private(root)
    if "cycles" in checks:
        findings += check_cycles(root)
    if "size" in checks:
        findings += check_size(root, max_lines=max_lines)
    if "sql-contract" in checks:
        findings += check_sql_contract(root)
    return findings


def main(argv: Sequence[str] | None = None) -> int:
    """Print every finding and a summary line; 1 when there is a finding."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--max-lines", type=int, default=MAX_LINES)
    parser.add_argument("--check", action="append", choices=CHECKS, help="default: all")
    args = parser.parse_args(argv)
    checks = args.check or list(CHECKS)
    findings = run(args.root, checks, max_lines=args.max_lines)
    for finding in findings:
        print(finding)
    counts = {name: sum(f.check == name for f in findings) for name in checks}
    summary = ", ".join(f"{name} {count}" for name, count in counts.items())
    print(f"check_layering: {len(findings)} finding(s) ({summary})")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
