#!/usr/bin/env bash
# Long crash-loop run: SIGKILLs the stress child N times (default 1000) and checks the database after each kill.
# Usage: stress/crash_loop.sh [kills] [seed]
set -euo pipefail
cd "$(dirname "$0")/.."
CRASH_KILLS="${1:-1000}" CRASH_SEED="${2:-24301}" \
  cargo test --release --features stress --test reliability_crash -- --nocapture
