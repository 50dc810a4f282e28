"""Drive the customer's push handlers: signed, spec-valid pushes, and checks of what they answer.

`pns.pushes_to(app_or_url, ...)` returns a `PushDriver`. It sends whole simulated calls (the
events, then the CDR, made by the mock's own call simulator), single pushes, duplicated CDRs (the
platform retries) and pushes with a tampered signature, and checks each reply: 200 with an empty
body for Notify pushes, 200 with a spec-valid JSON decision for Block pushes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from faker import Generator

from pns_mock import spec
from pns_mock.mockserver.config import Settings
from pns_mock.mockserver.pushes import TARGETS, Sender

from .apptransport import transport_for
from .flows import CallFlow, call_flow
from .providers import PnsProvider

SUCCESS_NOTE = "Notify pushes are answered with HTTP 200 and an empty body"


class PushReplyViolation(AssertionError):
    """The customer's handler answered a push in a way the platform does not accept."""


@dataclass(frozen=True)
class Delivered:
    webhook: str
    url: str
    body: dict[str, Any]
    status: int | None
    reply_body: str
    reply: Any  # the parsed decision of a Block push
    error: str | None  # why the platform would count this push as failed
    tampered: bool = False
    departure: str = ""  # how the push departs from today's spec on purpose (future fields, event)


