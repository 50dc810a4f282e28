"""Push failures as violations: a push the customer's receiver did not take on its first attempt.

The platform retries such a push for hours; in a test the retries only show in the push journal.
So at the end of a test each one fails it, with every attempt, what the receiver answered and
when the platform would try again, unless the test expects them (`fail_on_push_failures=False`).
"""

from __future__ import annotations

from collections.abc import Sequence

from pns_mock.mockserver.pushes import Push
from pns_mock.spec import Spec

from .violations import ContractViolation

OPT_OUT = "@pytest.mark.pns(fail_on_push_failures=False)"


class PushViolation(ContractViolation):
    """A push the customer's receiver did not accept on its first attempt."""

    def __init__(self, push: Push, *, expected: str, schedule: str) -> None:
        first = push.attempts[0].platform_time
        event = push.body.get("eventType") if isinstance(push.body, dict) else None
        what = f"{push.webhook} (push #{push.id}{f', {event}' if event else ''})"
        lines = [f"PNS push not delivered on its first attempt: {what} to {push.url}"]
        for attempt in push.attempts:
            when = attempt.platform_time - first
            status = "no answer" if attempt.status is None else f"HTTP {attempt.status}"
            lines.append(
                f"  attempt {attempt.number} at +{when:.0f}s: {status} after {attempt.latency_ms:.0f} ms: "
                f"{attempt.error or _delivered(push, attempt.response_body)}"
            )
            if attempt.response_body.strip():
                lines.append(f"    answered: {attempt.response_body[:200]!r}")
        if push.state == "pending" and push.next_attempt_at is not None:
            lines.append(
                f"  state:    pending, next attempt at +{push.next_attempt_at - first:.0f}s virtual time"
            )
        else:
            lines.append(f"  state:    {push.state}")
        lines += [
            f"  retries:  {schedule}",
            f"  expected: {expected}",
            f"  (to accept this in one test: {OPT_OUT})",
        ]
        self.push = push
        self.operation = push.webhook
        self.field = None
        self.sent = push.body
        self.expected = expected
        self.example = None
        AssertionError.__init__(self, "\n".join(lines))


def _delivered(push: Push, body: str) -> str:
    if body.strip() and push.reply is None:
        return "delivered, but a Notify push is answered with an empty body (the handler sent one)"
    return "delivered"


def push_violations(
    spec: Spec, pushes: Sequence[Push], retry_offsets: Sequence[float], timeout: float
) -> list[ContractViolation]:
    """One violation per push whose first attempt failed."""
    minutes = ", ".join(f"+{offset / 60:g}" for offset in retry_offsets)
    found: list[ContractViolation] = []
    for push in pushes:
        if not push.attempts:
            continue
        hook = spec.webhooks[push.webhook]
        first = push.attempts[0]
        if first.error is None and (hook.reply_schema_pointer or not first.response_body.strip()):
            continue
        retried = hook.name not in spec.delivery.get("notRetried", ()) and hook.raw.get("x-pns-retried", True)
        schedule = (
            f"the platform retries at {minutes} minutes after the first failure"
            if retried
            else f"none: a failed {hook.name} push is not retried (the call goes on without it)"
        )
        answer = (
            f"a JSON decision matching {hook.reply_schema_pointer}"
            if hook.reply_schema_pointer
            else "an empty body"
        )
        expected = f"HTTP 200 with {answer}, within push_timeout_seconds ({timeout:g} s)"
        found.append(PushViolation(push, expected=expected, schedule=schedule))
    return found
