#!/usr/bin/env bash
# Smoke run of the in-crate benchmarks: builds them in the test profile and runs each once (criterion's test mode;
# benches/interleaved.rs does a few iterations and writes nothing). Proves the harness still builds and runs against
# the current API; measures nothing. The peer crate (bench/peers) is not built here.
# Same features as ./test.sh's `cargo test --all-features`, so the library is not rebuilt.
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo test --all-features --color never --bench hot_path --bench interleaved
