#!/usr/bin/env bash
# Idempotent setup: a virtualenv in .venv with the project and its dev tools, and the pinned
# Node tools (Redocly CLI) in node_modules. Safe to run on every invocation.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
stamp=.venv/.pns-mock-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".[dev]"
    touch "$stamp"
fi

if [ ! -d node_modules/@redocly/cli ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    if ! command -v npm >/dev/null 2>&1; then
        echo "setup: npm not found; installing Node.js from the distribution" >&2
        if command -v apt-get >/dev/null 2>&1; then
            apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
        fi
    fi
    npm ci --no-audit --no-fund --loglevel=error
fi

# Headless Chromium for the docs' browser test (tests/docsgen/test_site_in_browser.py).
if ! command -v chromium >/dev/null; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; fi

# Toolchains of the client examples run under `pns-mock run` (tests/examples/test_languages.py):
# PHP with its curl extension and a JDK 17; Node is already here for Redocly. A toolchain that
# cannot be installed stops the setup with a message: the examples' tests never skip.
need=()
command -v php >/dev/null || need+=(php-cli)
{ command -v php >/dev/null && php -r 'exit(function_exists("curl_init") ? 0 : 1);'; } || need+=(php-curl)
{ command -v javac >/dev/null && javac -version 2>&1 | grep -Eq 'javac (1[7-9]|[2-9][0-9])'; } || need+=(default-jdk-headless)
if [ ${#need[@]} -gt 0 ]; then
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "setup: missing ${need[*]} and no apt-get to install them: install them by hand" >&2
        exit 1
    fi
    echo "setup: installing ${need[*]} (client examples)" >&2
    if ! { apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null; }; then
        echo "setup: could not install ${need[*]} with apt-get (root needed): install them by hand" >&2
        exit 1
    fi
fi

# Chinese glyphs for the zh-CN docs' browser test (Noto Sans/Serif CJK, Debian's fonts-noto-cjk).
if ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; then apt-get update -qq && apt-get install -y -qq fonts-noto-cjk >/dev/null; fi
