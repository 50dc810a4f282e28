"""`PnsMock`: the object the `pns` fixture gives a test.

It owns one simulated platform and offers what a test needs: the demo credentials, fault
injection, the virtual clock, seeding, the journal and the contract violations found so far.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pns_mock.mockserver.config import (
    Config,
    app_from_dict,
    default_config,
    parse_config,
    parse_numbers,
    push_auth_schemes,
)
from pns_mock.mockserver.domain import Fault, PrivateNumber, VirtualClock
from pns_mock.mockserver.http import Engine, HttpRequest, HttpResponse
from pns_mock.mockserver.platform import Platform
from pns_mock.mockserver.pushes import Push
from pns_mock.mockserver.report import Entry

from .checks import violations, warnings_of
from .codes import check_returnable, result_codes
from .options import PnsOptions
from .pushchecks import push_violations
from .violations import ContractViolation, PnsToolkitError, Violations

if TYPE_CHECKING:
    from pns_mock.mockserver.proxy import Replayer

    from .inbound import PushDriver


# where each kind of push goes on the customer's app, unless the test says otherwise
DEFAULT_PUSH_PATHS = {
    "status": "/status",
    "fee": "/fee",
    "sms_notify": "/sms/notify",
    "sms_block": "/sms/block",
}


@dataclass(frozen=True)
class AppCredentials:
    app_key: str
    app_secret: str
    mode: str
    numbers: tuple[str, ...]


class PnsMock:
    def __init__(self, options: PnsOptions, config: Config | None = None) -> None:
        self.options = options
        base = config or default_config()
        settings = dataclasses.replace(
            base.settings,
            auth_window_seconds=options.auth_window,
            seed=options.seed,
            push_timeout_seconds=options.push_timeout or base.settings.push_timeout_seconds,
            strict_fields=options.strict_fields,
        )
        self.platform = Platform(
            Config(settings=settings, apps=base.apps), clock=VirtualClock(frozen=options.frozen_clock)
        )
        self.engine = Engine(self.platform)
        self.unexpected: list[tuple[str, str]] = []
        self.pushed: list[str] = []  # webhook names of the pushes sent to the code under test
        self._journal_start = 0

    @property
    def spec(self) -> Any:
        return self.engine.spec

    @property
    def base_url(self) -> str:
        """The URL the code under test should call (the first intercepted base URL)."""
        return self.options.base_urls[0]

    def handle(self, request: HttpRequest) -> HttpResponse:
        return self.engine.handle(request)

    def replay(self, directory: str | Path, *, strict: bool = False) -> Replayer:
        """Answer the requests that match a cassette in `directory` (`pns-mock proxy --record`) from
        it, the others from this mock (or refuse them: `strict`). Its `misses` say what missed why."""
        from pns_mock.mockserver.proxy import Replayer

        folder = Path(directory)
        if not folder.is_dir():
            raise PnsToolkitError(f"pns.replay({str(directory)!r}): no such folder")
        replayer = Replayer(self.engine.spec, folder, self.engine, strict=strict)
        if replayer.problems:
            raise PnsToolkitError("pns.replay: " + "; ".join(replayer.problems))
        return replayer

    # applications

    def app(self, mode: str = "AXB") -> AppCredentials:
        """Credentials of the first application of `mode` (the demo ones unless seeded otherwise)."""
        for app in self.platform.apps():
            if app.mode == mode.upper():
                return AppCredentials(
                    app.app_key, app.app_secret, app.mode, tuple(n.number for n in app.numbers)
                )
        raise PnsToolkitError(f"no {mode} application; add one with pns.add_app(...)")

    def add_app(self, app_key: str, app_secret: str, mode: str, **fields: Any) -> AppCredentials:
        data = {"app_key": app_key, "app_secret": app_secret, "mode": mode, **fields}
        parse_config({"apps": [data]}, source="pns.add_app")
        self.platform.add_app(app_from_dict(data))
        return self.app_by_key(app_key)

    def app_by_key(self, app_key: str) -> AppCredentials:
        app = self.platform.app(app_key)
        return AppCredentials(app.app_key, app.app_secret, app.mode, tuple(n.number for n in app.numbers))

    def add_numbers(self, app_key: str, numbers: list[dict[str, Any]]) -> list[PrivateNumber]:
        parsed = parse_numbers(numbers, source="pns.add_numbers")
        self.platform.add_numbers(app_key, parsed)
        return parsed

    def reset(self) -> None:
        self.platform.reset()
        self.unexpected.clear()
        self._journal_start = 0

    # control

    def inject(
        self,
        operation_id: str,
        resultcode: str | None = None,
        *,
        count: int = 1,
        latency_ms: float = 0,
        drop: bool = False,
    ) -> None:
        """The next `count` calls of the operation answer `resultcode`, wait, or lose their connection."""
        if operation_id != "*" and operation_id not in self.spec.operations:
            known = ", ".join(sorted(self.spec.operations))
            raise PnsToolkitError(f"pns.inject: no operation {operation_id!r} in the spec; known: {known}")
        if resultcode is not None:
            check_returnable(operation_id, str(resultcode))
        if resultcode is None and not latency_ms and not drop:
            raise PnsToolkitError("pns.inject: give a resultcode, latency_ms or drop=True")
        self.platform.faults.arm(
            Fault(operation_id, count, str(resultcode) if resultcode else None, latency_ms / 1000, drop)
        )

    def result_codes(self, operation_id: str, *, handling_class: str | None = None) -> list[str]:
        """The error codes the operation can return (see `contract_tests.codes.result_codes`)."""
        return result_codes(operation_id, handling_class=handling_class)

    def advance(self, seconds: float) -> float:
        """Move the virtual clock forward (binding expiry, push retries)."""
        return self.platform.clock.advance(seconds)

    def set_time(self, when: str | float) -> float:
        """Set the virtual clock: epoch seconds or `yyyy-MM-ddTHH:mm:ssZ`."""
        if isinstance(when, str):
            when = datetime.strptime(when, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
        return self.platform.clock.set(when)

    def now(self) -> float:
        return self.platform.clock.now()

    # reading

    def journal(self, operation_id: str | None = None) -> list[Entry]:
        """The requests this test made (or the server received), oldest first."""
        entries = self.platform.journal.entries(operation_id)
        return [e for e in entries if e.id > self._journal_start]

    def calls(self, operation_id: str) -> int:
        return len(self.journal(operation_id))

    def bindings(self, app_key: str | None = None) -> list[dict[str, Any]]:
        apps = self.platform.dump()["apps"]
        return [b for a in apps if app_key in (None, a["app_key"]) for b in a["bindings"]]

    def record_unexpected(self, method: str, url: str) -> None:
        self.unexpected.append((method, url))

    def violations(self) -> list[ContractViolation]:
        found = violations(self.spec, self.journal(), self.options)
        found += [
            ContractViolation(
                operation="(no operation)",
                request=f"{method} {url}",
                problem="request to a host that is neither a PNS base URL nor allowed",
                expected="one of: " + ", ".join(self.options.base_urls),
                opt_out='@pytest.mark.pns(allow_hosts=["host"]) or --pns-base-url',
            )
            for method, url in self.unexpected
        ]
        if self.options.fail_on_push_failures:
            found += self.push_violations()
        return found

    def warnings(self) -> list[str]:
        """What this test relied on that the vendor does not confirm (warnings, not failures,
        unless `strict_fields`: then they are violations)."""
        return warnings_of(self.journal(), self.options)

    def pushes(self, app_key: str | None = None, webhook: str | None = None) -> list[Push]:
        """The platform's pushes to your receivers (copies), each with its delivery attempts."""
        return self.platform.deliverer.pushes(app_key, webhook)

    def push_violations(self) -> list[ContractViolation]:
        """Pushes your receivers did not take on their first attempt (after those in flight end)."""
        deliverer = self.platform.deliverer
        timeout = self.platform.settings.push_timeout_seconds
        if deliverer.running:
            deliverer.wait_idle(timeout=timeout + 1)
        return push_violations(self.spec, deliverer.pushes(), deliverer.retry_offsets, timeout)

    def assert_no_violations(self) -> None:
        found = self.violations()
        if len(found) == 1:
            raise found[0]
        if found:
            raise Violations(found)

    # pushes to the code under test

    def pushes_to(
        self,
        target: Any,
        *,
        mode: str = "AXB",
        app_key: str | None = None,
        check_replies: bool = True,
        future: bool = False,
        auth: str | None = None,
        **paths: str,
    ) -> PushDriver:
        """Send the platform's pushes to your handler: a WSGI or ASGI app (in-process) or a URL.

        `paths` name where each kind of push goes, like the console's receiving addresses:
        `status` (call events, X-mode callin), `fee` (CDRs), `number_status`, `sms_notify`,
        `sms_block`; defaults `/status`, `/fee`, `/sms/notify`, `/sms/block`. With `future=True`
        every push also carries fields a later platform version may add (your handler must ignore
        them); `unknown_event()` sends an event type the spec does not know. `auth` is how the
        pushes are signed: "aksk" (`Authorization: AKSK` + `X-AKSK`, the current pages) or "wsse"
        (`Authorization: WSSE` + `X-WSSE`, the older pages); default the application's `push_auth`.
        """
        from .inbound import PushDriver

        app = self.app_by_key(app_key) if app_key else self.app(mode)
        scheme = auth if auth is not None else self.platform.app(app.app_key).push_auth
        schemes = push_auth_schemes()
        if scheme not in schemes:
            raise PnsToolkitError(
                f"pns.pushes_to(auth={auth!r}): pushes are signed one of these ways: {', '.join(schemes)}"
            )
        return PushDriver(
            target,
            app_key=app.app_key,
            app_secret=app.app_secret,
            mode=app.mode,
            x_numbers=app.numbers,
            paths={**DEFAULT_PUSH_PATHS, **paths},
            check_replies=check_replies,
            scheme=scheme.upper(),
            seed=self.options.seed or 0,
            on_push=self.pushed.append,
            timeout=self.platform.settings.push_timeout_seconds,
            future=future,
        )

    def mark_start(self) -> None:
        """Only requests after this point belong to the current test (a shared server)."""
        entries = self.platform.journal.entries()
        self._journal_start = entries[-1].id if entries else 0
        self.unexpected.clear()
