"""In-process measurement helpers: signed requests straight to `Engine.handle` (what the pytest
plugin calls), timing one call at a time, and the cProfile breakdown of where a request's time goes."""

from __future__ import annotations

import cProfile
import json
import pstats
import statistics
import sys
import sysconfig
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pns_mock.mockserver.config import parse_config  # noqa: E402
from pns_mock.mockserver.domain import VirtualClock, auth  # noqa: E402
from pns_mock.mockserver.http import Engine, HttpRequest, HttpResponse  # noqa: E402
from pns_mock.mockserver.platform import Platform  # noqa: E402

PATH = "/rest/caas/relationnumber/partners/v1.0"
APP_KEY, SECRET = "bench-axb", "bench-axb-secret"
FULL_X, SPARE_X = 200, 20
DAY = 86400


def numbers() -> list[str]:
    return [f"+86170300{i:05d}" for i in range(FULL_X + SPARE_X)]


def make_platform() -> Platform:
    config = parse_config(
        {
            "server": {"max_pairs_per_x": 5000},
            "apps": [
                {
                    "app_key": APP_KEY,
                    "app_secret": SECRET,
                    "mode": "AXB",
                    "recording": True,
                    "numbers": [{"number": n, "area_code": "0755"} for n in numbers()],
                }
            ],
        },
        source="bench/scale.py",
    )
    return Platform(config, clock=VirtualClock(frozen=True))


def stats_us(samples_ns: list[int]) -> dict[str, float]:
    ordered = sorted(samples_ns)
    n = len(ordered)
    return {
        "n": n,
        "median_us": statistics.median(ordered) / 1000,
        "p99_us": ordered[min(n - 1, int(n * 0.99))] / 1000,
        "mean_us": sum(ordered) / n / 1000,
    }


def timed(calls: list[Callable[[], Any]]) -> list[int]:
    out = []
    clock = time.perf_counter_ns
    for call in calls:
        t0 = clock()
        call()
        out.append(clock() - t0)
    return out


class Client:
    """Signed requests for Engine.handle, as the plugin's adapters build them."""

    def __init__(self, engine: Engine, app_key: str = APP_KEY, secret: str = SECRET) -> None:
        self.engine = engine
        self.handle: Callable[[HttpRequest], HttpResponse] = engine.handle  # profile() wraps it
        self.app_key, self.secret = app_key, secret
        self.refresh()

    def refresh(self) -> None:
        # Created is checked against the wall clock (+/-300 s): re-sign now and then
        headers = auth.sign("AKSK", self.app_key, self.secret, uuid.uuid4().hex, auth.created_now())
        self.headers = {**headers, "Content-Type": "application/json;charset=UTF-8", "Host": "127.0.0.1"}

    def call(self, method: str, query: str = "", body: dict[str, Any] | None = None) -> dict[str, Any]:
        request = HttpRequest.build(
            method,
            PATH,
            query=query,
            headers=self.headers,
            body=json.dumps(body).encode() if body is not None else b"",
            client="127.0.0.1",
        )
        response = self.handle(request)
        reply: dict[str, Any] = response.json()
        if response.status != 200 or reply.get("resultcode") != "0":
            raise RuntimeError(f"{method} {query} {body}: {response.status} {reply}")
        return reply


def q(number: str) -> str:
    return number.replace("+", "%2B")


def overhead(calls: int, platform: Platform, app_key: str, secret: str, with_profile: bool) -> dict[str, Any]:
    """Engine.handle per call (bindings made through the engine itself)."""
    client = Client(Engine(platform), app_key, secret)
    ops: dict[str, list[int]] = {"bind": [], "unbind": [], "query_x_a": [], "query_sid": []}
    # the bind reply names no callerNum (the vendor's example reply has none): kept beside it
    resident = [
        {
            **client.call(
                "POST",
                body={
                    "callerNum": f"+86180{i:08d}",
                    "calleeNum": f"+86181{i:08d}",
                    "areaCode": "0755",
                    "areaMatchMode": "1",
                },
            ),
            "callerNum": f"+86180{i:08d}",
        }
        for i in range(1000)
    ]
    clock = time.perf_counter_ns
    for i in range(calls):
        if i % 2000 == 0:
            client.refresh()
        body = {
            "callerNum": f"+86130{i:08d}",
            "calleeNum": f"+86150{i:08d}",
            "areaCode": "0755",
            "areaMatchMode": "1",
        }
        t0 = clock()
        reply = client.call("POST", body=body)
        t1 = clock()
        client.call("DELETE", query=f"subscriptionId={reply['subscriptionId']}")
        t2 = clock()
        r = resident[i % len(resident)]
        client.call("GET", query=f"relationNum={q(r['relationNum'])}&callerNum={q(r['callerNum'])}")
        t3 = clock()
        client.call("GET", query=f"subscriptionId={r['subscriptionId']}")
        t4 = clock()
        ops["bind"].append(t1 - t0)
        ops["unbind"].append(t2 - t1)
        ops["query_x_a"].append(t3 - t2)
        ops["query_sid"].append(t4 - t3)
    out: dict[str, Any] = {name: stats_us(samples) for name, samples in ops.items()}
    everything = [x for samples in ops.values() for x in samples]
    out["all"] = stats_us(everything)
    if with_profile:
        out["profile"] = profile(client, resident, min(calls, 5000))
    return out


def profile(client: Client, resident: list[dict[str, Any]], rounds: int) -> list[dict[str, Any]]:
    """Top functions by cumulative time under Engine.handle, in microseconds per request.


    The profiler runs only inside Engine.handle: the client's own work (encoding the request,
    parsing the reply) is not counted.
    """
    profiler = cProfile.Profile()
    handle = client.handle

    def profiled(request: HttpRequest) -> HttpResponse:
        profiler.enable()
        try:
            return handle(request)
        finally:
            profiler.disable()

    client.handle = profiled
    try:
        for i in range(rounds):
            reply = client.call(
                "POST",
                body={
                    "callerNum": f"+86131{i:08d}",
                    "calleeNum": f"+86151{i:08d}",
                    "areaCode": "0755",
                    "areaMatchMode": "1",
                },
            )
            client.call("DELETE", query=f"subscriptionId={reply['subscriptionId']}")
            r = resident[i % len(resident)]
            client.call("GET", query=f"relationNum={q(r['relationNum'])}&callerNum={q(r['callerNum'])}")
    finally:
        client.handle = handle
    requests = rounds * 3
    stats = pstats.Stats(profiler)
    rows = []
    for (filename, line, name), (_cc, ncalls, tottime, cumtime, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        short = _short(filename)
        rows.append(
            {
                "function": f"{short}:{line}({name})",
                "calls_per_request": ncalls / requests,
                "cum_us_per_request": cumtime / requests * 1e6,
                "self_us_per_request": tottime / requests * 1e6,
            }
        )
    rows.sort(key=lambda r: r["cum_us_per_request"], reverse=True)
    return rows[:40]


def _short(filename: str) -> str:
    """A profiled file's name without this machine's paths."""
    if "/site-packages/" in filename:
        return filename.split("/site-packages/")[-1]
    path = Path(filename)
    if path.is_relative_to(ROOT):
        return str(path.relative_to(ROOT))
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    if path.is_relative_to(stdlib):
        return f"stdlib/{path.relative_to(stdlib)}"
    return path.name
