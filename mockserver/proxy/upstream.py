"""The one connection pool to the upstream platform, and the vendor-style reply when it fails.

httpx keeps connections alive between requests (no TLS handshake per request). A failure before
the reply's head (down, slow, not HTTP) becomes the catalogue code `x-pns-proxy.upstreamFailures`
names for it, with `X-PNS-Mock-Problem` saying what happened; the client handles it as it would
the platform's own.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from pns_mock.spec import Spec

from ..http import PROBLEM_HEADER, HttpResponse, header_safe, json_response

# Hop-by-hop headers (RFC 9110 7.6.1) belong to one connection, not to the request or the reply;
# the length is set again by whoever writes the body.
HOP_BY_HOP = frozenset(
    ("connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade")
)
_NOT_FORWARDED = HOP_BY_HOP | {"host", "content-length"}


class UpstreamFailure(Exception):
    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind  # a key of x-pns-proxy.upstreamFailures
        self.detail = detail


@dataclass(frozen=True)
class UpstreamOptions:
    url: str
    ca_file: Path | None = None
    insecure: bool = False
    timeout: float = 10.0  # seconds, for the connection and for the reply's head
    connections: int = 64


def ssl_context(options: UpstreamOptions) -> ssl.SSLContext:
    if options.insecure:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    return ssl.create_default_context(cafile=str(options.ca_file) if options.ca_file else None)


class Upstream:
    def __init__(self, options: UpstreamOptions) -> None:
        parts = urlsplit(options.url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"--upstream {options.url!r}: give an http:// or https:// URL with a host")
        self.options = options
        self.base = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
        self.host = parts.netloc
        self._client = httpx.AsyncClient(
            verify=ssl_context(options) if parts.scheme == "https" else True,
            timeout=httpx.Timeout(options.timeout),
            limits=httpx.Limits(
                max_connections=options.connections, max_keepalive_connections=options.connections
            ),
            follow_redirects=False,
            trust_env=False,  # the proxy goes where --upstream says, whatever HTTPS_PROXY says
        )

    def url_of(self, path: str, query: str) -> str:
        return f"{self.base}{path}?{query}" if query else f"{self.base}{path}"

    async def open(
        self, method: str, path: str, query: str, headers: Iterable[tuple[str, str]], body: bytes
    ) -> httpx.Response:
        """The upstream's reply, its body still to be read (`aiter_raw`, then `aclose`)."""
        forwarded = [(k, v) for k, v in headers if k.lower() not in _NOT_FORWARDED]
        request = self._client.build_request(
            method, self.url_of(path, query), headers=forwarded, content=body or None
        )
        try:
            return await self._client.send(request, stream=True)
        except httpx.TimeoutException as err:
            raise UpstreamFailure(
                "timeout", f"the upstream sent no reply within {self.options.timeout:g} s ({_name(err)})"
            ) from err
        except (httpx.RemoteProtocolError, httpx.LocalProtocolError) as err:
            if isinstance(err, httpx.RemoteProtocolError) and "without sending" in str(err):
                raise UpstreamFailure("unreachable", f"the upstream closed the connection: {err}") from err
            raise UpstreamFailure("notHttp", f"the upstream's answer is not HTTP: {err}") from err
        except httpx.TransportError as err:
            raise UpstreamFailure(
                "unreachable", f"cannot reach the upstream {self.host}: {_why(err)}"
            ) from err

    async def close(self) -> None:
        await self._client.aclose()


def failure_reply(spec: Spec, failure: UpstreamFailure) -> HttpResponse:
    rule = spec.document["x-pns-proxy"]["upstreamFailures"][failure.kind]
    code = spec.result_codes[rule["resultcode"]]
    rule_name = f"x-pns-proxy.upstreamFailures.{failure.kind}"
    problem = f"{code.code} {code.text} pns-mock proxy: {failure.detail} [rule: {rule_name}]"
    response = json_response(code.http_status, code.body(), [(PROBLEM_HEADER, header_safe(problem))])
    response.resultcode = code.code
    return response


def _name(err: Exception) -> str:
    return type(err).__name__


def _why(err: Exception) -> str:
    text = str(err) or _name(err)
    return text if len(text) < 300 else text[:300] + "..."
