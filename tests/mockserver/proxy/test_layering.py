"""The proxy is a leaf of mockserver: only the command line and the replay hooks reach into it."""

from __future__ import annotations

import ast
from pathlib import Path

import pns_mock.mockserver

MOCKSERVER = Path(pns_mock.mockserver.__file__).parent
PROXY = MOCKSERVER / "proxy"


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            found.add("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_nothing_in_mockserver_but_the_command_line_imports_the_proxy() -> None:
    importers = {
        path.relative_to(MOCKSERVER).as_posix()
        for path in MOCKSERVER.rglob("*.py")
        if PROXY not in path.parents
        and any(name.startswith((".proxy", "pns_mock.mockserver.proxy")) for name in _imports(path))
    }
    assert importers == {"cli.py"}


def test_the_proxy_s_modules_stay_small_and_say_what_they_own() -> None:
    for path in PROXY.glob("*.py"):
        assert len(path.read_text().splitlines()) <= 300, path.name
    opening = (PROXY / "__init__.py").read_text().split('"""')[1].strip().splitlines()
    assert len(opening) == 2 and opening[0].startswith("Owns") and opening[1].startswith("May import")
