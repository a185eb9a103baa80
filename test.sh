#!/usr/bin/env bash
# Runs every test of ConsentKit on a fresh Debian machine: Rust, then Kotlin on the JVM (and the JVM example app), the
# Android library under Robolectric, then Swift on Linux, then the CLI checks.
# Installs what it needs (Maven dependencies into ~/.m2, the Swift toolchain into /var/cache/consentkit) and reuses
# it on later runs. Each part prints its runner's summary; the last line says whether everything passed.
set -euo pipefail
cd "$(dirname "$0")"

started=$(date +%s)
summary=()
log() { printf '\n==> %s\n' "$*"; }
took() { echo "$(( $(date +%s) - $1 ))s"; }

log "Rust: cargo build (host library + tools), then cargo test --all-features"
cargo build --all-features --color never
t=$(date +%s)
rust_out=$(mktemp)
cargo test --all-features --color never 2>&1 | tee "$rust_out"
passed=$(awk '/^test result: /{for(i=1;i<=NF;i++) if($(i+1) ~ /^passed/) s+=$i} END{print s+0}' "$rust_out")
failed=$(awk '/^test result: /{for(i=1;i<=NF;i++) if($(i+1) ~ /^failed/) s+=$i} END{print s+0}' "$rust_out")
rm -f "$rust_out"
summary+=("Rust: ${passed} passed, ${failed} failed ($(took "$t"))")

log "Benchmark harness smoke run (each benchmark once, so the benches never rot)"
t=$(date +%s)
bench/smoke.sh
summary+=("bench smoke: ok ($(took "$t"))")

# The CLI checks run last: they reuse the Maven cache and the Swift toolchain the two parts before set up.
for part in bindings/kotlin/test.sh examples/jvm-app/test.sh android/test.sh bindings/swift/test.sh examples/swift-app/test.sh tests/cli/test.sh; do
  if [ -x "$part" ]; then
    log "$part"
    t=$(date +%s)
    "./$part"
    summary+=("$(basename "$(dirname "$part")"): ok ($(took "$t"))")
  fi
done

log "Summary"
printf '%s\n' "${summary[@]}"
echo "ALL TESTS PASSED in $(took "$started")"
