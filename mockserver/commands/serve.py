"""`pns-mock serve`: the banner, the listeners, and the reports written when the server stops."""

from __future__ import annotations

import argparse
import logging
import signal
import socket
import sys
from types import FrameType
from typing import Any

from ..config import Config
from ..http import listeners as serving
from ..http.listeners import ListenerError, listeners_from
from .start import StartError, report_paths_problem, start_platform

BANNER = """pns-mock {version}: a mock of the Huawei Cloud Private Number Service
  base URL   {urls}{tls}
  admin API  {url}/_pns/  (state, clock, faults, journal, reset){admin}
  auth       AKSK or legacy WSSE; Created must be within +/-{window:.0f}s of UTC now
  fields     undocumented request fields are {strict}{state}
  applications (secrets are never printed{demo}):
{apps}"""


def serve(args: argparse.Namespace, config: Config) -> int:
    from .. import __version__
    from ..http.asgi import AsgiApp
    from ..http.coalesce import protocol_class
    from ..report.files import write_reports
    from ..report.verdict import of_platform

    if problem := report_paths_problem(args, "report_json", "report_junit"):
        raise StartError(problem)
    try:
        listeners = listeners_from(args)
    except ListenerError as err:
        raise StartError(str(err)) from err
    for listener in listeners:
        busy = _port_in_use(listener.host, listener.port)
        if busy:  # one line, and no banner for a server that will not run
            raise StartError(f"cannot listen on {listener.host}:{listener.port}: {busy}")
    served = start_platform(args, config)
    platform, engine = served.platform, served.engine
    _replay(args, engine)
    apps = "\n".join(
        f"    {a.mode:<5} app_key={a.app_key}  numbers={len(a.numbers)}" for a in platform.apps()
    )
    cert = next((listener.cert for listener in listeners if listener.cert), None)
    print(
        BANNER.format(
            version=__version__,
            urls="\n             ".join(listener.url for listener in listeners),
            url=listeners[0].url,
            tls=f"\n  TLS        certificate {cert}" if cert else "",
            window=platform.settings.auth_window_seconds,
            strict="reported (X-PNS-Mock-Problem, journal)"
            if platform.settings.strict_fields
            else "ignored silently (--no-strict-fields)",
            admin="\n             needs the X-PNS-Admin-Token header" if engine.admin.token else "",
            state=f"\n  state      {args.state}" if args.state else "",
            demo="; the demo ones are in the README" if args.config is None else "",
            apps=apps or "    (none; add some with POST /_pns/apps)",
        ),
        flush=True,
    )
    logging.getLogger("uvicorn.error").addFilter(_QuietDrops())
    # uvicorn re-raises the SIGTERM that stopped it once it has shut down: ours lets the reports
    # be written first, then the signal ends the process as before
    previous = signal.signal(signal.SIGTERM, _stopped)
    stopped_by: BaseException | None = None
    try:
        serving.serve_all(
            AsgiApp(engine),
            listeners,
            log_level=args.log_level,
            access_log=False,
            # one write per response, bounded request heads (see mockserver/http/coalesce.py)
            http=protocol_class(platform.settings.max_header_bytes),
            server_header=False,  # the platform names no server software; nor does its mock
        )
    except (_Stopped, KeyboardInterrupt) as err:
        stopped_by = err
    finally:
        signal.signal(signal.SIGTERM, previous)
        served.close()
    if args.report_json or args.report_junit:
        write_reports(
            of_platform(platform, engine.spec),
            json_path=args.report_json,
            junit_path=args.report_junit,
            coverage_min=None,
        )
    if isinstance(stopped_by, _Stopped):
        signal.raise_signal(signal.SIGTERM)
    elif stopped_by is not None:
        raise stopped_by
    return 0


def _port_in_use(host: str, port: int) -> str:
    """Why the server could not listen on host:port ("" when it can), checked before the banner."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except OSError as err:
        return str(err)
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        # as uvicorn binds: SO_REUSEADDR, so a port in TIME_WAIT is free but a listener is not
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as err:
            return err.strerror or str(err)
    return ""


class _Stopped(Exception):
    """SIGTERM arrived (after uvicorn's own shutdown)."""


def _stopped(signum: int, frame: FrameType | None) -> None:
    raise _Stopped


class _QuietDrops(logging.Filter):
    """A connection dropped on purpose (fault injection) is not a server error worth a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        from ..http.asgi import DropConnection

        return not (record.exc_info and isinstance(record.exc_info[1], DropConnection))


def _replay(args: argparse.Namespace, engine: Any) -> None:
    """`--replay DIR`: the engine answers what its cassettes hold from them (`Replayer`)."""
    if args.replay is None:
        if args.replay_strict:
            raise StartError("--replay-strict needs --replay DIR")
        return
    if not args.replay.is_dir():
        raise StartError(f"--replay {args.replay}: no such folder")
    from ..proxy.replay import Replayer

    replayer = Replayer(engine.spec, args.replay, engine, strict=args.replay_strict)
    for problem in replayer.problems:
        print(f"pns-mock: --replay: skipped {problem}", file=sys.stderr, flush=True)
    print(f"pns-mock: replaying {replayer.interactions} interaction(s) from {args.replay}", flush=True)
