#!/usr/bin/env bash
# The README's steps, as a user would run them: (1) build and install dev.consentkit:consentkit into ~/.m2,
# (2) `mvn -q compile exec:java` in examples/jvm-app, whose output must be the lines the README shows.
# Step 1 is skipped when ~/.m2 already holds the jar of bindings/kotlin/target and none of its inputs changed since
# (bindings/kotlin/test.sh installs it); CONSENTKIT_REINSTALL=1 forces it. Called by the top-level ./test.sh.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
lib_pom="$root/bindings/kotlin/pom.xml"

# The library's version: the first <version> of its pom is the project's own.
version="$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' "$lib_pom" | head -n 1)"
built="$root/bindings/kotlin/target/consentkit-$version.jar"
installed="${HOME}/.m2/repository/dev/consentkit/consentkit/$version/consentkit-$version.jar"

up_to_date() {
  [ "${CONSENTKIT_REINSTALL:-0}" != 1 ] && [ -f "$built" ] && [ -f "$installed" ] && cmp -s "$built" "$installed" &&
    [ -z "$(cd "$root" && find src Cargo.toml Cargo.lock uniffi.toml bindings/kotlin/pom.xml bindings/kotlin/src/main bindings/kotlin/src/ids \
      -newer "$built" -print -quit)" ]
}

cd "$root"
if up_to_date; then
  echo "==> (1) dev.consentkit:consentkit:$version in ~/.m2 is up to date (installed by bindings/kotlin/test.sh)"
else
  echo "==> (1) mvn -B -ntp -f bindings/kotlin/pom.xml install -DskipTests"
  log="$(mktemp)"
  if ! mvn -B -ntp -f bindings/kotlin/pom.xml install -DskipTests >"$log" 2>&1; then
    tail -n 80 "$log"; rm -f "$log"; exit 1
  fi
  grep -E '^\[INFO\] (Installing .*\.jar|BUILD)' "$log" || true
  rm -f "$log"
fi

echo "==> (2) mvn -q compile exec:java (examples/jvm-app)"
cd "$here"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
status=0
mvn -q compile exec:java >"$out.raw" 2>&1 || status=$?
# Maven's console library may leave colour resets ("ESC[0m") in the output even with -q.
sed 's/\x1b\[[0-9;]*m//g' "$out.raw" >"$out"
rm -f "$out.raw"
cat "$out"
if [ "$status" -ne 0 ]; then
  echo "==> the app failed (mvn exit $status)"
  exit "$status"
fi

# The expected output is the README's ```text block.
expected="$(awk '/^```text$/{on=1; next} /^```$/{on=0} on' README.md)"
if [ "$expected" != "$(cat "$out")" ]; then
  echo "==> output differs from README.md's:"
  diff <(printf '%s\n' "$expected") "$out" || true
  exit 1
fi
echo "==> jvm-app: output as in README.md"
