"""`pns-mock`: the command line."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from .config import Config, default_config, load_config
from .errors import ConfigError

BANNER = """pns-mock {version}: a mock of the Huawei Cloud Private Number Service
  base URL   {scheme}://{host}:{port}{tls}
  admin API  {scheme}://{host}:{port}/_pns/  (state, clock, faults, journal, reset)
  auth       AKSK or legacy WSSE; Created must be within +/-{window:.0f}s of UTC now
  applications:
{apps}"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pns-mock", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the mock platform over HTTP")
    serve.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    serve.add_argument("--config", type=Path, help="YAML file with applications and limits")
    serve.add_argument("--frozen-clock", action="store_true", help="start with the virtual clock stopped")
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
    return parser


def _config(path: Path | None) -> Config:
    return load_config(path) if path else default_config()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
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
    from .engine import Engine
    from .platform import Platform

    platform = Platform(config, clock=VirtualClock(frozen=args.frozen_clock))
    app = AsgiApp(Engine(platform))
    apps = "\n".join(
        f"    {a.mode:<5} app_key={a.app_key}  app_secret={a.app_secret}  numbers={len(a.numbers)}"
        for a in config.apps
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
            window=config.settings.auth_window_seconds,
            apps=apps or "    (none; add some with POST /_pns/apps)",
        ),
        flush=True,
    )
    logging.getLogger("uvicorn.error").addFilter(_QuietDrops())
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        access_log=False,
        ssl_certfile=str(cert) if cert else None,
        ssl_keyfile=str(key) if key else None,
    )
    return 0


class _QuietDrops(logging.Filter):
    """A connection dropped on purpose (fault injection) is not a server error worth a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        from .asgi import DropConnection

        return not (record.exc_info and isinstance(record.exc_info[1], DropConnection))
