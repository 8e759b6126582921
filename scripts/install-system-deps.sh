#!/usr/bin/env bash
# Installs the Debian packages metalstat needs: pango and harfbuzz for the PDF report,
# a CJK font so Chinese renders, poppler-utils to look at PDFs, Chromium for the browser tests,
# gettext (msgfmt: the portal's message catalogs) and Node.js with npm (the portal's charts).
# Idempotent.
set -euo pipefail
pkgs=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-noto-cjk poppler-utils chromium gettext nodejs)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm comes with NodeSource's nodejs; Debian's nodejs needs its own npm package
command -v npm >/dev/null 2>&1 || missing+=(npm)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing system packages: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
