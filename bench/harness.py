"""Loopback load benchmark: pns-mock against Prism, WireMock and a bare uvicorn app, with wrk.

Run through bench/run.sh (which installs wrk, the Node tools and the venv first). Each server is
started on a free 127.0.0.1 port, polled until it answers, driven by wrk (warm-up, then the
measured run) for each scenario, and stopped. Only one server runs at a time. Results go to a JSON
file that bench/report.py turns into RESULTS.md.

Scenarios (the same requests to every server, bench/wrk/pns.lua):
  mix    AXB bind (areaCode 0755, areaMatchMode 1, unique A/B numbers) and unbind of the
         subscriptionId returned by the bind, alternating, HTTP 200 + resultcode "0" expected
  query  AXB query by relationNum + callerNum over bindings created beforehand via HTTP
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.client
import json
import os
import platform as py_platform
import resource
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VENV_BIN = Path(sys.executable).parent
SPEC = ROOT / "spec" / "pns-openapi.yaml"
CONFIG = BENCH / "pns-bench.yaml"
LUA = BENCH / "wrk" / "pns.lua"
PRISM = BENCH / "node_modules" / ".bin" / "prism"
WIREMOCK_DIR = BENCH / "node_modules" / "wiremock"
PATH = "/rest/caas/relationnumber/partners/v1.0"
APP_KEY, APP_SECRET = "bench-axb", "bench-axb-secret"

sys.path.insert(0, str(ROOT))
from mockserver import auth  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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


def signed_headers() -> dict[str, str]:
    return auth.sign("AKSK", APP_KEY, APP_SECRET, uuid.uuid4().hex, auth.created_now())


@dataclass
class Server:
    name: str
    label: str
    argv: list[str]
    ready_path: str = "/"
    ready_status: int | None = None  # None: any HTTP answer means ready
    env: dict[str, str] = field(default_factory=dict)
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    def start(self, logdir: Path) -> float:
        self.log = logdir / f"{self.name}.log"
        argv = [a.replace("{port}", str(self.port)) for a in self.argv]
        t0 = time.perf_counter()
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                argv,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, **self.env},
                start_new_session=True,
            )
        _record_pid(logdir, self.proc.pid)
        deadline = t0 + 120
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log}")
            if self._answers():
                return time.perf_counter() - t0
            time.sleep(0.005)
        raise RuntimeError(f"{self.name} not ready after 120 s; see {self.log}")

    def _answers(self) -> bool:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
        try:
            conn.request("GET", self.ready_path)
            status = conn.getresponse().status
        except OSError:
            return False
        finally:
            conn.close()
        return self.ready_status is None or status == self.ready_status

    def stop(self) -> None:
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def command(self) -> str:
        argv = [a.replace("{port}", "PORT") for a in self.argv]
        return shlex.join(argv).replace(str(ROOT) + "/", "")


def _record_pid(logdir: Path, pid: int) -> None:
    # bench/run.sh kills what is still alive from this list on exit (Ctrl-C, crash)
    with open(logdir / "pids", "a") as f:
        f.write(f"{pid}\n")


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


def run_wrk(
    port: int, scenario: str, seconds: float, run_id: int, args: argparse.Namespace, targets: Path
) -> dict[str, Any]:
    headers = signed_headers()  # signed right before the run: Created is valid for +/-300 s
    env = {
        **os.environ,
        "PNS_SCENARIO": scenario,
        "PNS_AUTHORIZATION": headers["Authorization"],
        "PNS_XAKSK": headers["X-AKSK"],
        "PNS_RUN": str(run_id),
        "PNS_TARGETS": str(targets),
    }
    argv = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{seconds:g}s",
        "--timeout",
        "5s",
        "-s",
        str(LUA),
        f"http://127.0.0.1:{port}/",
    ]
    out = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=seconds + 60)
    line = next((x for x in out.stdout.splitlines() if x.startswith("BENCHJSON ")), None)
    if out.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stdout}\n{out.stderr}")
    result: dict[str, Any] = json.loads(line[len("BENCHJSON ") :])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["wrk_stdout"] = "\n".join(x for x in out.stdout.splitlines() if not x.startswith("BENCHJSON"))
    return result


def make_targets(port: int, count: int, path: Path) -> float:
    """Create `count` AXB bindings on pns-mock over HTTP; write "relationNum callerNum" lines."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {**signed_headers(), "Content-Type": "application/json;charset=UTF-8"}
    lines = []
    t0 = time.perf_counter()
    for i in range(count):
        body = json.dumps(
            {
                "callerNum": f"+86180{i:08d}",
                "calleeNum": f"+86181{i:08d}",
                "areaCode": "0755",
                "areaMatchMode": "1",
            }
        )
        conn.request("POST", PATH, body=body, headers=headers)
        resp = conn.getresponse()
        reply = json.loads(resp.read())
        if resp.status != 200 or reply.get("resultcode") != "0":
            raise RuntimeError(f"prefill bind {i} failed: {resp.status} {reply}")
        lines.append(f"{reply['relationNum']} +86180{i:08d}")
    conn.close()
    path.write_text("\n".join(lines) + "\n")
    return time.perf_counter() - t0


