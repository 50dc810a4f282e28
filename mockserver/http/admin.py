"""The admin API under /_pns/: reset, seed, state, clock, faults and the journal, as JSON over HTTP.

Each route calls the same Python API a test can call directly on `Platform`.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote

from ..config import app_from_dict, parse_config, parse_numbers
from ..domain.clock import checked_epoch
from ..domain.errors import ConfigError
from ..domain.faults import Fault
from ..domain.jsontext import strict_loads
from ..traffic import OUTCOMES, CallPlan
from .admingate import AdminGate
from .adminvalues import MAX_CALL_SECONDS, MAX_LATENCY_MS, AdminError, call_view, epoch, required, seconds
from .message import HttpRequest, HttpResponse, json_response

if TYPE_CHECKING:
    from .api import Api


# simulated traffic whose Block pushes (X-mode callin, SMS Block) wait for the customer's decision
_WAIT_ON_RECEIVER = frozenset({("POST", "calls"), ("POST", "sms")})

Route = Callable[[HttpRequest, dict[str, Any], list[str]], Any]


class Admin:
    def __init__(self, engine: Api) -> None:
        self.engine = engine
        self.platform = engine.platform
        self.token: str | None = None
        self.gate = AdminGate(self.platform.settings.admin_hosts)
        self._routes: dict[tuple[str, str], Route] = {
            ("POST", "reset"): self._reset,
            ("GET", "state"): lambda r, b, a: self.platform.dump(),
            ("GET", "apps"): lambda r, b, a: [
                {"app_key": x.app_key, "mode": x.mode, "push_auth": x.push_auth} for x in self.platform.apps()
            ],
            ("POST", "apps"): self._add_app,
            ("POST", "numbers"): self._add_numbers,
            ("GET", "clock"): lambda r, b, a: self._clock(),
            ("POST", "clock"): self._move_clock,
            ("GET", "faults"): lambda r, b, a: [vars(f) for f in self.platform.faults.armed()],
            ("POST", "faults"): self._arm_fault,
            ("DELETE", "faults"): lambda r, b, a: self.platform.faults.clear(),
            ("GET", "journal"): self._journal,
            ("POST", "calls"): self._call,
            ("GET", "calls"): lambda r, b, a: [call_view(c) for c in self.platform.traffic.calls()],
            ("POST", "sms"): self._sms,
            ("POST", "number-status"): self._number_status,
            ("GET", "pushes"): self._pushes,
            ("DELETE", "pushes"): lambda r, b, a: self.platform.deliverer.clear(),
            ("POST", "pushes-flush"): self._flush,
            ("DELETE", "journal"): lambda r, b, a: self.platform.journal.clear(),
            ("GET", "report"): self._report,
        }

    def may_wait_on_receiver(self, request: HttpRequest) -> bool:
        """Whether this admin request may wait for a customer's push receiver (a Block decision)."""
        parts = request.path.removeprefix("/_pns/").strip("/").split("/")
        return (request.method, _route_name(parts)[0]) in _WAIT_ON_RECEIVER

    def handle(self, request: HttpRequest) -> HttpResponse:
        try:
            self._allowed(request)
            parts = request.path.removeprefix("/_pns/").strip("/").split("/")
            name, args = _route_name(parts)
            route = self._routes.get((request.method, name))
            if route is None:
                raise AdminError(404, f"no admin route {request.method} {request.path}")
            limit = self.platform.settings.max_admin_body_bytes
            if request.body_too_large or len(request.body) > limit:
                raise AdminError(413, f"admin body larger than {limit} bytes (server.max_admin_body_bytes)")
            body = self._body(request)
            recorder = self.engine.recorder
            if recorder is None:
                result = route(request, body, args)
            else:
                result = recorder.admin(request.method, name, args, body, lambda: route(request, body, args))
            return json_response(200, {"ok": True, "result": result})
        except AdminError as err:
            return json_response(err.status, {"ok": False, "error": str(err)})
        except (ConfigError, ValueError, KeyError, TypeError) as err:
            return json_response(400, {"ok": False, "error": str(err)})

    def _allowed(self, request: HttpRequest) -> None:
        why = self.gate.refusal(request.method, request.headers, request.body, token=self.token is not None)
        if why is not None:
            raise AdminError(415 if "Content-Type" in why else 403, why)
        if self.token is not None:
            sent = request.headers.get("x-pns-admin-token", "")
            if not hmac.compare_digest(sent.encode(), self.token.encode()):  # no timing hints
                raise AdminError(403, "admin API needs the X-PNS-Admin-Token header")
            return
        client = request.client or "127.0.0.1"
        try:
            loopback = ipaddress.ip_address(client).is_loopback
        except ValueError:
            loopback = client in ("localhost", "testclient")
        if not loopback:
            raise AdminError(403, "admin API answers on loopback only unless a token is configured")

    @staticmethod
    def _body(request: HttpRequest) -> dict[str, Any]:
        if not request.body.strip():
            return {}
        try:
            data = strict_loads(request.body)
        except ValueError as exc:
            raise AdminError(400, f"body is not JSON: {exc}") from exc
        except RecursionError as exc:
            raise AdminError(400, "body is not JSON: nested too deeply") from exc
        if not isinstance(data, dict):
            raise AdminError(400, "body must be a JSON object")
        return data

    def _reset(self, request: HttpRequest, body: dict[str, Any], args: list[str]) -> Any:
        config = parse_config(body, source="reset body") if body else None
        self.platform.reset(config)
        return None

    def _add_app(self, request: HttpRequest, body: dict[str, Any], args: list[str]) -> Any:
        parse_config({"apps": [body]}, source="app")
        app = self.platform.add_app(app_from_dict(body))
        return {"app_key": app.app_key, "mode": app.mode}

    def _add_numbers(self, request: HttpRequest, body: dict[str, Any], args: list[str]) -> Any:
        self.platform.add_numbers(args[0], parse_numbers(body.get("numbers", [])))
        return None

    def _clock(self) -> dict[str, Any]:
        now = self.platform.clock.now()
        return {
            "epoch": now,
            "utc": datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "frozen": self.platform.clock.frozen,
        }

    def _move_clock(self, request: HttpRequest, body: dict[str, Any], args: list[str]) -> Any:
        clock = self.platform.clock
        # every value checked before anything moves: a refused request changes nothing
        freeze = body.get("freeze")
        if freeze is not None and not isinstance(freeze, bool):
            raise AdminError(400, "'freeze' must be true or false")
        advance = seconds(body["advance"], "advance") if "advance" in body else None
        target = epoch(body["set"]) if "set" in body else None
        with self.platform.lock:
            if advance is not None and target is None:
                checked_epoch(clock.now() + advance, "the clock after the advance")
            if freeze is not None:
                clock.freeze(freeze)
            if advance is not None:
                clock.advance(advance)
            if target is not None:
                clock.set(target)
        self.platform.traffic.pump()  # what the new time makes due happens now
        return self._clock()

    def _arm_fault(self, request: HttpRequest, body: dict[str, Any], args: list[str]) -> Any:
        op_id = body.get("operationId")
        if op_id != "*" and op_id not in self.engine.spec.operations:
            raise AdminError(400, f"operationId {op_id!r} is not in the spec")
        code = body.get("resultcode")
        if code is not None and str(code) not in self.engine.spec.result_codes:
            raise AdminError(400, f"resultcode {code!r} is not a documented PNS result code")
        fault = Fault(
            operation_id=op_id,
            count=int(body.get("count", 1)),
            resultcode=str(code) if code is not None else None,
            latency=seconds(body.get("latency_ms", 0), "latency_ms", MAX_LATENCY_MS) / 1000.0,
            drop=bool(body.get("drop", False)),
        )
        self.platform.faults.arm(fault)
        return vars(fault)

    def _journal(self, request: HttpRequest, body: dict[str, Any], args: list[str]) -> Any:
        query = dict(parse_qsl(request.query))
        limit = int(query["limit"]) if "limit" in query else None
        return [e.as_dict() for e in self.platform.journal.entries(query.get("operationId"), limit)]

    def _call(self, request: HttpRequest, body: dict[str, Any], args: list[str]) -> Any:
        plan = CallPlan(
            caller=required(body, "from"),
            dialled=required(body, "to"),
            digits=body.get("digits"),
            outcome=body.get("outcome", "answer"),
            answer_after=seconds(body.get("answer_after", 5), "answer_after", MAX_CALL_SECONDS),
            talk=seconds(body.get("talk", 30), "talk", MAX_CALL_SECONDS),
            hangup_by=body.get("hangup_by", "caller"),
        )
        if plan.outcome not in OUTCOMES:
            raise AdminError(400, f"outcome must be one of {sorted(OUTCOMES)}")
        return call_view(self.platform.traffic.call(plan))

    def _sms(self, request: HttpRequest, body: dict[str, Any], args: list[str]) -> Any:
        result = self.platform.traffic.sms(required(body, "from"), required(body, "to"), body.get("text", ""))
        return vars(result)

    def _number_status(self, request: HttpRequest, body: dict[str, Any], args: list[str]) -> Any:
        change = {"number": args[0], "status": required(body, "status")}
        if body.get("cause") is not None:
            change["cause"] = str(body["cause"])
        return self.platform.traffic.number_status([change])

    def _pushes(self, request: HttpRequest, body: dict[str, Any], args: list[str]) -> Any:
        query = dict(parse_qsl(request.query))
        return self.platform.deliverer.as_dicts(app_key=query.get("app_key"), webhook=query.get("webhook"))

    def _report(self, request: HttpRequest, body: dict[str, Any], args: list[str]) -> Any:
        from ..report.verdict import as_json, of_platform

        query = dict(parse_qsl(request.query))
        coverage_min = float(query["coverage_min"]) if "coverage_min" in query else None
        return as_json(of_platform(self.platform, self.engine.spec), coverage_min)

    def _flush(self, request: HttpRequest, body: dict[str, Any], args: list[str]) -> Any:
        self.platform.deliverer.flush()
        return self.platform.traffic.pump()


def _route_name(parts: list[str]) -> tuple[str, list[str]]:
    """`/_pns/apps/{key}/numbers`, `/_pns/numbers/{x}/status`, `/_pns/pushes/flush`, `/_pns/{name}`."""
    if len(parts) == 3 and parts[0] == "apps" and parts[2] == "numbers":
        return "numbers", [parts[1]]
    if len(parts) == 3 and parts[0] == "numbers" and parts[2] == "status":
        return "number-status", [unquote(parts[1])]
    if parts == ["pushes", "flush"]:
        return "pushes-flush", []
    return parts[0], []
