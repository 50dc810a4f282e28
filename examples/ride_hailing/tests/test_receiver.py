"""The push receiver against the platform's pushes (sent in-process to the Flask app)."""

from __future__ import annotations

import pytest

from ..receiver import create_app


@pytest.fixture
def receiver(pns):
    return create_app(pns.app("AXB").app_secret)


@pytest.fixture
def platform(pns, receiver):
    return pns.pushes_to(receiver, mode="AXB", status="/pns/status", fee="/pns/fee")


def test_a_whole_call_is_recorded_in_order(receiver, platform) -> None:
    platform.call("answered")
    kinds = [event["eventType"] for event in receiver.config["events"]]
    assert kinds == ["callin", "callout", "alerting", "answer", "disconnect"]
    assert len(receiver.config["cdrs"]) == 1


@pytest.mark.parametrize("outcome", ["busy", "no-answer", "rejected", "no-binding"])
def test_failed_calls_are_recorded_too(receiver, platform, outcome) -> None:
    platform.call(outcome)
    assert receiver.config["events"][-1]["eventType"] == "disconnect"


def test_a_retried_cdr_is_stored_once(receiver, platform) -> None:
    platform.duplicate_cdr()
    assert len(receiver.config["cdrs"]) == 1


def test_a_forged_signature_is_refused(receiver, platform) -> None:
    sent = platform.tampered()
    assert sent.status == 401
    assert receiver.config["events"] == []
