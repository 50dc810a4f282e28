"""`pns-mock call`, `sms`, `number-status`: drive a running server's simulated traffic over its admin API."""

from __future__ import annotations

import argparse
import json
import sys
from urllib.parse import quote


def drive(args: argparse.Namespace) -> int:
    import urllib.error
    import urllib.request

    if args.command == "call":
        path, body = (
            "/_pns/calls",
            {
                "from": args.caller,
                "to": args.dialled,
                "digits": args.digits,
                "outcome": args.outcome or "answer",
                "answer_after": args.answer_after,
                "talk": args.talk,
                "hangup_by": args.hangup_by,
            },
        )
    elif args.command == "sms":
        path, body = "/_pns/sms", {"from": args.caller, "to": args.dialled, "text": args.text}
    else:
        path, body = (
            f"/_pns/numbers/{quote(args.number)}/status",
            {"status": args.status, "cause": args.cause},
        )
    request = urllib.request.Request(
        args.url.rstrip("/") + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.loads(response.read())
    except urllib.error.HTTPError as err:
        answer = json.loads(err.read() or b"{}")
    except OSError as err:
        print(f"pns-mock: cannot reach {args.url}: {err}", file=sys.stderr)
        return 1
    print(json.dumps(answer.get("result", answer), indent=2, ensure_ascii=False))
    return 0 if answer.get("ok") else 1
