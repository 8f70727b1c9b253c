#!/bin/sh
# Makes a fresh clone runnable: installs the npm dependencies when they are missing or older than
# the lock file, then compiles. System packages (Dovecot, Chromium) are installed by the test
# harness itself when a test or the demo first needs them.
set -e
cd "$(dirname "$0")/.."
if [ ! -x node_modules/.bin/tsx ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "mailshift setup: npm ci" >&2
  npm ci --no-audit --no-fund
fi
npm run --silent build
