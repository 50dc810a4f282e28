"""`pns.pushes_to(..., auth=...)`: pushes signed the way the customer's receiver verifies them."""

from __future__ import annotations

import pytest

from pns_mock.contract_tests.inbound import PushReplyViolation
from pns_mock.contract_tests.mock import PnsMock
from pns_mock.contract_tests.violations import PnsToolkitError
from tests.mockserver.verifying import VerifyingReceiver


def _receiver(pns: PnsMock, scheme: str, mode: str = "AXB") -> VerifyingReceiver:
    app = pns.app(mode)
    return VerifyingReceiver({app.app_key: (app.app_secret, scheme)})


@pytest.mark.parametrize(("auth", "scheme"), [(None, "AKSK"), ("aksk", "AKSK"), ("wsse", "WSSE")])
def test_a_receiver_verifying_each_scheme_accepts_a_whole_call(
    pns: PnsMock, auth: str | None, scheme: str
) -> None:
    receiver = _receiver(pns, scheme)
    sent = pns.pushes_to(receiver, auth=auth).call("answered")
    assert [d.status for d in sent] == [200] * len(sent) == [200] * 6
    assert {(s.scheme, s.verified) for s in receiver.seen} == {(scheme, True)}


def test_a_receiver_of_the_older_pages_refuses_aksk_pushes(pns: PnsMock) -> None:
    with pytest.raises(PushReplyViolation, match="HTTP 401"):
        pns.pushes_to(_receiver(pns, "WSSE")).call("answered")


def test_tampered_wsse_pushes_are_refused_by_a_verifying_receiver(pns: PnsMock) -> None:
    assert pns.pushes_to(_receiver(pns, "WSSE"), auth="wsse").tampered().status == 401


def test_an_application_with_push_auth_wsse_is_driven_with_wsse(pns: PnsMock) -> None:
    app = pns.add_app("old-receiver", "old-secret", "AXB", push_auth="wsse")
    receiver = VerifyingReceiver({app.app_key: (app.app_secret, "WSSE")})
    pns.pushes_to(receiver, app_key=app.app_key).call("answered")
    assert receiver.seen and all(s.verified for s in receiver.seen)


def test_an_unknown_auth_names_the_choices(pns: PnsMock) -> None:
    with pytest.raises(PnsToolkitError, match="aksk, wsse"):
        pns.pushes_to(_receiver(pns, "AKSK"), auth="hmac")
