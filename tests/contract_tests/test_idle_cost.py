"""A pytest run that never uses a PNS fixture pays (almost) nothing for the installed plugin."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Imports every module of the two packages with the spec loader instrumented, and says which
# modules read the spec (or pulled in the heavy parts) while being imported.
PROBE = """
import importlib, json, pkgutil, sys
from pns_mock.spec import loader

reads = []
original = loader.load_document

def counting(*args, **kwargs):
    reads.append(current)
    return original(*args, **kwargs)

loader.load_document = counting
found = {}
for package in ("pns_mock.mockserver", "pns_mock.contract_tests"):
    root = importlib.import_module(package)
    for info in pkgutil.walk_packages(root.__path__, package + "."):
        if info.name.endswith("__main__"):
            continue
        current = info.name
        importlib.import_module(info.name)
print(json.dumps(sorted(set(reads))))
"""

LIGHT = """
import json, sys
import pns_mock.contract_tests.plugin
heavy = ("requests", "responses", "jsonschema", "yaml")
ours = ("pns_mock.spec", "pns_mock.mockserver")
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in heavy or m.startswith(ours))))
"""


def _run(code: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    found: list[str] = json.loads(result.stdout.strip().splitlines()[-1])
    return found


def test_no_module_of_the_server_or_the_plugin_reads_the_spec_when_imported() -> None:
    assert _run(PROBE) == []


def test_loading_the_plugin_imports_neither_the_spec_nor_the_engine_nor_an_http_library() -> None:
    assert _run(LIGHT) == []
