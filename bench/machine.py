"""What the benchmarks read about this machine and its processes: /proc figures, waiting for a
quiet machine, and the facts (versions, CPU, source digest) that RESULTS.md records."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform as py_platform
import resource
import shutil
import subprocess
import threading
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PRISM = BENCH / "node_modules" / ".bin" / "prism"
WIREMOCK_DIR = BENCH / "node_modules" / "wiremock"


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS / VmHWM of a process, in kB."""
    out: dict[str, int] = {}
    with contextlib.suppress(OSError), open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0])
    return out


def cpu_ticks() -> tuple[int, int]:
    """(busy, total) clock ticks of the whole machine, from /proc/stat."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal ...: irq and softirq are left out (loopback
    # traffic of the benchmark itself lands there, charged to no process), steal is kept
    busy = values[0] + values[1] + values[2] + (values[7] if len(values) > 7 else 0)
    return busy, sum(values)


def proc_ticks(pid: int) -> int:
    """utime + stime of a process (all its threads), in clock ticks."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def reset_peak(pid: int) -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0, clear_refs value 5)."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


class Quiet:
    """Waits, within a budget for the whole run, until other processes leave the machine idle."""

    def __init__(self, budget_s: float) -> None:
        self.budget_s = budget_s
        self.waited_s = 0.0

    def wait(self, pid: int) -> float:
        """Seconds waited for a second in which others used under 5 % of the CPUs (or budget spent)."""
        hz = os.sysconf("SC_CLK_TCK")
        limit = 0.05 * (os.cpu_count() or 1)
        t0 = time.perf_counter()
        while True:
            busy0, own0 = cpu_ticks()[0], proc_ticks(pid)
            time.sleep(1)
            other = ((cpu_ticks()[0] - busy0) - (proc_ticks(pid) - own0)) / hz
            waited = time.perf_counter() - t0
            if other <= limit or self.waited_s + waited >= self.budget_s:
                self.waited_s += waited
                return waited


class RssSampler:
    """Max VmRSS seen while a wrk run goes on (every 50 ms), a cross-check of VmHWM."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.max_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.max_kb = max(self.max_kb, proc_status(self.pid).get("VmRSS", 0))
            self._stop.wait(0.05)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _cmd(argv: list[str]) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unavailable ({exc})"
    return (out.stdout + out.stderr).strip()


def _meminfo_total() -> str:
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return "?"


def _cpu_model() -> str:
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return py_platform.processor() or "?"


def source_digest() -> str:
    """sha256 over the measured code (mockserver/, spec/), to tell which state of it a run saw."""
    h = hashlib.sha256()
    for path in sorted(
        [
            *(ROOT / "mockserver").rglob("*.py"),
            *(ROOT / "mockserver").rglob("*.yaml"),
            *(ROOT / "spec").rglob("*.py"),
            *(ROOT / "spec").rglob("*.yaml"),
        ]
    ):
        h.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def environment() -> dict[str, Any]:
    def version(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "not installed"

    wiremock_pkg = WIREMOCK_DIR / "package.json"
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "loadavg_at_start": os.getloadavg(),
        "source_digest": source_digest(),
        "machine": {
            "nproc": os.cpu_count(),
            "cpu": _cpu_model(),
            "memory": _meminfo_total(),
            "kernel": py_platform.release(),
            "os": _cmd(["sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"]),
        },
        "versions": {
            "python": py_platform.python_version(),
            "pns-mock": version("pns-mock"),
            "uvicorn": version("uvicorn"),
            "uvloop": version("uvloop"),
            "httptools": version("httptools"),
            "starlette": version("starlette"),
            "wrk": _cmd(["wrk", "-v"]).splitlines()[0] if shutil.which("wrk") else "missing",
            "node": _cmd(["node", "--version"]),
            "prism": _cmd([str(PRISM), "--version"]) if PRISM.exists() else "missing",
            "java": _cmd(["java", "-version"]).splitlines()[0] if shutil.which("java") else "missing",
            "wiremock": json.loads(wiremock_pkg.read_text())["version"]
            if wiremock_pkg.exists()
            else "missing",
        },
    }


def machine_busy_s() -> float:
    """CPU seconds the whole machine has been busy, from /proc/stat."""
    return cpu_ticks()[0] / os.sysconf("SC_CLK_TCK")
