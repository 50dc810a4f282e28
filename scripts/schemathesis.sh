#!/usr/bin/env bash
# The long Schemathesis run (about 4,700 cases by default): a fresh `pns-mock serve` on a free
# 127.0.0.1 port, our spec, every request signed. Arguments go to
# tests/reliability/run_schemathesis.py, e.g. `scripts/schemathesis.sh --max-examples 300 --seed 7`;
# `st run` options follow `--`, e.g. `scripts/schemathesis.sh -- --phases fuzzing`; every check:
# `scripts/schemathesis.sh --seed 2 --checks all -- --exclude-checks ignored_auth`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/python -m tests.reliability.run_schemathesis "$@"
