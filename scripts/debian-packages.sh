#!/usr/bin/env bash
# Install the Debian packages Gongxin needs when any is missing: CJK fonts (Noto Serif/Sans CJK
# for 宋/黑, AR PL UKai for 楷, HanaMin for rare characters of CJK Extension B) embedded in
# letters and used by pages; Pango for WeasyPrint;
# Chromium for the browser tests (Playwright drives /usr/bin/chromium; its own browser download
# does not work here); poppler-utils to render letter pages to PNG for a person to look at.
# FandolFang (free 仿宋, GPL with the font exception) for letter bodies (GB/T 9704: 3号仿宋): only
# its font file is taken from texlive-lang-chinese, which installed would pull in much of TeX.
# A unit's licensed 仿宋_GB2312, installed where fontconfig finds it, still comes first.
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

FANDOL_DIR=/usr/local/share/fonts/gongxin
if [ ! -s "$FANDOL_DIR/FandolFang-Regular.otf" ]; then
  echo "debian-packages.sh: taking FandolFang from texlive-lang-chinese" >&2
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  download() { (cd "$work" && as_root apt-get download -qq -o APT::Sandbox::User=root texlive-lang-chinese) >/dev/null 2>&1; }
  download || { as_root apt-get update -qq >&2; download; }
  dpkg-deb -x "$work"/texlive-lang-chinese_*.deb "$work/x"
  as_root mkdir -p "$FANDOL_DIR"
  as_root install -m 644 "$work/x/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/FandolFang-Regular.otf" \
    "$work/x/usr/share/doc/texlive-doc/fonts/fandol/README" "$work/x/usr/share/doc/texlive-doc/fonts/fandol/COPYING.gz" \
    "$FANDOL_DIR/"
  as_root fc-cache -f "$FANDOL_DIR" >/dev/null
fi
