"""What `pns-mock run` adds to a command's own time: `pns-mock run -- true` against `true`.

Run by hand (not a timed test): `python bench/run_overhead.py [--runs 15]`. Writes its section of
bench/RESULTS.md (between the run-overhead markers) and prints it. The target: at most 0.5 s.

Other sessions may share the machine: before each timed run it waits (bench/machine.py `Quiet`,
at most 120 s in all) for a second in which other processes use under 5 % of the CPUs, and it
reports the CPU seconds the run itself used next to its wall time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import Quiet, children_cpu
from sections import markers, write_section

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"
BEGIN, END = markers("run-overhead")
TARGET = 0.5
PYCACHE = Path(tempfile.gettempdir()) / "pns-mock-bench-pycache"


def timed(argv: list[str], runs: int, quiet: Quiet) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds (the process and its children) of each run."""
    # Bytecode as an installed package has it (pip compiles on install): without it every run
    # compiles pns-mock's sources again (about 0.15 s), which no user pays. Kept out of the tree.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env |= {"PYTHONPATH": str(ROOT), "PYTHONPYCACHEPREFIX": str(PYCACHE)}
    walls, cpus = [], []
    for _ in range(runs):
        quiet.wait(os.getpid())
        cpu0, start = children_cpu(), time.perf_counter()
        subprocess.run(
            argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True
        )
        walls.append(time.perf_counter() - start)
        cpus.append(children_cpu() - cpu0)
    return walls, cpus


def ms(value: float) -> str:
    return f"{value * 1000:.0f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--no-write", action="store_true", help="print only, leave RESULTS.md alone")
    args = parser.parse_args()
    python, quiet = sys.executable, Quiet(budget_s=120)
    command = [python, "-m", "pns_mock.mockserver", "run", "--", "true"]
    timed(command, 2, Quiet(0))  # warm the file cache and the parsed-spec cache
    bare, _ = timed(["true"], args.runs, quiet)
    interpreter, _ = timed([python, "-c", "pass"], args.runs, quiet)
    run, run_cpu = timed(command, args.runs, quiet)
    base = statistics.median(bare)
    overhead = statistics.median(run) - base
    rows = [
        ("`true`", bare, None),
        ("`python -c pass` (the interpreter's own start)", interpreter, None),
        ("`pns-mock run -- true`", run, run_cpu),
    ]
    lines = [
        BEGIN,
        "## `pns-mock run` overhead",
        "",
        f"Written by `bench/run_overhead.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())},"
        f" {args.runs} runs each, {quiet.waited_s:.0f} s spent waiting for a quiet machine. Wall time"
        " of `pns-mock run -- true` (interpreter start, imports, server start on a free port, the"
        " command, the verdict) minus that of `true`, with bytecode compiled as `pip install` leaves it.",
        "",
        "| measured | median wall | min wall | max wall | median CPU |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, walls, cpus in rows:
        cpu = ms(statistics.median(cpus)) if cpus else "-"
        lines.append(
            f"| {name} | {ms(statistics.median(walls))} | {ms(min(walls))} | {ms(max(walls))} | {cpu} |"
        )
    verdict = "**met**" if overhead <= TARGET else "**missed**"
    load = os.getloadavg()[0]
    lines += [
        "",
        f"Overhead (median wall minus `true`): **{ms(overhead)}**; target ≤ {ms(TARGET)}: {verdict}."
        f" Load average at the end: {load:.1f} on {os.cpu_count()} CPUs; on a busy machine the wall"
        " time is mostly waiting for a CPU, and the CPU column is what the run itself costs.",
        END,
    ]
    section = "\n".join(lines)
    print(section)
    if not args.no_write:
        write_section(RESULTS, "run-overhead", section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
