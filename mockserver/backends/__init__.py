"""Domain backends, one per binding mode: plain state and rules, no HTTP."""

from .ax import AxBackend, AxBinding
from .axb import AxbBackend, AxbBinding, AxbPage

__all__ = ["AxBackend", "AxBinding", "AxbBackend", "AxbBinding", "AxbPage"]
