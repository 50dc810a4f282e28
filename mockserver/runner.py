"""`pns-mock run`, `pns-mock report` and the platform `serve` and `run` both start.

`run` serves the mock on a loopback port while the customer's COMMAND runs, hands COMMAND the
credentials in its environment, and prints the verdict (mockserver/verdict.py) when it ends.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import functools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from types import FrameType
from typing import TYPE_CHECKING, Any, Literal

from pns_mock.spec import languages

from .config import Config
from .domain.errors import ConfigError
from .http.listeners import Listener, ListenerError, listeners_from
from .report import verdict as verdicts

if TYPE_CHECKING:
    from .http.engine import Engine
    from .platform import Platform
    from .state.persistence import Recorder

FORWARDED = (signal.SIGINT, signal.SIGTERM)


class StartError(Exception):
    """The server cannot start as asked: one line for the user, exit status 2."""


@dataclass
class Served:
    platform: Platform
    engine: Engine
    recorder: Recorder | None

    def close(self) -> None:
        if self.recorder is not None:
            self.recorder.close()


TOKEN_ENV = "PNS_MOCK_ADMIN_TOKEN"  # the admin token, when not on the command line


def admin_token(args: argparse.Namespace, configured: str | None) -> str | None:
    """--admin-token, else --admin-token-file, else $PNS_MOCK_ADMIN_TOKEN, else the config's."""
    if args.admin_token:
        return str(args.admin_token)
    if args.admin_token_file is not None:
        lines = args.admin_token_file.read_text(encoding="utf-8").splitlines()
        token = lines[0].strip() if lines else ""
        if not token:
            raise ConfigError(f"{args.admin_token_file}: the admin token file is empty")
        return token
    return os.environ.get(TOKEN_ENV) or configured


def start_platform(args: argparse.Namespace, config: Config) -> Served:
    """The platform, engine and state file `serve` and `run` start from their shared options."""
    from .domain.clock import VirtualClock
    from .http.engine import Engine
    from .platform import Platform

    # The one place the server reads the environment: the journal's language (headers stay ASCII).
    lang = os.environ.get("PNS_MOCK_LANG") or "en"
    if lang not in languages():
        raise StartError(f"PNS_MOCK_LANG={lang!r}: use one of {', '.join(languages())}")
    if args.strict_fields is not None:
        config = dataclasses.replace(
            config, settings=dataclasses.replace(config.settings, strict_fields=args.strict_fields)
        )
    platform: Platform
    recorder = None
    if args.state:
        from .state.persistence import StateFileError, open_state

        try:
            platform, recorder = open_state(args.state, config, frozen_clock=args.frozen_clock)
        except (StateFileError, ConfigError) as err:
            raise StartError(f"--state: {err}") from err
    else:
        platform = Platform(config, clock=VirtualClock(frozen=args.frozen_clock))
    if args.strict_fields is not None:  # a --state file's own settings give way to the flag
        platform.settings.strict_fields = args.strict_fields
    platform.journal.lang = lang
    engine = Engine(platform)
    if recorder is not None:
        recorder.attach(engine)
    try:
        engine.admin.token = admin_token(args, platform.settings.admin_token)
    except (OSError, ConfigError) as err:
        if recorder is not None:
            recorder.close()
        raise StartError(f"admin token: {err}") from err
    engine.admin.gate.allow_host(args.host)
    return Served(platform, engine, recorder)


def report_paths_problem(args: argparse.Namespace, *names: str) -> str | None:
    for name in names:
        path = getattr(args, name, None)
        if path is not None and (why := verdicts.check_writable(path)):
            return f"--{name.replace('_', '-')}: {why}"
    return None


def client_environment(platform: Platform, base_url: str) -> dict[str, str]:
    """What COMMAND gets: the base URL, the admin URL, and per mode the first application's
    credentials and private numbers (`PNS_AXB_APP_KEY`, `PNS_AXB_APP_SECRET`, `PNS_AXB_NUMBERS`)."""
    env = {"PNS_BASE_URL": base_url, "PNS_ADMIN_URL": f"{base_url}/_pns"}
    for app in platform.apps():
        prefix = f"PNS_{app.mode}_"
        if prefix + "APP_KEY" in env:
            continue
        env[prefix + "APP_KEY"] = app.app_key
        env[prefix + "APP_SECRET"] = app.app_secret
        env[prefix + "NUMBERS"] = ",".join(n.number for n in app.numbers)
    return env


