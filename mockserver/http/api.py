"""The PNS API itself: route by the spec, authenticate, validate, dispatch, shape, journal.

It only translates: one backend method per operation through its handler, the reply shaped from
the spec; rules live in the backends. Paths outside the spec go to handlers mounted by prefix
from above (`engine.Engine` mounts the admin API and the recording files).
"""

from __future__ import annotations

import functools
import time
from typing import TYPE_CHECKING, Any, Protocol

from pns_mock.spec import Operation, SchemaRegistry, Spec, load

from ..domain.errors import PROBLEM_HEADER, PnsError
from ..platform import Platform
from .handlers import HANDLERS, Context, Redirect
from .message import HttpRequest, HttpResponse, header_safe, json_response
from .validation import RequestValidator
from .wire import Shaper, call_with

if TYPE_CHECKING:
    from collections.abc import Callable

ADMIN_PREFIX = "/_pns/"


class ChangeLog(Protocol):
    """Hears every change the platform acknowledges (`serve --state` logs them to replay later)."""

    def operation(
        self, op: Operation, app_key: str, params: dict[str, Any], apply: Callable[[], Any]
    ) -> Any: ...

    def admin(self, method: str, name: str, args: list[str], body: Any, apply: Callable[[], Any]) -> Any: ...


class Runtime:
    """What is compiled from a spec once per process: validators, the reply shaper, constants."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.schemas = SchemaRegistry(spec.document)
        self.validator = RequestValidator(spec, self.schemas)
        self.shaper = Shaper(spec)
        self.success = spec.result_codes["0"].body()
        methods: dict[str, list[str]] = {}
        for op in spec.operations.values():
            methods.setdefault(op.path, []).append(op.method.upper())
        # the `Allow` header of a 405, per spec path
        self.allowed = {path: ", ".join(sorted(set(found))) for path, found in methods.items()}
        self.reply_pointers = {
            op.operation_id: op.response_schema_pointer(200) for op in spec.operations.values()
        }


@functools.cache
def runtime_for(spec: Spec) -> Runtime:
    return Runtime(spec)


class Api:
    """Cheap to create: everything compiled from the spec is shared through `runtime_for`."""

    def __init__(self, platform: Platform, spec: Spec | None = None) -> None:
        self.platform = platform
        runtime = runtime_for(spec or load())
        self.spec = runtime.spec
        self.schemas = runtime.schemas
        self.validator = runtime.validator
        self.shaper = runtime.shaper
        self._success = runtime.success
        self._allowed = runtime.allowed
        self._reply_pointers = runtime.reply_pointers
        self.recorder: ChangeLog | None = None  # `serve --state`: logs acknowledged changes
        # `--replay`: answers a request the platform admits (authenticated, valid) from a cassette;
        # or a note (str) for the reply the backend then gives, or None; journaled either way
        self.answer: Callable[[HttpRequest], HttpResponse | str | None] | None = None
        # handlers of paths outside the spec, by prefix (the API's own paths never start with them)
        self.mounts: list[tuple[str, Callable[[HttpRequest], HttpResponse]]] = []

    def mount(self, prefix: str, handler: Callable[[HttpRequest], HttpResponse]) -> None:
        self.mounts.append((prefix, handler))

    def handle(self, request: HttpRequest) -> HttpResponse:
        op = self.spec.routes.get((request.method, request.path))  # API paths never start with /_pns
        if op is None:
            for prefix, mounted in self.mounts:
                if request.path.startswith(prefix):
                    return mounted(request)
            allowed = self._allowed.get(request.path)
            if allowed is None:
                response = HttpResponse(404, [("Content-Type", "text/plain")], b"Not Found")
                why = "no such path"
            else:  # a spec path, another method (TRACE, OPTIONS, PATCH...)
                response = HttpResponse(
                    405, [("Content-Type", "text/plain"), ("Allow", allowed)], b"Method Not Allowed"
                )
                why = f"method not allowed here; the spec has {allowed}"
            response.headers.append((PROBLEM_HEADER, header_safe(f"{request.method} {request.path}: {why}")))
            self._record(request, None, None, response, None)
            return response
        app_key: str | None = None
        notes: list[str] | None = None if self.answer is None else []  # what `answer` adds to a reply
        try:
            response, app_key = self._serve(op, request, notes)
            problem = None
        except PnsError as err:
            response, problem, app_key = self._error(err), err, err.app_key
            response.delay = err.delay
        self._record(request, op, app_key, response, problem)
        if notes:
            response.headers += [(PROBLEM_HEADER, header_safe(note)) for note in notes]
        return response

    def _serve(
        self, op: Operation, request: HttpRequest, notes: list[str] | None
    ) -> tuple[HttpResponse, str | None]:
        auth = self.platform.authenticator.authenticate(request.headers, request.client)
        try:
            return self._serve_app(op, request, auth.app_key, notes)
        except PnsError as err:
            err.app_key = auth.app_key  # an authenticated request is journaled with its app_key
            raise

    def _serve_app(
        self, op: Operation, request: HttpRequest, app_key: str, notes: list[str] | None
    ) -> tuple[HttpResponse, str | None]:
        platform = self.platform
        app = platform.app(app_key)
        if app.status == "frozen":
            raise PnsError("1010029", f"application {app.app_key} is frozen")
        if app.status != "normal":
            raise PnsError("1010008", f"application {app.app_key} is {app.status}")
        if op.mode not in ("common", app.mode):
            raise PnsError(
                "1010040",
                f"{op.operation_id} belongs to mode {op.mode}; "
                f"app_key {app.app_key} is a {app.mode} application",
                rule="mode",
            )
        fault = platform.faults.take(op.operation_id)
        if fault is not None:
            if fault.drop:
                return HttpResponse(0, [], b"", delay=fault.latency, drop=True), app.app_key
            if fault.resultcode is not None:
                # raised like any refusal, so that the journal names the injection as its rule
                injected = PnsError(fault.resultcode, "injected by a test (fault)", rule="fault injection")
                injected.app_key, injected.delay = app.app_key, fault.latency
                raise injected
        if request.body_too_large or len(request.body) > platform.settings.max_body_bytes:
            limit = platform.settings.max_body_bytes
            raise PnsError(
                "1010002",
                f"body larger than {limit} bytes",
                rule="max_body_bytes",
                reason=self.validator.phrase("body.too-large", limit=limit),
            )
        undocumented: list[str] | None = [] if platform.settings.strict_fields else None
        params = self.validator.validate(
            op, request.query, request.headers.get("content-type"), request.body, undocumented
        )
        if params.get("app_key") not in (None, app.app_key):
            raise PnsError(
                "1010003", "app_key in the query string is not the app_key that signed the request"
            )
        if self.answer is not None and notes is not None:
            answered = self.answer(request)
            if isinstance(answered, HttpResponse):
                return answered, app.app_key
            if answered is not None:
                notes.append(answered)
        backend = platform.backend(app.app_key)
        handler = HANDLERS.get(op.operation_id)
        if handler is None or (backend is None and op.mode != "common"):
            raise PnsError("1010001", f"{op.operation_id} is not simulated by this version of pns-mock")
        context = Context(platform, app, backend, request.base_url)
        if self.recorder is None:
            result = handler(context, params)
        else:
            result = self.recorder.operation(op, app.app_key, params, lambda: handler(context, params))
        if isinstance(result, Redirect):
            return HttpResponse(301, [("Location", result.location)], b""), app.app_key
        pointer = self._reply_pointers[op.operation_id]
        envelope = self._success
        payload = self.shaper.reply(pointer, result, envelope) if pointer else envelope
        response = json_response(200, payload)
        response.resultcode = "0"
        notice = self.validator.notice(op, params)
        if notice is not None:
            response.notice = notice
            response.headers.append((PROBLEM_HEADER, header_safe(f"0 Success: {notice}")))
        if undocumented:
            # answered as the platform does (it ignores them), but never silently
            response.undocumented = tuple(undocumented)
            names = ", ".join(undocumented)
            note = f"fields the spec does not document, ignored as the platform does: {names}"
            note += " [rule: strict_fields]"
            response.headers.append((PROBLEM_HEADER, header_safe(note)))
        if fault is not None:
            response.delay = fault.latency
        return response, app.app_key

    def _error(self, err: PnsError) -> HttpResponse:
        code = self.spec.result_codes.get(err.code)
        if code is None:  # a bug in the mock, never the client's fault
            code = self.spec.result_codes["1010001"]
        body = code.body(err.reason or err.detail, err.value)
        problem = f"{code.code} {code.text} {err.detail}".strip()
        if err.rule:
            problem += f" [rule: {err.rule}]"
        if err.more:
            problem += " | also: " + "; ".join(p.detail for p in err.more)
        response = json_response(code.http_status, body, [(PROBLEM_HEADER, header_safe(problem))])
        response.resultcode = code.code
        return response

    def _record(
        self,
        request: HttpRequest,
        op: Operation | None,
        app_key: str | None,
        response: HttpResponse,
        problem: PnsError | None,
    ) -> None:
        journal = self.platform.journal
        journal.add(
            (
                op.operation_id if op else None,
                journal.next_id(),
                time.time(),
                self.platform.clock.now(),
                request.method,
                request.path,
                request.query,
                app_key,
                request.headers,  # redacted when read (journal.entry_of)
                request.body[:4096],
                response.status,
                response.resultcode,
                None if response.resultcode == "0" else response.headers,  # a refusal's problem header
                # a str now: a reply's bytes carry the encoder's spare capacity (4 KiB), which
                # 10,000 entries would keep alive
                response.body[:4096].decode("utf-8", "replace"),
                # not the exception itself: its traceback would keep the request's frames alive
                problem.problems if problem else None,
                response.notice,
                response.undocumented,
            )
        )


__all__ = ["ADMIN_PREFIX", "Api", "ChangeLog", "call_with"]
