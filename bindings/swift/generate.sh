#!/usr/bin/env bash
# Generates the Swift bindings from a built consentkit library (UniFFI library mode) into the package's generated
# locations (ignored by git):
#   Sources/ConsentKitFFI/consentkitFFI.h          C header of the scaffolding
#   Sources/ConsentKitGenerated/consentkit.swift   Swift bindings
# A file is replaced only when its content changed, so SwiftPM's incremental build stays warm.
#
# Usage: bindings/swift/generate.sh [path/to/libconsentkit.so]   (default: target/debug/libconsentkit.so)
# Needs target/debug/uniffi-bindgen: cargo build --features bindgen
set -euo pipefail

here="$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
repo="$(cd -P -- "$here/../.." && pwd -P)"
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
lib="${1:-$target_dir/debug/libconsentkit.so}"
case "$lib" in /*) ;; *) lib="$PWD/$lib" ;; esac
bindgen="$target_dir/debug/uniffi-bindgen"

[ -f "$lib" ] || { echo "generate.sh: $lib not found (cargo build first)" >&2; exit 1; }
[ -x "$bindgen" ] || { echo "generate.sh: $bindgen not found (cargo build --features bindgen)" >&2; exit 1; }

out="$(mktemp -d)"
trap 'rm -rf -- "$out"' EXIT
# uniffi-bindgen runs `cargo metadata` in the working directory to find the crate and its uniffi.toml: run it from the
# repository root, so the script works from any directory.
(cd "$repo" && "$bindgen" generate --library "$lib" --language swift --out-dir "$out" --no-format >/dev/null)

install_if_changed() { # <generated file> <destination>
    mkdir -p -- "$(dirname -- "$2")"
    if ! cmp -s -- "$1" "$2"; then
        cp -- "$1" "$2"
        echo "generate.sh: updated ${2#"$repo"/}" >&2
    fi
}
install_if_changed "$out/consentkitFFI.h" "$here/Sources/ConsentKitFFI/consentkitFFI.h"
install_if_changed "$out/consentkit.swift" "$here/Sources/ConsentKitGenerated/consentkit.swift"