def default_targets(count: int, path: Path) -> None:
    """Same shape of list when pns-mock is not part of the run (the other servers ignore state)."""
    path.write_text("".join(f"+86170200{i % 200:05d} +86180{i:08d}\n" for i in range(count)))


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


def measure(
    server: Server, scenario: str, run_id: int, args: argparse.Namespace, targets: Path
) -> dict[str, Any]:
    """One measured wrk run, with peak RSS and the CPU time of the server, wrk and everything else."""
    r_wait = args.quiet.wait(server.pid)
    peak_reset = reset_peak(server.pid)
    busy0, server0, wrk0 = cpu_ticks()[0], proc_ticks(server.pid), children_cpu()
    with RssSampler(server.pid) as sampler:
        r = run_wrk(server.port, scenario, args.duration, run_id, args, targets)
    hz = os.sysconf("SC_CLK_TCK")
    r["server_cpu_s"] = (proc_ticks(server.pid) - server0) / hz
    r["wrk_cpu_s"] = children_cpu() - wrk0
    r["other_cpu_s"] = max(0.0, (cpu_ticks()[0] - busy0) / hz - r["server_cpu_s"] - r["wrk_cpu_s"])
    status = proc_status(server.pid)
    r["vmhwm_kb"] = status.get("VmHWM")
    r["vmhwm_scope"] = "scenario" if peak_reset else "process lifetime"
    r["sampled_max_rss_kb"] = sampler.max_kb
    r["rss_after_kb"] = status.get("VmRSS")
    r["waited_for_quiet_s"] = r_wait
    return r


