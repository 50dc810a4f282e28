"""The PNS OpenAPI spec, bundled with the toolkit, and typed access to it.

Everything else in pns-mock reads the vendor's API through this package.
"""

from .loader import Spec, languages, load, load_document, overlay, resolve_pointer, spec_path, text
from .model import (
    HANDLING_CLASSES,
    Conflict,
    Operation,
    Parameter,
    ReasonRule,
    ResultCatalogue,
    ResultCode,
    TableRow,
    Webhook,
)
from .rules import FieldOrder, Rule, Source
from .schemas import SchemaRegistry

__all__ = [
    "HANDLING_CLASSES",
    "Conflict",
    "FieldOrder",
    "Operation",
    "Parameter",
    "ReasonRule",
    "ResultCatalogue",
    "ResultCode",
    "Rule",
    "SchemaRegistry",
    "Source",
    "Spec",
    "TableRow",
    "Webhook",
    "languages",
    "load",
    "load_document",
    "overlay",
    "resolve_pointer",
    "spec_path",
    "text",
]
