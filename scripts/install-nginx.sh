#!/usr/bin/env bash
# Debian's nginx, the token-checking proxy in front of `chroma run` (scripts/chroma-with-token.sh)
# and in its test. Installed without starting Debian's own nginx service: that one would listen on
# every interface on port 80, and the project starts its proxies itself, on the address it is given.
set -euo pipefail
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's nginx for the Chroma token proxy and its test (apt-get)..."
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    # the standard Debian way to say "install, but start no service"; removed again afterwards
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
else
  echo "note: nginx is not installed and cannot be installed here (needs root and apt-get);"
  echo "      the Chroma token proxy test will be skipped (it fails under CI=true)."
fi
