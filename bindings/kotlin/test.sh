#!/usr/bin/env bash
# Kotlin on the JVM: builds the Rust cdylib and uniffi-bindgen, generates the Kotlin bindings, compiles the facade
# (src/main/kotlin) and runs the JUnit 5 suite (src/test/kotlin) through JNA. Called by the top-level ./test.sh;
# also runs on its own from anywhere. Installs Maven with apt-get when it is missing (needs root); Maven caches
# its downloads in ~/.m2. Prints Surefire's summary; exits non-zero when anything fails.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if ! command -v mvn >/dev/null 2>&1; then
  echo "==> installing Maven (apt-get)"
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -qq
  # OpenJDK 17 comes with it if no JDK is installed.
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq maven >/dev/null
fi

cd "$root"
echo "==> cargo build --features bindgen,test-hooks (the test-only panic hook; never in a release build)"
cargo build --features bindgen,test-hooks --color never

echo "==> mvn test (bindings/kotlin)"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
mvn -B -ntp -f bindings/kotlin/pom.xml test -Dconsentkit.skipCargo=true "$@" >"$log" 2>&1 || status=$?

# The per-class lines, failures, and the final "Tests run: N, Failures: F, Errors: E, Skipped: S" summary.
grep -E '^\[(INFO|WARNING|ERROR)\] (Tests run:|Failures:|Errors:|  |BUILD)|<<< (FAILURE|ERROR)!' "$log" || true
if [ "$status" -ne 0 ]; then
  echo "==> mvn failed (exit $status); last 80 lines of its output:"
  tail -n 80 "$log"
  exit "$status"
fi
