"""The verdict at the end: of `run`, and of a running server for `pns-mock report --url` (admin API)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from ..report import verdict as verdicts
from ..report.files import write_reports
from .start import StartError, report_paths_problem

if TYPE_CHECKING:
    pass


def report(args: argparse.Namespace) -> int:
    """`pns-mock report --url`: the verdict a running server builds (GET /_pns/report)."""
    import urllib.error
    import urllib.request

    if problem := report_paths_problem(args, "junit", "json"):
        raise StartError(problem)
    headers = {"X-PNS-Admin-Token": args.admin_token} if args.admin_token else {}
    request = urllib.request.Request(args.url.rstrip("/") + "/_pns/report", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            answer: Any = json.loads(response.read())
    except urllib.error.HTTPError as err:
        raise StartError(f"{args.url} answered HTTP {err.code}: {err.read()[:200]!r}") from err
    except (OSError, ValueError) as err:
        raise StartError(f"cannot read the report from {args.url}: {err}") from err
    try:
        result = verdicts.from_json(answer["result"])
    except (KeyError, TypeError, ValueError) as err:
        raise StartError(f"{args.url} did not send a pns-mock verdict: {err}") from err
    return conclude(result, args, command_status=0, allow_violations=False)


def conclude(
    result: verdicts.Verdict, args: argparse.Namespace, *, command_status: int, allow_violations: bool
) -> int:
    coverage_min = args.coverage_min
    print(verdicts.terminal(result, color=sys.stdout.isatty(), coverage_min=coverage_min), flush=True)
    try:
        write_reports(result, json_path=args.json, junit_path=args.junit, coverage_min=coverage_min)
    except OSError as err:
        raise StartError(f"cannot write the report: {err}") from err
    if command_status < 0:  # killed by a signal: the shell's convention
        command_status = 128 - command_status
    if command_status != 0:
        print(f"pns-mock: the command exited with status {command_status}", file=sys.stderr)
        return command_status
    failures = result.failures(coverage_min)
    if allow_violations and result.violations:
        failures = failures[1:]  # the violations come first; reported, not failing
    return 1 if failures else 0
