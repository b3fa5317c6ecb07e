#!/usr/bin/env bash
# Run every test (see tests/run.py); the last line is "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 tests/run.py "$@"
