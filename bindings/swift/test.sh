#!/usr/bin/env bash
# Swift part of ./test.sh: builds the core on the host, regenerates the Swift bindings, makes sure the Swift
# toolchain root exists (bindings/swift/toolchain.sh; ~1-2 min the first time), then runs the XCTest suite inside
# it against the host's target/debug/libconsentkit.so. The last line on stdout is XCTest's
# "Executed N tests, with 0 failures ..."; the exit code is non-zero on any failure. Needs root (chroot, mount).
set -euo pipefail

here="$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
repo="$(cd -P -- "$here/../.." && pwd -P)"
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
lib_dir="$target_dir/debug"

echo "[swift] cargo build --features bindgen,test-hooks (the test-only panic hook; never in a release build)" >&2
(cd "$repo" && cargo build --features bindgen,test-hooks --color never)

echo "[swift] generating the Swift bindings" >&2
# From another directory on purpose: the script must work from anywhere (issue 17 #6).
(cd / && "$here/generate.sh" "$lib_dir/libconsentkit.so")

"$here/toolchain.sh" ensure

# A CARGO_TARGET_DIR outside the repository must be visible inside the root too.
case "$lib_dir/" in
    "$repo"/*) ;;
    *) export CONSENTKIT_SWIFT_EXTRA_MOUNTS="${CONSENTKIT_SWIFT_EXTRA_MOUNTS:+$CONSENTKIT_SWIFT_EXTRA_MOUNTS:}$target_dir" ;;
esac

echo "[swift] swift test" >&2
"$here/toolchain.sh" run "$here" \
    "LD_LIBRARY_PATH=$(printf '%q' "$lib_dir") swift test --disable-swift-testing -Xlinker -L$(printf '%q' "$lib_dir")"
