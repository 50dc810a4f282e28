"""`pns-mock run -- COMMAND`: the mock on a loopback port for as long as COMMAND runs.

COMMAND gets the credentials in its environment; the verdict (report/verdict.py) is printed and
written when it ends.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from types import FrameType
from typing import TYPE_CHECKING, Any, Literal

from ..config import Config
from ..http.listeners import Listener, ListenerError, listeners_from
from ..report import verdict as verdicts
from .report import conclude
from .start import StartError, report_paths_problem, start_platform

if TYPE_CHECKING:
    from ..platform import Platform

FORWARDED = (signal.SIGINT, signal.SIGTERM)


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

    from ..http.asgi import AsgiApp
    from ..http.coalesce import protocol_class

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
        return conclude(result, args, command_status=status, allow_violations=args.allow_violations)
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
