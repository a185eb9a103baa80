#!/usr/bin/env bash
# Builds ConsentKitFFI.xcframework (device + simulator static libraries, the UniFFI header and modulemap) and the
# generated Swift bindings that ios/Package.swift compiles. Run on a Mac with Xcode and rustup:
#
#   ios/build-xcframework.sh            # release build (lto), what apps ship
#
# Outputs (ignored by git, see ios/.gitignore):
#   ios/ConsentKitFFI.xcframework/                    ios-arm64 and ios-arm64_x86_64-simulator slices
#   ios/Generated/ConsentKitGenerated/consentkit.swift the generated Swift (compiled by the ConsentKitGenerated target)
#   ios/build/                                        staging (lipo output, headers)
set -euo pipefail

here="$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
repo="$(cd -P -- "$here/.." && pwd -P)"
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
build="$here/build"
framework="$here/ConsentKitFFI.xcframework"
generated="$here/Generated/ConsentKitGenerated"
lib=libconsentkit.a
device=aarch64-apple-ios
simulators=(aarch64-apple-ios-sim x86_64-apple-ios)
# Must match `platforms: [.iOS(...)]` in ios/Package.swift: the C code (SQLite) is compiled for it too.
export IPHONEOS_DEPLOYMENT_TARGET="${IPHONEOS_DEPLOYMENT_TARGET:-15.0}"

step() { printf '\n==> %s\n' "$*"; }
[ "$(uname -s)" = Darwin ] || { echo "build-xcframework.sh needs macOS with Xcode (xcodebuild, lipo)" >&2; exit 1; }
command -v xcodebuild >/dev/null || { echo "xcodebuild not found: install Xcode and run xcode-select" >&2; exit 1; }

step "rustup targets"
rustup target add "$device" "${simulators[@]}"

cd "$repo"
for t in "$device" "${simulators[@]}"; do
    step "cargo build --release --lib --target $t"
    cargo build --release --lib --target "$t"
done

step "lipo: one simulator library for arm64 + x86_64"
rm -rf -- "$build"
mkdir -p "$build/simulator"
lipo -create \
    "$target_dir/aarch64-apple-ios-sim/release/$lib" \
    "$target_dir/x86_64-apple-ios/release/$lib" \
    -output "$build/simulator/$lib"
lipo -info "$build/simulator/$lib"

step "uniffi-bindgen (library mode) from the device library"
cargo build --features bindgen --bin uniffi-bindgen
"$target_dir/debug/uniffi-bindgen" generate \
    --library "$target_dir/$device/release/$lib" \
    --language swift --out-dir "$build/bindings" --no-format
# Headers go in a folder named after the C module (Headers/consentkitFFI/): Xcode copies the Headers of every
# XCFramework into one include/ directory, so a top-level module.modulemap would collide with any other XCFramework
# that has one. Clang finds <search path>/<module name>/module.modulemap. The modulemap is ours (no `use "Darwin"`),
# named module.modulemap as clang expects; SwiftPM links the static library, so no `link` line.
headers="$build/headers/consentkitFFI"
mkdir -p "$headers"
cp "$build/bindings/consentkitFFI.h" "$headers/"
cat >"$headers/module.modulemap" <<'MODULEMAP'
module consentkitFFI {
    header "consentkitFFI.h"
    export *
}
MODULEMAP
mkdir -p "$generated"
cp "$build/bindings/consentkit.swift" "$generated/consentkit.swift"

step "xcodebuild -create-xcframework"
rm -rf -- "$framework"
xcodebuild -create-xcframework \
    -library "$target_dir/$device/release/$lib" -headers "$build/headers" \
    -library "$build/simulator/$lib" -headers "$build/headers" \
    -output "$framework"

step "done"
find "$framework" -maxdepth 3 | sed "s|$repo/||"
echo "Open ios/SampleApp (see ios/README.md), or add ios/ as a local package to your app."
