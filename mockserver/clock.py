"""Time for the mock: every rule reads an injected clock, never the system time directly."""

from __future__ import annotations

import heapq
import math
import threading
import time
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch, UTC."""
        ...


class VirtualClock:
    """A clock tests and the admin API can move.

    By default it runs with the system clock plus an offset, so a standalone server shows real
    time; `frozen=True` stops it, so tests decide every second that passes.
    """

    def __init__(
        self,
        start: float | None = None,
        *,
        frozen: bool = False,
        source: Callable[[], float] = time.time,
    ) -> None:
        self._source = source
        self._frozen = frozen
        self._lock = threading.Lock()
        base = source()
        self._offset = 0.0 if start is None else start - base
        self._fixed = base + self._offset

    @property
    def frozen(self) -> bool:
        return self._frozen

    def now(self) -> float:
        if self._frozen:
            return self._fixed
        return self._source() + self._offset

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += seconds
            self._fixed += seconds
        return self.now()

    def set(self, epoch_seconds: float) -> float:
        with self._lock:
            current = self.now()
            self._offset += epoch_seconds - current
            self._fixed = epoch_seconds
        return self.now()

    def freeze(self, frozen: bool = True) -> None:
        with self._lock:
            now = self.now()
            self._frozen = frozen
            self._fixed = now
            self._offset = now - self._source()


K = TypeVar("K")


class ExpiryQueue(Generic[K]):
    """Deadlines grouped by whole second: a heap of the distinct seconds and a bucket per second.

    Finding what expired costs nothing when nothing is due, and per expired item a share of one
    heap pop per second (not per item): with a million deadlines spread over a few thousand
    seconds the heap stays small and cache-friendly. Entries are never removed eagerly; the
    owner checks that a popped deadline is still current (a modified or deleted binding leaves a
    stale entry behind, which is then skipped).
    """

    def __init__(self) -> None:
        self._seconds: list[int] = []
        self._buckets: dict[int, list[tuple[float, int, K]]] = {}
        self._seq = 0
        self._count = 0

    def push(self, deadline: float, key: K) -> None:
        self._seq += 1
        second = math.floor(deadline)
        bucket = self._buckets.get(second)
        if bucket is None:
            bucket = self._buckets[second] = []
            heapq.heappush(self._seconds, second)
        bucket.append((deadline, self._seq, key))
        self._count += 1

    def pop_due(self, now: float) -> list[tuple[float, K]]:
        """Every entry whose deadline is at or before `now`, in deadline order."""
        due: list[tuple[float, K]] = []
        seconds = self._seconds
        while seconds and seconds[0] <= now:
            second = seconds[0]
            bucket = self._buckets[second]
            if second + 1 <= now:  # the whole second has passed
                ready, keep = bucket, []
            else:
                ready = [entry for entry in bucket if entry[0] <= now]
                keep = [entry for entry in bucket if entry[0] > now]
            if keep:
                self._buckets[second] = keep
            else:
                heapq.heappop(seconds)
                del self._buckets[second]
            ready.sort(key=lambda entry: (entry[0], entry[1]))
            due.extend((deadline, key) for deadline, _, key in ready)
            self._count -= len(ready)
            if keep:
                break
        return due

    def __len__(self) -> int:
        return self._count
