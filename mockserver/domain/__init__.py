"""Owns: applications, numbers, the clock and expiry, ids, errors, AKSK/WSSE signatures, a backend per mode.
May import: pns_mock.spec and the standard library; nothing else of mockserver.
"""

from __future__ import annotations

from . import auth, jsontext
from .apps import Application, PrivateNumber, landline_area_code, modes
from .auth import Authenticator, created_now, sign
from .backends import (
    AxBackend,
    AxbBackend,
    AxbBinding,
    AxBinding,
    AxbPage,
    AxeBackend,
    AxeBinding,
    AxePage,
    AxybBackend,
    AxybBinding,
    YbRelation,
)
from .clock import LATEST, Clock, ExpiryQueue, VirtualClock, checked_epoch, format_time
from .errors import PROBLEM_HEADER, ConfigError, PnsError, Problem
from .faults import Fault, Faults
from .ids import IdFactory

__all__ = [
    "LATEST",
    "PROBLEM_HEADER",
    "Application",
    "Authenticator",
    "AxBackend",
    "AxBinding",
    "AxbBackend",
    "AxbBinding",
    "AxbPage",
    "AxeBackend",
    "AxeBinding",
    "AxePage",
    "AxybBackend",
    "AxybBinding",
    "Clock",
    "ConfigError",
    "ExpiryQueue",
    "Fault",
    "Faults",
    "IdFactory",
    "PnsError",
    "PrivateNumber",
    "Problem",
    "VirtualClock",
    "YbRelation",
    "auth",
    "checked_epoch",
    "created_now",
    "format_time",
    "jsontext",
    "landline_area_code",
    "modes",
    "sign",
]
