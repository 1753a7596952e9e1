#!/usr/bin/env bash
# Install the Debian packages Gongxin needs when any is missing: CJK fonts (Noto Serif/Sans CJK
# for 宋/黑, AR PL UKai for 楷, HanaMin for rare characters of CJK Extension B) embedded in
# letters and used by pages; Pango for WeasyPrint;
# Chromium for the browser tests (Playwright drives /usr/bin/chromium; its own browser download
# does not work here); poppler-utils to render letter pages to PNG for a person to look at.
#   scripts/debian-packages.sh run    what the product needs (make demo)
#   scripts/debian-packages.sh test   that, and what the tests need (make test)
set -euo pipefail
PACKAGES=(fonts-noto-cjk fonts-arphic-ukai fonts-hanazono libpango-1.0-0 libpangoft2-1.0-0)
[ "${1:-test}" = test ] && PACKAGES+=(chromium poppler-utils)
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
