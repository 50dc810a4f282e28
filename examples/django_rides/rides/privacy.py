"""Binding service: rider and driver of one ride talk through a private number (AXB)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import uuid

import requests
from django.conf import settings

AXB_PATH = "/rest/caas/relationnumber/partners/v1.0"


class NoPrivateNumber(Exception):
    """The platform refused the binding; `code` is its resultcode."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(f"{code}: {text}")
        self.code = code


def signed_headers(app_key: str, app_secret: str) -> dict[str, str]:
    """AKSK: Base64(HMAC-SHA256(app secret, Nonce + Created)), Created in UTC."""
    nonce = uuid.uuid4().hex
    created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    mac = hmac.new(app_secret.encode(), (nonce + created).encode(), hashlib.sha256).digest()
    return {
        "Content-Type": "application/json;charset=UTF-8",
        "Authorization": 'AKSK realm="SDP",profile="UsernameToken",type="Appkey"',
        "X-AKSK": f'UsernameToken Username="{app_key}",PasswordDigest="{base64.b64encode(mac).decode()}",'
        f'Nonce="{nonce}",Created="{created}"',
    }


def bind_ride(rider: str, driver: str, *, area_code: str = "0755", minutes: int = 120) -> tuple[str, str]:
    """(subscription id, private number) for one ride."""
    body = {"callerNum": rider, "calleeNum": driver, "areaCode": area_code, "duration": minutes * 60}
    headers = signed_headers(settings.PNS_APP_KEY, settings.PNS_APP_SECRET)
    reply = requests.post(settings.PNS_BASE_URL + AXB_PATH, json=body, headers=headers, timeout=10).json()
    if reply["resultcode"] != "0":
        raise NoPrivateNumber(reply["resultcode"], reply.get("resultdesc", ""))
    return reply["subscriptionId"], reply["relationNum"]


def end_ride(subscription_id: str) -> None:
    headers = signed_headers(settings.PNS_APP_KEY, settings.PNS_APP_SECRET)
    params = {"subscriptionId": subscription_id}
    requests.delete(settings.PNS_BASE_URL + AXB_PATH, params=params, headers=headers, timeout=10)
