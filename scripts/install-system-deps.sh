#!/usr/bin/env bash
# Installs the Debian packages ccinspect needs on a Debian/Ubuntu machine, only those missing.
#   debootstrap  builds the demo PBX's Asterisk root filesystem (Debian sid)
#   sox          audio tools used by tests and benchmarks (soxi)
#   postgresql   the store's tests run against a real PostgreSQL server too
#   chromium     renders the evidence report to PDF (headless) and checks the HTML in tests
#   poppler-utils  pdftoppm, to check that the PDF report has pages
#   fonts-noto-cjk Chinese glyphs for the PDF report
# pjsua2's build dependencies are installed by scripts/build-pjsua2.sh itself.
set -euo pipefail
packages=(debootstrap sox postgresql ca-certificates chromium poppler-utils fonts-noto-cjk)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-system-deps: missing Debian packages: ${missing[*]}" >&2
  echo "install-system-deps: run as root, or: sudo apt-get install ${missing[*]}" >&2
  exit 2
fi
echo "install-system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