def _listen(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError as err:
        sock.close()
        raise StartError(f"cannot listen on {host}:{port}: {err.strerror or err}") from err
    return sock


def run(args: argparse.Namespace, config: Config) -> int:
    import uvicorn

    from .http.asgi import AsgiApp
    from .http.coalesce import protocol_class

    argv = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
    if not argv:
        raise StartError("run: give the command after --, e.g. pns-mock run -- php tests.php")
    if shutil.which(argv[0]) is None:
        raise StartError(f"command not found: {argv[0]}")
    if problem := report_paths_problem(args, "junit", "json"):
        raise StartError(problem)
    try:
        main, *tls_listeners = listeners_from(args)  # where, and which certificate (one decision)
    except ListenerError as err:
        raise StartError(str(err)) from err
    sock = _listen(main.host, main.port)  # first: a port in use leaves no state file open
    extra: list[socket.socket] = []
    try:
        extra = [_listen(listener.host, listener.port) for listener in tls_listeners]
        served = start_platform(args, config)
    except StartError:
        for each in (sock, *extra):
            each.close()
        raise
    scheme = "https" if main.cert else "http"
    base_url = f"{scheme}://{args.host}:{sock.getsockname()[1]}"
    app = AsgiApp(served.engine)

    def server_for(listener: Listener, lifespan: Literal["on", "off"]) -> Any:
        return _thread_server()(
            uvicorn.Config(
                app,
                ws="none",  # the PNS API has no websockets; importing their protocol costs start-up time
                lifespan=lifespan,
                log_level=args.log_level,
                access_log=False,
                http=protocol_class(served.platform.settings.max_header_bytes),
                server_header=False,
                ssl_certfile=str(listener.cert) if listener.cert else None,
                ssl_keyfile=str(listener.key) if listener.key else None,
            )
        )

    server = server_for(main, "on")
    # the same platform over HTTPS on each --tls-port, for clients with a hard-coded https host
    tls_servers: list[Any] = []
    threads: list[threading.Thread] = []
    for listener, tls_sock in zip(tls_listeners, extra, strict=True):
        tls_server = server_for(listener, "off")
        tls_servers.append(tls_server)
        threads.append(
            threading.Thread(
                target=tls_server.run_until_stopped, args=(tls_sock,), name="pns-mock-tls", daemon=True
            )
        )
        threads[-1].start()
    # run in a thread, uvicorn installs no signal handlers: ours forward SIGINT and SIGTERM to COMMAND
    thread = threading.Thread(target=server.run_until_stopped, args=(sock,), name="pns-mock", daemon=True)
    thread.start()
    threads.append(thread)
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise StartError(f"the server did not start on {base_url}")
            time.sleep(0.005)
        print(f"pns-mock run: serving {base_url} for: {' '.join(argv)}", file=sys.stderr, flush=True)
        environment = client_environment(served.platform, base_url)
        if extra:
            environment["PNS_HTTPS_URL"] = f"https://{args.host}:{extra[0].getsockname()[1]}"
        status = _run_command(argv, environment)
        if status is None:
            raise StartError(f"command not found: {argv[0]}")
        # COMMAND has ended: its requests are all journaled, its receivers are gone
        result = verdicts.of_platform(served.platform, served.engine.spec)
    finally:
        if served.recorder is not None:  # a state file is closed only once the server is idle
            for running in (server, *tls_servers):
                running.should_exit = True
            thread.join(timeout=15)
            served.close()
        else:  # COMMAND has ended: nothing to wait for (uvicorn's graceful stop polls for 0.1 s+)
            for running in (server, *tls_servers):
                running.stop_now()
    try:
        return _conclude(result, args, command_status=status, allow_violations=args.allow_violations)
    finally:
        # The verdict is out; now let every server thread leave its event loop. A thread still
        # inside uvloop when the interpreter finalizes can crash the process (SIGSEGV, exit -11)
        # instead of giving the verdict's exit status.
        for server_thread in threads:
            server_thread.join(timeout=5)


@functools.cache
def _thread_server() -> type[Any]:
    """A uvicorn server on a thread of `run`, which `stop_now()` ends at once (uvicorn is
    imported only by the commands that serve)."""
    import uvicorn

    class ThreadServer(uvicorn.Server):
        _loop: asyncio.AbstractEventLoop | None = None
        _task: asyncio.Task[Any] | None = None

        async def serve(self, sockets: list[socket.socket] | None = None) -> None:
            self._loop, self._task = asyncio.get_running_loop(), asyncio.current_task()
            await super().serve(sockets)

        def run_until_stopped(self, sock: socket.socket) -> None:
            with contextlib.suppress(asyncio.CancelledError):  # stopped by stop_now()
                self.run(sockets=[sock])

        def stop_now(self) -> None:
            """Leave the event loop without the graceful shutdown (the client is gone)."""
            self.should_exit = True
            loop, task = self._loop, self._task
            if loop is not None and task is not None:
                with contextlib.suppress(RuntimeError):  # the loop has already closed
                    loop.call_soon_threadsafe(task.cancel)

    return ThreadServer


def _run_command(argv: list[str], extra_env: dict[str, str]) -> int | None:
    try:
        child = subprocess.Popen(argv, env={**os.environ, **extra_env})
    except (FileNotFoundError, PermissionError, NotADirectoryError):
        return None

    def forward(signum: int, frame: FrameType | None) -> None:
        # Ctrl-C at a terminal reaches COMMAND directly (same process group): a second SIGINT
        # would interrupt its own clean-up
        if child.poll() is None and not (signum == signal.SIGINT and _terminal_interrupt()):
            child.send_signal(signum)

    previous = {sig: signal.signal(sig, forward) for sig in FORWARDED}
    try:
        return child.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _terminal_interrupt() -> bool:
    """True when our process group is the terminal's foreground group (its Ctrl-C hit all of us)."""
    try:
        return os.tcgetpgrp(sys.stdin.fileno()) == os.getpgrp()
    except (OSError, ValueError):
        return False


def _conclude(
    result: verdicts.Verdict, args: argparse.Namespace, *, command_status: int, allow_violations: bool
) -> int:
    coverage_min = args.coverage_min
    print(verdicts.terminal(result, color=sys.stdout.isatty(), coverage_min=coverage_min), flush=True)
    try:
        verdicts.write_reports(result, json_path=args.json, junit_path=args.junit, coverage_min=coverage_min)
    except OSError as err:
        raise StartError(f"cannot write the report: {err}") from err
    if command_status < 0:  # killed by a signal: the shell's convention
        command_status = 128 - command_status
    if command_status != 0:
        print(f"pns-mock: the command exited with status {command_status}", file=sys.stderr)
        return command_status
    failures = result.failures(coverage_min)
    if allow_violations and result.violations:
        failures = failures[1:]  # the violations come first; reported, not failing
    return 1 if failures else 0


def report(args: argparse.Namespace) -> int:
    """`pns-mock report --url`: the verdict a running server builds (GET /_pns/report)."""
    import urllib.error
    import urllib.request

    if problem := report_paths_problem(args, "junit", "json"):
        raise StartError(problem)
    headers = {"X-PNS-Admin-Token": args.admin_token} if args.admin_token else {}
    request = urllib.request.Request(args.url.rstrip("/") + "/_pns/report", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            answer: Any = json.loads(response.read())
    except urllib.error.HTTPError as err:
        raise StartError(f"{args.url} answered HTTP {err.code}: {err.read()[:200]!r}") from err
    except (OSError, ValueError) as err:
        raise StartError(f"cannot read the report from {args.url}: {err}") from err
    try:
        result = verdicts.from_json(answer["result"])
    except (KeyError, TypeError, ValueError) as err:
        raise StartError(f"{args.url} did not send a pns-mock verdict: {err}") from err
    return _conclude(result, args, command_status=0, allow_violations=False)
