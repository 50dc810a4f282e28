"""What the installed plugin costs a pytest run that never uses a PNS fixture (target: 30 ms).

pytest runs one trivial test file again and again, in turns: with every installed plugin, with
`-p no:pns`, and with `-p no:faker` (faker's own pytest plugin comes with our faker dependency).
A second series loads nothing but the plugin under test (PYTEST_DISABLE_PLUGIN_AUTOLOAD=1, then
`-p contract_tests.plugin` or `-p faker.contrib.pytest.plugin`): the same difference with less
noise from the other plugins of this environment. A third figure, with the least noise: the time
to import the plugin module in a fresh interpreter that has already imported pytest. Medians of
CPU time (user + system, the figure that holds on a busy machine) and of wall time; .pyc files
are written and used, as they are for an installed package.

Run: .venv/bin/python bench/idle_cost.py [--runs 40] [--json OUT]
(bench/run.sh runs it and bench/report.py puts `section()` into RESULTS.md.)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
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
    "pytest + pns": ["-p", "pns_mock.contract_tests.plugin"],
    "pytest + faker": ["-p", "faker.contrib.pytest.plugin"],
}
IMPORT = (
    "import time, pytest; started = time.perf_counter(); import contract_tests.plugin; "
    "print(time.perf_counter() - started)"
)


def _time(folder: Path, extra: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one pytest run."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra, "test_one.py"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def _series(
    folder: Path, variants: dict[str, list[str]], env: dict[str, str], runs: int
) -> dict[str, dict[str, float]]:
    """Median wall and CPU seconds per variant."""
    walls: dict[str, list[float]] = {name: [] for name in variants}
    cpus: dict[str, list[float]] = {name: [] for name in variants}
    for extra in variants.values():  # warm the file system caches and the .pyc files
        _time(folder, extra, env)
    for _ in range(runs):
        for name, extra in variants.items():  # in turns, so that load on the machine hits all alike
            wall, cpu = _time(folder, extra, env)
            walls[name].append(wall)
            cpus[name].append(cpu)
    return {
        name: {"wall": statistics.median(walls[name]), "cpu": statistics.median(cpus[name])}
        for name in variants
    }


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
    medians = {**installed, **isolated}

    def cost(kind: str) -> dict[str, float]:
        return {
            "pns, all plugins installed": installed["all plugins"][kind] - installed["-p no:pns"][kind],
            "pns, loaded alone": isolated["pytest + pns"][kind] - isolated["pytest alone"][kind],
            "faker, all plugins installed": installed["all plugins"][kind] - installed["-p no:faker"][kind],
            "faker, loaded alone": isolated["pytest + faker"][kind] - isolated["pytest alone"][kind],
        }

    return {
        "runs": runs,
        "medians_s": medians,
        "import_s": _import_time(env, runs),
        "cpu_costs_s": cost("cpu"),
        "wall_costs_s": cost("wall"),
    }


def target_row(data: dict[str, Any]) -> tuple[str, str, bool]:
    """(target, measured, met) for the Targets table of RESULTS.md."""
    costs = data["cpu_costs_s"]
    worst = max(costs["pns, all plugins installed"], costs["pns, loaded alone"])
    return (
        f"pytest run that uses no PNS fixture pays ≤ {TARGET_MS} ms for the plugin (CPU time, median)",
        f"{worst * 1000:.1f} ms",
        worst * 1000 <= TARGET_MS,
    )


def section(data: dict[str, Any]) -> list[str]:
    """The RESULTS.md section of one measurement."""
    medians = "; ".join(
        f"{name} {m['cpu'] * 1000:.0f} ms CPU, {m['wall'] * 1000:.0f} ms wall"
        for name, m in data["medians_s"].items()
    )
    lines = [
        f"pytest on a one-test file that uses no PNS fixture, {data['runs']} runs per variant in turns; "
        f"medians: {medians}.",
        "",
        "| plugin | CPU time per pytest run | wall time per pytest run |",
        "|---|---:|---:|",
    ]
    for name, cpu in data["cpu_costs_s"].items():
        lines.append(f"| {name} | {cpu * 1000:+.1f} ms | {data['wall_costs_s'][name] * 1000:+.1f} ms |")
    lines.append(f"| import of `contract_tests.plugin` after pytest | | {data['import_s'] * 1000:.1f} ms |")
    verdict = "met" if target_row(data)[2] else "missed"
    lines += [
        "",
        f"Target: at most {TARGET_MS} ms for the pns plugin, in CPU time: **{verdict}**. CPU time "
        "(user + system of the pytest process) is the figure to read on a shared machine: wall "
        "time also counts the waits for other processes' CPU, so its differences of medians are "
        "noise of that size and can come out below zero. faker's plugin (a `faker` fixture) is not "
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
