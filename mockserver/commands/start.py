"""The one start-up of the platform that `serve` and `run` share: state file, admin token, engine."""

from __future__ import annotations

import argparse
import dataclasses
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pns_mock.spec import languages

from ..config import Config
from ..domain.errors import ConfigError
from ..report.files import check_writable

if TYPE_CHECKING:
    from ..http.engine import Engine
    from ..platform import Platform
    from ..state.persistence import Recorder


class StartError(Exception):
    """The server cannot start as asked: one line for the user, exit status 2."""


@dataclass
class Served:
    platform: Platform
    engine: Engine
    recorder: Recorder | None

    def close(self) -> None:
        if self.recorder is not None:
            self.recorder.close()


TOKEN_ENV = "PNS_MOCK_ADMIN_TOKEN"  # the admin token, when not on the command line


def admin_token(args: argparse.Namespace, configured: str | None) -> str | None:
    """--admin-token, else --admin-token-file, else $PNS_MOCK_ADMIN_TOKEN, else the config's."""
    if args.admin_token:
        return str(args.admin_token)
    if args.admin_token_file is not None:
        lines = args.admin_token_file.read_text(encoding="utf-8").splitlines()
        token = lines[0].strip() if lines else ""
        if not token:
            raise ConfigError(f"{args.admin_token_file}: the admin token file is empty")
        return token
    return os.environ.get(TOKEN_ENV) or configured


def start_platform(args: argparse.Namespace, config: Config) -> Served:
    """The platform, engine and state file `serve` and `run` start from their shared options."""
    from ..domain.clock import VirtualClock
    from ..http.engine import Engine
    from ..platform import Platform

    # The one place the server reads the environment: the journal's language (headers stay ASCII).
    lang = os.environ.get("PNS_MOCK_LANG") or "en"
    if lang not in languages():
        raise StartError(f"PNS_MOCK_LANG={lang!r}: use one of {', '.join(languages())}")
    if args.strict_fields is not None:
        config = dataclasses.replace(
            config, settings=dataclasses.replace(config.settings, strict_fields=args.strict_fields)
        )
    platform: Platform
    recorder = None
    if args.state:
        from ..state.persistence import StateFileError, open_state

        try:
            platform, recorder = open_state(args.state, config, frozen_clock=args.frozen_clock)
        except (StateFileError, ConfigError) as err:
            raise StartError(f"--state: {err}") from err
    else:
        platform = Platform(config, clock=VirtualClock(frozen=args.frozen_clock))
    if args.strict_fields is not None:  # a --state file's own settings give way to the flag
        platform.settings.strict_fields = args.strict_fields
    platform.journal.lang = lang
    engine = Engine(platform)
    if recorder is not None:
        recorder.attach(engine)
    try:
        engine.admin.token = admin_token(args, platform.settings.admin_token)
    except (OSError, ConfigError) as err:
        if recorder is not None:
            recorder.close()
        raise StartError(f"admin token: {err}") from err
    engine.admin.gate.allow_host(args.host)
    return Served(platform, engine, recorder)


def report_paths_problem(args: argparse.Namespace, *names: str) -> str | None:
    for name in names:
        path = getattr(args, name, None)
        if path is not None and (why := check_writable(path)):
            return f"--{name.replace('_', '-')}: {why}"
    return None
