"""Hypothesis strategies: what they draw is spec-valid, and whole flows are consistent calls."""

from __future__ import annotations

from typing import Any

import pytest
from faker.generator import Generator
from hypothesis import given, settings
from hypothesis import strategies as st

from pns_mock import spec
from pns_mock.contract_tests import strategies as pns
from pns_mock.contract_tests.flows import OUTCOMES, CallFlow, call_flow, webhook_for
from pns_mock.contract_tests.providers import PnsProvider

from .test_fixtures import flow_problems

S = spec.load()
REGISTRY = spec.SchemaRegistry(S.document)
# No example database: the suite leaves nothing behind in the checkout.
FEW = settings(max_examples=25, deadline=None, database=None)


def valid(pointer: str | None, value: Any) -> None:
    assert pointer is not None
    problems = REGISTRY.errors(pointer, value)
    assert not problems, f"{value!r}: {problems}"


@FEW
@given(
    mobile=pns.mobiles(),
    landline=pns.landlines(),
    number=pns.numbers(),
    x=pns.x_numbers(area_code="010"),
    area=pns.area_codes(),
    subscription=pns.subscription_ids(),
    session=pns.session_ids(),
)
def test_value_strategies_draw_values_of_the_spec_patterns(
    mobile: str, landline: str, number: str, x: str, area: str, subscription: str, session: str
) -> None:
    for value in (mobile, landline, number):
        valid("/components/schemas/GlobalNumber", value)
    valid("/components/schemas/XNumber", x)
    valid("/components/schemas/AreaCode", area)
    valid("/components/schemas/SubscriptionId", subscription)
    valid("/components/schemas/EventCallStatusInfo/properties/sessionId", session)


@pytest.mark.parametrize(
    ("fmt", "schema"),
    [("pns-created", "Created"), ("pns-datetime", "PnsDateTime"), ("pns-sms-timestamp", "SmsTimestamp")],
)
def test_timestamps_follow_the_named_format(fmt: str, schema: str) -> None:
    @FEW
    @given(pns.timestamps(fmt))
    def check(value: str) -> None:
        valid(f"/components/schemas/{schema}", value)

    check()


def test_unknown_names_are_refused_when_the_strategy_is_built() -> None:
    with pytest.raises(ValueError, match="pns-created"):
        pns.timestamps("iso")
    with pytest.raises(ValueError, match="AXB"):
        pns.call_flows("AB")


@settings(max_examples=100, deadline=None, database=None)
@given(pns.axb_bind_requests())
def test_axb_bind_requests_are_valid_create_bodies_with_two_parties(body: dict[str, Any]) -> None:
    valid(S.operations["createAxbBinding"].request_schema_pointer, body)
    assert body["callerNum"] != body["calleeNum"]


@pytest.mark.parametrize("mode", list(OUTCOMES))
def test_call_flows_are_valid_and_consistent_calls(mode: str) -> None:
    @FEW
    @given(pns.call_flows(mode))
    def check(flow: CallFlow) -> None:
        for push in flow.pushes():
            hook = S.webhooks[push.webhook]
            valid(hook.body_schema_pointer, push.body)
            if push.reply is not None:
                valid(hook.reply_schema_pointer, push.reply)
        assert flow_problems(flow.to_json()) == []

    check()


@pytest.mark.parametrize("mode", list(OUTCOMES))
def test_call_event_bodies_are_events_of_the_mode(mode: str) -> None:
    pointer = S.webhooks[webhook_for(mode, "callEvent")].body_schema_pointer

    @FEW
    @given(pns.call_event_bodies(mode))
    def check(body: dict[str, Any]) -> None:
        valid(pointer, body)

    check()


@given(st.data())
@FEW
def test_the_same_provider_seed_gives_the_same_flow(data: st.DataObject) -> None:
    seed = data.draw(st.integers(0, 2**32))
    mode = data.draw(st.sampled_from(list(OUTCOMES)))

    def flow() -> dict[str, Any]:
        generator = Generator()
        generator.seed_instance(seed)
        return call_flow(PnsProvider(generator), mode, "answered").to_json()

    assert flow() == flow()


def test_public_names_are_pinned() -> None:
    assert pns.__all__ == [
        "area_codes",
        "axb_bind_requests",
        "call_event_bodies",
        "call_flows",
        "landlines",
        "mobiles",
        "numbers",
        "providers",
        "session_ids",
        "subscription_ids",
        "timestamps",
        "x_numbers",
    ]


def test_unknown_outcome_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match="no-binding"):
        call_flow(PnsProvider(None), "AXB", "hung-up")
