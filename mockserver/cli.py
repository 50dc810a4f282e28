"""`pns-mock`: the command line."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from .config import Config, default_config, load_config
from .errors import ConfigError

BANNER = """pns-mock {version}: a mock of the Huawei Cloud Private Number Service
  base URL   http://{host}:{port}
  admin API  http://{host}:{port}/_pns/  (state, clock, faults, journal, reset)
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
    print(
        BANNER.format(
            version=__version__,
            host=args.host,
            port=args.port,
            window=config.settings.auth_window_seconds,
            apps=apps or "    (none; add some with POST /_pns/apps)",
        ),
        flush=True,
    )
    logging.getLogger("uvicorn.error").addFilter(_QuietDrops())
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, access_log=False)
    return 0


class _QuietDrops(logging.Filter):
    """A connection dropped on purpose (fault injection) is not a server error worth a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        from .asgi import DropConnection

        return not (record.exc_info and isinstance(record.exc_info[1], DropConnection))
