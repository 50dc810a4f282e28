"""The real mock server in a background thread, for code that calls PNS from another process."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import uvicorn

from pns_mock.mockserver.http import AsgiApp
from pns_mock.mockserver.pushes import Push

from .mock import AppCredentials, PnsMock


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

    def add_app(
        self,
        app_key: str,
        app_secret: str,
        mode: str,
        *,
        callbacks: dict[str, str] | None = None,
        **fields: Any,
    ) -> AppCredentials:
        """Add an application for this test, its pushes going to your receivers: `callbacks` maps
        `status`, `fee`, `number_status`, `sms_notify`, `sms_block` to URLs (the config-file shape)."""
        if callbacks is not None:
            fields["callbacks"] = callbacks
        return self.mock.add_app(app_key, app_secret, mode, **fields)

    def pushes(self, app_key: str | None = None, webhook: str | None = None) -> list[Push]:
        """The pushes the server sent in this test, each with its attempts (as `GET /_pns/pushes`)."""
        return self.mock.pushes(app_key, webhook)

    def advance(self, seconds: float) -> float:
        """Move the virtual clock: a simulated call unfolds, due retries go out."""
        return self.mock.advance(seconds)

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
