"""Owns: `pns-mock proxy`: forwarding to the real platform, drift checks, masked cassettes, replay.
May import: http, platform, config, report and every layer below; never state (`commands` and cli use it).
"""

from __future__ import annotations

from .cassettes import CassetteWriter, read_cassette
from .command import add_proxy_command, build_app, demo_keys, run_proxy
from .drift import reply_findings
from .masking import Masker, country_code_length, customer_fields
from .replay import Replayer
from .upstream import Upstream, UpstreamFailure, UpstreamOptions
from .watch import Exchange, Watch

__all__ = [
    "CassetteWriter",
    "Exchange",
    "Masker",
    "Replayer",
    "Upstream",
    "UpstreamFailure",
    "UpstreamOptions",
    "Watch",
    "add_proxy_command",
    "build_app",
    "country_code_length",
    "customer_fields",
    "demo_keys",
    "read_cassette",
    "reply_findings",
    "run_proxy",
]
