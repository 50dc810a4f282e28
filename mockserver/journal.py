"""The request journal: what each request was, how it validated, what the mock answered."""

from __future__ import annotations

import itertools
import threading
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol


@dataclass
class Entry:
    id: int
    wall_time: float
    platform_time: float
    method: str
    path: str
    query: str
    operation_id: str | None
    app_key: str | None
    status: int
    resultcode: str | None
    problem: str | None
    rule: str | None
    request_body: str
    response_body: str
    headers: dict[str, str] = field(default_factory=dict)
    field: str | None = None  # the offending wire field of a refused request
    sent: Any = None  # what the client sent there

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Pending(Protocol):
    """An entry recorded cheaply on the hot path and built in full only when someone reads it."""

    operation_id: str | None

    def entry(self) -> Entry: ...


class Journal:
    """A bounded, thread-safe log. Secrets never enter it: auth headers are reduced to their user."""

    def __init__(self, capacity: int = 10000) -> None:
        self._entries: deque[Entry | Pending] = deque(maxlen=capacity)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def next_id(self) -> int:
        return next(self._ids)

    def add(self, entry: Entry | Pending) -> None:
        # no lock: deque.append is atomic, and readers copy the deque in one step (list())
        self._entries.append(entry)

    def entries(self, operation_id: str | None = None, limit: int | None = None) -> list[Entry]:
        with self._lock:
            snapshot = list(self._entries)  # one C-level copy: safe against concurrent appends
        found = [e for e in snapshot if operation_id is None or e.operation_id == operation_id]
        found = found[-limit:] if limit else found
        return [e if isinstance(e, Entry) else e.entry() for e in found]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
