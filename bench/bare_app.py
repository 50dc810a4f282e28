"""The ceiling for Python on this machine: uvicorn serving fixed JSON, nothing else.

`app` is a raw ASGI app (what pns-mock's own adapter is, minus the engine): it drains the body and
answers a fixed reply chosen by method, so the same wrk script (bind -> unbind queue) works against
it. `starlette_app` is the same with Starlette, the figure the issue quotes, served only when
Starlette happens to be installed (it is not a dependency of the project).

Served by bench/servers.py with uvicorn.run (loop "auto" = uvloop, access log off, log level
warning) twice: with http "auto" (httptools, stock uvicorn: the issue's ceiling) and with the
one-write protocol `pns-mock serve` uses (`mockserver/http/coalesce.py`: the like-for-like ceiling).
"""

from __future__ import annotations

from typing import Any

# Replies of the same size and shape as pns-mock's (bind, query by X + A, unbind).
BIND = (
    b'{"resultcode":"0","resultdesc":"Success","subscriptionId":"9290cf45-b733-42d9-8d9e-e93087763a51",'
    b'"relationNum":"+8617020000000","callDirection":0,"duration":0,"maxDuration":0,'
    b'"callerNum":"+8613000000001","calleeNum":"+8615000000001","recordFlag":"false"}'
)
QUERY = (
    b'{"resultcode":"0","resultdesc":"Success","relationNumList":[{"subscriptionId":'
    b'"9290cf45-b733-42d9-8d9e-e93087763a51","relationNum":"+8617020000000","callerNum":"+8613000000001",'
    b'"calleeNum":"+8615000000001","callDirection":0,"recordFlag":"false","subscribeTime":'
    b'"2026-11-24 18:42:10"}],"pageIndex":1,"pageSize":50,"totalCount":1}'
)
OK = b'{"resultcode":"0","resultdesc":"Success"}'
BODIES = {"POST": BIND, "GET": QUERY}


def _headers(body: bytes) -> list[tuple[bytes, bytes]]:
    return [
        (b"content-type", b"application/json;charset=UTF-8"),
        (b"content-length", str(len(body)).encode()),
    ]


HEADERS = {body: _headers(body) for body in (BIND, QUERY, OK)}


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    while True:
        message = await receive()
        if message["type"] == "http.disconnect" or not message.get("more_body", False):
            break
    body = BODIES.get(scope["method"], OK)
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS[body]})
    await send({"type": "http.response.body", "body": body})


try:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route
except ImportError:  # pragma: no cover - optional
    starlette_app = None
else:

    async def _fixed(request: Request) -> Response:
        await request.body()
        body = BODIES.get(request.method, OK)
        return Response(body, media_type="application/json;charset=UTF-8")

    starlette_app = Starlette(
        routes=[
            Route("/rest/caas/relationnumber/partners/v1.0", _fixed, methods=["GET", "POST", "DELETE", "PUT"])
        ]
    )
