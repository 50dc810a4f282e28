"""The push journal: every notification the platform pushed, each attempt and what the customer said.

Plain data under one lock (the deliverer mutates pushes while holding `PushJournal.lock`).
Secrets never enter it: the token header of each attempt is kept with its digest blanked out.
"""

from __future__ import annotations

import copy
import itertools
import re
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

RESPONSE_BODY_LIMIT = 4096  # characters of the customer's reply kept per attempt

_DIGEST = re.compile(r'(PasswordDigest\s*=\s*")[^"]*(")', re.IGNORECASE)


@dataclass
class Attempt:
    number: int  # 1 is the first send, 2.. are the retries
    platform_time: float  # virtual clock when the attempt started
    wall_time: float
    url: str
    status: int | None  # None: no answer (timeout, refused connection, ...)
    response_body: str  # truncated to RESPONSE_BODY_LIMIT characters
    latency_ms: float
    error: str | None  # why the attempt failed; None when it delivered
    due_at: float  # virtual time it was scheduled for (earlier than platform_time after a clock jump)
    headers: dict[str, str] = field(default_factory=dict)  # as sent, digest blanked


@dataclass
class Push:
    """One notification to one customer URL; a batched CDR push carries up to 50 records.

    `state`: "pending" (held for batching while `next_attempt_at` is None, else waiting for its
    next attempt), "delivered", "failed" (a push the spec does not retry failed its only attempt),
    "given-up" (every retry of the vendor schedule failed) or "dropped" (its application had too
    many pushes pending; `note` says so).
    """

    id: int
    app_key: str
    webhook: str
    url: str
    body: dict[str, Any]
    created: float  # virtual time
    attempts: list[Attempt] = field(default_factory=list)
    state: str = "pending"
    next_attempt_at: float | None = None
    reply: Any = None  # parsed JSON reply of a Block push, once it validated
    note: str | None = None  # why the mock stopped trying ("dropped")

    @property
    def error(self) -> str | None:
        return self.attempts[-1].error if self.attempts else None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def values_of(value: Any, name: str) -> set[str]:
    """Every string value of a field called `name`, at any depth of a push body."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key == name and isinstance(item, str):
                found.add(item)
            elif isinstance(item, dict | list):
                found |= values_of(item, name)
    elif isinstance(value, list):
        for item in value:
            found |= values_of(item, name)
    return found


def redact(headers: dict[str, str]) -> dict[str, str]:
    """The headers as sent, with every PasswordDigest value blanked."""
    return {name: _DIGEST.sub(r"\1(not journaled)\2", value) for name, value in headers.items()}


class PushJournal:
    """Pushes by id, oldest first, bounded: beyond `capacity` the oldest finished pushes are dropped."""

    def __init__(self, capacity: int = 10000) -> None:
        self.lock = threading.RLock()
        self._pushes: dict[int, Push] = {}
        self._ids = itertools.count(1)
        self._capacity = capacity

    def next_id(self) -> int:
        return next(self._ids)

    def add(self, push: Push) -> None:
        with self.lock:
            self._pushes[push.id] = push
            if len(self._pushes) > self._capacity:
                self._evict()

    def _evict(self) -> None:
        excess = len(self._pushes) - self._capacity
        finished = [pid for pid, p in self._pushes.items() if p.state != "pending"][:excess]
        for pid in finished:
            del self._pushes[pid]

    def live(self, push_id: int) -> Push | None:
        """The journal's own object (callers hold `lock` while reading or changing it)."""
        return self._pushes.get(push_id)

    def snapshot(self, app_key: str | None = None, webhook: str | None = None) -> list[Push]:
        """Copies, so a reader never sees a push half-way through an update."""
        with self.lock:
            return [
                copy.deepcopy(p)
                for p in self._pushes.values()
                if (app_key is None or p.app_key == app_key) and (webhook is None or p.webhook == webhook)
            ]

    def clear(self) -> None:
        with self.lock:
            self._pushes.clear()

    def __len__(self) -> int:
        return len(self._pushes)
