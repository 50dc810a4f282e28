"""Simulated SMS through a private number, and the Notify / Block pushes they cause.

Per mode, as the vendor documents it:
- AXB: A texts X and B receives it (and the other way round); a Notify push follows.
- AX: someone texts X and A receives it with `[From<number>]` appended; A texts X with
  `@<number>` at the end and that number receives it. Applications in Block mode (`sms_mode`)
  get a Block push instead, and their reply decides.
- X: a Block push first; the reply decides; a Notify push follows a successful forward.
- AXE, AXYB: no SMS.
A message is not forwarded when the application or the binding (`privateSms` "false") has no
SMS, or when the number is not usable; a Notify push without `called` reports that.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pns_mock.spec import Spec

from ..domain.apps import Application
from ..domain.clock import Clock, format_time
from ..domain.ids import IdFactory
from .model import Sink

_AT_SUFFIX = re.compile(r"@(\+?\d{4,31})\s*$")

# extInfo `direction` values (spec: SmsExtPara)
TO_A, FROM_A, UNKNOWN = "0", "1", "2"


@dataclass
class SmsResult:
    sms_id: str
    forwarded_to: str | None = None
    delivered_text: str | None = None
    pushes: list[str] = field(default_factory=list)
    reason: str | None = None  # why it was not forwarded


@dataclass(frozen=True)
class _Target:
    receiver: str | None
    text: str
    direction: str
    subscription_id: str | None = None
    reason: str | None = None

    def refused(self, reason: str) -> _Target:
        return dataclasses.replace(self, receiver=None, reason=reason)


class SmsRouter:
    def __init__(
        self,
        spec: Spec,
        clock: Clock,
        ids: IdFactory,
        sink: Sink,
        backend_of: Callable[[str], Any],
        usable: Callable[[str], bool],
    ) -> None:
        self._spec = spec
        self._clock = clock
        self._ids = ids
        self._sink = sink
        self._backend_of = backend_of
        self._usable = usable

    def _webhook(self, kind: str, mode: str) -> str | None:
        for name, hook in self._spec.webhooks.items():
            if name.startswith(kind) and hook.mode == mode:
                return name
        return None

    def send(self, app: Application, sender: str, x: str, text: str) -> SmsResult:
        result = SmsResult(sms_id=self._ids.hex_id(32))
        notify = self._webhook("smsNotify", app.mode)
        if notify is None:
            result.reason = f"{app.mode} mode has no SMS"
            return result
        target = self._target(app, sender, x, text)
        block = self._webhook("smsBlock", app.mode)
        blocking = block is not None and (app.mode == "X" or app.sms_mode == "block")
        if target.reason is None and blocking and block is not None:
            body = self._body(app, "Block", sender, x, text, None, target)
            reply = self._sink.block(app, block, body)
            result.pushes.append(block)
            target = _decide(reply, sender, target)
            if app.mode != "X":  # AX Block: the reply is the whole conversation
                return self._finish(result, target)
        if target.reason is None or not blocking:
            body = self._body(app, "Notify", sender, x, text, target.receiver, target)
            self._sink.event(app, notify, body)
            result.pushes.append(notify)
        return self._finish(result, target)

    @staticmethod
    def _finish(result: SmsResult, target: _Target) -> SmsResult:
        result.forwarded_to = target.receiver if target.reason is None else None
        result.delivered_text = target.text if target.reason is None else None
        result.reason = target.reason
        return result

    def _target(self, app: Application, sender: str, x: str, text: str) -> _Target:
        if not app.sms:
            return _Target(None, text, UNKNOWN, reason=f"application {app.app_key} has no SMS")
        if not self._usable(x):
            return _Target(None, text, UNKNOWN, reason=f"{x} is not usable (number status)")
        backend = self._backend_of(app.app_key)
        if app.mode == "AXB":
            pair = backend.pair_of(x, sender)
            if pair is None:
                return _Target(None, text, UNKNOWN, reason=f"{sender} has no binding on {x}")
            from_a = sender == pair.caller_num
            receiver = pair.callee_num if from_a else pair.caller_num
            return self._checked(pair, receiver, text, FROM_A if from_a else TO_A)
        if app.mode == "AX":
            binding = backend.on_x(x)
            if binding is None:
                return _Target(None, text, UNKNOWN, reason=f"nobody holds {x}")
            if sender != binding.orig_num:
                return self._checked(binding, binding.orig_num, f"{text}[From{sender}]", TO_A)
            found = _AT_SUFFIX.search(text)
            if not found:
                return _Target(None, text, FROM_A, binding.subscription_id, "A texted X without @<number>")
            receiver = found.group(1) if found.group(1).startswith("+") else f"+86{found.group(1)}"
            return self._checked(binding, receiver, text[: found.start()], FROM_A)
        return _Target(None, text, UNKNOWN)  # X mode: only the Block reply knows the receiver

    @staticmethod
    def _checked(binding: Any, receiver: str, text: str, direction: str) -> _Target:
        if binding.private_sms == "false":
            return _Target(
                None, text, direction, binding.subscription_id, "privateSms is false on the binding"
            )
        return _Target(receiver, text, direction, binding.subscription_id)

    def _body(
        self,
        app: Application,
        mode: str,
        sender: str,
        x: str,
        text: str,
        receiver: str | None,
        target: _Target,
    ) -> dict[str, Any]:
        event: dict[str, Any] = {
            "smsIdentifier": self._ids.hex_id(32),
            "notificationMode": mode,
            "calling": sender,
            "virtualNumber": x,
            "event": "TextSMS",
            "timeStamp": format_time(self._clock.now(), "pns-sms-timestamp"),
            "smsContent": text,
            "extInfo": {
                "extParas": [
                    {"key": "splitNum", "value": "0"},
                    {"key": "direction", "value": target.direction},
                ]
            },
        }
        if receiver and target.reason is None:
            event["called"] = receiver
        if target.subscription_id and app.mode != "X":
            event["subscriptionId"] = target.subscription_id
        return {"appKey": app.app_key, "smsEvent": event}


def _decide(reply: dict[str, Any] | None, sender: str, target: _Target) -> _Target:
    """The customer's Block reply: `vNumberRoute` forwards (to `message.called`), else dropped."""
    if reply is None:
        return target.refused("no valid Block reply")
    actions = reply.get("actions")
    action = actions[0] if isinstance(actions, list) and actions else actions
    if not isinstance(action, dict) or action.get("operation") != "vNumberRoute":
        return target.refused("the reply discarded it")
    called = (action.get("message") or {}).get("called") or target.receiver
    if not called:
        return _Target(
            None, target.text, target.direction, target.subscription_id, "the reply named no receiver"
        )
    return _Target(called, target.text, target.direction, target.subscription_id)
