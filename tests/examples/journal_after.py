"""Runs a client, then saves the mock's journal (GET /_pns/journal) to a file; exits as the client did.

Used as COMMAND under `pns-mock run` so the test can check every reply the mock sent the client.
Usage: journal_after.py FILE -- CLIENT...
"""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request


def main() -> int:
    target, argv = sys.argv[1], sys.argv[3:]
    status = subprocess.run(argv, check=False).returncode
    with urllib.request.urlopen(os.environ["PNS_ADMIN_URL"] + "/journal", timeout=10) as reply:
        data = reply.read()
    with open(target, "wb") as out:
        out.write(data)
    return status


if __name__ == "__main__":
    sys.exit(main())
