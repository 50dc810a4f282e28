"""When a failed push is tried again, from the spec's `x-pns-delivery`: the vendor's schedule.

Retries follow `retryScheduleMinutes` (at most `maxRetries` of them), counted from the first
failed attempt as its `retryScheduleNote` says; a webhook in `notRetried` (or marked
`x-pns-retried: false`) fails for good after one attempt. SMS pushes use the same schedule
(their interval is unpublished).
"""

from __future__ import annotations

from dataclasses import dataclass

from pns_mock.spec import Spec, Webhook

from .journal import Attempt, Push


@dataclass(frozen=True)
class RetryPolicy:
    offsets: tuple[float, ...]  # seconds after the first failed attempt, one per retry
    not_retried: frozenset[str]  # webhooks that fail for good after one attempt

    @classmethod
    def from_spec(cls, spec: Spec) -> RetryPolicy:
        policy = spec.delivery
        return cls(
            tuple(60.0 * m for m in policy["retryScheduleMinutes"][: policy["maxRetries"]]),
            frozenset(policy.get("notRetried", ())),
        )

    def retried(self, hook: Webhook) -> bool:
        return hook.name not in self.not_retried and bool(hook.raw.get("x-pns-retried", True))

    def after(self, push: Push, hook: Webhook, attempt: Attempt) -> tuple[str, float | None]:
        """The state of `push` after `attempt` (its latest), and when it is tried next (None: never)."""
        if attempt.error is None:
            return "delivered", None
        if not self.retried(hook):
            return "failed", None
        if attempt.number > len(self.offsets):
            return "given-up", None
        # counted from the first failed attempt (x-pns-delivery.retryScheduleNote)
        return "pending", push.attempts[0].platform_time + self.offsets[attempt.number - 1]
