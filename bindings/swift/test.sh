#!/usr/bin/env bash
# Swift part of ./test.sh: builds the core and the CLI on the host, regenerates the Swift bindings, writes the typed
# ids of examples/ride_hailing.json with `consentkit codegen` (the tests call the facade with them), makes sure the
# Swift toolchain root exists (bindings/swift/toolchain.sh; ~1-2 min the first time), then runs the XCTest suite of
# the repository's root Package.swift inside it against the host's target/debug/libconsentkit.so. The last line on stdout is XCTest's
# "Executed N tests, with 0 failures ..."; the exit code is non-zero on any failure. Needs root (chroot, mount).
set -euo pipefail

here="$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
repo="$(cd -P -- "$here/../.." && pwd -P)"
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
lib_dir="$target_dir/debug"

echo "[swift] cargo build --features bindgen,test-hooks,cli (the test-only panic hook; never in a release build)" >&2
(cd "$repo" && cargo build --features bindgen,test-hooks,cli --color never)

echo "[swift] generating the Swift bindings" >&2
# From another directory on purpose: the script must work from anywhere (issue 17 #6).
(cd / && "$here/generate.sh" "$lib_dir/libconsentkit.so")

echo "[swift] consentkit codegen examples/ride_hailing.json --lang swift --prefix Ride" >&2
ids_dir="$here/Tests/ConsentKitTests/Generated"
mkdir -p "$ids_dir"
"$lib_dir/consentkit" codegen "$repo/examples/ride_hailing.json" --lang swift --prefix Ride >"$ids_dir/RideConsentIds.swift.new"
if cmp -s "$ids_dir/RideConsentIds.swift.new" "$ids_dir/RideConsentIds.swift"; then
    rm -f "$ids_dir/RideConsentIds.swift.new"
else
    mv "$ids_dir/RideConsentIds.swift.new" "$ids_dir/RideConsentIds.swift"
fi

"$here/toolchain.sh" ensure

# A CARGO_TARGET_DIR outside the repository must be visible inside the root too.
case "$lib_dir/" in
    "$repo"/*) ;;
    *) export CONSENTKIT_SWIFT_EXTRA_MOUNTS="${CONSENTKIT_SWIFT_EXTRA_MOUNTS:+$CONSENTKIT_SWIFT_EXTRA_MOUNTS:}$target_dir" ;;
esac

echo "[swift] swift test (the root Package.swift)" >&2
"$here/toolchain.sh" run "$repo" \
    "LD_LIBRARY_PATH=$(printf '%q' "$lib_dir") swift test --disable-swift-testing -Xlinker -L$(printf '%q' "$lib_dir")"
