"""Reference documentation of the PNS API, rendered from the spec: `pns-mock docs`.

Imports `spec` only. It reads `fixtures/` when run from a checkout, and without it the demo app_key
of `mockserver/defaults.yaml` (package data) for the AXYB examples; nothing here runs the mock.
"""

from .build import build_reference
from .html import render_html
from .markdown import render_markdown
from .model import Reference
from .site import FORMATS, reference, site_folder, write_site

__all__ = [
    "FORMATS",
    "Reference",
    "build_reference",
    "reference",
    "render_html",
    "render_markdown",
    "site_folder",
    "write_site",
]
