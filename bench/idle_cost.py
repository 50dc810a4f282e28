"""What the installed plugin costs a pytest run that never uses a PNS fixture (target: 30 ms).

pytest runs one trivial test file again and again, in turns: with every installed plugin, with
`-p no:pns`, and with `-p no:faker` (faker's own pytest plugin comes with our faker dependency).
A second series loads nothing but the plugin under test (PYTEST_DISABLE_PLUGIN_AUTOLOAD=1, then
`-p contract_tests.plugin` or `-p faker.contrib.pytest.plugin`): the same difference with less
noise from the other plugins of this environment. A third figure, with the least noise: the time
to import the plugin module in a fresh interpreter that has already imported pytest. Medians of
wall time; .pyc files are written and used, as they are for an installed package.

Run: .venv/bin/python bench/idle_cost.py [--runs 40] [--json OUT]
(bench/run.sh runs it and bench/report.py puts `section()` into RESULTS.md.)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGET_MS = 30

INSTALLED = {
    "all plugins": [],
    "-p no:pns": ["-p", "no:pns"],
    "-p no:faker": ["-p", "no:faker"],
}
ISOLATED = {
    "pytest alone": [],
    "pytest + pns": ["-p", "contract_tests.plugin"],
    "pytest + faker": ["-p", "faker.contrib.pytest.plugin"],
}
IMPORT = (
    "import time, pytest; started = time.perf_counter(); import contract_tests.plugin; "
    "print(time.perf_counter() - started)"
)


def _time(folder: Path, extra: list[str], env: dict[str, str]) -> float:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra, "test_one.py"]
    started = time.perf_counter()
    result = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")
    return elapsed


def _series(folder: Path, variants: dict[str, list[str]], env: dict[str, str], runs: int) -> dict[str, float]:
    timings: dict[str, list[float]] = {name: [] for name in variants}
    for extra in variants.values():  # warm the file system caches and the .pyc files
        _time(folder, extra, env)
    for _ in range(runs):
        for name, extra in variants.items():  # in turns, so that load on the machine hits all alike
            timings[name].append(_time(folder, extra, env))
    return {name: statistics.median(values) for name, values in timings.items()}


def _import_time(env: dict[str, str], runs: int) -> float:
    timings = []
    for _ in range(runs):
        command = [sys.executable, "-c", IMPORT]
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
        timings.append(float(result.stdout))
    return statistics.median(timings)


def measure(runs: int) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "test_one.py").write_text("def test_one():\n    assert True\n", encoding="utf-8")
        installed = _series(folder, INSTALLED, env, runs)
        isolated = _series(folder, ISOLATED, {**env, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}, runs)
    return {
        "runs": runs,
        "medians_s": {**installed, **isolated},
        "import_s": _import_time(env, runs),
        "costs_s": {
            "pns, all plugins installed": installed["all plugins"] - installed["-p no:pns"],
            "pns, loaded alone": isolated["pytest + pns"] - isolated["pytest alone"],
            "faker, all plugins installed": installed["all plugins"] - installed["-p no:faker"],
            "faker, loaded alone": isolated["pytest + faker"] - isolated["pytest alone"],
        },
    }


def section(data: dict[str, Any]) -> list[str]:
    """The RESULTS.md section of one measurement."""
    medians = "; ".join(f"{name} {s * 1000:.0f} ms" for name, s in data["medians_s"].items())
    lines = [
        f"pytest on a one-test file that uses no PNS fixture, median wall time of {data['runs']} runs "
        f"per variant, in turns ({medians}).",
        "",
        "| plugin | cost per pytest run |",
        "|---|---:|",
    ]
    lines += [f"| {name} | {s * 1000:+.1f} ms |" for name, s in data["costs_s"].items()]
    lines.append(f"| import of `contract_tests.plugin` after pytest | {data['import_s'] * 1000:.1f} ms |")
    worst = max(data["costs_s"]["pns, all plugins installed"], data["costs_s"]["pns, loaded alone"])
    verdict = "met" if worst * 1000 <= TARGET_MS else "missed"
    lines += [
        "",
        f"Target: at most {TARGET_MS} ms for the pns plugin: **{verdict}**. A difference of medians "
        "within the runs' noise can come out below zero. faker's plugin (a `faker` fixture) is not "
        "needed by pns-mock: `-p no:faker` switches it off.",
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    data = measure(args.runs)
    if args.json:
        args.json.write_text(json.dumps(data, indent=2), encoding="utf-8")
    print("\n".join(section(data)))


if __name__ == "__main__":
    main()
