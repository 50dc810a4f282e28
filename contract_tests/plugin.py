"""pytest entry point (`pytest11`): options, markers, fixtures and hooks only.

Fixtures:
- `pns`: the PNS API answered in-process for `requests` and `httpx` calls to the PNS hosts;
  requests that break the spec fail the test with a `ContractViolation`.
- `pns_server`: the same platform served over HTTP on 127.0.0.1 (for other processes and
  languages); `pns_server.url` is its base URL, and violations are read from its journal.
- `pns_spec`: the parsed spec.
Marker: `@pytest.mark.pns(**options)` overrides options for one test (see `PnsOptions`).
"""

from __future__ import annotations

import warnings
from collections.abc import Generator, Iterator

import pytest

import spec
from mockserver import verdict
from mockserver.coverage import Coverage

from .diagnosis import Diagnosis
from .intercept import Interceptor
from .mock import PnsMock
from .options import add_options, resolve
from .server import RunningServer
from .violations import PnsFidelityWarning

_MOCKS = pytest.StashKey[PnsMock]()
_COVERAGE = pytest.StashKey[Coverage]()
_SERVER = pytest.StashKey[tuple[RunningServer, PnsMock]]()
_DIAGNOSIS = pytest.StashKey[Diagnosis]()


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "pns(**options): options of the PNS contract plugin for one test, e.g. "
        "@pytest.mark.pns(strict_fields=False, allow_hosts=['example.org'])",
    )
    config.stash[_COVERAGE] = Coverage(spec.load())


@pytest.fixture(scope="session")
def pns_spec() -> spec.Spec:
    """The PNS spec the plugin checks against."""
    return spec.load()


@pytest.fixture
def pns(request: pytest.FixtureRequest) -> Iterator[PnsMock]:
    """The PNS platform, answering the code under test in-process."""
    options = resolve(request.config, request.node.get_closest_marker("pns"))
    mock = PnsMock(options)
    interceptor = Interceptor(mock.handle, options.base_urls, options.allow_hosts, mock.record_unexpected)
    interceptor.start()
    request.node.stash[_MOCKS] = mock
    request.node.stash[_DIAGNOSIS] = Diagnosis(mock)
    try:
        yield mock
    finally:
        interceptor.stop()
        coverage = request.config.stash[_COVERAGE]
        coverage.add_requests(mock.journal())
        for webhook in mock.pushed:
            coverage.add_push(webhook)


@pytest.fixture
def pns_server(request: pytest.FixtureRequest) -> Iterator[RunningServer]:
    """The PNS platform over HTTP on 127.0.0.1, started once per session, reset for each test."""
    config = request.config
    if _SERVER not in config.stash:
        mock = PnsMock(resolve(config))
        server = RunningServer(mock)
        server.start()
        config.stash[_SERVER] = (server, mock)
        config.add_cleanup(server.stop)
    server, mock = config.stash[_SERVER]
    mock.options = resolve(config, request.node.get_closest_marker("pns"))
    mock.reset()
    mock.mark_start()
    request.node.stash[_MOCKS] = mock
    request.node.stash[_DIAGNOSIS] = Diagnosis(mock)
    yield server
    config.stash[_COVERAGE].add_requests(mock.journal())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    result = yield
    mock = item.stash.get(_MOCKS, None)
    if mock is not None:
        for text in mock.warnings():
            warnings.warn(PnsFidelityWarning(text), stacklevel=1)
    diagnosis = item.stash.get(_DIAGNOSIS, None)
    if diagnosis is not None:
        diagnosis.check()
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Every outcome shows the test's violations and journal (see `diagnosis`)."""
    report = yield
    diagnosis = item.stash.get(_DIAGNOSIS, None)
    if diagnosis is not None:
        diagnosis.amend(report)
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    coverage = config.stash.get(_COVERAGE, None)
    if coverage is None or not coverage.used:
        return
    terminalreporter.section("PNS contract coverage")
    summary = verdict.terminal(verdict.of_coverage(coverage), color=terminalreporter.hasmarkup, outcome=False)
    for line in summary.splitlines():
        terminalreporter.write_line(line)
    path = resolve(config).coverage_json
    if path:
        coverage.write(path)
        terminalreporter.write_line(f"written to {path}")
