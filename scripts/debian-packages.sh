#!/usr/bin/env bash
# Install the Debian packages the tests need when any is missing: Chromium for the browser
# tests (Playwright drives /usr/bin/chromium; its own browser download does not work here)
# and CJK fonts so pages and screenshots render Chinese.
set -euo pipefail
PACKAGES=(chromium fonts-noto-cjk)
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "debian-packages.sh: installing ${missing[*]}" >&2
  as_root apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
