"""A test-only upstream: `pns-mock serve` whose replies drift from the spec on request.

A request with `X-Test-Drift: KIND[,KIND]` gets the mock's reply changed that way; the header
travels through the proxy like any other, so a test picks the drift per request. Without it the
reply is the mock's own. Run as `python -m tests.mockserver.proxy.drifting_upstream serve ...`.
"""

from __future__ import annotations

import json
import re
import sys

from pns_mock.mockserver import cli
from pns_mock.mockserver.http import Api, HttpRequest, HttpResponse

UNDOCUMENTED = "vendorNewField"
UNKNOWN_CODE = "1019999"
_DATETIME = re.compile(r"(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})")


def _drifted(response: HttpResponse, kinds: set[str]) -> HttpResponse:
    if "html" in kinds:
        page = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
        return HttpResponse(502, [("Content-Type", "text/html")], page)
    body = json.loads(response.body)
    status = response.status
    if "undocumented-field" in kinds:
        body[UNDOCUMENTED] = "+8613800000077"
    if "unknown-resultcode" in kinds:
        body["resultcode"] = UNKNOWN_CODE
    if "status-mismatch" in kinds:
        status = 500  # a success code with the status of a failure
    text = json.dumps(body, ensure_ascii=False)
    if "timestamp-format" in kinds:
        text = _DATETIME.sub(r"\1T\2+08:00", text)
    return HttpResponse(status, list(response.headers), text.encode())


def install() -> None:
    original = Api.handle

    def handle(self: Api, request: HttpRequest) -> HttpResponse:
        response = original(self, request)
        wanted = request.headers.get("x-test-drift")
        if not wanted or response.drop or request.path.startswith("/_pns"):
            return response
        return _drifted(response, set(wanted.split(",")))

    Api.handle = handle  # type: ignore[method-assign]


if __name__ == "__main__":
    install()
    sys.exit(cli.main(sys.argv[1:]))
