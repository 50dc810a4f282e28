"""Push receiver of the ride-hailing app (Flask): call events and CDRs from the platform."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from typing import Any

from flask import Flask, request

_ATTR = re.compile(r'(\w+)="([^"]*)"')


def verified(app_secret: str, headers: Any) -> bool:
    """Check the platform's AKSK signature: Base64(HMAC-SHA256(secret, Nonce + Created))."""
    token = dict(_ATTR.findall(headers.get("X-AKSK", "")))
    if not {"Nonce", "Created", "PasswordDigest"} <= token.keys():
        return False
    mac = hmac.new(app_secret.encode(), (token["Nonce"] + token["Created"]).encode(), hashlib.sha256)
    return hmac.compare_digest(base64.b64encode(mac.digest()).decode(), token["PasswordDigest"])


def create_app(app_secret: str) -> Flask:
    app = Flask(__name__)
    app.config["events"] = []
    app.config["cdrs"] = {}

    @app.post("/pns/status")
    def status() -> tuple[str, int]:
        if not verified(app_secret, request.headers):
            return "", 401
        app.config["events"].append(request.get_json())
        return "", 200

    @app.post("/pns/fee")
    def fee() -> tuple[str, int]:
        if not verified(app_secret, request.headers):
            return "", 401
        for record in request.get_json()["feeLst"]:
            app.config["cdrs"][record["sessionId"]] = record  # a retried CDR replaces itself
        return "", 200

    return app
