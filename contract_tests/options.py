"""One options object. Precedence: marker keyword > command line > ini key > default.

Environment variables are not read anywhere in the plugin. pytest is imported only by the
functions that need it: `PnsOptions` also serves `contract_tests.standalone`, without pytest.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pytest

DEFAULT_BASE_URLS = (
    "https://rtcpns.cn-north-1.myhuaweicloud.com",
    "https://rtcapi.cn-north-1.myhuaweicloud.com:12543",
)


@dataclass(frozen=True)
class PnsOptions:
    # hosts whose requests the plugin answers from the mock
    base_urls: tuple[str, ...] = DEFAULT_BASE_URLS
    # fields the spec does not document fail the test (the platform itself ignores them)
    strict_fields: bool = True
    # requests that break the spec fail the test (the mock answers them like the platform anyway)
    fail_on_violations: bool = True
    # other hosts that may be reached for real; every other host fails the test
    allow_hosts: tuple[str, ...] = ()
    # the modes the suite is about: coverage counts their operations, pushes and codes (() = the
    # modes the suite used)
    modes: tuple[str, ...] = ()
    # the virtual clock starts at the wall time and stands still unless the test moves it
    frozen_clock: bool = True
    # seconds `Created` may differ from the wall clock
    auth_window: float = 300.0
    # seed of subscription ids, for reproducible runs
    seed: int | None = 0
    # where the session's contract coverage is written as JSON ("" = not written)
    coverage_json: str = ""
    # a push the customer's receiver did not take on its first attempt fails the test
    fail_on_push_failures: bool = True
    # seconds a push waits for the customer's answer: the server's and the in-process harness's
    # (0: the platform's own default, `server.push_timeout_seconds`; read when a mock is made)
    push_timeout: float = 0.0
    # the session fails when fewer than this percentage of the operations were exercised (0 = no gate)
    coverage_min: float = 0.0
    # language of the field descriptions shown next to the English ones in violation messages
    lang: str = "en"


# name -> (command-line flag, ini key, help)
OPTIONS: dict[str, tuple[str, str, str]] = {
    "base_urls": ("--pns-base-url", "pns_base_urls", "base URL the plugin intercepts (repeatable)"),
    "strict_fields": (
        "--pns-strict-fields",
        "pns_strict_fields",
        "undocumented request fields fail the test (true/false)",
    ),
    "fail_on_violations": (
        "--pns-fail-on-violations",
        "pns_fail_on_violations",
        "requests that break the spec fail the test (true/false)",
    ),
    "allow_hosts": ("--pns-allow-host", "pns_allow_hosts", "host that may be reached for real (repeatable)"),
    "modes": (
        "--pns-modes",
        "pns_modes",
        "modes the suite is about (repeatable: AXB, AX, ...): coverage counts theirs; default the modes used",
    ),
    "frozen_clock": ("--pns-frozen-clock", "pns_frozen_clock", "virtual clock stands still (true/false)"),
    "auth_window": ("--pns-auth-window", "pns_auth_window", "accepted Created skew in seconds"),
    "seed": ("--pns-seed", "pns_seed", "seed for ids"),
    "coverage_json": ("--pns-coverage-json", "pns_coverage_json", "write contract coverage to this file"),
    "fail_on_push_failures": (
        "--pns-fail-on-push-failures",
        "pns_fail_on_push_failures",
        "pushes not delivered on their first attempt fail the test (true/false)",
    ),
    "push_timeout": (
        "--pns-push-timeout",
        "pns_push_timeout",
        "seconds a push waits for your receiver's answer (server and in-process harness)",
    ),
    "coverage_min": (
        "--pns-coverage-min",
        "pns_coverage_min",
        "fail the session when operation coverage is below this percentage",
    ),
    "lang": (
        "--pns-lang",
        "pns_lang",
        "also show field descriptions in this language in violation messages (en, zh-CN)",
    ),
}


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("pns", "PNS (Huawei Cloud Private Number Service) contract tests")
    for name, (flag, ini, help_text) in OPTIONS.items():
        repeatable = name in ("base_urls", "allow_hosts", "modes")
        group.addoption(flag, action="append" if repeatable else "store", default=None, help=help_text)
        if repeatable:
            parser.addini(ini, help_text, type="linelist", default=None)
        else:
            parser.addini(ini, help_text, type="string", default=None)


def _coerce(name: str, value: Any) -> Any:
    import pytest

    default = getattr(PnsOptions, name)
    if isinstance(default, bool):
        if isinstance(value, str):
            if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise pytest.UsageError(f"pns option {name}: expected true or false, got {value!r}")
            return value.lower() in ("true", "1", "yes")
        return bool(value)
    if isinstance(default, tuple):
        items = tuple([value] if isinstance(value, str) else value)
        if name == "modes":
            from pns_mock.mockserver.domain import modes

            known = {m.upper(): m for m in modes()}
            unknown = [m for m in items if str(m).upper() not in known]
            if unknown:
                raise pytest.UsageError(
                    f"pns option modes: unknown mode(s) {', '.join(map(str, unknown))}; "
                    f"the modes are {', '.join(known.values())}"
                )
            items = tuple(known[str(m).upper()] for m in items)
        return items
    if isinstance(default, float):
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise pytest.UsageError(f"pns option {name}: expected a number, got {value!r}") from None
        if name == "coverage_min" and not 0 <= number <= 100:
            raise pytest.UsageError(f"pns option {name}: expected a percentage from 0 to 100, got {value!r}")
        return number
    if name == "seed":
        return None if value in (None, "", "none") else int(value)
    if name == "lang":
        from pns_mock import spec

        if value not in spec.languages():
            raise pytest.UsageError(
                f"pns option lang: expected one of {', '.join(spec.languages())}, got {value!r}"
            )
    return value


def resolve(config: pytest.Config, marker: pytest.Mark | None = None) -> PnsOptions:
    import pytest

    known = {f.name for f in fields(PnsOptions)}
    given = dict(marker.kwargs) if marker else {}
    unknown = set(given) - known
    if unknown:
        raise pytest.UsageError(
            f"@pytest.mark.pns got unknown keyword(s) {sorted(unknown)}; known: {sorted(known)}"
        )
    values: dict[str, Any] = {}
    for name in known:
        flag, ini, _ = OPTIONS[name]
        if name in given:
            values[name] = _coerce(name, given[name])
            continue
        cli = config.getoption(flag)
        if cli is not None:
            values[name] = _coerce(name, cli)
            continue
        ini_value = config.getini(ini)
        if ini_value not in (None, "", []):
            values[name] = _coerce(name, ini_value)
    return PnsOptions(**values)


__all__ = ["DEFAULT_BASE_URLS", "OPTIONS", "PnsOptions", "add_options", "resolve"]
