"""`pns-mock`: the command line."""

from __future__ import annotations

import argparse
import json
import logging
import os
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

BANNER = """pns-mock {version}: a mock of the Huawei Cloud Private Number Service
  base URL   {scheme}://{host}:{port}{tls}
  admin API  {scheme}://{host}:{port}/_pns/  (state, clock, faults, journal, reset){admin}
  auth       AKSK or legacy WSSE; Created must be within +/-{window:.0f}s of UTC now{state}
  applications (secrets are never printed{demo}):
{apps}"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pns-mock", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the mock platform over HTTP")
    serve.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port (default 8080)")
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
    serve.add_argument("--log-level", default="warning", help="uvicorn log level (default warning)")
    serve.add_argument("--tls", action="store_true", help="serve HTTPS with a self-signed certificate")
    serve.add_argument("--cert", type=Path, help="PEM certificate for HTTPS (implies --tls)")
    serve.add_argument("--key", type=Path, help="PEM private key for --cert")
    serve.add_argument(
        "--cert-dir",
        type=Path,
        default=Path.home() / ".cache" / "pns-mock" / "tls",
        help="where --tls keeps its generated certificate (default ~/.cache/pns-mock/tls)",
    )
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
    import uvicorn

    from . import __version__
    from .asgi import AsgiApp
    from .clock import VirtualClock
    from .coalesce import protocol_class
    from .engine import Engine
    from .platform import Platform

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
    platform.journal.lang = lang
    engine = Engine(platform)
    if recorder is not None:
        recorder.attach(engine)
    engine.admin.token = args.admin_token or platform.settings.admin_token
    app = AsgiApp(engine)
    apps = "\n".join(
        f"    {a.mode:<5} app_key={a.app_key}  numbers={len(a.numbers)}" for a in platform.apps()
    )
    cert: Path | None = None
    key: Path | None = None
    tls_line = ""
    if args.tls or args.cert:
        if args.cert and not args.key:
            print("pns-mock: --cert needs --key", file=sys.stderr)
            return 2
        from .tls import self_signed

        cert, key = (args.cert, args.key) if args.cert else self_signed(args.cert_dir)
        tls_line = f"\n  TLS        certificate {cert}"
    print(
        BANNER.format(
            version=__version__,
            scheme="https" if cert else "http",
            tls=tls_line,
            host=args.host,
            port=args.port,
            window=platform.settings.auth_window_seconds,
            admin="\n             needs the X-PNS-Admin-Token header" if engine.admin.token else "",
            state=f"\n  state      {args.state}" if args.state else "",
            demo="; the demo ones are in the README" if args.config is None else "",
            apps=apps or "    (none; add some with POST /_pns/apps)",
        ),
        flush=True,
    )
    logging.getLogger("uvicorn.error").addFilter(_QuietDrops())
    try:
        uvicorn.run(
            app,
            host=args.host,
            port=args.port,
            log_level=args.log_level,
            access_log=False,
            http=protocol_class(),  # one write per response (see mockserver/coalesce.py)
            server_header=False,  # the platform names no server software; nor does its mock
            ssl_certfile=str(cert) if cert else None,
            ssl_keyfile=str(key) if key else None,
        )
    finally:
        if recorder is not None:
            recorder.close()
    return 0


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
