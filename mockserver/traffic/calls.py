"""Calls in progress, by sessionId: what the stop-call operation acts on.

The call simulator registers a call when it starts and removes it when it ends; stopping one
asks the simulator, through the callback it registered, to release the call now.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from ..domain.errors import PnsError

INVALID_SESSION = "1020152"


@dataclass
class ActiveCall:
    session_id: str
    app_key: str
    stop: Callable[[], None]


class Calls:
    def __init__(self) -> None:
        self._active: dict[str, ActiveCall] = {}
        self._lock = threading.Lock()

    def started(self, call: ActiveCall) -> None:
        with self._lock:
            self._active[call.session_id] = call

    def ended(self, session_id: str) -> None:
        with self._lock:
            self._active.pop(session_id, None)

    def stop(self, app_key: str, session_id: str) -> None:
        """End a call in progress; an unknown, ended or other application's call is 1020152."""
        with self._lock:
            call = self._active.get(session_id)
            if call is None or call.app_key != app_key:
                raise PnsError(
                    INVALID_SESSION,
                    f"no call in progress with sessionid {session_id!r}",
                    rule="stop-call.in-progress",
                )
            del self._active[session_id]
        call.stop()

    def active(self) -> list[ActiveCall]:
        with self._lock:
            return list(self._active.values())
