"""What admin bodies may hold: seconds, clock readings, required keys; the view of a simulated call."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..domain.clock import LATEST, checked_epoch
from ..traffic import SimulatedCall

if TYPE_CHECKING:
    pass


class AdminError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


MAX_LATENCY_MS = 600_000.0  # an injected latency: ten minutes at most


MAX_CALL_SECONDS = 86_400.0  # ringing or talk of a simulated call: one day at most


def seconds(value: Any, name: str, most: float = LATEST) -> float:
    """A finite, non-negative number of seconds (a number, or a numeric string) from a body."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise AdminError(400, f"'{name}' must be a number of seconds")
    try:
        seconds = float(value)
    except ValueError:
        raise AdminError(400, f"'{name}' must be a number of seconds, not {value!r}") from None
    if not (math.isfinite(seconds) and 0 <= seconds <= most):
        raise AdminError(400, f"'{name}' must be a finite number from 0 to {most:.0f}, not {value!r}")
    return seconds


def epoch(value: Any) -> float:
    """`set`: `yyyy-MM-ddTHH:mm:ssZ` or epoch seconds, checked like every clock reading."""
    if isinstance(value, str) and not value.replace(".", "", 1).isdigit():
        try:
            stamp = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
        except ValueError:
            raise AdminError(
                400, f"'set' must be yyyy-MM-ddTHH:mm:ssZ or epoch seconds, not {value!r}"
            ) from None
        return checked_epoch(stamp, "set")
    try:
        return checked_epoch(seconds(value, "set"), "set")
    except ValueError as exc:
        raise AdminError(400, str(exc)) from None


def required(body: dict[str, Any], key: str) -> Any:
    if body.get(key) in (None, ""):
        raise AdminError(400, f"'{key}' is required")
    return body[key]


def call_view(call: SimulatedCall) -> dict[str, Any]:
    route = call.route
    return {
        "sessionId": call.session_id,
        "app_key": call.app.app_key,
        "from": call.plan.caller,
        "to": call.plan.dialled,
        "outcome": call.plan.outcome,
        "forwarded_to": route.callee if route.forwarded else None,
        "subscriptionId": route.subscription_id,
        "stateCode": call.state_code,
        "events_sent": list(call.sent),
        "ended": call.ended,
        "times": call.times,
        "last_min_voice_at": call.last_min_voice_at,
    }
