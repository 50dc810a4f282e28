"""A client with two classic mistakes, kept to show what the plugin reports."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import uuid

import requests

AXB_PATH = "/rest/caas/relationnumber/partners/v1.0"


def _headers(app_key: str, app_secret: str, created: str) -> dict[str, str]:
    nonce = uuid.uuid4().hex
    digest = base64.b64encode(
        hmac.new(app_secret.encode(), (nonce + created).encode(), hashlib.sha256).digest()
    ).decode()
    return {
        "Content-Type": "application/json;charset=UTF-8",
        "Authorization": 'AKSK realm="SDP",profile="UsernameToken",type="Appkey"',
        "X-AKSK": f'UsernameToken Username="{app_key}",PasswordDigest="{digest}",'
        f'Nonce="{nonce}",Created="{created}"',
    }


def bind_with_local_time(base_url: str, app_key: str, app_secret: str) -> dict[str, str]:
    created = time.strftime("%Y-%m-%d %H:%M:%S")  # wrong: local time, no T and Z
    body = {"callerNum": "+8613800000001", "calleeNum": "+8613900000002"}
    headers = _headers(app_key, app_secret, created)
    reply: dict[str, str] = requests.post(base_url + AXB_PATH, json=body, headers=headers).json()
    return reply


def bind_without_country_code(base_url: str, app_key: str, app_secret: str) -> dict[str, str]:
    created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    body = {"callerNum": "13800000001", "calleeNum": "13900000002"}  # wrong: no +86
    headers = _headers(app_key, app_secret, created)
    reply: dict[str, str] = requests.post(base_url + AXB_PATH, json=body, headers=headers).json()
    return reply
