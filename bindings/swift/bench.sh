#!/usr/bin/env bash
# Swift micro-benchmark of the decision mirror and the FFI hot path (not part of the tests).
# Builds the release cdylib once (`cargo build --release`: lto, a few minutes the first time, incremental after),
# regenerates the bindings, and runs `swift run -c release ConsentKitBench` inside the Swift root. Prints a table
# and writes bench/swift-results.json. Needs root (chroot, mount), like test.sh.
set -euo pipefail

here="$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
repo="$(cd -P -- "$here/../.." && pwd -P)"
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
release_dir="$target_dir/release"
out="${1:-$repo/bench/swift-results.json}"

echo "[swift-bench] cargo build --release --lib (lto)" >&2
(cd "$repo" && cargo build --release --lib --color never)
echo "[swift-bench] cargo build --features bindgen (uniffi-bindgen)" >&2
(cd "$repo" && cargo build --features bindgen --color never)
# Bindings from the same release build, so their checksums match the library the benchmark loads. The release
# cdylib is stripped (no UniFFI metadata); the static library of the same build still has it.
"$here/generate.sh" "$release_dir/libconsentkit.a"

case "$release_dir/" in
    "$repo"/*) ;;
    *) export CONSENTKIT_SWIFT_EXTRA_MOUNTS="${CONSENTKIT_SWIFT_EXTRA_MOUNTS:+$CONSENTKIT_SWIFT_EXTRA_MOUNTS:}$target_dir" ;;
esac
mkdir -p -- "$(dirname -- "$out")"
out="$(realpath -m -- "$out")"
out_dir="$(dirname -- "$out")"
case "$out/" in
    "$repo"/*) ;;
    *) export CONSENTKIT_SWIFT_EXTRA_MOUNTS="${CONSENTKIT_SWIFT_EXTRA_MOUNTS:+$CONSENTKIT_SWIFT_EXTRA_MOUNTS:}$out_dir" ;;
esac

"$here/toolchain.sh" ensure
"$here/toolchain.sh" run "$repo" \
    "LD_LIBRARY_PATH=$(printf '%q' "$release_dir") swift run -c release -Xlinker -L$(printf '%q' "$release_dir")" \
    "ConsentKitBench $(printf '%q' "$repo") $(printf '%q' "$out")"
