"""Owns: the request handler (spec API, admin API, files), validation, wire shaping, ASGI, listeners, TLS.
May import: platform, config, report, traffic, pushes, domain, pns_mock.spec; never state, commands, cli.
"""

from __future__ import annotations

from . import listeners, validation
from .api import ADMIN_PREFIX, Api, ChangeLog, runtime_for
from .asgi import AsgiApp, DropConnection
from .coalesce import CoalescingTransport, protocol_class
from .conformance import reply_problems
from .engine import Engine
from .handlers import HANDLERS
from .listeners import Listener, ListenerError, add_listener_options, listeners_from, serve_all
from .message import FILES_PREFIX, HttpRequest, HttpResponse, json_response
from .validation import RequestValidator

__all__ = [
    "ADMIN_PREFIX",
    "FILES_PREFIX",
    "HANDLERS",
    "Api",
    "AsgiApp",
    "ChangeLog",
    "CoalescingTransport",
    "DropConnection",
    "Engine",
    "HttpRequest",
    "HttpResponse",
    "Listener",
    "ListenerError",
    "RequestValidator",
    "add_listener_options",
    "json_response",
    "listeners",
    "listeners_from",
    "protocol_class",
    "reply_problems",
    "runtime_for",
    "serve_all",
    "validation",
]
