"""Who may drive the admin API: requests a web page in the developer's browser can make are not.

The admin API listens on loopback, which a browser can reach from any page it shows. Three
checks keep such a page out, for every admin route alike:

- `Origin`: a browser names the page behind every cross-origin write (and `fetch`). An origin
  that is not a loopback name, a configured admin host or the request's own host is refused;
  so is `Origin: null` (sandboxed frames, files) and `Sec-Fetch-Site: cross-site`.
- `Host`: DNS rebinding points a page's own name at 127.0.0.1, making it same-origin. Without an
  admin token, the `Host` must be a loopback name or a configured admin host.
- `Content-Type`: a page may POST `text/plain` or a form with no preflight; admin writes must say
  `application/json` (a write with no body may say nothing).

Clients that are not browsers (curl, the CLI, tests) send no `Origin` and a loopback `Host`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


def host_name(authority: str) -> str:
    """`Host` or an origin's authority without the port, brackets or trailing dot, in lower case."""
    name = authority.strip().lower()
    if name.startswith("["):  # [::1]:8080
        return name[1:].split("]", 1)[0]
    if name.count(":") == 1:
        name = name.split(":", 1)[0]
    return name.rstrip(".")


def is_loopback(name: str) -> bool:
    if name in LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class AdminGate:
    def __init__(self, hosts: Iterable[str] = ()) -> None:
        self.hosts = {host_name(h) for h in hosts if h}

    def allow_host(self, host: str) -> None:
        """A name the server was told to listen on (`--host`), unless it is a wildcard."""
        name = host_name(host)
        if name and name not in ("0.0.0.0", "::"):
            self.hosts.add(name)

    def _known(self, name: str) -> bool:
        return is_loopback(name) or name in self.hosts

    def refusal(self, method: str, headers: Mapping[str, str], body: bytes, *, token: bool) -> str | None:
        """Why this request may not reach an admin route (None: it may)."""
        host = headers.get("host")
        if not token and host is not None and not self._known(host_name(host)):
            return (
                f"Host {host!r} is not a loopback name: the admin API refuses it (DNS rebinding); "
                "add the name to server.admin_hosts to allow it"
            )
        if headers.get("sec-fetch-site") == "cross-site":
            return "a cross-site browser request may not use the admin API"
        origin = headers.get("origin")
        if origin is not None:
            parts = urlsplit(origin.strip())
            name = host_name(parts.netloc) if parts.scheme in ("http", "https") else ""
            same = host is not None and name == host_name(host)
            if not name or not (self._known(name) or same):
                return f"Origin {origin!r} is foreign: the admin API answers no web page but its own"
        if method not in ("GET", "HEAD"):
            kind = headers.get("content-type")
            if kind is None and not body.strip():
                return None
            media = (kind or "").split(";", 1)[0].strip().lower()
            if media != "application/json":
                return f"admin writes need Content-Type: application/json, not {kind!r}"
        return None
