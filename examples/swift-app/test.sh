#!/usr/bin/env bash
# Builds and runs examples/swift-app exactly as its README tells a user with a checkout of ConsentKit on Linux:
# build the core and the CLI, generate the Swift bindings, generate the app's typed ids from its manifest, then
# `swift run` against the host library. Part of ./test.sh, after bindings/swift/test.sh (whose Swift toolchain root
# it reuses; on a machine without one, bindings/swift/toolchain.sh creates it). Needs root (chroot, mount).
# The last line on stdout is the walk-through's last line; the exit code is non-zero on any failure.
set -euo pipefail

here="$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
repo="$(cd -P -- "$here/../.." && pwd -P)"
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
lib_dir="$target_dir/debug"

# README step 1: the core (libconsentkit.so), uniffi-bindgen and the consentkit CLI.
(cd "$repo" && cargo build --features bindgen,cli --color never)
# README step 2: the Swift bindings the package compiles.
"$repo/bindings/swift/generate.sh" "$lib_dir/libconsentkit.so"
# README step 3: the app's typed ids, from the manifest it ships (a build step: regenerate when the manifest changes).
mkdir -p "$here/Sources/SwiftApp/Generated"
"$lib_dir/consentkit" codegen "$repo/examples/ride_hailing.json" --lang swift >"$here/Sources/SwiftApp/Generated/ConsentIds.swift"

case "$lib_dir/" in
    "$repo"/*) ;;
    *) export CONSENTKIT_SWIFT_EXTRA_MOUNTS="${CONSENTKIT_SWIFT_EXTRA_MOUNTS:+$CONSENTKIT_SWIFT_EXTRA_MOUNTS:}$target_dir" ;;
esac
# README step 4: build and run against the host library.
"$repo/bindings/swift/toolchain.sh" run "$here" \
    "LD_LIBRARY_PATH=$(printf '%q' "$lib_dir") swift run -Xlinker -L$(printf '%q' "$lib_dir") SwiftApp ../ride_hailing.json"
