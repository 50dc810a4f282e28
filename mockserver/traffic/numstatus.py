"""X-number status: what an administrator's status change allows, and the `numStatus` push body.

Status values and causes are the spec's (`NumStatusInfo`): paused or unavailable numbers carry
no calls, no SMS and no new bindings; a binding-frozen number takes no new bindings while its
existing bindings keep working.
"""

from __future__ import annotations

import threading
from typing import Any

NORMAL, PAUSED, UNAVAILABLE, BINDING_FROZEN = "5", "9", "10", "11"
MAX_PER_PUSH = 100  # spec: numInfo holds at most 100 items


class NumberStatuses:
    def __init__(self) -> None:
        self._status: dict[str, tuple[str, str | None]] = {}
        self._lock = threading.Lock()

    def set(self, number: str, status: str, cause: str | None = None) -> dict[str, Any]:
        """Record a change; returns its `numInfo` item (cause only for an unavailable number)."""
        if cause is not None and status != UNAVAILABLE:
            raise ValueError("a cause is given only with status 10 (unavailable)")
        with self._lock:
            self._status[number] = (status, cause)
        item = {"number": number, "status": status}
        if cause is not None:
            item["cause"] = cause
        return item

    def status(self, number: str) -> str:
        # a single dict read is atomic: no lock on the path every bind and call takes
        return self._status.get(number, (NORMAL, None))[0]

    def carries_traffic(self, number: str) -> bool:
        """Calls and SMS go through (normal or binding-frozen)."""
        return self.status(number) in (NORMAL, BINDING_FROZEN)

    def bindable(self, number: str) -> bool:
        return self.status(number) == NORMAL

    def clear(self) -> None:
        with self._lock:
            self._status.clear()


def push_bodies(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`numStatus` push bodies for a batch of changes, at most 100 items each."""
    return [
        {"eventType": "numStatus", "numInfo": items[i : i + MAX_PER_PUSH]}
        for i in range(0, len(items), MAX_PER_PUSH)
    ]
