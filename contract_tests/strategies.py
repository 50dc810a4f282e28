"""Hypothesis strategies for PNS values and payloads, built on `PnsProvider` (needs the `faker` extra).

    from hypothesis import given
    from pns_mock.contract_tests import strategies as pns

    @given(pns.axb_bind_requests())
    def test_my_client_builds_valid_binds(body): ...

Each draw seeds a fresh provider with an integer Hypothesis chose, so a failure replays from
Hypothesis' database or `@seed` like any other; shrinking moves the seed, not the value's shape.
Enums and ranges of request fields are read from the spec.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from faker.generator import Generator
from hypothesis import strategies as st

from pns_mock import spec
from pns_mock.spec.schemas import TIME_FORMATS

from .flows import OUTCOMES, CallFlow, call_flow, outcomes
from .providers import PnsProvider

__all__ = [
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

T = TypeVar("T")


def _provider(seed: int) -> PnsProvider:
    generator = Generator()
    generator.random = random.Random(seed)
    return PnsProvider(generator)


def providers() -> st.SearchStrategy[PnsProvider]:
    """A `PnsProvider` seeded by Hypothesis: one drawn integer per provider keeps examples small."""
    return st.integers(min_value=0, max_value=2**64 - 1).map(_provider)


def _values(make: Callable[[PnsProvider], T]) -> st.SearchStrategy[T]:
    return providers().map(make)


def mobiles() -> st.SearchStrategy[str]:
    return _values(lambda p: p.pns_mobile())


def landlines(area_code: str | None = None) -> st.SearchStrategy[str]:
    return _values(lambda p: p.pns_landline(area_code))


def numbers() -> st.SearchStrategy[str]:
    """Real user numbers: mobiles and landlines."""
    return _values(lambda p: p.pns_number())


def x_numbers(area_code: str | None = None) -> st.SearchStrategy[str]:
    return _values(lambda p: p.pns_x_number(area_code))


def area_codes() -> st.SearchStrategy[str]:
    return _values(lambda p: p.pns_area_code())


def subscription_ids() -> st.SearchStrategy[str]:
    return _values(lambda p: p.pns_subscription_id())


def session_ids() -> st.SearchStrategy[str]:
    return _values(lambda p: p.pns_session_id())


def timestamps(fmt: str = "pns-datetime") -> st.SearchStrategy[str]:
    """Times in one of the spec's `pns-*` formats."""
    if fmt not in TIME_FORMATS:
        raise ValueError(f"unknown PNS time format {fmt!r}; use one of {sorted(TIME_FORMATS)}")
    return _values(lambda p: p.pns_timestamp(fmt))


def _schema(name: str) -> Mapping[str, Any]:
    schema: Mapping[str, Any] = spec.load().document["components"]["schemas"][name]
    return schema


def _enum(name: str) -> st.SearchStrategy[Any]:
    return st.sampled_from(_schema(name)["enum"])


def _range(name: str) -> st.SearchStrategy[int]:
    schema = _schema(name)
    return st.integers(schema["minimum"], schema["maximum"])


def _record_flags() -> st.SearchStrategy[Any]:
    """Every form `recordFlag` takes in a request: the enum strings or a JSON boolean."""
    forms = _schema("RecordFlag")["oneOf"]
    return st.one_of(*(st.sampled_from(f["enum"]) if "enum" in f else st.booleans() for f in forms))


def axb_bind_requests() -> st.SearchStrategy[dict[str, Any]]:
    """Bodies of `createAxbBinding` that the spec accepts (a platform may still refuse them)."""

    def parties(p: PnsProvider) -> dict[str, str]:
        caller = p.pns_number()
        callee = p.pns_number()
        while callee == caller:
            callee = p.pns_number()
        return {"callerNum": caller, "calleeNum": callee}

    audio = st.sampled_from(_schema("AudioFile")["examples"])
    optional = st.fixed_dictionaries(
        {},
        optional={
            "relationNum": x_numbers(),
            "areaCode": area_codes(),
            "areaMatchMode": _enum("AreaMatchMode"),
            "callDirection": _enum("CallDirection"),
            "duration": _range("AxbDuration"),
            "maxDuration": _range("MaxDuration"),
            "recordFlag": _record_flags(),
            "recordHintTone": audio,
            "lastMinVoice": audio,
            "privateSms": _enum("PrivateSms"),
            "userData": _values(lambda p: p.pns_user_data()),
        },
    )
    return st.tuples(_values(parties), optional).map(lambda pair: {**pair[0], **pair[1]})


def call_flows(mode: str, outcome: str | None = None) -> st.SearchStrategy[CallFlow]:
    """Whole calls of an application of `mode`; any of its outcomes unless one is named."""
    if mode not in OUTCOMES:
        raise ValueError(f"unknown mode {mode!r}; use one of {sorted(OUTCOMES)}")
    names = st.just(outcome) if outcome else st.sampled_from(outcomes(mode))
    return st.tuples(providers(), names).map(lambda pair: call_flow(pair[0], mode, pair[1]))


def call_event_bodies(mode: str) -> st.SearchStrategy[dict[str, Any]]:
    """Single call-event bodies of `mode` (X mode: the Notify events, not the Block callin)."""
    return call_flows(mode).flatmap(
        lambda flow: st.sampled_from([e.body for e in flow.events if e.reply is None])
    )
