"""The AX record, and the lifetime of a temporary callee (from the spec)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from pns_mock.spec import load


@functools.cache
def temporary_callee_default() -> int:
    """Seconds a temporary callee lasts when `duration` is not sent (the spec's default)."""
    body = load().document["components"]["schemas"]["AxTemporaryCalleeRequest"]["properties"]
    return int(body["duration"]["default"])


@dataclass(slots=True)  # a million of them: no per-instance dict
class AxBinding:
    subscription_id: str
    orig_num: str
    private_num: str
    subscribe_time: float
    private_num_type: str | None = None
    record_flag: bool = False
    record_hint_tone: str | None = None
    callee_num_display: str | None = None
    private_sms: str | None = None
    pre_voice: dict[str, Any] | None = None
    max_duration: int | None = None
    last_min_voice: str | None = None
    user_data: str | None = None
    turn_flag: str | None = None
    call_direction: int | None = None
    # Set by the set-callee API: whom A reaches when A dials X.
    temporary_callee: str | None = None
    # When the temporary callee lapses (epoch seconds); read it through `current_callee`.
    temporary_callee_until: float | None = None

    def current_callee(self, now: float) -> str | None:
        """The temporary callee A reaches by dialling X, if it has not lapsed."""
        if self.temporary_callee_until is not None and now >= self.temporary_callee_until:
            return None
        return self.temporary_callee
