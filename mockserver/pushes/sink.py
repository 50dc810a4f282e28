"""Which configured URL each push goes to, and the hand-over to the deliverer.

The application's `callbacks` name the console's receiving addresses: `status` (call events and
the X-mode Block `callin`), `fee` (CDRs), `number_status` (X-number status; `status` when not
set, as the vendor documents), `sms_notify` and `sms_block`. A push whose address is not
configured is not sent; it is listed in `unsent`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from ..domain.apps import Application
from .delivery import Deliverer

# webhook name prefix -> callbacks key (spec webhook names: callEventAxb, feeAx, smsBlockX, ...)
TARGETS = (
    ("callEvent", "status"),
    ("callinBlock", "status"),
    ("fee", "fee"),
    ("numStatus", "number_status"),
    ("smsNotify", "sms_notify"),
    ("smsBlock", "sms_block"),
)


@dataclass(frozen=True)
class Unsent:
    app_key: str
    webhook: str
    reason: str


class DeliverySink:
    def __init__(self, deliverer: Deliverer) -> None:
        self.deliverer = deliverer
        self.unsent: list[Unsent] = []
        self._lock = threading.Lock()

    def url(self, app: Application, webhook: str) -> str | None:
        key = next(key for prefix, key in TARGETS if webhook.startswith(prefix))
        url = app.callbacks.get(key)
        if url is None and key == "number_status":
            url = app.callbacks.get("status")
        if url is None:
            with self._lock:
                self.unsent.append(Unsent(app.app_key, webhook, f"no '{key}' callback URL configured"))
        return url

    def event(self, app: Application, webhook: str, body: dict[str, Any]) -> None:
        url = self.url(app, webhook)
        if url:
            self.deliverer.submit(app.app_key, webhook, url, body)

    def cdr(self, app: Application, webhook: str, fee_info: dict[str, Any]) -> None:
        url = self.url(app, webhook)
        if url:
            self.deliverer.submit_cdr(app.app_key, webhook, url, fee_info)

    def batched(self, app: Application, webhook: str, item: dict[str, Any]) -> None:
        url = self.url(app, webhook)
        if url:
            self.deliverer.submit_batched(app.app_key, webhook, url, item)

    def block(self, app: Application, webhook: str, body: dict[str, Any]) -> dict[str, Any] | None:
        url = self.url(app, webhook)
        if not url:
            return None
        reply: dict[str, Any] | None = self.deliverer.deliver_blocking(app.app_key, webhook, url, body).reply
        return reply

    def clear(self) -> None:
        with self._lock:
            self.unsent.clear()
