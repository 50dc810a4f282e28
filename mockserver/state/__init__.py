"""Owns: `serve --state FILE`, a log of acknowledged changes replayed through the handlers on start.
May import: http, platform, config, pushes, domain, pns_mock.spec; the API calls it as a ChangeLog.
"""

from __future__ import annotations

from .persistence import DurablePlatform, Recorder, config_to_dict, open_state
from .statefile import StateFile, StateFileError

__all__ = ["DurablePlatform", "Recorder", "StateFile", "StateFileError", "config_to_dict", "open_state"]
