"""Serve one ASGI app on several listeners at once: plain HTTP and HTTPS ports of one platform.

Clients with a hard-coded HTTPS host (the vendor's Java sample, some PHP clients) and clients on
plain HTTP often run in the same test; one process with two listeners gives them one state, so a
binding made over one is known to the other. Each listener is a uvicorn server in the same event
loop; signals are handled once for all of them, and the app's lifespan (the traffic pump) runs
once, with the first listener.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn


@dataclass(frozen=True)
class Listener:
    host: str
    port: int
    cert: Path | None = None  # HTTPS when set
    key: Path | None = None

    @property
    def url(self) -> str:
        return f"{'https' if self.cert else 'http'}://{self.host}:{self.port}"


class ListenerError(ValueError):
    """Listener options that do not fit together (says which)."""


def add_listener_options(parser: argparse.ArgumentParser, default_port: int = 8080) -> None:
    """The options of `serve` (and of any command that starts the server) that say where it listens."""
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=default_port, help=f"port (default {default_port or 'a free one'})"
    )
    parser.add_argument(
        "--tls-port",
        type=int,
        action="append",
        default=[],
        metavar="PORT",
        help="also serve HTTPS on PORT, same platform and state as --port (repeatable: 443, 12543)",
    )
    parser.add_argument(
        "--tls", action="store_true", help="serve HTTPS with a self-signed certificate on --port"
    )
    parser.add_argument("--cert", type=Path, help="PEM certificate for HTTPS (implies --tls)")
    parser.add_argument("--key", type=Path, help="PEM private key for --cert")
    parser.add_argument(
        "--cert-dir",
        type=Path,
        default=Path.home() / ".cache" / "pns-mock" / "tls",
        help="where --tls keeps its generated certificate (default ~/.cache/pns-mock/tls)",
    )


def listeners_from(args: argparse.Namespace) -> list[Listener]:
    """Where to listen: `--port` (HTTPS with `--tls`/`--cert` and no `--tls-port`), then each `--tls-port`."""
    if args.cert and not args.key:
        raise ListenerError("--cert needs --key")
    if args.key and not args.cert:
        raise ListenerError("--key needs --cert")
    ports = [args.port, *args.tls_port]
    if len(set(ports)) != len(ports):
        raise ListenerError(f"each port may be given once: {', '.join(map(str, ports))}")
    https_main = (args.tls or args.cert) and not args.tls_port
    cert: Path | None = None
    key: Path | None = None
    if https_main or args.tls_port:
        from .tls import self_signed

        cert, key = (args.cert, args.key) if args.cert else self_signed(args.cert_dir)
    main = Listener(args.host, args.port, cert, key) if https_main else Listener(args.host, args.port)
    return [main, *(Listener(args.host, port, cert, key) for port in args.tls_port)]


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # `serve_all` handles signals once for every listener


def serve_all(app: Any, listeners: list[Listener], **options: Any) -> None:
    """Serve `app` on every listener until SIGINT or SIGTERM; `options` go to `uvicorn.Config`."""
    servers = [
        _Server(
            uvicorn.Config(
                app,
                host=listener.host,
                port=listener.port,
                ssl_certfile=str(listener.cert) if listener.cert else None,
                ssl_keyfile=str(listener.key) if listener.key else None,
                lifespan="on" if index == 0 else "off",
                **options,
            )
        )
        for index, listener in enumerate(listeners)
    ]
    # every port is bound before any serves: a port in use stops the start with uvicorn's one-line
    # error (and its exit status), not in the middle of the others' start-up
    sockets: list[socket.socket] = []
    try:
        for server in servers:
            sockets.append(server.config.bind_socket())
    except SystemExit:
        for sock in sockets:
            sock.close()
        raise
    asyncio.run(_serve(servers, sockets))


async def _serve(servers: list[_Server], sockets: list[socket.socket]) -> None:
    def stop(signum: int, frame: object) -> None:
        for server in servers:
            if server.should_exit and signum == signal.SIGINT:
                server.force_exit = True  # a second Ctrl+C: do not wait for open connections
            server.should_exit = True

    with _signals(stop):
        pairs = zip(servers, sockets, strict=True)
        tasks = [asyncio.create_task(server.serve(sockets=[sock])) for server, sock in pairs]
        # one listener ending (a port taken, say) ends them all
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for server in servers:
            server.should_exit = True
        await asyncio.gather(*tasks, return_exceptions=True)
    for task in done:
        task.result()


@contextlib.contextmanager
def _signals(handler: Any) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    handled = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.signal(sig, handler) for sig in handled}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
