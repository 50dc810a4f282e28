"""PnsProvider: every value matches the spec's schema for its field, and a seed fixes the values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from faker import Faker
from faker.generator import Generator

from pns_mock import spec
from pns_mock.contract_tests import providers
from pns_mock.contract_tests.providers import CITY_AREA_CODES, X_PREFIXES, PnsProvider
from pns_mock.mockserver.domain import landline_area_code
from pns_mock.spec.schemas import TIME_FORMATS

SEEDS = range(200)
SCHEMAS = "/components/schemas"

# Provider method and arguments -> the spec schema its values must satisfy (pattern, length, format).
CASES: list[tuple[str, dict[str, Any], str]] = [
    ("pns_mobile", {}, f"{SCHEMAS}/GlobalNumber"),
    ("pns_landline", {}, f"{SCHEMAS}/GlobalNumber"),
    ("pns_landline", {"area_code": "0755"}, f"{SCHEMAS}/GlobalNumber"),
    ("pns_number", {}, f"{SCHEMAS}/GlobalNumber"),
    ("pns_x_number", {}, f"{SCHEMAS}/XNumber"),
    ("pns_x_number", {"area_code": "0755"}, f"{SCHEMAS}/XNumber"),
    ("pns_area_code", {}, f"{SCHEMAS}/AreaCode"),
    ("pns_subscription_id", {}, f"{SCHEMAS}/SubscriptionId"),
    ("pns_session_id", {}, f"{SCHEMAS}/EventCallStatusInfo/properties/sessionId"),
    ("pns_icid", {}, f"{SCHEMAS}/FeeInfo/properties/icid"),
    ("pns_timestamp", {}, f"{SCHEMAS}/PnsDateTime"),
    ("pns_timestamp", {"fmt": "pns-created"}, f"{SCHEMAS}/Created"),
    ("pns_timestamp", {"fmt": "pns-sms-timestamp"}, f"{SCHEMAS}/SmsTimestamp"),
    ("pns_timestamp", {"fmt": "pns-subscribe-time"}, f"{SCHEMAS}/SubscribeTime"),
    ("pns_created", {}, f"{SCHEMAS}/Created"),
    ("pns_nonce", {}, f"{SCHEMAS}/Nonce"),
    ("pns_app_key", {}, f"{SCHEMAS}/FeeInfo/properties/appKey"),
    ("pns_app_key", {}, f"{SCHEMAS}/SmsNotifyAxBody/properties/appKey"),
    ("pns_sp_id", {}, f"{SCHEMAS}/FeeInfo/properties/spId"),
    ("pns_extension", {}, f"{SCHEMAS}/AxeExtendNum"),
    ("pns_extension", {"length": 1}, f"{SCHEMAS}/AxeExtendNum"),
    ("pns_record_object_name", {}, f"{SCHEMAS}/FeeInfo/properties/recordObjectName"),
    ("pns_user_data", {}, f"{SCHEMAS}/UserData"),
    ("pns_user_data", {}, f"{SCHEMAS}/ModifyUserData"),
    ("pns_sms_identifier", {}, f"{SCHEMAS}/SmsEventInfo/properties/smsIdentifier"),
]


@pytest.fixture(scope="module")
def registry() -> spec.SchemaRegistry:
    return spec.SchemaRegistry(spec.load().document)


def provider(seed: int | str) -> PnsProvider:
    generator = Generator()
    generator.seed_instance(seed)
    return PnsProvider(generator)


def call(p: PnsProvider, method: str, kwargs: dict[str, Any]) -> Any:
    return getattr(p, method)(**kwargs)


@pytest.mark.parametrize(
    ("method", "kwargs", "pointer"),
    CASES,
    ids=[f"{m}({', '.join(f'{k}={v}' for k, v in kw.items())})" for m, kw, _ in CASES],
)
def test_values_match_the_spec_schema_of_their_field_over_many_seeds(
    registry: spec.SchemaRegistry, method: str, kwargs: dict[str, Any], pointer: str
) -> None:
    bad = {}
    for seed in SEEDS:
        value = call(provider(seed), method, kwargs)
        if errors := registry.errors(pointer, value):
            bad[seed] = (value, errors)
    assert not bad, f"values breaking {pointer}: {bad}"


def test_every_string_method_is_checked_against_the_spec() -> None:
    methods = {name for name in dir(PnsProvider) if name.startswith("pns_")}
    assert methods - {c[0] for c in CASES} == {"pns_moment"}


def test_moments_are_utc_seconds_in_the_past() -> None:
    for seed in SEEDS:
        moment = provider(seed).pns_moment()
        assert moment.tzinfo is UTC and moment.microsecond == 0
        assert datetime(2019, 1, 1, tzinfo=UTC) <= moment < datetime(2026, 1, 1, tzinfo=UTC)


def test_public_names_are_pinned() -> None:
    assert providers.__all__ == ["CITY_AREA_CODES", "MOBILE_PREFIXES", "X_PREFIXES", "PnsProvider"]


def test_provider_registers_the_usual_way_and_faker_seeds_it() -> None:
    fake = Faker()
    fake.add_provider(PnsProvider)
    fake.seed_instance(7)
    first = [
        fake.pns_mobile(),
        fake.pns_x_number(area_code="0755"),
        fake.pns_area_code(),
        fake.pns_session_id(),
    ]
    fake.seed_instance(7)
    again = [
        fake.pns_mobile(),
        fake.pns_x_number(area_code="0755"),
        fake.pns_area_code(),
        fake.pns_session_id(),
    ]
    assert first == again


def test_same_seed_gives_the_same_values_and_another_seed_others() -> None:
    def values(seed: int) -> list[Any]:
        p = provider(seed)
        return [call(p, method, kwargs) for method, kwargs, _ in CASES]

    assert values(1) == values(1)
    assert values(1) != values(2)


def test_x_numbers_come_from_the_virtual_operator_ranges_and_mobiles_never_do() -> None:
    for seed in SEEDS:
        p = provider(seed)
        assert p.pns_x_number()[3:6] in X_PREFIXES
        assert p.pns_mobile()[3:6] not in X_PREFIXES


def test_a_landline_carries_its_area_code_without_the_leading_zero() -> None:
    for code in CITY_AREA_CODES:
        for seed in range(20):
            number = provider(seed).pns_landline(area_code=code)
            assert landline_area_code(number) == code, number


def test_area_code_without_its_leading_zero_is_refused_with_the_fix() -> None:
    with pytest.raises(ValueError, match=r"leading 0.*'0755'"):
        provider(1).pns_landline(area_code="755")
    with pytest.raises(ValueError, match="leading 0"):
        provider(1).pns_x_number(area_code="755")


def test_unknown_time_format_and_extension_length_are_refused() -> None:
    with pytest.raises(ValueError, match="pns-datetime"):
        provider(1).pns_timestamp("iso")
    with pytest.raises(ValueError, match="1 to 4 digits"):
        provider(1).pns_extension(5)


@pytest.mark.parametrize(
    ("fmt", "schema"),
    [
        ("pns-created", "Created"),
        ("pns-datetime", "PnsDateTime"),
        ("pns-sms-timestamp", "SmsTimestamp"),
        ("pns-subscribe-time", "SubscribeTime"),
    ],
)
def test_a_given_moment_is_written_like_the_spec_example(fmt: str, schema: str) -> None:
    example = spec.load().document["components"]["schemas"][schema]["examples"][0]
    moment = datetime.strptime(example, TIME_FORMATS[fmt]).replace(tzinfo=UTC)
    assert provider(1).pns_timestamp(fmt, moment) == example


def test_session_id_carries_the_second_the_call_came_in() -> None:
    at = datetime(2019, 1, 23, 9, 15, 14, tzinfo=UTC)
    session = provider(1).pns_session_id(at=at)
    assert session.startswith("1200_") and "_4294967295_20190123091514@callenabler" in session
    assert session.endswith(".huaweicaas.com")


def test_a_beijing_time_is_written_in_utc_and_a_naive_time_taken_as_utc() -> None:
    beijing = datetime(2019, 1, 24, 10, 30, 22, tzinfo=timezone(timedelta(hours=8)))
    assert provider(1).pns_timestamp("pns-datetime", beijing) == "2019-01-24 02:30:22"
    assert (
        provider(1).pns_timestamp("pns-datetime", datetime(2019, 1, 24, 2, 30, 22)) == "2019-01-24 02:30:22"
    )
    assert "_20190124023022@" in provider(1).pns_session_id(at=beijing)
