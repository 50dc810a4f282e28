"""Binding service of a ride-hailing app: rider and driver talk through a private number."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import uuid
from dataclasses import dataclass

import requests

AXB_PATH = "/rest/caas/relationnumber/partners/v1.0"
NO_NUMBER_LEFT = "1012008"


class BindingFailed(Exception):
    def __init__(self, code: str, text: str) -> None:
        super().__init__(f"{code}: {text}")
        self.code = code


@dataclass(frozen=True)
class RideNumber:
    subscription_id: str
    private_number: str


class PrivacyNumbers:
    def __init__(self, base_url: str, app_key: str, app_secret: str, session: requests.Session | None = None):
        self.base_url = base_url.rstrip("/")
        self.app_key = app_key
        self.app_secret = app_secret
        self.http = session or requests.Session()

    def _headers(self) -> dict[str, str]:
        nonce = uuid.uuid4().hex
        created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        mac = hmac.new(self.app_secret.encode(), (nonce + created).encode(), hashlib.sha256).digest()
        digest = base64.b64encode(mac).decode()
        return {
            "Content-Type": "application/json;charset=UTF-8",
            "Authorization": 'AKSK realm="SDP",profile="UsernameToken",type="Appkey"',
            "X-AKSK": f'UsernameToken Username="{self.app_key}",PasswordDigest="{digest}",'
            f'Nonce="{nonce}",Created="{created}"',
        }

    def bind_ride(self, rider: str, driver: str, city: str, minutes: int = 120) -> RideNumber:
        """A private number for one ride, from the city's pool, else from anywhere."""
        body = {
            "callerNum": rider,
            "calleeNum": driver,
            "areaCode": city,
            "duration": minutes * 60,
            "recordFlag": "true",
            "userData": "ride",
        }
        reply = self.http.post(self.base_url + AXB_PATH, json=body, headers=self._headers()).json()
        if reply["resultcode"] == NO_NUMBER_LEFT:
            body["areaMatchMode"] = "1"
            reply = self.http.post(self.base_url + AXB_PATH, json=body, headers=self._headers()).json()
        if reply["resultcode"] != "0":
            raise BindingFailed(reply["resultcode"], reply["resultdesc"])
        return RideNumber(reply["subscriptionId"], reply["relationNum"])

    def release(self, ride: RideNumber) -> None:
        params = {"subscriptionId": ride.subscription_id}
        reply = self.http.delete(self.base_url + AXB_PATH, params=params, headers=self._headers()).json()
        if reply["resultcode"] not in ("0", "1012007"):  # already gone (expired) is fine
            raise BindingFailed(reply["resultcode"], reply["resultdesc"])
