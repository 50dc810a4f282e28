"""The binding service against the PNS contract (the `pns` fixture answers in-process)."""

from __future__ import annotations

import pytest

from ..privacy_numbers import BindingFailed, PrivacyNumbers

RIDER, DRIVER = "+8613800000001", "+8613900000002"


@pytest.fixture
def numbers(pns):
    app = pns.app("AXB")
    return PrivacyNumbers(pns.base_url, app.app_key, app.app_secret)


def test_a_ride_gets_a_number_of_its_city(pns, numbers) -> None:
    ride = numbers.bind_ride(RIDER, DRIVER, "0755")
    assert ride.private_number in pns.app("AXB").numbers
    assert pns.bindings()[0]["caller_num"] == RIDER


def test_no_number_left_in_the_city_falls_back_to_any_city(pns, numbers) -> None:
    pns.inject("createAxbBinding", "1012008")
    ride = numbers.bind_ride(RIDER, DRIVER, "0755")
    assert ride.subscription_id
    assert pns.calls("createAxbBinding") == 2


def test_the_ride_binding_expires_with_the_ride(pns, numbers) -> None:
    ride = numbers.bind_ride(RIDER, DRIVER, "0755", minutes=30)
    pns.advance(30 * 60)
    assert pns.bindings() == []
    numbers.release(ride)  # releasing an expired binding is not an error


def test_a_platform_refusal_is_raised(pns, numbers) -> None:
    pns.inject("createAxbBinding", "1010029")
    with pytest.raises(BindingFailed) as info:
        numbers.bind_ride(RIDER, DRIVER, "0755")
    assert info.value.code == "1010029"
