"""`pns-mock`: the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, NoReturn

from pns_mock.spec import languages as load_spec_languages
from pns_mock.spec import load as load_spec

from .config import Config, default_config, load_config
from .domain.errors import ConfigError
from .http.listeners import add_listener_options


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
        from .commands import drive

        return drive(args)
    if args.command == "report":
        from .commands import StartError, report

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
    from .commands import StartError, run, serve

    try:
        return run(args, config) if args.command == "run" else serve(args, config)
    except StartError as err:
        print(f"pns-mock: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
