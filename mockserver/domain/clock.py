"""Time for the mock: every rule reads an injected clock, never the system time directly."""

from __future__ import annotations

import functools
import heapq
import math
import threading
import time
from bisect import bisect_right, insort
from collections.abc import Callable
from datetime import UTC, datetime
from operator import itemgetter
from typing import Generic, Protocol, TypeVar

from pns_mock.spec.schemas import TIME_FORMATS

# What the virtual clock may read: from the epoch to the last second a UTC timestamp can name
# (9999-12-31T23:59:59Z). NaN, infinities and readings past it would break every date the mock
# formats, so they are refused before anything moves.
EARLIEST = 0.0
LATEST = 253402300799.0


def checked_epoch(value: float, what: str = "time") -> float:
    """`value` as a clock reading, or ValueError if it is not a finite time in [EARLIEST, LATEST]."""
    if not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number of seconds, not {value!r}")
    if not EARLIEST <= value <= LATEST:
        raise ValueError(f"{what} must lie between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z")
    return value


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
        if not math.isfinite(seconds):
            raise ValueError(f"advance must be a finite number of seconds, not {seconds!r}")
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            checked_epoch(self.now() + seconds, "the clock after the advance")
            self._offset += seconds
            self._fixed += seconds
        return self.now()

    def set(self, epoch_seconds: float) -> float:
        checked_epoch(epoch_seconds)
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


SPAN_BITS = 6  # deadlines are grouped in spans of 2**6 = 64 seconds


_deadline = itemgetter(0)  # the sort and bisection key of an entry, called in C


class ExpiryQueue(Generic[K]):
    """Deadlines grouped in 64-second spans: a heap of the span numbers, and a bucket per span.

    A bucket is a plain list of `(deadline, key)` entries in push order (appends cost O(1)) until
    its span is the earliest one with something due; then it is sorted once by deadline (a stable
    sort on float keys, so equal deadlines keep their push order) and its due prefix is cut off
    with one bisection. Per expired item that is a share of one sort and one slice, and the entry
    itself is handed back (no new tuple), however many deadlines other spans hold (a million
    deadlines one second apart make ~16k spans of 64); finding that nothing is due costs two
    comparisons. Entries are never removed eagerly; the owner checks that a popped deadline is
    still current (a modified or deleted binding leaves a stale entry behind, which is skipped).
    """

    def __init__(self) -> None:
        self._spans: list[int] = []  # heap of span numbers that have a bucket
        self._buckets: dict[int, list[tuple[float, K]]] = {}
        self._sorted: set[int] = set()  # spans whose bucket is in deadline order already
        self._count = 0

    def push(self, deadline: float, key: K) -> None:
        span = math.floor(deadline) >> SPAN_BITS
        entry = (deadline, key)
        bucket = self._buckets.get(span)
        if bucket is None:
            self._buckets[span] = [entry]
            heapq.heappush(self._spans, span)
        elif span in self._sorted:
            insort(bucket, entry, key=_deadline)  # after the equal deadlines: push order kept
        else:
            bucket.append(entry)
        self._count += 1

    def pop_due(self, now: float) -> list[tuple[float, K]]:
        """Every entry whose deadline is at or before `now`, in deadline order (ties in push order)."""
        due: list[tuple[float, K]] = []
        spans = self._spans
        while spans and spans[0] << SPAN_BITS <= now:
            span = spans[0]
            bucket = self._buckets[span]
            if span not in self._sorted:
                bucket.sort(key=_deadline)
                self._sorted.add(span)
            cut = bisect_right(bucket, now, key=_deadline)
            if cut < len(bucket):  # the rest of this span is later than now, and so is every later span
                due += bucket[:cut]
                del bucket[:cut]
                break
            due += bucket
            heapq.heappop(spans)
            del self._buckets[span]
            self._sorted.discard(span)
        self._count -= len(due)
        return due

    def __len__(self) -> int:
        return self._count


@functools.lru_cache(maxsize=8192)  # replies repeat the same instants (subscribeTime of a binding)
def format_time(epoch: float, fmt: str) -> str:
    moment = datetime.fromtimestamp(epoch, UTC)
    text = moment.strftime(TIME_FORMATS[fmt])
    if fmt == "pns-sms-timestamp":  # milliseconds, not microseconds
        text = text[:-4] + "Z"
    return text
