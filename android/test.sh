#!/usr/bin/env bash
# The Android library's code under Robolectric on the host JVM (android/robolectric, a Maven module; the Gradle build
# in android/ cannot run here). Builds the host cdylib and uniffi-bindgen as bindings/kotlin/test.sh does, then runs
# the JUnit 4 / Robolectric tests (Android 14, SDK 34) against libconsentkit.so through JNA. Called by the top-level
# ./test.sh after bindings/kotlin/test.sh (which installs Maven when it is missing); also runs on its own from
# anywhere. The first run downloads Robolectric and its android-all jar (~151 MB) into ~/.m2. Prints Surefire's
# summary; exits non-zero when anything fails.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

if ! command -v mvn >/dev/null 2>&1; then
  echo "Maven is missing: run bindings/kotlin/test.sh once (it installs it), or apt-get install maven" >&2
  exit 1
fi

echo "==> cargo build --features bindgen,test-hooks (the same build as bindings/kotlin and bindings/swift: nothing rebuilt)"
cargo build --features bindgen,test-hooks --color never

echo "==> mvn test (android/robolectric)"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
mvn -B -ntp -f android/robolectric/pom.xml test "$@" >"$log" 2>&1 || status=$?

# Per-class lines, failures, and the final "Tests run: N, Failures: F, Errors: E, Skipped: S" summary (not the
# indented lines of antrun's zip/unzip tasks).
grep -E '^\[(INFO|WARNING|ERROR)\] (Tests run:|Failures:|Errors:|  |BUILD)|<<< (FAILURE|ERROR)!' "$log" | grep -vE '\[(un)?zip\]' || true
if [ "$status" -ne 0 ]; then
  echo "==> mvn failed (exit $status); last 80 lines of its output:"
  tail -n 80 "$log"
  exit "$status"
fi
