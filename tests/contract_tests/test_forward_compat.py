"""Forward compatibility: receivers must take fields and event types a later platform adds."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from pns_mock import spec
from pns_mock.contract_tests.inbound import PushReplyViolation
from pns_mock.contract_tests.mock import PnsMock
from pns_mock.spec.fielddoc import properties as _properties

from .test_inbound import Answer, asgi_app, empty_ok

S = spec.load()
FORWARD = S.delivery["forwardCompatibility"]
KNOWN_EVENTS = ("callin", "callout", "alerting", "answer", "disconnect", "collectInfo", "fee")


def strict_fields(known: set[str]) -> Answer:
    """A receiver that maps each body onto a fixed record type: unknown keys crash it (500)."""

    def answer(path: str, body: dict[str, Any]) -> tuple[int, bytes]:
        status_info = body.get("statusInfo", {})
        return (500, b"") if set(status_info) - known else (200, b"")

    return answer


def strict_events(path: str, body: dict[str, Any]) -> tuple[int, bytes]:
    """A receiver that dispatches on eventType through a table of the types it knows."""
    handlers = {name: (200, b"") for name in KNOWN_EVENTS}
    return handlers.get(body["eventType"], (500, b""))


def nested_objects(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from nested_objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from nested_objects(item)


def test_future_pushes_carry_the_extra_fields_at_every_level(pns: PnsMock) -> None:
    seen: list[tuple[str, dict[str, Any]]] = []
    pns.pushes_to(asgi_app(empty_ok, seen), future=True).call("answered")
    assert seen
    extra = FORWARD["extraFields"]
    for _, body in seen:
        for found in nested_objects(body):
            if found != extra["futureObject"]:
                assert set(extra) <= set(found), found
    fee = next(body for _, body in seen if body["eventType"] == "fee")
    assert fee["feeLst"] and all(record["futureNumber"] == extra["futureNumber"] for record in fee["feeLst"])


def test_a_receiver_that_crashes_on_unknown_fields_gets_a_violation_that_says_why(pns: PnsMock) -> None:
    hook = S.webhooks["callEventAxb"]
    status_info = _properties(S, S.resolve(hook.body_schema_pointer))["statusInfo"]
    known = set(_properties(S, status_info))
    pns.pushes_to(asgi_app(strict_fields(known), [])).call("answered")  # today's pushes pass
    with pytest.raises(PushReplyViolation) as crashed:
        pns.pushes_to(asgi_app(strict_fields(known), []), future=True).call("answered")
    message = str(crashed.value)
    assert "fields the spec does not document yet: " + ", ".join(FORWARD["extraFields"]) in message
    assert "ignore what it does not know" in message


def test_an_unknown_event_type_is_sent_as_a_notify_push(pns: PnsMock) -> None:
    seen: list[tuple[str, dict[str, Any]]] = []
    delivered = pns.pushes_to(asgi_app(empty_ok, seen), status="/events").unknown_event()
    assert (delivered.status, delivered.error) == (200, None)
    ((path, body),) = seen
    assert path == "/events"
    assert body["eventType"] == FORWARD["unknownEventType"]
    assert body["statusInfo"]["sessionId"]


def test_a_receiver_that_crashes_on_an_unknown_event_type_gets_a_clear_violation(pns: PnsMock) -> None:
    platform = pns.pushes_to(asgi_app(strict_events, []))
    platform.call("answered")
    with pytest.raises(PushReplyViolation) as crashed:
        platform.unknown_event()
    assert f"an eventType the spec does not know ({FORWARD['unknownEventType']!r})" in str(crashed.value)


def test_the_future_names_are_unknown_to_the_spec_itself() -> None:
    document = spec.load().document
    properties: set[str] = set()
    enums: set[Any] = set()
    for node in nested_objects(document):
        if isinstance(node.get("properties"), dict):
            properties |= set(node["properties"])
        if isinstance(node.get("enum"), list):
            enums |= {json.dumps(v) for v in node["enum"]}
    assert not set(FORWARD["extraFields"]) & properties
    assert json.dumps(FORWARD["unknownEventType"]) not in enums
