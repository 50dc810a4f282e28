"""The one request handler: the standalone server and the pytest plugin both call `Engine.handle`.

`Engine` is the spec's API (`api.Api`) with what the mock serves beside it mounted from here:
the admin API under /_pns/ and the recording files behind download links.
"""

from __future__ import annotations

from pns_mock.spec import Spec

from ..platform import Platform
from .admin import Admin
from .api import ADMIN_PREFIX, Api
from .files import Files
from .message import FILES_PREFIX


class Engine(Api):
    def __init__(self, platform: Platform, spec: Spec | None = None) -> None:
        super().__init__(platform, spec)
        self.admin = Admin(self)
        self.files = Files(platform)
        self.mount(ADMIN_PREFIX, self.admin.handle)
        self.mount(FILES_PREFIX, self.files.handle)


__all__ = ["ADMIN_PREFIX", "Engine"]
