#!/usr/bin/env bash
# Builds ConsentKitFFI.xcframework (device + simulator static libraries, the UniFFI header and modulemap) and the
# generated Swift bindings that the repository's root Package.swift compiles. Run on a Mac with Xcode and rustup:
#
#   ios/build-xcframework.sh                                   # development: the root package then uses it
#   ios/build-xcframework.sh --release <version> <download-url> # also zip it, and write the URL and checksum into
#                                                              # the root Package.swift (see ios/README.md, "Releasing")
#
# Outputs (ignored by git, see ios/.gitignore and the root .gitignore):
#   ios/ConsentKitFFI.xcframework/                                  ios-arm64 and ios-arm64_x86_64-simulator slices
#   bindings/swift/Sources/ConsentKitGenerated/consentkit.swift     the generated Swift (target ConsentKitGenerated)
#   ios/build/                                                      staging (lipo output, headers)
#   ios/build/ConsentKitFFI.xcframework.zip                         with --release: the asset to upload
set -euo pipefail

here="$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
repo="$(cd -P -- "$here/.." && pwd -P)"
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
build="$here/build"
framework="$here/ConsentKitFFI.xcframework"
generated="$repo/bindings/swift/Sources/ConsentKitGenerated"
release_version="" release_url=""
if [ "${1:-}" = --release ]; then
    [ "$#" = 3 ] || { echo "usage: $0 [--release <version> <download-url>]" >&2; exit 2; }
    release_version="$2" release_url="$3"
fi
lib=libconsentkit.a
device=aarch64-apple-ios
simulators=(aarch64-apple-ios-sim x86_64-apple-ios)
# Must match `platforms: [.iOS(...)]` in the root Package.swift: the C code (SQLite) is compiled for it too.
export IPHONEOS_DEPLOYMENT_TARGET="${IPHONEOS_DEPLOYMENT_TARGET:-16.0}"

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

if [ -n "$release_version" ]; then
    step "release $release_version: zip, checksum, root Package.swift"
    zip_path="$build/ConsentKitFFI.xcframework.zip"
    (cd "$here" && rm -f "$zip_path" && zip -qry "$zip_path" ConsentKitFFI.xcframework)
    checksum="$(cd "$repo" && swift package compute-checksum "$zip_path")"
    sed -i '' -E \
        -e "s|^let releaseURL = \".*\"|let releaseURL = \"$release_url\"|" \
        -e "s|^let releaseChecksum = \".*\"|let releaseChecksum = \"$checksum\"|" \
        "$repo/Package.swift"
    echo "upload $zip_path as $release_url, then commit Package.swift and the generated Swift on the release tag"
fi

step "done"
find "$framework" -maxdepth 3 | sed "s|$repo/||"
echo "Open ios/SampleApp (see ios/README.md), or add the repository root as a local package to your app."
