#!/usr/bin/env bash
# Installs Chromium for the browser suites (tests/store-rest.browser.test.ts), from the distribution's
# packages; does nothing when it is already there. The suites look for /usr/bin/chromium, or CAIRN_CHROMIUM.
set -euo pipefail
if [ -n "${CAIRN_CHROMIUM:-}" ] && [ -x "$CAIRN_CHROMIUM" ]; then
  exit 0
fi
command -v chromium >/dev/null 2>&1 || (apt-get update && apt-get install -y chromium)
