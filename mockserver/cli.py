"""`pns-mock`: the command line."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import socket
import sys
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn
from urllib.parse import quote

from pns_mock.spec import languages as load_spec_languages
from pns_mock.spec import load as load_spec

from .config import Config, default_config, load_config
from .errors import ConfigError
from .listeners import ListenerError, add_listener_options, listeners_from, serve_all

BANNER = """pns-mock {version}: a mock of the Huawei Cloud Private Number Service
  base URL   {urls}{tls}
  admin API  {url}/_pns/  (state, clock, faults, journal, reset){admin}
  auth       AKSK or legacy WSSE; Created must be within +/-{window:.0f}s of UTC now
  fields     undocumented request fields are {strict}{state}
  applications (secrets are never printed{demo}):
{apps}"""


class _Parser(argparse.ArgumentParser):
    """Usage errors in one line (and exit status 2), so a CI log shows what was wrong at once."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="pns-mock", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the mock platform over HTTP (and HTTPS)")
    _serve_options(serve, default_port=8080)
    serve.add_argument("--report-json", type=Path, help="write the verdict (JSON) here on stop")
    serve.add_argument("--report-junit", type=Path, help="write the verdict (JUnit XML) here on stop")
    serve.add_argument(
        "--replay",
        type=Path,
        metavar="DIR",
        help="answer requests that match a cassette in DIR (pns-mock proxy --record) from it; "
        "the others from the stateful mock",
    )
    serve.add_argument(
        "--replay-strict", action="store_true", help="with --replay: refuse requests no cassette answers"
    )
    run = sub.add_parser(
        "run",
        help="serve the mock while COMMAND runs, then print the verdict: run [options] -- COMMAND",
    )
    _serve_options(run, default_port=0)
    _report_options(run)
    run.add_argument(
        "--allow-violations", action="store_true", help="report contract violations without failing the run"
    )
    run.add_argument("argv", metavar="COMMAND", nargs=argparse.REMAINDER, help="-- then the command to run")
    report = sub.add_parser("report", help="fetch the verdict of a running server (GET /_pns/report)")
    report.add_argument("--url", default="http://127.0.0.1:8080", help="the server's base URL")
    report.add_argument("--admin-token", help="sent as X-PNS-Admin-Token when the server needs one")
    _report_options(report)
    check = sub.add_parser("check-config", help="validate a --config file and exit")
    check.add_argument("config", type=Path)
    docs = sub.add_parser("docs", help="render the API reference from the spec")
    docs.add_argument(
        "--format",
        choices=("html", "markdown"),
        default="html",
        help="html: one self-contained page (default); markdown: index.md and SVG diagrams",
    )
    docs.add_argument(
        "--out",
        type=Path,
        default=Path("site"),
        help="output folder (default site/); another language than English goes to site/<lang>/",
    )
    docs.add_argument(
        "--lang",
        choices=load_spec_languages(),
        default="en",
        help="language of the prose: en (default) or one the spec's x-pns-i18n declares (zh-CN)",
    )
    _traffic_commands(sub)
    from .proxy.command import add_proxy_command

    add_proxy_command(sub)
    return parser


def _serve_options(serve: argparse.ArgumentParser, default_port: int) -> None:
    add_listener_options(serve, default_port=default_port)
    serve.add_argument("--config", type=Path, help="YAML file with applications and limits")
    serve.add_argument("--frozen-clock", action="store_true", help="start with the virtual clock stopped")
    serve.add_argument(
        "--state",
        type=Path,
        help="SQLite file that keeps applications, bindings, the clock and pending pushes across restarts",
    )
    serve.add_argument(
        "--admin-token",
        help="admin API answers whoever sends X-PNS-Admin-Token with this value, and only them "
        "(default: no token, loopback clients only; config key server.admin_token). Visible in ps: "
        "prefer --admin-token-file or the PNS_MOCK_ADMIN_TOKEN environment variable",
    )
    serve.add_argument(
        "--admin-token-file",
        type=Path,
        help="read the admin token from this file (its first line)",
    )
    serve.add_argument(
        "--strict-fields",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="report request fields the spec does not document in X-PNS-Mock-Problem and the journal; "
        "the answer stays the platform's, which ignores them (default on, as in the pytest plugin; "
        "config key server.strict_fields)",
    )
    serve.add_argument("--log-level", default="warning", help="uvicorn log level (default warning)")


def _report_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--junit", type=Path, help="write the verdict as JUnit XML")
    parser.add_argument("--json", type=Path, help="write the verdict as JSON (pns-mock-verdict v1)")
    parser.add_argument(
        "--coverage-min",
        type=float,
        metavar="PERCENT",
        help="fail below this operation coverage (of the modes used); gaps become JUnit failures",
    )


