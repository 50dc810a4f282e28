"""The servers the load benchmark drives: pns-mock, Prism, WireMock and the bare uvicorn app,
each started alone on a free 127.0.0.1 port and always stopped."""

from __future__ import annotations

import contextlib
import http.client
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from machine import BENCH, PRISM, ROOT, WIREMOCK_DIR

VENV_BIN = Path(sys.executable).parent
SPEC = ROOT / "spec" / "pns-openapi.yaml"
CONFIG = BENCH / "pns-bench.yaml"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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
        "from pns_mock.mockserver.http import protocol_class; http = protocol_class()"
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
