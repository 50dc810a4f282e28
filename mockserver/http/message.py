"""Framework-free request and response objects: what every adapter (ASGI, responses, httpx) speaks."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

JSON_TYPE = "application/json;charset=UTF-8"
# Files the mock serves itself (recordings behind download links): no PNS auth, like the
# storage links of the real platform.
FILES_PREFIX = "/_pns-files/recordings/"


@dataclass
class HttpRequest:
    method: str
    path: str
    query: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)  # keys in lower case
    body: bytes = b""
    client: str = ""
    body_too_large: bool = False
    scheme: str = "http"

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.headers.get('host') or '127.0.0.1'}"

    @classmethod
    def build(
        cls,
        method: str,
        path: str,
        *,
        query: str = "",
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
        client: str = "",
    ) -> HttpRequest:
        lowered = {k.lower(): v for k, v in (headers or {}).items()}
        return cls(method.upper(), path, query, lowered, body, client)


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    delay: float = 0.0  # seconds an adapter waits before answering (injected latency)
    drop: bool = False  # the adapter closes the connection without answering
    resultcode: str | None = None  # the vendor result code in the body, for the journal
    notice: str | None = None  # what an accepted request relied on that the vendor does not confirm
    undocumented: tuple[str, ...] = ()  # request fields the spec does not document, for the journal

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


def json_bytes(payload: Any) -> bytes:
    """Compact UTF-8 JSON, as the platform sends it."""
    try:
        return orjson.dumps(payload)
    except TypeError:  # what orjson does not take (integers past 64 bits, odd keys): the slow path
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def json_response(status: int, payload: Any, extra: list[tuple[str, str]] | None = None) -> HttpResponse:
    headers = [("Content-Type", JSON_TYPE), *extra] if extra else [("Content-Type", JSON_TYPE)]
    return HttpResponse(status, headers, json_bytes(payload))


def header_safe(text: str, limit: int = 1000) -> str:
    """A header value: printable ASCII on one line (non-ASCII escaped)."""
    cleaned = text.encode("ascii", "backslashreplace").decode()  # ASCII from here on
    return cleaned.translate(_CONTROLS)[:limit]


_CONTROLS = {code: " " for code in (*range(32), 127)}  # what may not stand in a header value
