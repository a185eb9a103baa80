#!/usr/bin/env bash
# The receiver's benchmark (bench/receipts_bench.rs): N simulated installs pushing signed receipts concurrently to
# the receiver on loopback, against a throwaway PostgreSQL with fsync on. Prints one JSON line: receipts/s stored,
# batch latency p50/p99/max. Arguments pass through (--installs, --batches, --size, --pool).
set -euo pipefail
exec "$(dirname "$0")/test.sh" --bench "$@"
