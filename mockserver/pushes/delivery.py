"""Pushes notifications to the customers' URLs the way PNS does: signed, retried, batched.

The call simulator calls `submit` / `submit_cdr` (they return at once) and `deliver_blocking`
(X-mode callin, Block SMS: the platform waits for the customer's decision). What is due on the
virtual clock goes out from the worker (`start`) or from `run_due` in the caller's thread.

Choices the vendor leaves open (the published facts come from the spec's `x-pns-delivery`):

- Retries follow `retryScheduleMinutes`, counted from the first failed attempt as its
  `retryScheduleNote` says; a webhook in `notRetried` (or marked `x-pns-retried: false`) fails
  for good after one attempt. SMS pushes use the same schedule (their interval is unpublished).
- Batching window: records for one (app, webhook, URL) submitted while the virtual clock reads
  the same whole second share one push. It is sent once full (the list's `maxItems` in the body
  schema: 50 CDRs), on `flush()`, or once the clock is seen in a later second (by the worker,
  `run_due` or the next `submit_cdr`). With a frozen clock nothing is sent until the test
  flushes or moves the clock: deterministic.
- Order is kept per call (the spec's `orderedBy` field, across the application's URLs), which
  is the vendor's per-call order including the CDR after the events; pushes about no call keep
  their order per application. At most one attempt per call is in flight, and a call's due
  pushes go out by (due time, submit order); other calls never wait for it. A push waiting
  minutes for a retry does not hold back later pushes.
- Threading: a dispatcher thread polls every 20 ms (a heap peek when idle) and hands due pushes
  to a pool of threads sending synchronously, never more than there are free threads (so
  `stop()` waits at most one timeout): first attempts before retries, and retries on half the
  threads at most, so a dead receiver's retries never delay new pushes; then applications
  served longest ago first (so a healthy URL waits at most one round behind hanging ones).
- Pending pushes are bounded per application (`max_pending`): past it, the oldest pending one
  is dropped, and stays in the journal as "dropped" with a note.
- Threads rather than asyncio: the mock runs with no event loop in the plugin's in-process mode
  and the `transport` hook is synchronous. How one attempt is made (signing, the standard-library
  POST, judging the reply) is `pushsend`.
"""

from __future__ import annotations

import heapq
import itertools
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

from pns_mock.spec import SchemaRegistry, Spec, Webhook

from ..domain.clock import Clock
from .batching import Batching, NotBatched, batching_of
from .journal import Attempt, Push, PushJournal, values_of
from .send import Sender, Transport, http_transport

POLL_SECONDS = 0.02


class DeliveryError(Exception):
    """Misuse of the deliverer, or a bug in the mock; never the customer's fault."""


class InvalidPushBody(DeliveryError):
    """The mock built a push body its own spec forbids; nothing was sent."""


