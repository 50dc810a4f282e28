#!/usr/bin/env bash
# Set up, then start the mock server. Extra arguments go to `pns-mock serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/pns-mock serve "$@"
