"""A push sink for tests: keeps what would be pushed, after checking it against the spec."""

from __future__ import annotations

from typing import Any

from pns_mock import spec
from pns_mock.mockserver.domain import Application

SPEC = spec.load()
SCHEMAS = spec.SchemaRegistry(SPEC.document)


class RecordingSink:
    """Keeps what would be pushed, after checking it against the spec like the deliverer does."""

    def __init__(self, block_reply: dict[str, Any] | None = None) -> None:
        self.pushed: list[tuple[str, dict[str, Any]]] = []
        self.block_reply = block_reply

    def _check(self, webhook: str, body: dict[str, Any]) -> None:
        problems = SCHEMAS.errors(SPEC.webhooks[webhook].body_schema_pointer, body)
        assert problems == [], (webhook, body, problems)
        self.pushed.append((webhook, body))

    def event(self, app: Application, webhook: str, body: dict[str, Any]) -> None:
        self._check(webhook, body)

    def cdr(self, app: Application, webhook: str, fee_info: dict[str, Any]) -> None:
        self._check(webhook, {"eventType": "fee", "feeLst": [fee_info]})

    def block(self, app: Application, webhook: str, body: dict[str, Any]) -> dict[str, Any] | None:
        self._check(webhook, body)
        return self.block_reply

    def events(self) -> list[str]:
        return [body["eventType"] for _, body in self.pushed]

    def fee(self) -> dict[str, Any]:
        return next(body["feeLst"][0] for _, body in self.pushed if body["eventType"] == "fee")

    def status(self, event: str) -> dict[str, Any]:
        return next(body["statusInfo"] for _, body in self.pushed if body["eventType"] == event)

    def sms(self, kind: str = "Notify") -> dict[str, Any]:
        return next(
            body["smsEvent"]
            for _, body in self.pushed
            if body.get("smsEvent", {}).get("notificationMode") == kind
        )
