"""Server configuration: the YAML file of `--config`, checked key by key, and the built-in demo."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from pns_mock.spec import load as load_spec

from .domain.apps import Application, PrivateNumber, modes
from .domain.errors import ConfigError
from .domain.jsontext import finite_problem, unicode_problem

DEFAULT_MAX_HEADER_BYTES = 32 * 1024  # request headers, names and values together (server.max_header_bytes)
_YEAR = 366 * 86400  # durations in a configuration: finite, and a year at most

_SERVER = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "auth_window_seconds": {"type": "number", "minimum": 0, "maximum": _YEAR},
        "lockout_after": {"type": ["integer", "null"], "minimum": 1},
        "lockout_seconds": {"type": "number", "minimum": 0, "maximum": _YEAR},
        "nonce_replay_seconds": {"type": ["number", "null"], "exclusiveMinimum": 0, "maximum": _YEAR},
        "max_body_bytes": {"type": "integer", "minimum": 1},
        "max_header_bytes": {"type": "integer", "minimum": 1024},
        "max_pairs_per_x": {"type": "integer", "minimum": 1},
        "max_x_per_a": {"type": "integer", "minimum": 1},
        "max_relations_per_y": {"type": "integer", "minimum": 1},
        "push_timeout_seconds": {"type": "number", "exclusiveMinimum": 0, "maximum": 600},
        "strict_fields": {"type": "boolean"},
        "max_pending_pushes": {"type": "integer", "minimum": 1},
        "axe_modify_restarts_clock": {"type": "boolean"},
        "axe_query_shows_bind_values": {"type": "boolean"},
        "seed": {"type": ["integer", "null"]},
        "admin_token": {"type": ["string", "null"], "minLength": 1},
        "admin_hosts": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "max_admin_body_bytes": {"type": "integer", "minimum": 1},
    },
}


# Number formats and modes come from the spec, like everything the platform checks; read on first
# use so that importing the package costs no spec load.
@functools.cache
def numbers_schema() -> dict[str, Any]:
    schemas = load_spec().document["components"]["schemas"]
    return {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["number", "area_code"],
            "additionalProperties": False,
            "properties": {
                "number": {"type": "string", "pattern": schemas["XNumber"]["pattern"]},
                "area_code": {"type": "string", "pattern": schemas["AreaCode"]["pattern"]},
                "sms": {"type": "boolean"},
            },
        },
    }


@functools.cache
def push_auth_schemes() -> tuple[str, ...]:
    """`push_auth` values: the schemes `x-pns-delivery.auth` documents for pushes, by scheme word."""
    return tuple(
        str(scheme["Authorization"]).split(" ", 1)[0].lower()
        for scheme in load_spec().document["x-pns-delivery"]["auth"].values()
    )


@functools.cache
def config_schema() -> dict[str, Any]:
    """The JSON Schema of a `--config` file."""
    app = {
        "type": "object",
        "required": ["app_key", "app_secret", "mode"],
        "additionalProperties": False,
        "properties": {
            "app_key": {"type": "string", "minLength": 1, "maxLength": 128},
            "app_secret": {"type": "string", "minLength": 1},
            "mode": {"enum": list(modes())},
            "numbers": numbers_schema(),
            "recording": {"type": "boolean"},
            "sms": {"type": "boolean"},
            "extension_length": {"type": "integer", "minimum": 1, "maximum": 4},
            "sms_mode": {"enum": ["notify", "block"]},
            "push_auth": {"enum": list(push_auth_schemes())},
            "status": {"enum": ["normal", "frozen", "unavailable"]},
            "callbacks": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    k: {"type": "string", "pattern": "^https?://"}
                    for k in ("status", "fee", "number_status", "sms_notify", "sms_block")
                },
            },
        },
    }
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {"server": _SERVER, "apps": {"type": "array", "items": app}},
    }


@dataclass
class Settings:
    """Tunable platform limits; defaults follow the vendor where it publishes a number."""

    auth_window_seconds: float = 300.0
    lockout_after: int | None = None
    lockout_seconds: float = 1800.0
    # off: the vendor documents no Nonce check (spec: x-pns-undocumented-conditions, nonce-replay)
    nonce_replay_seconds: float | None = None
    max_body_bytes: int = 65536
    max_header_bytes: int = DEFAULT_MAX_HEADER_BYTES  # request headers past it get 431 from the server
    max_pairs_per_x: int = 5000
    max_x_per_a: int = 5
    max_relations_per_y: int = 1000  # AXYB relations per Y
    push_timeout_seconds: float = 5.0  # how long a push waits for the customer (unpublished)
    # report request fields the spec does not document (the platform ignores them, and so does
    # the mock's answer): X-PNS-Mock-Problem on the reply and `undocumented` in the journal
    strict_fields: bool = True
    max_pending_pushes: int = 1000  # per application; past it the oldest pending push is dropped
    # AXE (the vendor's pages disagree): does a modified lifetime count from the modify, and
    # does a query show the bind-time lifetime or the modified one?
    axe_modify_restarts_clock: bool = True
    axe_query_shows_bind_values: bool = True
    seed: int | None = None
    admin_token: str | None = None  # when set, the admin API answers anyone who sends it, and only them
    # names (besides loopback ones) the admin API answers to in Host and Origin: DNS rebinding
    admin_hosts: list[str] = field(default_factory=list)
    max_admin_body_bytes: int = 16 * 1024 * 1024  # seed files for POST /_pns/reset are large


@dataclass
class Config:
    settings: Settings = field(default_factory=Settings)
    apps: list[Application] = field(default_factory=list)


def _where(path: Any) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def parse_config(data: Any, *, source: str = "config") -> Config:
    """Build a Config from parsed YAML, or raise ConfigError naming the offending key."""
    if data is None:
        data = {}
    problem = unicode_problem(data) or finite_problem(data)
    if problem:
        raise ConfigError(f"{source}: {problem}")
    errors = sorted(Draft202012Validator(config_schema()).iter_errors(data), key=lambda e: list(e.path))
    if errors:
        raise ConfigError(f"{source}: {_where(errors[0].absolute_path)}: {errors[0].message}")
    settings = Settings(**data.get("server", {}))
    apps = [app_from_dict(a) for a in data.get("apps", [])]
    seen: set[str] = set()
    owners: dict[str, str] = {}
    for index, app in enumerate(apps):
        if app.app_key in seen:
            raise ConfigError(f"{source}: apps[{index}].app_key: {app.app_key!r} is used twice")
        seen.add(app.app_key)
        for n in app.numbers:
            if n.number in owners:
                raise ConfigError(
                    f"{source}: apps[{index}].numbers: {n.number} already belongs to {owners[n.number]}"
                )
            owners[n.number] = app.app_key
    return Config(settings=settings, apps=apps)


def parse_numbers(data: Any, *, source: str = "numbers") -> list[PrivateNumber]:
    """Numbers in the config-file shape, checked like a config file."""
    problem = unicode_problem(data)
    if problem:
        raise ConfigError(f"{source}: {problem}")
    errors = list(Draft202012Validator(numbers_schema()).iter_errors(data))
    if errors:
        raise ConfigError(f"{source}: {_where(errors[0].absolute_path)}: {errors[0].message}")
    return [PrivateNumber(n["number"], n["area_code"], n.get("sms", True)) for n in data]


def app_from_dict(a: dict[str, Any]) -> Application:
    return Application(
        app_key=a["app_key"],
        app_secret=a["app_secret"],
        mode=a["mode"],
        numbers=parse_numbers(a.get("numbers", [])),
        recording=a.get("recording", False),
        sms=a.get("sms", False),
        callbacks=dict(a.get("callbacks", {})),
        extension_length=a.get("extension_length", 4),
        sms_mode=a.get("sms_mode", "notify"),
        push_auth=a.get("push_auth", push_auth_schemes()[0]),
        status=a.get("status", "normal"),
    )


# libyaml when present: the pure-Python loader takes about 50 ms even for the small defaults file
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_config(path: Path) -> Config:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    try:
        data = yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    return parse_config(data, source=str(path))


def default_config() -> Config:
    """The demo set-up: one application per mode with fixed, documented credentials."""
    text = resources.files(__package__).joinpath("defaults.yaml").read_text(encoding="utf-8")
    return parse_config(yaml.load(text, Loader=_LOADER), source="built-in defaults")