def bench_server(
    server: Server, args: argparse.Namespace, logdir: Path, targets: Path, prefill: bool
) -> dict[str, Any]:
    server.port = free_port()
    result: dict[str, Any] = {"label": server.label, "command": server.command(), "scenarios": {}}
    try:
        result["ready_s"] = server.start(logdir)
        result["rss_ready_kb"] = proc_status(server.pid).get("VmRSS")
        print(f"  {server.name}: ready in {result['ready_s']:.3f} s on port {server.port}", flush=True)
        # One longer warm-up per server (the JVM needs about 15 s to reach its pace), then a short
        # one before each scenario. Numbers of each wrk run differ (PNS_RUN), so bindings never clash.
        if args.server_warmup > 0:
            run_wrk(server.port, "mix", args.server_warmup, 1, args, targets)
        run_id = 2
        for scenario in args.scenarios:
            if scenario == "query" and prefill:
                took = make_targets(server.port, args.targets, targets)
                result["prefill"] = {"bindings": args.targets, "seconds": took}
            run_wrk(server.port, scenario, args.warmup, run_id, args, targets)  # warm-up, discarded
            run_id += 1
            # Other sessions may share the machine: a run during which other processes used more
            # than 5 % of the CPUs is measured again (up to --retries times); the least disturbed
            # attempt is kept and the number of attempts reported.
            limit = 0.05 * (os.cpu_count() or 1) * args.duration
            attempts = []
            for _ in range(1 + args.retries):
                attempts.append(measure(server, scenario, run_id, args, targets))
                run_id += 1
                if attempts[-1]["other_cpu_s"] <= limit:
                    break
                if args.retry_budget < args.duration:
                    break  # the run's time for re-runs is spent
                args.retry_budget -= args.duration
                print(
                    f"  {server.name} {scenario}: disturbed ({attempts[-1]['other_cpu_s']:.1f} CPU s "
                    "used by other processes), measuring again",
                    flush=True,
                )
            r = min(attempts, key=lambda a: a["other_cpu_s"])
            r["attempts"] = len(attempts)
            result["scenarios"][scenario] = r
            print(
                f"  {server.name} {scenario}: {r['rps']:.0f} req/s, p50 {r['p50_us'] / 1000:.2f} ms, "
                f"p99 {r['p99_us'] / 1000:.2f} ms, peak RSS {r['vmhwm_kb'] / 1024:.0f} MiB, "
                f"errors {r['reply_errors']} (non-2xx {r['non2xx']}, socket "
                f"{sum(r['socket_errors'].values())}); CPU s: server {r['server_cpu_s']:.1f}, "
                f"wrk {r['wrk_cpu_s']:.1f}, other {r['other_cpu_s']:.1f}",
                flush=True,
            )
    except Exception as exc:  # noqa: BLE001 - one server failing must not hide the others
        result["error"] = str(exc)
        print(f"  {server.name}: FAILED: {exc}", flush=True)
    finally:
        server.stop()
    return result


def cold_starts(count: int, logdir: Path) -> list[float]:
    """Time from spawning `pns-mock serve` to its first HTTP answer, `count` times."""
    times = []
    for _ in range(count):
        server = pns_server()
        server.port = free_port()
        try:
            times.append(server.start(logdir))
        finally:
            server.stop()
    return times


def pns_server() -> Server:
    return Server(
        "pns-mock",
        "pns-mock",
        [
            str(VENV_BIN / "pns-mock"),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            "{port}",
            "--config",
            str(CONFIG),
        ],
        ready_path="/_pns/clock",
        ready_status=200,
    )


def uvicorn_argv(attr: str, *, one_write: bool = False) -> list[str]:
    """The bare app under uvicorn.run: stock, or with pns-mock's one-write-per-response protocol."""
    protocol = (
        "from mockserver.coalesce import protocol_class; http = protocol_class()"
        if one_write
        else 'http = "auto"'
    )
    code = (
        f"import sys, uvicorn; sys.path.insert(0, sys.argv[1]); import bare_app; {protocol}; "
        f'uvicorn.run(bare_app.{attr}, host="127.0.0.1", port=int(sys.argv[2]), '
        'log_level="warning", access_log=False, http=http)'
    )
    return [str(VENV_BIN / "python"), "-c", code, str(BENCH), "{port}"]


