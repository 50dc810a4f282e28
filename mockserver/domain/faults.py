"""Faults a test arms: the next N calls of an operation fail, slow down or lose their connection."""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass
class Fault:
    operation_id: str
    count: int = 1
    resultcode: str | None = None
    latency: float = 0.0
    drop: bool = False


class Faults:
    def __init__(self) -> None:
        self._armed: list[Fault] = []
        self._lock = threading.Lock()

    def arm(self, fault: Fault) -> None:
        if fault.count < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._armed.append(fault)

    def take(self, operation_id: str) -> Fault | None:
        """The first armed fault for this operation, consuming one of its uses."""
        if not self._armed:  # the common case, without the lock: arming is rare
            return None
        with self._lock:
            for fault in self._armed:
                if fault.operation_id in (operation_id, "*"):
                    fault.count -= 1
                    if fault.count == 0:
                        self._armed.remove(fault)
                    return fault
        return None

    def armed(self) -> list[Fault]:
        with self._lock:
            return list(self._armed)

    def clear(self) -> None:
        with self._lock:
            self._armed.clear()