class PushDriver:
    def __init__(
        self,
        target: Any,
        *,
        app_key: str,
        app_secret: str,
        mode: str,
        x_numbers: tuple[str, ...],
        paths: Mapping[str, str],
        base_url: str = "http://customer.local",
        check_replies: bool = True,
        seed: int = 0,
        on_push: Callable[[str], None] | None = None,
        timeout: float = Settings.push_timeout_seconds,
        future: bool = False,
        scheme: str = "AKSK",
    ) -> None:
        self._spec = spec.load()
        self._schemas = spec.SchemaRegistry(self._spec.document)
        self.app_key, self._secret, self.mode = app_key, app_secret, mode
        self._numbers = x_numbers
        self._base = target if isinstance(target, str) else base_url
        self._paths = dict(paths)
        self._check = check_replies
        self._on_push = on_push
        self.scheme = scheme  # "AKSK" or "WSSE": how every push is signed
        transport = transport_for(target)
        self._sender = self._make_sender(transport, lambda key: app_secret, timeout)
        self._forger = self._make_sender(transport, lambda key: app_secret + "-tampered", timeout)
        generator = Generator()
        generator.seed_instance(seed)
        self._fake = PnsProvider(generator)
        self.sent: list[Delivered] = []
        self._future = future
        self._forward = self._spec.delivery["forwardCompatibility"]

    def _make_sender(self, transport: Any, secret_of: Callable[[str], str | None], timeout: float) -> Sender:
        import time

        return Sender(
            self._spec,
            self._schemas,
            secret_of,
            timeout=timeout,
            transport=transport,
            scheme=self.scheme,
            wall_clock=time.time,
        )

    def url_for(self, webhook: str) -> str:
        key = next(key for prefix, key in TARGETS if webhook.startswith(prefix))
        path = self._paths.get(key) or (self._paths.get("status") if key == "number_status" else None)
        if path is None:
            raise KeyError(f"no path for {key!r} pushes: pass {key}='/your/path' to pns.pushes_to(...)")
        return path if path.startswith("http") else self._base.rstrip("/") + path

    # single pushes

    def send(self, webhook: str, body: dict[str, Any], *, tampered: bool = False) -> Delivered:
        """Send one push (checked against the spec first) and check the reply.

        With `pushes_to(..., future=True)` the push also carries the fields a later platform
        version may add (`x-pns-delivery.forwardCompatibility.extraFields`).
        """
        hook = self._spec.webhooks[webhook]
        problems = self._schemas.errors(hook.body_schema_pointer, body)
        if problems:
            raise ValueError(f"not a valid {webhook} body: {problems}")
        departure = ""
        if self._future:
            body = with_extra_fields(body, self._forward["extraFields"])
            departure = "fields the spec does not document yet: " + ", ".join(self._forward["extraFields"])
        return self._deliver(webhook, body, tampered=tampered, departure=departure)

    def unknown_event(self) -> Delivered:
        """A call event of a type the spec does not know (a later platform version may add one).

        Your handler should answer it like any Notify push: HTTP 200, an empty body.
        """
        event = next(
            p for p in self.flow().events if self._spec.webhooks[p.webhook].reply_schema_pointer is None
        )
        body = {**json.loads(json.dumps(event.body)), "eventType": self._forward["unknownEventType"]}
        if self._future:
            body = with_extra_fields(body, self._forward["extraFields"])
        departure = f"an eventType the spec does not know ({body['eventType']!r})"
        return self._deliver(event.webhook, body, tampered=False, departure=departure)

    def _deliver(self, webhook: str, body: dict[str, Any], *, tampered: bool, departure: str) -> Delivered:
        hook = self._spec.webhooks[webhook]
        url = self.url_for(webhook)
        sender = self._forger if tampered else self._sender
        attempt, reply = sender.attempt(self.app_key, hook, url, body, number=1, due=0.0, now=0.0)
        delivered = Delivered(
            webhook,
            url,
            body,
            attempt.status,
            attempt.response_body,
            reply,
            attempt.error,
            tampered,
            departure,
        )
        self.sent.append(delivered)
        if self._on_push:
            self._on_push(webhook)
        if self._check and not tampered:
            self._verify(hook.reply_schema_pointer is None, delivered)
        return delivered

    def _verify(self, notify: bool, delivered: Delivered) -> None:
        if delivered.error:
            raise PushReplyViolation(
                f"{delivered.webhook} push to {delivered.url}: the platform would count it as failed "
                f"and retry it: {delivered.error}" + _forward_note(delivered)
            )
        if notify and delivered.reply_body.strip():
            raise PushReplyViolation(
                f"{delivered.webhook} push to {delivered.url}: {SUCCESS_NOTE}; the handler answered "
                f"{delivered.reply_body[:200]!r}" + _forward_note(delivered)
            )

    def example(self, webhook: str, name: str | None = None) -> dict[str, Any]:
        """A body of the spec's examples for `webhook`, addressed to this application."""
        content = self._spec.webhooks[webhook].raw["requestBody"]["content"]["application/json"]
        examples = content["examples"]
        chosen = examples[name] if name else next(iter(examples.values()))
        body: dict[str, Any] = json.loads(json.dumps(chosen["value"]))
        if "appKey" in body:
            body["appKey"] = self.app_key
        for record in body.get("feeLst", ()):
            record["appKey"] = self.app_key
        return body

    # whole calls

    def flow(self, outcome: str = "answered") -> CallFlow:
        return call_flow(
            self._fake,
            self.mode,
            outcome,
            app_key=self.app_key,
            x_number=self._numbers[0] if self._numbers else None,
            y_number=self._numbers[-1] if self._numbers else None,
        )

    def call(self, outcome: str = "answered") -> list[Delivered]:
        """One simulated call of this application's mode: its events in order, then its CDR."""
        flow = self.flow(outcome)
        return [self.send(push.webhook, push.body) for push in flow.pushes()]

    def duplicate_cdr(self, outcome: str = "answered") -> list[Delivered]:
        """The CDR of a call sent twice, as the platform does when it retries."""
        cdr = self.flow(outcome).cdr
        return [self.send(cdr.webhook, cdr.body), self.send(cdr.webhook, cdr.body)]

    def tampered(self, webhook: str | None = None, body: dict[str, Any] | None = None) -> Delivered:
        """A push whose signature does not match the application's secret. Your handler should refuse it."""
        if webhook is None:
            push = self.flow().events[0]
            webhook, body = push.webhook, push.body
        return self.send(webhook, body if body is not None else self.example(webhook), tampered=True)


def _forward_note(delivered: Delivered) -> str:
    if not delivered.departure:
        return ""
    return (
        f". This push carried {delivered.departure}: the platform adds fields and event types over "
        "time, so a receiver must ignore what it does not know and answer as usual "
        "(see x-pns-delivery.forwardCompatibility in the spec)"
    )


def with_extra_fields(body: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of `body` with `extra` added at the top level and to every nested object."""

    def add(value: Any) -> Any:
        if isinstance(value, dict):
            return {**{k: add(v) for k, v in value.items()}, **json.loads(json.dumps(dict(extra)))}
        if isinstance(value, list):
            return [add(item) for item in value]
        return value

    result: dict[str, Any] = add(body)
    return result
