"""The example's tests, run by Django's own runner: `python manage.py test`.

pns-mock without pytest: `PnsMockMixin` gives every test `self.pns`, a fresh in-process platform
that answers the vendor's host; `pns_mock` is the same as a decorator or a `with` block. A request
that breaks the PNS spec fails the test with a `ContractViolation`.
"""

from __future__ import annotations

import unittest

from django.core.wsgi import get_wsgi_application
from django.test import TestCase

from pns_mock.contract_tests import ContractViolation, PnsMockMixin, pns_mock

from .models import CallEvent, CallRecord
from .privacy import NoPrivateNumber, bind_ride, end_ride


class BindingServiceTests(PnsMockMixin, TestCase):
    def test_a_ride_gets_a_private_number_of_the_application(self) -> None:
        subscription_id, number = bind_ride("+8613800000001", "+8613900000002")
        self.assertIn(number, self.pns.app("AXB").numbers)
        self.assertEqual(len(self.pns.bindings()), 1)
        end_ride(subscription_id)
        self.assertEqual(self.pns.bindings(), [])

    def test_no_number_left_is_an_error_the_caller_can_handle(self) -> None:
        self.pns.inject("createAxbBinding", "1012008")
        with self.assertRaises(NoPrivateNumber) as refused:
            bind_ride("+8613800000001", "+8613900000002")
        self.assertEqual(refused.exception.code, "1012008")

    def test_the_binding_ends_with_its_duration_on_the_virtual_clock(self) -> None:
        bind_ride("+8613800000001", "+8613900000002", minutes=30)
        self.pns.advance(30 * 60)
        self.assertEqual(self.pns.bindings(), [])


class PushReceiverTests(PnsMockMixin, TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.platform = self.pns.pushes_to(get_wsgi_application(), status="/pns/status", fee="/pns/fee")

    def test_a_whole_call_is_stored_in_order_with_its_record(self) -> None:
        self.platform.call("answered")
        kinds = list(CallEvent.objects.order_by("id").values_list("event_type", flat=True))
        self.assertEqual(kinds, ["callin", "callout", "alerting", "answer", "disconnect"])
        self.assertEqual(CallRecord.objects.count(), 1)

    def test_a_retried_record_is_stored_once(self) -> None:
        self.platform.duplicate_cdr()
        self.assertEqual(CallRecord.objects.count(), 1)

    def test_a_forged_signature_is_refused(self) -> None:
        self.assertEqual(self.platform.tampered().status, 401)
        self.assertEqual(CallEvent.objects.count(), 0)


class WithoutTheMixinTests(unittest.TestCase):
    @pns_mock()
    def test_as_a_decorator_the_platform_comes_last(self, pns) -> None:  # type: ignore[no-untyped-def]
        bind_ride("+8613800000001", "+8613900000002")
        self.assertEqual(pns.calls("createAxbBinding"), 1)

    def test_a_number_without_country_code_is_a_contract_violation(self) -> None:
        with self.assertRaises(ContractViolation) as failed, pns_mock():
            bind_ride("13800000001", "+8613900000002")
        self.assertEqual(failed.exception.field, "callerNum")
