"""The real mock server in a background thread, for code that calls PNS from another process."""

from __future__ import annotations

import socket
import threading
import time

import uvicorn

from mockserver.asgi import AsgiApp

from .mock import PnsMock


class RunningServer:
    """`pns-mock serve` on a free 127.0.0.1 port, sharing its platform with a `PnsMock`."""

    def __init__(self, mock: PnsMock) -> None:
        self.mock = mock
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        config = uvicorn.Config(
            AsgiApp(mock.engine), host="127.0.0.1", port=self.port, log_level="error", access_log=False
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="pns-mock-server", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 10.0) -> None:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("pns-mock server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
