"""mockserver/'s shape: the import-linter contracts hold and fail on an upward import, no import
circles, each subpackage says what it owns and may import, callers use the faces, no module over
300 lines (ARCHITECTURE.md)."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
MOCKSERVER = ROOT / "mockserver"
SUBPACKAGES = sorted(p.parent for p in MOCKSERVER.glob("*/__init__.py"))
TOP_MODULES = {"cli", "config", "platform", "__main__"}
MAX_LINES = 300


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from importlinter.cli import lint_imports_command; lint_imports_command()",
            "--no-cache",
        ],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _circles(package: str) -> list[list[str]]:
    """Every group of modules that import each other in a loop (Tarjan's strongly connected components)."""
    graph = grimp.build_graph(package, cache_dir=None)
    modules = sorted(m for m in graph.modules if m.startswith(package + "."))
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if not imported.startswith(package + "."):
                continue
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for module in modules:
        if module not in index:
            visit(module)
    return found


@pytest.fixture(scope="module")
def copy_of_the_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package (its links followed) and the contracts, in a place a test may break."""
    where = tmp_path_factory.mktemp("tree")
    shutil.copytree(
        ROOT / "pns_mock",
        where / "pns_mock",
        symlinks=False,
        ignore=shutil.ignore_patterns("__pycache__", "*.json", "*.yaml", "*.md"),
    )
    shutil.copy(ROOT / "pyproject.toml", where / "pyproject.toml")
    return where


def test_the_import_linter_contracts_hold() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken." in result.stdout


def _lint_with(copy: Path, module: str, line: str) -> subprocess.CompletedProcess[str]:
    """`lint-imports` on the copy with `line` added to `module` (a path under pns_mock/), then undone."""
    path = copy / "pns_mock" / module
    original = path.read_text(encoding="utf-8")
    try:
        path.write_text(original + "\n" + line + "\n", encoding="utf-8")
        return _lint_imports(copy)
    finally:
        path.write_text(original, encoding="utf-8")


def test_an_upward_import_breaks_the_layers_contract(copy_of_the_tree: Path) -> None:
    result = _lint_with(copy_of_the_tree, "mockserver/domain/clock.py", "from ..http import engine  # upward")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "mockserver's layers: each imports only the layers below it BROKEN" in result.stdout
    assert "pns_mock.mockserver.domain.clock -> pns_mock.mockserver.http.engine" in result.stdout


def test_one_mode_importing_another_breaks_the_independence_contract(copy_of_the_tree: Path) -> None:
    result = _lint_with(
        copy_of_the_tree, "mockserver/domain/backends/ax.py", "from . import axb  # another mode"
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "one backend per mode: no mode's rules depend on another mode's BROKEN" in result.stdout


def test_no_module_of_the_toolkit_is_in_an_import_circle() -> None:
    assert _circles("pns_mock") == []


def test_a_circle_inside_a_subpackage_is_found(
    copy_of_the_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = copy_of_the_tree / "pns_mock" / "mockserver" / "http" / "admingate.py"
    original = gate.read_text(encoding="utf-8")
    monkeypatch.syspath_prepend(str(copy_of_the_tree))
    for name in [m for m in sys.modules if m == "pns_mock" or m.startswith("pns_mock.")]:
        monkeypatch.delitem(sys.modules, name)  # grimp finds the package through the import system
    try:
        gate.write_text(original + "\nfrom . import admin  # a circle, on purpose\n", encoding="utf-8")
        circles = _circles("pns_mock")
    finally:
        gate.write_text(original, encoding="utf-8")
    assert ["pns_mock.mockserver.http.admin", "pns_mock.mockserver.http.admingate"] in circles


@pytest.mark.parametrize("package", SUBPACKAGES, ids=lambda p: p.name)
def test_each_subpackage_opens_with_what_it_owns_and_may_import(package: Path) -> None:
    doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text(encoding="utf-8")))
    assert doc is not None
    first, second = doc.splitlines()[:2]
    assert first.startswith("Owns: ") and second.startswith("May import: ")


def test_no_module_of_mockserver_is_over_300_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): n
        for path in MOCKSERVER.rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_code_outside_mockserver_imports_its_faces_only() -> None:
    """contract_tests, docsgen, bench, tests: a subpackage's `__init__`, or a top module."""
    deep = []
    for folder in ("contract_tests", "docsgen", "bench", "tests", "examples"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = []
                if isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                elif isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                for name in names:
                    parts = name.split(".")
                    if parts[:2] != ["pns_mock", "mockserver"] or len(parts) == 2:
                        continue
                    inside = MOCKSERVER.joinpath(*parts[2:])
                    if not (inside / "__init__.py").exists() and parts[2] not in TOP_MODULES:
                        deep.append(f"{path.relative_to(ROOT)}: {name}")
    assert deep == []
