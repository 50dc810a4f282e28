"""Owns: pushes to the customer's URLs: body checks, signing, sending, retries, batching, the push journal.
May import: domain and pns_mock.spec.
"""

from __future__ import annotations

from .delivery import Deliverer, DeliveryError, InvalidPushBody
from .journal import RESPONSE_BODY_LIMIT, Attempt, Push, PushJournal
from .send import Sender, Transport, http_transport
from .sink import TARGETS, DeliverySink

__all__ = [
    "RESPONSE_BODY_LIMIT",
    "TARGETS",
    "Attempt",
    "Deliverer",
    "DeliveryError",
    "DeliverySink",
    "InvalidPushBody",
    "Push",
    "PushJournal",
    "Sender",
    "Transport",
    "http_transport",
]
