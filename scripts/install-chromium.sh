#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests when it is missing and this can be done here (root, apt-get:
# Debian/Ubuntu). Never fatal: without Chromium the browser tests skip with one line. Playwright never downloads a
# browser in this project; the tests point it at /usr/bin/chromium (or $MALARIAML_CHROMIUM).
set -uo pipefail
chromium=${MALARIAML_CHROMIUM:-/usr/bin/chromium}
if [ -x "$chromium" ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing chromium for the browser tests (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }; then
    echo "warning: could not install chromium; the browser tests will skip" >&2
  fi
else
  echo "note: no chromium at $chromium and no root apt-get here; the browser tests will skip (apt-get install chromium)"
fi
exit 0
