"""AXE call-back records: who last reached A through X, so that A dialling X calls them back.

A record lives for the binding's `callbackExpiredTime` (in its `timeUnit`); 0 or absent means it
does not lapse. Without a live record, A's call goes to the binding's `callbackNum`, or ends
after its `callbackTone` (8019).
"""

from __future__ import annotations

import threading

from ..clock import Clock
from .axe_model import AxeBinding, deadline


class CallbackBook:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._records: dict[tuple[str, str], tuple[str, float | None]] = {}
        self._lock = threading.Lock()

    def record(self, binding: AxeBinding, caller: str) -> None:
        """`caller` reached A through this binding: A may call them back."""
        until = deadline(self._clock.now(), binding.time_unit, binding.callback_expired_time or 0)
        with self._lock:
            self._records[(binding.virtual_num, binding.bind_num)] = (caller, until)

    def callee_for(self, virtual_num: str, a: str) -> str | None:
        """Whom A reaches by dialling X now: the last caller, if the record has not lapsed."""
        with self._lock:
            found = self._records.get((virtual_num, a))
        if found is None:
            return None
        caller, until = found
        return caller if until is None or self._clock.now() < until else None

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
