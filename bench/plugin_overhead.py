"""What the pytest plugin adds to one intercepted `requests` call.

The same signed AXB bind + unbind is sent with `requests` twice over: once to a plain `responses`
stub that answers fixed JSON (what any test mocking HTTP pays anyway), once through the plugin's
interceptor to the mock engine. The difference of the medians is the plugin's overhead per call.
Run: .venv/bin/python bench/plugin_overhead.py [calls]
"""

from __future__ import annotations

import re
import statistics
import sys
import time

import requests
import responses

from pns_mock.contract_tests.intercept import Interceptor
from pns_mock.contract_tests.mock import PnsMock
from pns_mock.contract_tests.options import PnsOptions
from pns_mock.mockserver.domain import auth

BASE = "https://rtcpns.cn-north-1.myhuaweicloud.com"
AXB = BASE + "/rest/caas/relationnumber/partners/v1.0"


def _headers() -> dict[str, str]:
    headers = auth.sign("AKSK", "demo-axb", "demo-axb-secret", "0123456789abcdef", auth.created_now())
    return {**headers, "Content-Type": "application/json;charset=UTF-8"}


def _calls(session: requests.Session, count: int) -> list[float]:
    timings = []
    for i in range(count):
        body = {"callerNum": f"+86138{i:08d}", "calleeNum": f"+86139{i:08d}", "areaCode": "0755"}
        started = time.perf_counter()
        reply = session.post(AXB, json=body, headers=_headers()).json()
        session.delete(AXB, params={"subscriptionId": reply.get("subscriptionId", "x")}, headers=_headers())
        timings.append((time.perf_counter() - started) / 2)
    return timings


def main(count: int = 3000) -> None:
    session = requests.Session()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as stub:
        fixed = {
            "resultcode": "0",
            "resultdesc": "Success",
            "subscriptionId": "s",
            "relationNum": "+8617010000001",
        }
        for method in ("POST", "DELETE"):
            stub.add(method, re.compile(r".*"), json=fixed)
        _calls(session, 200)
        baseline = _calls(session, count)
    mock = PnsMock(PnsOptions(frozen_clock=False))
    interceptor = Interceptor(mock.handle, (BASE,), (), mock.record_unexpected)
    interceptor.start()
    try:
        _calls(session, 200)
        plugin = _calls(session, count)
    finally:
        interceptor.stop()
    base_ms, plugin_ms = statistics.median(baseline) * 1e3, statistics.median(plugin) * 1e3
    print(f"requests + plain responses stub: median {base_ms:.3f} ms per call")
    print(f"requests + pns plugin (engine):  median {plugin_ms:.3f} ms per call")
    print(f"plugin overhead per call:        median {plugin_ms - base_ms:.3f} ms (target <= 0.3 ms)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000)
