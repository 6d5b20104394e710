#!/usr/bin/env bash
# Installs the Debian packages the tests read output back with, when they are missing:
# poppler-utils (pdftotext, pdftoppm, pdfinfo), qpdf (qpdf --check), LibreOffice Calc
# (opens the workbook headless) and GNU time (peak RSS in the bench). Needs root for apt-get.
set -euo pipefail

need=()
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v qpdf >/dev/null 2>&1 || need+=(qpdf)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc-nogui)
[ -x /usr/bin/time ] || need+=(time)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "setup: missing ${need[*]}; install them with: sudo apt-get install -y --no-install-recommends ${need[*]}" >&2
  exit 1
fi
echo "setup: installing ${need[*]} (a few minutes on a fresh machine)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
