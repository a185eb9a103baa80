#!/usr/bin/env bash
# Kotlin on the JVM: builds the Rust cdylib (a test-hooks debug build for the tests, the release build for the jar)
# and uniffi-bindgen, generates the Kotlin bindings, compiles the facade (src/main/kotlin, src/ids/kotlin) and the
# tests' typed ids (`consentkit codegen`), runs the JUnit 5 suite (src/test/kotlin) through JNA, packs the jar (with
# the host's dist-profile native library, built without test hooks), runs JarLoadIT against that jar and installs it into ~/.m2 as dev.consentkit:consentkit (one `mvn install`;
# examples/jvm-app/test.sh then uses it). Called by the top-level ./test.sh; also runs on its own from anywhere.
# Installs Maven with apt-get when it is missing (needs root); Maven caches its downloads in ~/.m2. Prints Surefire's
# and Failsafe's summaries; exits non-zero when anything fails.
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
# The CLI first (its `codegen` writes the tests' typed ids): a build with other features replaces
# target/debug/libconsentkit.so, and the tests need the test-hooks one built next.
echo "==> cargo build --features cli --bin consentkit (codegen for the tests' typed ids)"
cargo build --features cli --bin consentkit --color never
echo "==> cargo build --features bindgen,test-hooks (the tests' library: the test-only panic hook)"
cargo build --features bindgen,test-hooks --color never
echo "==> cargo build --profile dist --lib (the library the jar ships: release code, no test hooks)"
cargo build --profile dist --lib --color never

echo "==> mvn install (bindings/kotlin: tests, jar, jar test, ~/.m2)"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
mvn -B -ntp -f bindings/kotlin/pom.xml install -Dconsentkit.skipCargo=true "$@" >"$log" 2>&1 || status=$?

# The per-class lines, failures, the "Tests run: N, Failures: F, Errors: E, Skipped: S" summaries (Surefire, then
# Failsafe's JarLoadIT) and where the jar was installed.
grep -E '^\[(INFO|WARNING|ERROR)\] (Tests run:|Failures:|Errors:|  |BUILD|Installing .*\.jar)|<<< (FAILURE|ERROR)!' "$log" || true
if [ "$status" -ne 0 ]; then
  echo "==> mvn failed (exit $status); last 80 lines of its output:"
  tail -n 80 "$log"
  exit "$status"
fi