class Deliverer:
    def __init__(
        self,
        spec: Spec,
        clock: Clock,
        secret_of: Callable[[str], str | None],
        *,
        timeout: float = 5.0,
        transport: Transport | None = None,
        validate: bool = True,
        workers: int = 16,
        scheme: str = "AKSK",
        scheme_of: Callable[[str], str | None] | None = None,
        wall_clock: Callable[[], float] = time.time,
        verify_tls: bool = True,
        schemas: SchemaRegistry | None = None,
        capacity: int = 10000,
        max_pending: int = 1000,
    ) -> None:
        policy = spec.delivery
        self._spec = spec
        self._schemas = schemas or SchemaRegistry(spec.document)
        self._clock = clock
        self._secret_of = secret_of
        self._sender = Sender(
            spec,
            self._schemas,
            secret_of,
            timeout=timeout,
            transport=transport or http_transport(verify_tls=verify_tls),
            scheme=scheme,  # "AKSK", or "WSSE" for receivers written against the older pages
            scheme_of=scheme_of,  # per application (config key `push_auth`), when set
            wall_clock=wall_clock,
        )
        self._validate = validate  # off: send bodies as given (to show customers a broken push)
        self._workers = workers
        self._protocols = tuple(policy["protocols"])
        self.retry_offsets = tuple(60.0 * m for m in policy["retryScheduleMinutes"][: policy["maxRetries"]])
        self._not_retried = frozenset(policy.get("notRetried", ()))
        self._order_field = str(policy.get("orderedBy", "sessionId"))
        self.max_pending = max_pending
        self._pending_order: dict[str, deque[int]] = {}  # app -> its scheduled push ids, oldest first
        self._lanes: dict[int, frozenset[str]] = {}  # push id -> the calls (lanes) it belongs to
        self._retry_threads = max(1, workers // 2)
        self._retries_in_flight = 0
        self.journal = PushJournal(capacity)
        self._lock = self.journal.lock
        self._due: list[tuple[float, int]] = []  # (due time, push id); stale entries are skipped
        self._busy: set[str] = set()  # lanes with an attempt in flight
        self._served: dict[str, int] = {}  # app_key -> stamp of its latest claim, for fairness
        self._stamps = itertools.count()
        self._open: dict[tuple[str, str, str], tuple[int, Push]] = {}  # batches still filling
        self._batching: dict[str, Batching] = {}
        self._in_flight = 0
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool: ThreadPoolExecutor | None = None

    # submitting

    def submit(self, app_key: str, webhook: str, url: str, body: dict[str, Any]) -> Push:
        """Queue one push, due now; returns the journal's push (it changes as delivery proceeds)."""
        hook = self._prepare(app_key, webhook, url, body)
        with self._lock:
            push = self._new(app_key, hook.name, url, body)
            self._schedule(push, push.created)
        self._wake.set()
        return push

    def submit_cdr(self, app_key: str, webhook: str, url: str, fee_info: dict[str, Any]) -> Push:
        """Add one CDR to the batch of this second (see the module docstring); returns that push."""
        return self.submit_batched(app_key, webhook, url, fee_info)

    def submit_batched(self, app_key: str, webhook: str, url: str, item: dict[str, Any]) -> Push:
        """Add one record to a batched push: a CDR (`fee*`) or a number state (`numStatus`)."""
        batching = self._batching_of(self._webhook(webhook))
        hook = self._prepare(app_key, webhook, url, batching.body([item]))
        key = (app_key, hook.name, url)
        with self._lock:
            now = self._clock.now()
            self._close_batches(now)
            if key in self._open:
                push = self._open[key][1]
            else:
                push = self._new(app_key, hook.name, url, batching.body([]))
                self._open[key] = (math.floor(now), push)
            items = push.body[batching.list_key]
            items.append(item)
            if len(items) >= batching.max_items:
                del self._open[key]
                self._schedule(push, now)
        self._wake.set()
        return push

    def flush(self) -> None:
        """Close every batch still filling: they are due now."""
        with self._lock:
            self._close_batches(self._clock.now(), everything=True)
        self._wake.set()

    def deliver_blocking(self, app_key: str, webhook: str, url: str, body: dict[str, Any]) -> Push:
        """Send a Block push now, in this thread, and wait (up to `timeout`) for the decision.

        A valid reply lands in `push.reply`. Anything else fails the attempt; whether it is
        retried later comes from the spec. Sent at once, outside the per-target order: it is the
        first event of its call, and the call waits for it.
        """
        hook = self._webhook(webhook)
        if hook.reply_schema_pointer is None:
            raise DeliveryError(
                f"{hook.name} is not a Block push (its receiver answers an empty 200): use submit()"
            )
        self._prepare(app_key, webhook, url, body)
        with self._lock:
            push = self._new(app_key, hook.name, url, body)
            push.next_attempt_at = push.created
        self._attempt(push)
        return push

    # sending what is due

    def run_due(self) -> int:
        """Send, in this thread, every attempt due on the virtual clock now; returns how many.

        After a clock jump the retries that fell inside it are made too, one after another.
        """
        sent = 0
        while claimed := self._claim_due(None):
            for push in claimed:
                self._run_claimed(push)
                sent += 1
        return sent

    def start(self) -> None:
        """Run the worker: due pushes go out without anyone calling `run_due`."""
        if self._thread is not None:
            return
        self._stopping.clear()
        self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="pns-push")
        self._thread = threading.Thread(target=self._loop, name="pns-delivery", daemon=True)
        self._thread.start()

    @property
    def running(self) -> bool:
        """Whether the worker sends due pushes on its own (else only `run_due` does)."""
        return self._thread is not None

    def stop(self) -> None:
        """Stop the worker; waits for the attempts in flight (each at most `timeout`)."""
        thread, pool = self._thread, self._pool
        if thread is None or pool is None:
            return
        self._stopping.set()
        self._wake.set()
        thread.join()
        pool.shutdown(wait=True)
        self._thread = self._pool = None

    def __enter__(self) -> Deliverer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait (wall time) until nothing is due or in flight; batches still filling do not count."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                due = self._next_due()
                idle = not self._busy and (due is None or due > self._clock.now())
            if idle:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.005)

    # the journal

    def pushes(self, app_key: str | None = None, webhook: str | None = None) -> list[Push]:
        """Copies of the pushes, oldest first."""
        return self.journal.snapshot(app_key, webhook)

    def as_dicts(self, app_key: str | None = None, webhook: str | None = None) -> list[dict[str, Any]]:
        return [p.as_dict() for p in self.pushes(app_key, webhook)]

    def clear(self) -> None:
        """Forget every push, due or filling; an attempt in flight finishes unrecorded."""
        with self._lock:
            self.journal.clear()
            self._due.clear()
            self._open.clear()
            self._served.clear()
            self._lanes.clear()
            self._pending_order.clear()

    # internals

    def _webhook(self, name: str) -> Webhook:
        try:
            return self._spec.webhooks[name]
        except KeyError:
            known = ", ".join(sorted(self._spec.webhooks))
            raise DeliveryError(f"no webhook {name!r} in the spec; known: {known}") from None

    def _prepare(self, app_key: str, webhook: str, url: str, body: dict[str, Any]) -> Webhook:
        hook = self._webhook(webhook)
        if self._secret_of(app_key) is None:
            raise DeliveryError(f"no application {app_key!r}: a push needs its secret to be signed")
        if urlsplit(url).scheme not in self._protocols or not urlsplit(url).hostname:
            raise DeliveryError(f"push URL {url!r} is not an absolute {' or '.join(self._protocols)} URL")
        if self._validate:
            problems = self._schemas.errors(hook.body_schema_pointer, body)
            if problems:
                raise InvalidPushBody(
                    f"the mock built a {hook.name} body that breaks {hook.body_schema_pointer}: "
                    f"{'; '.join(problems)}. This is a bug in pns-mock; nothing was sent."
                )
        return hook

    def _batching_of(self, hook: Webhook) -> Batching:
        found = self._batching.get(hook.name)
        if found is None:
            try:
                found = self._batching[hook.name] = batching_of(self._spec, hook)
            except NotBatched as exc:
                raise DeliveryError(str(exc)) from exc
        return found

    def _new(self, app_key: str, webhook: str, url: str, body: dict[str, Any]) -> Push:
        push = Push(self.journal.next_id(), app_key, webhook, url, body, created=self._clock.now())
        self.journal.add(push)
        return push

    def _schedule(self, push: Push, when: float) -> None:
        push.next_attempt_at = when
        heapq.heappush(self._due, (when, push.id))
        self._bound_pending(push)

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
            self._dropped(oldest)

    def _dropped(self, push: Push) -> None:
        """A pending push was dropped (the journal keeps it); a hook for subclasses."""

    def _lanes_of(self, push: Push) -> frozenset[str]:
        lanes = self._lanes.get(push.id)
        if lanes is None:
            calls = values_of(push.body, self._order_field)
            lanes = frozenset(f"{push.app_key}/{c}" for c in calls) or frozenset({f"{push.app_key}/"})
            self._lanes[push.id] = lanes
        return lanes

    def _close_batches(self, now: float, *, everything: bool = False) -> None:
        for key, (second, push) in list(self._open.items()):
            if everything or second != math.floor(now):
                del self._open[key]
                self._schedule(push, now)

    def _next_due(self) -> float | None:
        while self._due:
            when, push_id = self._due[0]
            push = self.journal.live(push_id)
            if push is not None and push.state == "pending" and push.next_attempt_at == when:
                return when
            heapq.heappop(self._due)
        return None

    def _claim_due(self, limit: int | None, retry_limit: int | None = None) -> list[Push]:
        """Take the earliest due push of each idle call (at most `limit`, of which at most
        `retry_limit` retries) and mark those calls busy.

        First attempts go before retries; then applications served longest ago, so a healthy
        URL waits for at most one round of attempts behind hanging ones.
        """
        with self._lock:
            now = self._clock.now()
            if self._open:
                self._close_batches(now)
            blocked = set(self._busy)
            candidates: list[tuple[tuple[float, int], Push, frozenset[str]]] = []
            rest: list[tuple[float, int]] = []
            while (when := self._next_due()) is not None and when <= now:
                entry = heapq.heappop(self._due)
                push = self.journal.live(entry[1])
                assert push is not None  # _next_due checked it
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

    def _run_claimed(self, push: Push) -> None:
        try:
            self._attempt(push)
        finally:
            with self._lock:
                self._busy -= self._lanes_of(push)
                if push.state != "pending":
                    self._lanes.pop(push.id, None)
            self._wake.set()

    def _loop(self) -> None:
        while not self._stopping.is_set():
            pool = self._pool
            if pool is None:
                return
            free = self._workers - self._in_flight
            for push in self._claim_due(free, self._retry_threads - self._retries_in_flight):
                retry = bool(push.attempts)
                with self._lock:
                    self._in_flight += 1
                    self._retries_in_flight += retry
                pool.submit(self._work, push, retry)
            self._wake.wait(POLL_SECONDS)
            self._wake.clear()

    def _work(self, push: Push, retry: bool) -> None:
        try:
            self._run_claimed(push)
        finally:
            with self._lock:
                self._in_flight -= 1
                self._retries_in_flight -= retry
            self._wake.set()

    def _attempt(self, push: Push) -> None:
        hook = self._spec.webhooks[push.webhook]
        with self._lock:
            number = len(push.attempts) + 1
            now = self._clock.now()
            due = push.next_attempt_at if push.next_attempt_at is not None else now
        # a scheduled body no longer changes (batches stop filling before they are due)
        attempt, reply = self._sender.attempt(
            push.app_key, hook, push.url, push.body, number=number, due=due, now=now
        )
        with self._lock:
            self._record(push, hook, attempt, reply)

    def _record(self, push: Push, hook: Webhook, attempt: Attempt, reply: Any) -> None:
        push.attempts.append(attempt)
        if push.state == "dropped":  # dropped while this attempt was in flight: it stays dropped
            return
        retried = hook.name not in self._not_retried and bool(hook.raw.get("x-pns-retried", True))
        if attempt.error is None:
            push.state, push.next_attempt_at, push.reply = "delivered", None, reply
        elif not retried:
            push.state, push.next_attempt_at = "failed", None
        elif attempt.number > len(self.retry_offsets):
            push.state, push.next_attempt_at = "given-up", None
        else:
            # counted from the first failed attempt (x-pns-delivery.retryScheduleNote)
            when = push.attempts[0].platform_time + self.retry_offsets[attempt.number - 1]
            push.next_attempt_at = when
            if self.journal.live(push.id) is push:  # not cleared meanwhile
                heapq.heappush(self._due, (when, push.id))
