#!/usr/bin/env bash
# Sets up (idempotent), builds and runs every test: unit tests, then the
# end-to-end tests in network namespaces (these need root).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
status=0
npm test || status=$?
# Every lab removes itself; a namespace still here is a bug in the tests.
node scripts/leftovers.mjs || status=$?
exit "$status"
