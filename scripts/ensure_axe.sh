#!/usr/bin/env bash
# The accessibility checks of the browser tests run axe-core (from the npm registry, the version pinned in
# package-lock.json) inside Chromium. Install it when missing and we may; otherwise say loudly that those
# checks will be skipped.
set -u
cd "$(dirname "$0")/.."
if [ -f node_modules/axe-core/axe.min.js ]; then
  exit 0
fi
if command -v npm >/dev/null 2>&1; then
  echo "Installing axe-core for the accessibility checks (npm ci)..."
  npm ci --no-audit --no-fund >/dev/null 2>&1
fi
if [ ! -f node_modules/axe-core/axe.min.js ]; then
  echo "############################################################################"
  echo "# WARNING: node_modules/axe-core is missing and could not be installed.    #"
  echo "# The accessibility checks (axe-core in the browser tests) WILL BE SKIPPED.#"
  echo "# Install Node.js and npm, then run: npm ci                                #"
  echo "############################################################################"
fi
exit 0
