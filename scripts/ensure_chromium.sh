#!/usr/bin/env bash
# Browser tests drive Debian's Chromium through Playwright. Install it when missing and we may;
# otherwise say loudly that the browser tests will be skipped.
set -u
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1
fi
if [ ! -x /usr/bin/chromium ]; then
  echo "############################################################################"
  echo "# WARNING: /usr/bin/chromium is missing and could not be installed.        #"
  echo "# The browser tests (pytest -m browser) WILL BE SKIPPED.                   #"
  echo "# Install it with: sudo apt-get install chromium                           #"
  echo "############################################################################"
fi
exit 0
