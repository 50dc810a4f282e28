"""pytest entry point (`pytest11`): options, markers, fixtures and hooks only.

Fixtures:
- `pns`: the PNS API answered in-process for `requests` and `httpx` calls to the PNS hosts;
  requests that break the spec fail the test with a `ContractViolation`.
- `pns_server`: the same platform served over HTTP on 127.0.0.1 (for other processes and
  languages); `pns_server.url` is its base URL, and violations are read from its journal.
- `pns_spec`: the parsed spec.
Marker: `@pytest.mark.pns(**options)` overrides options for one test (see `PnsOptions`).

Loading the plugin imports only pytest and the options: the spec, the engine and the HTTP
interception are imported when a test first uses a fixture (a run that never does pays nothing).
"""

from __future__ import annotations

import warnings
from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from .options import add_options, resolve

if TYPE_CHECKING:
    from pns_mock import spec

    from .diagnosis import Diagnosis
    from .mock import PnsMock
    from .server import RunningServer
    from .sessionreport import SessionReport

_MOCKS = pytest.StashKey["PnsMock"]()
_REPORT = pytest.StashKey["SessionReport"]()
_SERVER = pytest.StashKey["tuple[RunningServer, PnsMock]"]()
_DIAGNOSIS = pytest.StashKey["Diagnosis"]()
_GATE = pytest.StashKey[str]()
_WORKER_OUTPUT = "pns"  # key of this plugin's data in a pytest-xdist worker's output


def _diagnosis(mock: PnsMock) -> Diagnosis:
    from .diagnosis import Diagnosis

    return Diagnosis(mock)


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "pns(**options): options of the PNS contract plugin for one test, e.g. "
        "@pytest.mark.pns(strict_fields=False, allow_hosts=['example.org'])",
    )
    resolve(config)  # a bad command-line or ini value is a usage error now, not at the first test


def _report(config: pytest.Config) -> SessionReport:
    if _REPORT not in config.stash:
        from .sessionreport import SessionReport

        config.stash[_REPORT] = SessionReport(resolve(config).modes)
    return config.stash[_REPORT]


@pytest.fixture(scope="session")
def pns_spec() -> spec.Spec:
    """The PNS spec the plugin checks against."""
    from pns_mock import spec

    return spec.load()


@pytest.fixture
def pns(request: pytest.FixtureRequest) -> Iterator[PnsMock]:
    """The PNS platform, answering the code under test in-process."""
    from .standalone import MockSession

    session = MockSession(resolve(request.config, request.node.get_closest_marker("pns")))
    mock = session.start()
    request.node.stash[_MOCKS] = mock
    request.node.stash[_DIAGNOSIS] = _diagnosis(mock)
    try:
        yield mock
    finally:
        session.stop()
        _report(request.config).add_test(request.node.nodeid, mock)


@pytest.fixture
def pns_server(request: pytest.FixtureRequest) -> Iterator[RunningServer]:
    """The PNS platform over HTTP on 127.0.0.1, started once per session (per pytest-xdist
    worker), reset for each test."""
    config = request.config
    if _SERVER not in config.stash:
        from .mock import PnsMock
        from .server import RunningServer

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
    request.node.stash[_DIAGNOSIS] = _diagnosis(mock)
    yield server
    _report(config).add_test(request.node.nodeid, mock)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    result = yield
    mock = item.stash.get(_MOCKS, None)
    if mock is not None:
        from .violations import PnsFidelityWarning

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


# The session's report: one per run, also under pytest-xdist (each worker keeps its own platform
# and sends what it saw; the controller merges it and reports once).


def _is_xdist_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workeroutput")


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    data = getattr(node, "workeroutput", {}).get(_WORKER_OUTPUT)
    if data:
        _report(node.config).merge(data)


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    report = config.stash.get(_REPORT, None)
    if report is None or not report.used:
        return
    if _is_xdist_worker(config):
        config.workeroutput[_WORKER_OUTPUT] = report.to_dict()  # type: ignore[attr-defined]
        return
    failed = report.gate(resolve(config).coverage_min)
    if failed:
        config.stash[_GATE] = failed
        if session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    report = config.stash.get(_REPORT, None)
    if report is None or not report.used or _is_xdist_worker(config):
        return
    terminalreporter.section("PNS contract coverage")
    for line in report.lines(color=terminalreporter.hasmarkup):
        terminalreporter.write_line(line)
    path = resolve(config).coverage_json
    if path:
        report.write(path)
        terminalreporter.write_line(f"written to {path}")
    failed = config.stash.get(_GATE, None)
    if failed:
        terminalreporter.write_line(failed, red=True, bold=True)
