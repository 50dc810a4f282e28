"""Owns: simulated calls and SMS (routing, events on the virtual clock, CDRs), number status, recordings.
May import: pushes, domain and pns_mock.spec; the platform's parts come in as parameters.
"""

from __future__ import annotations

from .calls import ActiveCall, Calls
from .hub import Directory, Traffic
from .model import OUTCOMES, CallPlan, Outcome, SimulatedCall, Sink
from .recordings import Recordings
from .routing import ROUTERS, Route
from .simulator import Simulator
from .sms import SmsResult, SmsRouter

__all__ = [
    "OUTCOMES",
    "ROUTERS",
    "ActiveCall",
    "CallPlan",
    "Calls",
    "Directory",
    "Outcome",
    "Recordings",
    "Route",
    "SimulatedCall",
    "Simulator",
    "Sink",
    "SmsResult",
    "SmsRouter",
    "Traffic",
]