def servers(skip: set[str]) -> tuple[list[Server], dict[str, str]]:
    """The servers of this run, and why any was left out."""
    out = [pns_server()]
    skipped: dict[str, str] = {}
    if PRISM.exists():
        out.append(
            Server(
                "prism",
                "Prism -v error",
                [str(PRISM), "mock", "-v", "error", str(SPEC), "-p", "{port}", "-h", "127.0.0.1"],
            )
        )
    else:
        skipped["prism"] = f"{PRISM} missing (npm ci in bench/ failed?)"
    jars = sorted((WIREMOCK_DIR / "build").glob("wiremock-standalone-*.jar"))
    if not jars:
        skipped["wiremock"] = f"no wiremock-standalone jar under {WIREMOCK_DIR / 'build'}"
    elif shutil.which("java") is None:
        skipped["wiremock"] = "no java on PATH"
    else:
        wiremock = [
            "java",
            "-jar",
            str(jars[-1]),
            "--port",
            "{port}",
            "--bind-address",
            "127.0.0.1",
            "--root-dir",
            str(BENCH / "wiremock"),
            "--disable-banner",
        ]
        # Defaults (as people run it: the request journal on, unbounded), and its fastest setting
        # (journal off). Not --max-request-journal-entries: a bounded journal makes WireMock 3.13
        # slower by an order of magnitude here (about 850 req/s), which would flatter pns-mock.
        out.append(
            Server(
                "wiremock", "WireMock (defaults)", wiremock, ready_path="/__admin/health", ready_status=200
            )
        )
        out.append(
            Server(
                "wiremock-nojournal",
                "WireMock --no-request-journal",
                [*wiremock, "--no-request-journal"],
                ready_path="/__admin/health",
                ready_status=200,
            )
        )
    out.append(Server("bare", "bare uvicorn (raw ASGI)", uvicorn_argv("app")))
    out.append(
        Server(
            "bare-one-write",
            "bare uvicorn (raw ASGI), one write per response",
            uvicorn_argv("app", one_write=True),
        )
    )
    try:
        import starlette  # noqa: F401
    except ImportError:
        skipped["bare-starlette"] = "starlette is not installed in the venv (optional)"
    else:
        out.append(Server("bare-starlette", "bare uvicorn + Starlette", uvicorn_argv("starlette_app")))
    kept = [s for s in out if s.name not in skip]
    for s in out:
        if s.name in skip:
            skipped[s.name] = "left out with --skip"
    return kept, skipped


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


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, required=True, help="results JSON")
    parser.add_argument("--logdir", type=Path, required=True, help="server logs and the pid list")
    parser.add_argument("--duration", type=float, default=10, help="measured seconds per scenario")
    parser.add_argument("--warmup", type=float, default=3, help="warm-up seconds before each scenario")
    parser.add_argument(
        "--server-warmup",
        type=float,
        default=15,
        help="warm-up seconds (mix) once per server, after start-up",
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--retries", type=int, default=2, help="re-runs of a scenario disturbed by other load"
    )
    parser.add_argument(
        "--quiet-budget",
        type=float,
        default=120,
        help="seconds the run may wait in all for other load to stop",
    )
    parser.add_argument(
        "--retry-budget", type=float, default=120, help="seconds of re-measuring the run may spend in all"
    )
    parser.add_argument("--targets", type=int, default=2000, help="bindings created for the query scenario")
    parser.add_argument("--cold-starts", type=int, default=3, help="pns-mock start-up measurements")
    parser.add_argument("--skip", default="", help="comma-separated servers to leave out")
    parser.add_argument("--scenarios", default="mix,query")
    args = parser.parse_args()
    args.scenarios = [s for s in args.scenarios.split(",") if s]
    args.quiet = Quiet(args.quiet_budget)
    args.logdir.mkdir(parents=True, exist_ok=True)
    targets = args.logdir / "query-targets.txt"
    default_targets(args.targets, targets)

    results: dict[str, Any] = {
        "env": environment(),
        "settings": {
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "server_warmup_s": args.server_warmup,
            "threads": args.threads,
            "connections": args.connections,
            "query_bindings": args.targets,
            "retries": args.retries,
            "wrk": f"wrk -t{args.threads} -c{args.connections} -d{args.duration:g}s --timeout 5s "
            f"-s bench/wrk/pns.lua http://127.0.0.1:PORT/",
        },
        "servers": {},
    }
    chosen, skipped = servers({s for s in args.skip.split(",") if s})
    results["skipped"] = skipped
    for name, why in skipped.items():
        print(f"  {name}: skipped: {why}", flush=True)
    if "pns-mock" not in skipped:
        print(f"pns-mock cold starts ({args.cold_starts})", flush=True)
        results["pns_cold_starts_s"] = cold_starts(args.cold_starts, args.logdir)
        print("  " + ", ".join(f"{t:.3f} s" for t in results["pns_cold_starts_s"]), flush=True)
    for server in chosen:
        print(f"{server.label}", flush=True)
        results["servers"][server.name] = bench_server(
            server, args, args.logdir, targets, prefill=server.name == "pns-mock"
        )
    results["waited_for_quiet_s"] = args.quiet.waited_s
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
