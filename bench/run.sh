#!/usr/bin/env bash
# The one benchmark command (not part of the test run):
#
#   bench/run.sh            full run (about 5 minutes on a quiet machine), writes bench/RESULTS.md
#   bench/run.sh --quick    smoke run (about 1.5 minutes), writes the report to a temp dir only
#
# Installs what it needs first: the venv (scripts/setup.sh), Debian's wrk (apt-get) if missing,
# and Prism + WireMock from bench/package-lock.json (npm ci into bench/node_modules). Then it runs
# bench/harness.py (load over loopback), bench/scale.py (in-process overhead and 10k/100k/1M
# bindings), bench/idle_cost.py (the pytest plugin in a run that does not use it) and
# bench/report.py (RESULTS.md). Extra arguments go to bench/harness.py, e.g.
# `--duration 20` or `--skip wiremock,wiremock-nojournal`.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
if [ "${1:-}" = "--quick" ]; then
    quick=1
    shift
fi

scripts/setup.sh

if ! command -v wrk >/dev/null 2>&1; then
    echo "bench: installing wrk (Debian package)" >&2
    apt-get update -qq
    apt-get install -y -qq wrk >/dev/null
fi

if [ ! -x bench/node_modules/.bin/prism ] || [ bench/package-lock.json -nt bench/node_modules/.package-lock.json ]; then
    echo "bench: installing Prism and WireMock (npm ci in bench/)" >&2
    if ! (cd bench && npm ci --no-audit --no-fund --loglevel=error); then
        echo "bench: npm ci failed: Prism and WireMock will be reported as not run" >&2
    fi
fi
if ! command -v java >/dev/null 2>&1; then
    echo "bench: no java on PATH: WireMock will be reported as not run (needs Java 17)" >&2
fi

work=$(mktemp -d /tmp/pns-bench.XXXXXX)
cleanup() {
    # servers the harness started (each leads its own process group); normally already stopped
    if [ -f "$work/pids" ]; then
        while read -r pid; do
            if kill -0 "$pid" 2>/dev/null; then
                kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
            fi
        done <"$work/pids"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$quick" = 1 ]; then
    harness_args=(--duration 3 --warmup 1 --server-warmup 2 --cold-starts 2)
    scale_args=(--levels 10000,100000 --calls 2000 --samples 5000)
    idle_runs=5
    out="$work/RESULTS.md"
else
    harness_args=()
    scale_args=()
    idle_runs=40
    out=bench/RESULTS.md
fi

echo "bench: load over loopback (logs in $work)" >&2
.venv/bin/python bench/harness.py --out "$work/load.json" --logdir "$work" "${harness_args[@]}" "$@"
echo "bench: in-process overhead and scale" >&2
.venv/bin/python bench/scale.py --out "$work/scale.json" "${scale_args[@]}"
echo "bench: what the pytest plugin costs a run that does not use it" >&2
.venv/bin/python bench/idle_cost.py --runs "$idle_runs" --json "$work/idle.json" >/dev/null
.venv/bin/python bench/report.py --load "$work/load.json" --scale "$work/scale.json" --idle "$work/idle.json" \
    --out "$out"
echo "bench: wrote $out" >&2
