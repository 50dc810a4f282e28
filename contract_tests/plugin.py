"""pytest entry point (`pytest11`): options, markers and fixtures only; logic lives elsewhere."""

from __future__ import annotations

import pytest

import spec


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("pns", "PNS (Huawei Cloud Private Number Service) contract tests")
    group.addoption(
        "--pns-spec",
        action="store",
        default=None,
        help="path of an alternative PNS OpenAPI document (default: the bundled spec)",
    )
    parser.addini("pns_spec", "path of an alternative PNS OpenAPI document", default="")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "pns(**options): per-test options of the PNS contract plugin")


@pytest.fixture(scope="session")
def pns_spec(pytestconfig: pytest.Config) -> spec.Spec:
    """The PNS spec the session checks against (option > ini > bundled)."""
    from pathlib import Path

    path = pytestconfig.getoption("--pns-spec") or pytestconfig.getini("pns_spec")
    if path:
        return spec.Spec(spec.load_document(Path(path)))
    return spec.load()
