#!/usr/bin/env bash
# Installs the Debian packages the full test pass needs (LibreOffice + poppler to render reports, the
# metric-compatible fonts the reports name so LibreOffice lays them out as Word does, Chromium for the browser
# test, PostgreSQL for scale-out). Idempotent; skips quietly when not root or already present.
set -euo pipefail
need=()
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
# Liberation Sans has Arial's metrics and Carlito has Calibri's: without them LibreOffice substitutes a wider
# font and the pages break differently from Word's.
[ -e /usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf ] || need+=(fonts-liberation)
[ -e /usr/share/fonts/truetype/crosextra/Carlito-Regular.ttf ] || need+=(fonts-crosextra-carlito)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -x /usr/lib/postgresql/*/bin/postgres ] 2>/dev/null || need+=(postgresql)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-system-deps: not root; tests needing ${need[*]} will be skipped with a message" >&2
  exit 0
fi
echo "install-system-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
