#!/usr/bin/env bash
# Runs each cargo-fuzz target for <seconds> (default 60) and prints the executions and crashes.
# Installs the nightly toolchain and cargo-fuzz on first use.
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-60}"
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
for target in manifest ops; do
  mkdir -p "corpus/$target" "artifacts/$target"
  echo "==> fuzzing $target for ${secs}s"
  cargo +nightly fuzz run "$target" "corpus/$target" -- -max_total_time="$secs" -rss_limit_mb=2048 2>&1 \
    | tee "artifacts/$target.log" | grep -E '^(#[0-9]+\s+DONE|Done|==[0-9]+==|SUMMARY)' || true
  execs=$(grep -Eo '^Done [0-9]+ runs' "artifacts/$target.log" | grep -Eo '[0-9]+' || true)
  crashes=$(find "artifacts/$target" -type f -name 'crash-*' | wc -l)
  echo "$target: ${execs:-?} executions, $crashes crash file(s)"
  [ "$crashes" -eq 0 ] || exit 1
done
