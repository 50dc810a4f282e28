"""`pns-mock`: the command line."""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import socket
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote

from spec import languages as load_spec_languages
from spec import load as load_spec

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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pns-mock", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the mock platform over HTTP (and HTTPS)")
    add_listener_options(serve)
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
        "(default: no token, loopback clients only; config key server.admin_token)",
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
    return parser


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
    if args.command == "docs":
        from docsgen import write_site

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
    return _serve(args, config)


def _serve(args: argparse.Namespace, config: Config) -> int:
    from . import __version__
    from .asgi import AsgiApp
    from .clock import VirtualClock
    from .coalesce import protocol_class
    from .engine import Engine
    from .platform import Platform

    if args.strict_fields is not None:
        config = dataclasses.replace(
            config, settings=dataclasses.replace(config.settings, strict_fields=args.strict_fields)
        )
    try:
        listeners = listeners_from(args)
    except ListenerError as err:
        print(f"pns-mock: {err}", file=sys.stderr)
        return 2
    # The one place the server reads the environment: the journal's language (headers stay ASCII).
    lang = os.environ.get("PNS_MOCK_LANG") or "en"
    if lang not in load_spec_languages():
        print(
            f"pns-mock: PNS_MOCK_LANG={lang!r}: use one of {', '.join(load_spec_languages())}",
            file=sys.stderr,
        )
        return 2
    platform: Platform
    recorder = None
    if args.state:
        from .persistence import StateFileError, open_state

        try:
            platform, recorder = open_state(args.state, config, frozen_clock=args.frozen_clock)
        except (StateFileError, ConfigError) as err:
            print(f"pns-mock: --state: {err}", file=sys.stderr)
            return 2
    else:
        platform = Platform(config, clock=VirtualClock(frozen=args.frozen_clock))
    if args.strict_fields is not None:  # a --state file's own settings give way to the flag
        platform.settings.strict_fields = args.strict_fields
    platform.journal.lang = lang
    engine = Engine(platform)
    if recorder is not None:
        recorder.attach(engine)
    engine.admin.token = args.admin_token or platform.settings.admin_token
    app = AsgiApp(engine)
    apps = "\n".join(
        f"    {a.mode:<5} app_key={a.app_key}  numbers={len(a.numbers)}" for a in platform.apps()
    )
    cert = next((listener.cert for listener in listeners if listener.cert), None)
    for listener in listeners:
        busy = _port_in_use(listener.host, listener.port)
        if busy:  # one line, and no banner for a server that will not run
            print(f"pns-mock: cannot listen on {listener.host}:{listener.port}: {busy}", file=sys.stderr)
            if recorder is not None:
                recorder.close()
            return 2
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
    try:
        serve_all(
            app,
            listeners,
            log_level=args.log_level,
            access_log=False,
            http=protocol_class(),  # one write per response (see mockserver/coalesce.py)
            server_header=False,  # the platform names no server software; nor does its mock
        )
    finally:
        if recorder is not None:
            recorder.close()
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


class _QuietDrops(logging.Filter):
    """A connection dropped on purpose (fault injection) is not a server error worth a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        from .asgi import DropConnection

        return not (record.exc_info and isinstance(record.exc_info[1], DropConnection))


def _drive(args: argparse.Namespace) -> int:
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
