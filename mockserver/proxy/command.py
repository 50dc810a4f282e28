"""`pns-mock proxy --upstream URL`: its options, its start, and its verdict on stop."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import Any

from pns_mock.spec import Spec
from pns_mock.spec import load as load_spec

from ..config import default_config
from ..http.listeners import ListenerError, add_listener_options, listeners_from, serve_all
from ..report.files import check_writable, write_reports
from ..report.verdict import terminal
from .app import ProxyApp
from .cassettes import CassetteWriter
from .masking import Masker
from .upstream import Upstream, UpstreamOptions
from .watch import Watch


def add_proxy_command(sub: Any) -> None:
    proxy = sub.add_parser(
        "proxy",
        help="validating proxy to the real platform: forwards as is, reports drift, records masked cassettes",
    )
    add_listener_options(proxy, default_port=8081)
    proxy.add_argument(
        "--upstream",
        required=True,
        help="the platform's base URL, e.g. https://rtcpns.cn-north-1.myhuaweicloud.com",
    )
    proxy.add_argument(
        "--upstream-ca",
        type=Path,
        metavar="FILE",
        help="PEM file of the CA (or self-signed certificate) the upstream's certificate must chain to",
    )
    proxy.add_argument(
        "--upstream-insecure",
        action="store_true",
        help="do not verify the upstream's certificate (tests only)",
    )
    proxy.add_argument(
        "--upstream-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="wait this long for a connection and for a reply's head (default 10)",
    )
    proxy.add_argument(
        "--record", type=Path, metavar="DIR", help="write masked VCR.py cassettes (YAML) into DIR"
    )
    proxy.add_argument(
        "--keep-user-data", action="store_true", help="keep userData fields in cassettes (dropped by default)"
    )
    proxy.add_argument(
        "--demo-app-key",
        help="app key cassettes carry in place of the real ones (default: the demo application of each mode)",
    )
    proxy.add_argument(
        "--report-json", type=Path, help="write the verdict, drift included, as JSON here on stop"
    )
    proxy.add_argument(
        "--junit", type=Path, help="write the verdict, drift included, as JUnit XML here on stop"
    )
    proxy.add_argument(
        "--max-body-bytes",
        type=int,
        default=16 * 1024 * 1024,
        help="refuse request bodies larger than this with HTTP 413 (default 16 MiB)",
    )
    proxy.add_argument("--log-level", default="warning", help="uvicorn log level (default warning)")


def demo_keys() -> dict[str, str]:
    """mode -> the app key of the built-in demo application of that mode."""
    keys: dict[str, str] = {}
    for app in default_config().apps:
        keys.setdefault(app.mode, app.app_key)
    return keys


def build_app(args: argparse.Namespace, spec: Spec, seed: int | None = None) -> ProxyApp:
    """The proxy as `args` describe it; ValueError with one line when they do not fit."""
    upstream = Upstream(
        UpstreamOptions(args.upstream, args.upstream_ca, args.upstream_insecure, args.upstream_timeout)
    )
    recorder = None
    if args.record is not None:
        recorder = CassetteWriter(args.record)
        if problem := recorder.problem():
            raise ValueError(problem)
    masker = Masker(
        spec, demo_keys=demo_keys(), demo_key=args.demo_app_key, keep_user_data=args.keep_user_data, seed=seed
    )
    return ProxyApp(spec, upstream, Watch(spec, masker, recorder), max_body_bytes=args.max_body_bytes)


def run_proxy(args: argparse.Namespace) -> int:
    for path in (args.report_json, args.junit):
        if path is not None and (problem := check_writable(path)):
            print(f"pns-mock: {problem}", file=sys.stderr)
            return 2
    if args.upstream_ca is not None and not args.upstream_ca.is_file():
        print(f"pns-mock: --upstream-ca {args.upstream_ca}: no such file", file=sys.stderr)
        return 2
    spec = load_spec()
    try:
        listeners = listeners_from(args)
        app = build_app(args, spec)
    except (ListenerError, ValueError, OSError) as err:
        print(f"pns-mock: {err}", file=sys.stderr)
        return 2
    from ..http.coalesce import protocol_class

    # The checks run on a worker thread; with the default 5 ms GIL switch interval a request that
    # arrives meanwhile could wait for them. The event loop gets the GIL back within 0.5 ms.
    sys.setswitchinterval(0.0005)

    print(
        f"pns-mock proxy: {', '.join(listener.url for listener in listeners)} -> {app.upstream.base}\n"
        "  credentials stay in the client; nothing is logged in clear"
        + (f"\n  recording masked cassettes into {args.record}" if args.record else ""),
        flush=True,
    )
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C: stop, then report
        serve_all(
            app,
            listeners,
            log_level=args.log_level,
            access_log=False,
            http=protocol_class(),
            server_header=False,
            date_header=False,  # the upstream's own Date goes through
        )
    app.drain()
    verdict = app.watch.verdict()
    print(terminal(verdict, outcome=True), flush=True)
    if app.watch.upstream_failures:
        failures = ", ".join(f"{k} {n}" for k, n in sorted(app.watch.upstream_failures.items()))
        print(f"upstream failures: {failures}", flush=True)
    if app.unchecked:
        print(f"not checked nor recorded: {app.unchecked} exchange(s) (the checks fell behind)", flush=True)
    write_reports(verdict, json_path=args.report_json, junit_path=args.junit, coverage_min=None)
    return 0
