"""Owns: what the platform saw and what is read from it: request journal, coverage, expectations, verdict.
May import: pushes, domain and pns_mock.spec; a platform is read through the `Journals` protocol.
"""

from __future__ import annotations

from . import verdict
from .coverage import Coverage
from .files import check_writable, write_atomic, write_reports
from .journal import ENTRY_HEADER_BYTES, HEADER_COUNT_LIMIT, HEADER_VALUE_LIMIT, MORE_HEADERS, Entry, Journal
from .verdict import SCHEMA_FILE, Verdict, of_platform, request_violations

__all__ = [
    "ENTRY_HEADER_BYTES",
    "HEADER_COUNT_LIMIT",
    "HEADER_VALUE_LIMIT",
    "MORE_HEADERS",
    "SCHEMA_FILE",
    "Coverage",
    "Entry",
    "Journal",
    "Verdict",
    "check_writable",
    "of_platform",
    "request_violations",
    "verdict",
    "write_atomic",
    "write_reports",
]
