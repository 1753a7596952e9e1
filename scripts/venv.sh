#!/usr/bin/env bash
# Create .venv and install the pinned dependencies; install Debian's python3-venv if needed.
set -euo pipefail
PY=${PYTHON:-python3}
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if [ ! -x .venv/bin/python ]; then
  if ! "$PY" -m venv .venv 2>/dev/null; then
    rm -rf .venv
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq python3-venv
    "$PY" -m venv .venv
  fi
fi
.venv/bin/pip install -q --disable-pip-version-check -e '.[dev]'
touch .venv/.installed
