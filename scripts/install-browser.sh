#!/usr/bin/env bash
# Debian's Chromium for the end-to-end browser test. Never a browser download of a test tool's
# own: Playwright drives this binary through executable_path.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's chromium for the browser test (apt-get)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "note: chromium is not installed and cannot be installed here (needs root and apt-get);"
  echo "      the browser test will be skipped (it fails under CI=true)."
fi
