#!/usr/bin/env bash
# Installs Debian's redis-server for the cluster tests when it is missing and this can be done here (root, apt-get:
# Debian/Ubuntu). Never fatal: without it the cluster tests skip with one line. The tests start their own
# redis-server on a free loopback port, without persistence, and stop it; no system service is used.
set -uo pipefail
if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing redis-server for the cluster tests (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends redis-server >/dev/null; }; then
    echo "warning: could not install redis-server; the cluster tests will skip" >&2
  fi
  # The package starts a system service; the tests do not need it.
  if command -v systemctl >/dev/null 2>&1; then systemctl stop redis-server >/dev/null 2>&1 || true; fi
else
  echo "note: no redis-server here and no root apt-get; the cluster tests will skip (apt-get install redis-server)"
fi
exit 0
