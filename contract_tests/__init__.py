"""pytest plugin of pns-mock: check a PNS integration against the spec in the customer's own CI.

Without pytest: `from contract_tests import pns_mock` (see `contract_tests.standalone`). The names
below are imported on first use, so that loading the pytest plugin costs no import of the engine.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .mock import PnsMock
    from .standalone import PnsMockMixin, pns_mock
    from .violations import ContractViolation, PnsToolkitError

_LAZY = {
    "pns_mock": "pns_mock.contract_tests.standalone",
    "PnsMockMixin": "pns_mock.contract_tests.standalone",
    "PnsMock": "pns_mock.contract_tests.mock",
    "ContractViolation": "pns_mock.contract_tests.violations",
    "PnsToolkitError": "pns_mock.contract_tests.violations",
}

__all__ = ["ContractViolation", "PnsMock", "PnsMockMixin", "PnsToolkitError", "pns_mock"]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'contract_tests' has no attribute {name!r}")
    return getattr(importlib.import_module(_LAZY[name]), name)


def __dir__() -> list[str]:
    return __all__
