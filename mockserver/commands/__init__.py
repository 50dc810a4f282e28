"""Owns: the pns-mock commands: serve, run -- COMMAND, report, the traffic drivers; the shared start-up.
May import: state, http, platform, config and every layer below; cli.py (argument parsing) calls it.
"""

from __future__ import annotations

from .drive import drive
from .report import report
from .run import run
from .serve import serve
from .start import TOKEN_ENV, Served, StartError, admin_token, start_platform

__all__ = [
    "TOKEN_ENV",
    "Served",
    "StartError",
    "admin_token",
    "drive",
    "report",
    "run",
    "serve",
    "start_platform",
]
