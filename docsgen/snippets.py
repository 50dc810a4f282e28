"""Plain-text blocks both renderers show: HTTP exchanges, JSON, the signing recipe, retry times."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from .model import NO_BODY, AuthScheme, Delivery, RequestExample, ResponseExample, WorkedExample
from .ui import Words

CONTENT_TYPE = "application/json;charset=UTF-8"


def to_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def http_request(example: RequestExample, server: str, auth: AuthScheme) -> str:
    """The example as it goes on the wire, signed with placeholders for the per-call values."""
    lines = [
        f"{example.method} {example.target} HTTP/1.1",
        f"Host: {urlsplit(server).netloc}",
        f"Content-Type: {CONTENT_TYPE}",
        f"Authorization: {auth.authorization}",
        f'{auth.token_header}: UsernameToken Username="<app_key>",PasswordDigest="<digest>",'
        'Nonce="<nonce>",Created="<created>"',
    ]
    if example.body is not NO_BODY:
        lines += ["", to_json(example.body)]
    return "\n".join(lines)


def http_response(example: ResponseExample) -> str:
    lines = [f"HTTP/1.1 {example.status}"]
    lines += [f"{name}: {value}" for name, value in example.headers.items()]
    if example.body is not NO_BODY:
        lines += [f"Content-Type: {CONTENT_TYPE}", "", to_json(example.body)]
    return "\n".join(lines)


def retry_schedule(delivery: Delivery, w: Words) -> str:
    offsets = ", ".join(f"+{m}" for m in delivery.retry_minutes)
    return w("up to {n} re-sends, at {offsets} minutes", n=len(delivery.retry_minutes), offsets=offsets)


def signing_recipe(auth: AuthScheme, digest: Mapping[str, Any], example: WorkedExample) -> str:
    """Runnable Python that signs a request the way the spec's `x-pns-digest` says, checked on its example."""
    message = " + ".join(str(part).lower() for part in digest["message"])
    if digest["algorithm"] == "HMAC-SHA256":
        key = str(digest["key"]).lower()
        raw = f"hmac.new({key}.encode(), ({message}).encode(), hashlib.sha256).digest()"
    else:
        raw = f"hashlib.sha256(({message}).encode()).digest()"
    token = (
        'f\'UsernameToken Username="{app_key}",PasswordDigest="{password_digest}",'
        'Nonce="{nonce}",Created="{created}"\''
    )
    imports = ["import base64", "import hashlib"] + (["import hmac"] if "hmac" in raw else [])
    return "\n".join(
        [
            *imports,
            "",
            'app_key = "your-app-key"',
            f'app_secret = "{example.app_secret}"',
            f'nonce = "{example.nonce}"  # per call: uuid.uuid4().hex.upper()',
            f'created = "{example.created}"  # per call: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())',
            f"digest = {raw}",
            "password_digest = base64.b64encode(digest).decode()",
            f'assert password_digest == "{example.password_digest}"  # the worked example',
            "headers = {",
            f'    "Content-Type": "{CONTENT_TYPE}",',
            f"    \"Authorization\": '{auth.authorization}',",
            f'    "{auth.token_header}": {token},',
            "}",
        ]
    )
