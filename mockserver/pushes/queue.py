"""The pushes due on the virtual clock, and which of them may go now: per-call order and fairness.

Order is kept per call (the spec's `orderedBy` field, across the application's URLs), which
is the vendor's per-call order including the CDR after the events; pushes about no call keep
their order per application. At most one attempt per call is in flight, and a call's due
pushes go out by (due time, submit order); other calls never wait for it. A push waiting
minutes for a retry does not hold back later pushes. Among the pushes that may go, first
attempts go before retries, then applications served longest ago first (so a healthy URL
waits at most one round behind hanging ones). Pending pushes are bounded per application
(`max_pending`): past it, the oldest pending one is dropped, and stays in the journal as
"dropped" with a note.

Plain data: every method expects the caller to hold the journal's lock.
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from collections.abc import Callable

from .journal import Push, PushJournal, values_of


class DueQueue:
    def __init__(
        self,
        journal: PushJournal,
        order_field: str,
        max_pending: int,
        on_dropped: Callable[[Push], None],
    ) -> None:
        self.journal = journal
        self.max_pending = max_pending
        self._order_field = order_field
        self._on_dropped = on_dropped
        self._pending_order: dict[str, deque[int]] = {}  # app -> its scheduled push ids, oldest first
        self._lanes: dict[int, frozenset[str]] = {}  # push id -> the calls (lanes) it belongs to
        self._due: list[tuple[float, int]] = []  # (due time, push id); stale entries are skipped
        self._busy: set[str] = set()  # lanes with an attempt in flight
        self._served: dict[str, int] = {}  # app_key -> stamp of its latest claim, for fairness
        self._stamps = itertools.count()

    def schedule(self, push: Push, when: float) -> None:
        """A new push, due at `when` (counts towards its application's pending bound)."""
        push.next_attempt_at = when
        heapq.heappush(self._due, (when, push.id))
        self._bound_pending(push)

    def retry(self, push: Push, when: float) -> None:
        """A scheduled push is due again at `when` (its `next_attempt_at`)."""
        heapq.heappush(self._due, (when, push.id))

    def idle(self, now: float) -> bool:
        """Nothing in flight and nothing due at `now`."""
        due = self.next_due()
        return not self._busy and (due is None or due > now)

    def clear(self) -> None:
        self._due.clear()
        self._served.clear()
        self._lanes.clear()
        self._pending_order.clear()

    def _bound_pending(self, push: Push) -> None:
        order = self._pending_order.setdefault(push.app_key, deque())
        order.append(push.id)
        if len(order) <= self.max_pending:
            return
        live = self.journal.live
        order = deque(pid for pid in order if (p := live(pid)) is not None and p.state == "pending")
        self._pending_order[push.app_key] = order
        while len(order) > self.max_pending:
            oldest = live(order.popleft())
            if oldest is None:
                continue
            oldest.state, oldest.next_attempt_at = "dropped", None
            oldest.note = (
                f"dropped: {push.app_key} had more than {self.max_pending} pushes pending "
                "(server.max_pending_pushes); the oldest go first"
            )
            self._lanes.pop(oldest.id, None)
            self._on_dropped(oldest)

    def _lanes_of(self, push: Push) -> frozenset[str]:
        lanes = self._lanes.get(push.id)
        if lanes is None:
            calls = values_of(push.body, self._order_field)
            lanes = frozenset(f"{push.app_key}/{c}" for c in calls) or frozenset({f"{push.app_key}/"})
            self._lanes[push.id] = lanes
        return lanes

    def next_due(self) -> float | None:
        while self._due:
            when, push_id = self._due[0]
            push = self.journal.live(push_id)
            if push is not None and push.state == "pending" and push.next_attempt_at == when:
                return when
            heapq.heappop(self._due)
        return None

    def claim(self, now: float, limit: int | None, retry_limit: int | None = None) -> list[Push]:
        """Take the earliest due push of each idle call (at most `limit`, of which at most
        `retry_limit` retries) and mark those calls busy until `release`."""
        blocked = set(self._busy)
        candidates: list[tuple[tuple[float, int], Push, frozenset[str]]] = []
        rest: list[tuple[float, int]] = []
        while (when := self.next_due()) is not None and when <= now:
            entry = heapq.heappop(self._due)
            push = self.journal.live(entry[1])
            assert push is not None  # next_due checked it
            lanes = self._lanes_of(push)
            if lanes & blocked:
                rest.append(entry)
            else:
                candidates.append((entry, push, lanes))
            blocked |= lanes  # the call's later pushes wait behind this one
        candidates.sort(key=lambda c: (bool(c[1].attempts), self._served.get(c[1].app_key, -1)))
        taken: list[Push] = []
        retries = 0
        for entry, push, lanes in candidates:
            retry = bool(push.attempts)
            full = limit is not None and len(taken) >= max(limit, 0)
            if full or (retry and retry_limit is not None and retries >= retry_limit):
                rest.append(entry)
                continue
            taken.append(push)
            retries += retry
            self._served[push.app_key] = next(self._stamps)
            self._busy |= lanes
        for entry in rest:
            heapq.heappush(self._due, entry)
        return taken

    def release(self, push: Push) -> None:
        """The attempt on a claimed push is over: its calls may go again."""
        self._busy -= self._lanes_of(push)
        if push.state != "pending":
            self._lanes.pop(push.id, None)
