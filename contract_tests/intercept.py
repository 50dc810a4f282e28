"""Routes the code under test's HTTP calls to the PNS hosts into the mock, in-process.

`requests` is intercepted through `responses`, `httpx` (sync and async) by patching its
transports. Calls to any other host fail, unless the host is allowed.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import requests
import responses

from pns_mock.mockserver.http import HttpRequest, HttpResponse

Handle = Callable[[HttpRequest], HttpResponse]

_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return (parts.hostname or "").lower(), parts.port or _DEFAULT_PORTS.get(parts.scheme, 80)


class Interceptor:
    def __init__(
        self,
        handle: Handle,
        base_urls: tuple[str, ...],
        allow_hosts: tuple[str, ...],
        on_unexpected: Callable[[str, str], None],
    ) -> None:
        self._handle = handle
        self._origins = {_origin(u) for u in base_urls}
        self._allowed = {h.lower() for h in allow_hosts}
        self._on_unexpected = on_unexpected
        self._responses: responses.RequestsMock | None = None
        self._restore: list[tuple[Any, str, Any]] = []

    def is_pns(self, url: str) -> bool:
        return _origin(url) in self._origins

    def is_allowed(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return host in self._allowed or f"{host}:{_origin(url)[1]}" in self._allowed

    def answer(self, method: str, url: str, headers: dict[str, str], body: bytes) -> HttpResponse:
        parts = urlsplit(url)
        request = HttpRequest.build(
            method,
            parts.path or "/",
            query=parts.query,
            headers=headers,
            body=body,
            client="127.0.0.1",
        )
        request.scheme = parts.scheme or "https"
        response = self._handle(request)
        if response.delay:
            time.sleep(response.delay)
        return response

    def start(self) -> None:
        self._start_requests()
        self._start_httpx()

    def stop(self) -> None:
        if self._responses is not None:
            self._responses.stop()
            self._responses.reset()
            self._responses = None
        for owner, name, original in reversed(self._restore):
            setattr(owner, name, original)
        self._restore.clear()

    # requests, through responses

    def _start_requests(self) -> None:
        mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        for host in self._allowed:
            mock.add_passthru(re.compile(rf"https?://{re.escape(host.split(':')[0])}(:\d+)?/"))
        for method in ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"):
            mock.add_callback(method, re.compile(r".*"), callback=self._requests_callback)
        mock.start()
        self._responses = mock

    def _requests_callback(self, prepared: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        url = prepared.url or ""
        if not self.is_pns(url):
            self._on_unexpected(prepared.method or "GET", url)
            raise requests.ConnectionError(f"pns plugin: {url} is not a PNS host and not allowed")
        body = prepared.body or b""
        raw = body.encode() if isinstance(body, str) else body if isinstance(body, bytes) else b""
        headers = {k: v if isinstance(v, str) else v.decode("latin-1") for k, v in prepared.headers.items()}
        response = self.answer(prepared.method or "GET", url, headers, raw)
        if response.drop:
            raise requests.ConnectionError("pns plugin: connection dropped (injected fault)")
        return response.status, dict(response.headers), response.body

    # httpx, by patching its transports

    def _start_httpx(self) -> None:
        try:
            import httpx
        except ImportError:  # httpx is optional
            return
        interceptor = self
        sync_original = httpx.HTTPTransport.handle_request
        async_original = httpx.AsyncHTTPTransport.handle_async_request

        def handle_request(transport: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
            url = str(request.url)
            if interceptor.is_allowed(url):
                return sync_original(transport, request)
            answer: httpx.Response = interceptor._httpx_answer(httpx, request)
            return answer

        async def handle_async_request(
            transport: httpx.AsyncHTTPTransport, request: httpx.Request
        ) -> httpx.Response:
            url = str(request.url)
            if interceptor.is_allowed(url):
                return await async_original(transport, request)
            await request.aread()
            answer: httpx.Response = interceptor._httpx_answer(httpx, request)
            return answer

        self._restore.append((httpx.HTTPTransport, "handle_request", sync_original))
        self._restore.append((httpx.AsyncHTTPTransport, "handle_async_request", async_original))
        setattr(httpx.HTTPTransport, "handle_request", handle_request)  # noqa: B010 - patching
        setattr(httpx.AsyncHTTPTransport, "handle_async_request", handle_async_request)  # noqa: B010

    def _httpx_answer(self, httpx: Any, request: Any) -> Any:
        url = str(request.url)
        if not self.is_pns(url):
            self._on_unexpected(request.method, url)
            raise httpx.ConnectError(f"pns plugin: {url} is not a PNS host and not allowed", request=request)
        body = request.read()
        response = self.answer(request.method, url, dict(request.headers), body)
        if response.drop:
            raise httpx.RemoteProtocolError(
                "pns plugin: connection dropped (injected fault)", request=request
            )
        return httpx.Response(
            response.status, headers=response.headers, content=response.body, request=request
        )
