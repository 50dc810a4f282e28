"""X mode: the platform keeps no binding; the customer's reply to the Block `callin` routes the call."""

from __future__ import annotations

from typing import Any

from .model import CallPlan
from .routing import INVALID_AXB_CALL, Route

CUSTOMER_HANG_UP = 8017  # the customer's reply said `close`
FROM_A = 1


def route_from_reply(plan: CallPlan, reply: dict[str, Any] | None) -> Route:
    """`connect` forwards as `connectInfo` says; `close` ends the call; no valid reply fails it (8014)."""
    x = plan.dialled
    if reply is None:
        return Route(x, failure=INVALID_AXB_CALL)
    if reply.get("operation") == "close":
        close = reply.get("closeInfo") or {}
        return Route(x, failure=CUSTOMER_HANG_UP, user_data=close.get("userData"))
    info = reply.get("connectInfo") or {}
    if isinstance(info, list):  # a one-element array, as the vendor's Java sample sends (spec conflict)
        info = info[0] if info else {}
    callee = info.get("calleeNum")
    if not callee:
        return Route(x, failure=INVALID_AXB_CALL)
    record = info.get("recordFlag")
    return Route(
        x,
        callee=callee,
        display=info.get("displayCalleeNum") or x,
        user_data=info.get("userData"),
        record=record in (True, "true"),
        max_duration=int(info.get("maxDuration") or 0),
        last_min_voice=info.get("lastMinVoice"),
        direction=FROM_A,
    )
