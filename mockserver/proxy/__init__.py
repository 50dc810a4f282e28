"""Owns `pns-mock proxy`: forwarding to the real platform, drift checks, masked cassettes, replay.
May import the rest of mockserver and spec; in mockserver only cli.py and the replay hooks import it.
"""

from __future__ import annotations
