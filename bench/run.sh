#!/usr/bin/env bash
# Runs every ConsentKit benchmark and writes bench/results.md and bench/results.json:
#   1. the in-crate criterion benches (benches/hot_path.rs) and the interleaved ones (benches/interleaved.rs:
#      durable grant, contention, first answer after open, first write after open), built with the crate's shipping profile (opt-level "s", LTO);
#   2. the peer comparison crate bench/peers (cedar-policy, casbin-rs);
#   3. the size of the stripped release cdylib;
#   4. the Kotlin and Swift FFI rows from bench/kotlin-results.json and bench/swift-results.json, and the receipt
#      receiver's row from bench/receiver-results.json (`server/bench.sh > bench/receiver-results.json`), when present.
# Every target is a ratio of two numbers measured in this run; absolute times are reported, never asserted.
#
# Environment: SKIP_PEERS=1 skips step 2 (its first build compiles cedar-policy: ~10 min on 2 cores);
#              SKIP_SIZE=1 skips step 3; CARGO_TARGET_DIR is honoured. Rows of a skipped step keep the figures of
#              the previous bench/results.json, marked in the table as from that run (not re-measured).
# Exit status: 0 when every step ran (misses are reported in the table, not as a failure of the script).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
target=${CARGO_TARGET_DIR:-$root/target}
out=$target/bench-results
mkdir -p "$out"
export CK_BENCH_OUT=$out
started=$(date +%s)
load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
step() { printf '\n==> %s (%ss)\n' "$*" "$(( $(date +%s) - started ))"; }

# Stale estimates must not masquerade as this run's: clear the groups this script reads.
for g in decide_string decide_handle resolve_5_tiers collect; do rm -rf "$target/criterion/$g"; done
rm -f "$out/interleaved.json" "$out/size.json"

step "in-crate benches (cargo bench: hot_path, interleaved)"
cargo bench --color never --bench hot_path --bench interleaved 2>&1 |
  grep -E '^([a-z0-9_]+/[a-z0-9_]+|\s+time:|durable_grant:|contention:|first_answer_[0-9a-z]+:|first_write_10k:|wrote )' || true
[ -f "$out/interleaved.json" ] || { echo "run.sh: benches/interleaved.rs wrote no results" >&2; exit 1; }

peers_dir=$root/bench/peers/target/criterion
if [ "${SKIP_PEERS:-0}" != 1 ]; then
  step "peer comparison (bench/peers: cedar-policy, casbin-rs)"
  rm -rf "$peers_dir/peers"
  (cd bench/peers && env -u CARGO_TARGET_DIR cargo bench --color never 2>&1) |
    grep -E '^(peers/|\s+time:)' || true
fi

if [ "${SKIP_SIZE:-0}" != 1 ]; then
  step "release cdylib (profile.release of Cargo.toml: stripped, LTO, opt-level \"s\", panic=unwind)"
  cargo rustc --color never --release --lib --crate-type cdylib 2>&1 | tail -n 1
  so=$target/release/libconsentkit.so
  bytes=$(stat -c %s "$so")
  arch=$(uname -m)
  stripped=$(if file "$so" 2>/dev/null | grep -q 'not stripped'; then echo false; else echo true; fi)
  printf '{"file": "libconsentkit.so", "target": "%s-unknown-linux-gnu", "bytes": %s, "stripped": %s}\n' \
    "$arch" "$bytes" "$stripped" > "$out/size.json"
  echo "libconsentkit.so: $bytes bytes"
fi

step "report"
cpu=$(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)
rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
# The results files themselves do not count as changes to what was measured.
dirty=$(git status --porcelain -- . ':!bench/results.md' ':!bench/results.json' 2>/dev/null | grep -q . &&
  echo " (+ uncommitted changes)" || true)
cat > "$out/meta.json" <<EOF
{"date (UTC)": "$(date -u +%Y-%m-%dT%H:%MZ)", "commit": "$rev$dirty", "rustc": "$(rustc -V)",
 "cpu": "$cpu", "cores": $(nproc), "load average at start": "$load_at_start",
 "load average at the end of the benchmarks": "$(cut -d' ' -f1-3 /proc/loadavg)",
 "skipped steps": "$( { [ "${SKIP_PEERS:-0}" = 1 ] && printf 'peers '; [ "${SKIP_SIZE:-0}" = 1 ] && printf 'size'; } || true)",
 "run time": "$(( $(date +%s) - started ))s"}
EOF
# Rows a skipped step did not measure keep the previous results' figures, marked as from that run.
previous=$out/previous-results.json
if [ -f bench/results.json ]; then cp bench/results.json "$previous"; else rm -f "$previous"; fi
python3 bench/report.py --previous "$previous" --criterion "$target/criterion" --peers-criterion "$peers_dir" \
  --interleaved "$out/interleaved.json" --size "$out/size.json" \
  --kotlin bench/kotlin-results.json --swift bench/swift-results.json --receiver bench/receiver-results.json \
  --meta "$out/meta.json" --md bench/results.md --json bench/results.json
echo "wrote bench/results.md and bench/results.json in $(( $(date +%s) - started ))s"
