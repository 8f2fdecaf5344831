#!/usr/bin/env bash
# axe-core, the accessibility checker the browser test injects into each page: the npm package,
# pinned, into .venv/axe (outside git). Needs npm (Debian's, installed here when missing).
set -euo pipefail
AXE_VERSION=4.14.1
TARGET="$(cd "$(dirname "$0")/.." && pwd)/.venv/axe"
if [ -f "$TARGET/node_modules/axe-core/axe.min.js" ] && grep -q "\"version\": \"$AXE_VERSION\"" "$TARGET/node_modules/axe-core/package.json"; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's npm for the accessibility check (apt-get)..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
  else
    echo "note: npm is not installed and cannot be installed here (needs root and apt-get);"
    echo "      the accessibility check will be skipped (it fails under CI=true)."
    exit 0
  fi
fi
mkdir -p "$TARGET"
npm install --prefix "$TARGET" --no-audit --no-fund --silent "axe-core@$AXE_VERSION"