def _traffic_commands(sub: Any) -> None:
    """Commands that drive a running server through its admin API."""
    call = sub.add_parser("call", help="simulate a call to a private number on a running server")
    call.add_argument("--from", dest="caller", required=True, help="calling number, e.g. +8613800000001")
    call.add_argument("--to", dest="dialled", required=True, help="private number dialled (X or Y)")
    call.add_argument("--digits", help="AXE: extension the caller keys")
    call.add_argument("--answer-after", type=float, default=5.0, help="seconds of ringing (default 5)")
    call.add_argument("--talk", type=float, default=30.0, help="seconds of conversation (default 30)")
    call.add_argument("--hangup-by", choices=["caller", "callee"], default="caller")
    outcome = call.add_mutually_exclusive_group()
    for flag in ("no-answer", "busy", "reject"):
        outcome.add_argument(f"--{flag}", dest="outcome", action="store_const", const=flag)
    sms = sub.add_parser("sms", help="simulate an SMS to a private number on a running server")
    sms.add_argument("--from", dest="caller", required=True)
    sms.add_argument("--to", dest="dialled", required=True)
    sms.add_argument("--text", default="hello")
    status = sub.add_parser("number-status", help="change a private number's status (pushes numStatus)")
    status.add_argument("number")
    info = load_spec().document["components"]["schemas"]["NumStatusInfo"]["properties"]
    status.add_argument("--status", required=True, choices=info["status"]["enum"])
    status.add_argument("--cause", choices=info["cause"]["enum"], help="only with --status 10")
    for command in (call, sms, status):
        command.add_argument("--url", default="http://127.0.0.1:8080", help="the server's base URL")


def _config(path: Path | None) -> Config:
    return load_config(path) if path else default_config()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command in ("call", "sms", "number-status"):
        return _drive(args)
    if args.command == "report":
        from .runner import StartError, report

        try:
            return report(args)
        except StartError as err:
            print(f"pns-mock: {err}", file=sys.stderr)
            return 2
    if args.command == "proxy":
        from .proxy.command import run_proxy

        return run_proxy(args)
    if args.command == "docs":
        from pns_mock.docsgen import write_site

        for path in write_site(args.out, args.format, lang=args.lang):
            print(f"wrote {path}")
        return 0
    try:
        config = _config(getattr(args, "config", None))
    except ConfigError as err:
        print(f"pns-mock: invalid configuration: {err}", file=sys.stderr)
        return 2
    if args.command == "check-config":
        print(f"ok: {len(config.apps)} application(s)")
        return 0
    from .runner import StartError, run

    try:
        return run(args, config) if args.command == "run" else _serve(args, config)
    except StartError as err:
        print(f"pns-mock: {err}", file=sys.stderr)
        return 2


def _serve(args: argparse.Namespace, config: Config) -> int:
    from . import __version__
    from .asgi import AsgiApp
    from .coalesce import protocol_class
    from .runner import StartError, report_paths_problem, start_platform
    from .verdict import of_platform, write_reports

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
    handler = _replayer(args, engine)
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
        serve_all(
            AsgiApp(engine, handler),
            listeners,
            log_level=args.log_level,
            access_log=False,
            # one write per response, bounded request heads (see mockserver/coalesce.py)
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


def _replayer(args: argparse.Namespace, engine: Any) -> Any:
    """`--replay DIR`: the handler that answers from its cassettes, else None (the engine's own)."""
    from .runner import StartError

    if args.replay is None:
        if args.replay_strict:
            raise StartError("--replay-strict needs --replay DIR")
        return None
    if not args.replay.is_dir():
        raise StartError(f"--replay {args.replay}: no such folder")
    from .proxy.replay import Replayer

    replayer = Replayer(engine.spec, args.replay, engine.handle, strict=args.replay_strict)
    for problem in replayer.problems:
        print(f"pns-mock: --replay: skipped {problem}", file=sys.stderr, flush=True)
    print(f"pns-mock: replaying {replayer.interactions} interaction(s) from {args.replay}", flush=True)
    return replayer.handle


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
        from .asgi import DropConnection

        return not (record.exc_info and isinstance(record.exc_info[1], DropConnection))


def _drive(args: argparse.Namespace) -> int:
    import urllib.error
    import urllib.request

    if args.command == "call":
        path, body = (
            "/_pns/calls",
            {
                "from": args.caller,
                "to": args.dialled,
                "digits": args.digits,
                "outcome": args.outcome or "answer",
                "answer_after": args.answer_after,
                "talk": args.talk,
                "hangup_by": args.hangup_by,
            },
        )
    elif args.command == "sms":
        path, body = "/_pns/sms", {"from": args.caller, "to": args.dialled, "text": args.text}
    else:
        path, body = (
            f"/_pns/numbers/{quote(args.number)}/status",
            {"status": args.status, "cause": args.cause},
        )
    request = urllib.request.Request(
        args.url.rstrip("/") + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.loads(response.read())
    except urllib.error.HTTPError as err:
        answer = json.loads(err.read() or b"{}")
    except OSError as err:
        print(f"pns-mock: cannot reach {args.url}: {err}", file=sys.stderr)
        return 1
    print(json.dumps(answer.get("result", answer), indent=2, ensure_ascii=False))
    return 0 if answer.get("ok") else 1


if __name__ == "__main__":
    sys.exit(main())
