"""Domain backends, one per binding mode: plain state and rules, no HTTP."""

from .ax import AxBackend
from .ax_model import AxBinding
from .axb import AxbBackend
from .axb_model import AxbBinding, AxbPage
from .axe import AxeBackend
from .axe_model import AxeBinding, AxePage
from .axyb import AxybBackend
from .axyb_model import AxybBinding, YbRelation

__all__ = [
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
    "YbRelation",
]
