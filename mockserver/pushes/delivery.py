"""Pushes notifications to the customers' URLs the way PNS does: signed, retried, batched.

The call simulator calls `submit` / `submit_cdr` (they return at once) and `deliver_blocking`
(X-mode callin, Block SMS: the platform waits for the customer's decision). What is due on the
virtual clock goes out from the worker (`start`) or from `run_due` in the caller's thread.

Choices the vendor leaves open (the published facts come from the spec's `x-pns-delivery`), each
told where it is made: the retry schedule (`pushretry`), the batching window (`pushfilling`),
per-call order, fairness and the bound on pending pushes (`pushqueue`), the threads
(`pushworker`), and how one attempt is made: signing, the standard-library POST, judging the
reply (`pushsend`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from pns_mock.spec import SchemaRegistry, Spec, Webhook

from ..domain.clock import Clock
from .batching import NotBatched
from .filling import FillingBatches
from .journal import Attempt, Push, PushJournal
from .queue import DueQueue
from .retry import RetryPolicy
from .send import Sender, Transport, http_transport
from .worker import PushWorker

__all__ = ["Deliverer", "DeliveryError", "InvalidPushBody"]


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
        self._protocols = tuple(policy["protocols"])
        self._retry = RetryPolicy.from_spec(spec)
        self.journal = PushJournal(capacity)
        self._lock = self.journal.lock
        order_field = str(policy.get("orderedBy", "sessionId"))
        self._queue = DueQueue(self.journal, order_field, max_pending, self._dropped)
        self._batches = FillingBatches(spec)
        self._wake = threading.Event()
        self._worker = PushWorker(workers, self._lock, self._wake, self._claim, self._run_claimed)

    @property
    def retry_offsets(self) -> tuple[float, ...]:
        """Seconds after the first failed attempt at which a push is retried (the vendor's schedule)."""
        return self._retry.offsets

    @property
    def max_pending(self) -> int:
        """Pushes one application may have pending; past it the oldest is dropped."""
        return self._queue.max_pending

    # submitting

    def submit(self, app_key: str, webhook: str, url: str, body: dict[str, Any]) -> Push:
        """Queue one push, due now; returns the journal's push (it changes as delivery proceeds)."""
        hook = self._prepare(app_key, webhook, url, body)
        with self._lock:
            push = self._new(app_key, hook.name, url, body)
            self._queue.schedule(push, push.created)
        self._wake.set()
        return push

    def submit_cdr(self, app_key: str, webhook: str, url: str, fee_info: dict[str, Any]) -> Push:
        """Add one CDR to the batch of this second (see the module docstring); returns that push."""
        return self.submit_batched(app_key, webhook, url, fee_info)

    def submit_batched(self, app_key: str, webhook: str, url: str, item: dict[str, Any]) -> Push:
        """Add one record to a batched push: a CDR (`fee*`) or a number state (`numStatus`)."""
        try:
            batching = self._batches.batching_of(self._webhook(webhook))
        except NotBatched as exc:
            raise DeliveryError(str(exc)) from exc
        hook = self._prepare(app_key, webhook, url, batching.body([item]))
        with self._lock:
            now = self._clock.now()
            self._close_batches(now)
            push, full = self._batches.add(
                (app_key, hook.name, url),
                now,
                batching,
                item,
                lambda: self._new(app_key, hook.name, url, batching.body([])),
            )
            if full:
                self._queue.schedule(push, now)
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
        while claimed := self._claim(None):
            for push in claimed:
                self._run_claimed(push)
                sent += 1
        return sent

    def start(self) -> None:
        """Run the worker: due pushes go out without anyone calling `run_due`."""
        self._worker.start()

    @property
    def running(self) -> bool:
        """Whether the worker sends due pushes on its own (else only `run_due` does)."""
        return self._worker.running

    def stop(self) -> None:
        """Stop the worker; waits for the attempts in flight (each at most `timeout`)."""
        self._worker.stop()

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
                idle = self._queue.idle(self._clock.now())
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
            self._queue.clear()
            self._batches.clear()

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

    def _new(self, app_key: str, webhook: str, url: str, body: dict[str, Any]) -> Push:
        push = Push(self.journal.next_id(), app_key, webhook, url, body, created=self._clock.now())
        self.journal.add(push)
        return push

    def _dropped(self, push: Push) -> None:
        """A pending push was dropped (the journal keeps it); a hook for subclasses."""

    def _close_batches(self, now: float, *, everything: bool = False) -> None:
        for push in self._batches.close(now, everything=everything):
            self._queue.schedule(push, now)

    def _claim(self, limit: int | None, retry_limit: int | None = None) -> list[Push]:
        """Close the batches of past seconds, then claim what is due (`DueQueue.claim`)."""
        with self._lock:
            now = self._clock.now()
            if self._batches:
                self._close_batches(now)
            return self._queue.claim(now, limit, retry_limit)

    def _run_claimed(self, push: Push) -> None:
        try:
            self._attempt(push)
        finally:
            with self._lock:
                self._queue.release(push)
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
        push.state, push.next_attempt_at = self._retry.after(push, hook, attempt)
        if push.state == "delivered":
            push.reply = reply
        elif push.next_attempt_at is not None and self.journal.live(push.id) is push:  # not cleared
            self._queue.retry(push, push.next_attempt_at)
