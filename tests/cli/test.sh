#!/usr/bin/env bash
# Checks of the consentkit CLI that need tools outside cargo (./test.sh runs this after `cargo test`):
#
#   1. The HTML lists (`consentkit lists ... --format html`, English, Chinese, and Chinese with real counts from a
#      demo database) open in headless Chromium at a phone's size (412x915): no console message at all (the page
#      has no script, and its Content-Security-Policy turns any external asset into a console error), every purpose
#      id in the DOM. Screenshots and DOM dumps are kept under target/test-artefacts/cli/.
#   2. The codegen output compiles and its handles are the core's: Kotlin for every example with the Maven Kotlin
#      compiler (-Werror; the version of bindings/kotlin/pom.xml, so the Maven cache is shared) and a run of
#      tests/cli/kotlin-codegen/src/CodegenCheck.kt; Swift, when the Swift toolchain root exists
#      (bindings/swift/toolchain.sh), compiled and run with tests/cli/swift-codegen/main.swift.
#   3. `consentkit export apple-privacy` of every example read back by Python's plistlib (a second plist parser).
#
# Installs Debian's chromium (and a CJK font for the screenshots) with apt-get when missing, as root.
# CONSENTKIT_CLI_SKIP_KOTLIN=1 / CONSENTKIT_CLI_SKIP_SWIFT=1 skip a compiler check. The last line says what passed.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
ART=$ROOT/target/test-artefacts/cli
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/debug/consentkit
log() { printf '[cli-test] %s\n' "$*" >&2; }
die() { printf '[cli-test] FAILED: %s\n' "$*" >&2; exit 1; }
passed=()

rm -rf "$ART"
mkdir -p "$ART"

log "building the CLI (cargo build --all-features --bin consentkit: reuses the cargo test build)"
cargo build --all-features --bin consentkit --color never -q
[ -x "$BIN" ] || die "no binary at $BIN"

# ------------------------------------------------------------------------------------------------------------------
# 1. HTML lists in headless Chromium

if ! command -v chromium >/dev/null 2>&1; then
    [ "$(id -u)" = 0 ] || die "chromium is missing and installing it needs root: apt-get install chromium"
    log "installing chromium and fonts-wqy-microhei (apt-get)"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
elif ! fc-list :lang=zh 2>/dev/null | grep -q . && [ "$(id -u)" = 0 ]; then
    log "installing a CJK font for the Chinese screenshot (fonts-wqy-microhei)"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei) >/dev/null 2>&1 \
        || log "could not install fonts-wqy-microhei: the Chinese screenshot will show boxes (the DOM check is unaffected)"
fi
log "$(chromium --version 2>/dev/null | tail -1)"

manifest=examples/ride_hailing.json
"$BIN" demo --db "$ART/demo.db" >"$ART/demo.txt"
"$BIN" lists "$manifest" --format html --lang en >"$ART/lists-en.html"
"$BIN" lists "$manifest" --format html --lang zh >"$ART/lists-zh.html"
"$BIN" lists "$manifest" --format html --lang zh --db "$ART/demo.db" >"$ART/lists-zh-counts.html"
mapfile -t purposes < <("$BIN" lists "$manifest" --format json | sed -n 's/^ *"purpose": "\([^"]*\)",$/\1/p' | sort -u)
[ "${#purposes[@]}" -ge 3 ] || die "could not read the purpose ids (${purposes[*]:-none})"

chrome() { # chrome <stderr file> <args...>: one headless run with a fresh profile
    local err=$1 profile
    shift
    profile=$(mktemp -d)
    local rc=0
    timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
        --enable-logging=stderr --v=0 --window-size=412,915 "$@" 2>"$err" || rc=$?
    rm -rf "$profile"
    return $rc
}

for page in lists-en lists-zh lists-zh-counts; do
    html=$ART/$page.html
    chrome "$ART/$page.screenshot.log" --screenshot="$ART/$page.png" "file://$html" >/dev/null \
        || die "$page: chromium --screenshot failed (see $ART/$page.screenshot.log)"
    chrome "$ART/$page.dom.log" --dump-dom "file://$html" >"$ART/$page.dom.html" \
        || die "$page: chromium --dump-dom failed (see $ART/$page.dom.log)"
    [ "$(head -c 8 "$ART/$page.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || die "$page: no PNG screenshot"
    for logf in "$ART/$page.screenshot.log" "$ART/$page.dom.log"; do
        if grep -E ':CONSOLE|Uncaught|Refused to|violates the following Content Security Policy' "$logf"; then
            die "$page: the browser console reported the lines above ($logf)"
        fi
    done
    dom=$ART/$page.dom.html
    grep -q '<meta name="viewport" content="width=device-width, initial-scale=1">' "$dom" || die "$page: no viewport meta in the DOM"
    for p in "${purposes[@]}"; do
        grep -q "<code>$p</code>" "$dom" || die "$page: purpose id $p is not in the DOM"
    done
    grep -q 'adnet' "$dom" || die "$page: the sharing list (adnet) is not in the DOM"
done
grep -q '个人信息收集清单' "$ART/lists-zh.dom.html" || die "lists-zh: the Chinese title is not in the DOM"
grep -q '实际收集次数' "$ART/lists-zh-counts.dom.html" || die "lists-zh-counts: no real counts in the DOM"
log "HTML lists: 3 pages rendered at 412x915, no console messages, ${#purposes[@]} purpose ids in each DOM; screenshots in $ART"
passed+=("HTML lists in headless Chromium (3 pages)")

# ------------------------------------------------------------------------------------------------------------------
# 2. codegen output compiles

# Every example, and a fixture of awkward ids (keywords, member names, dots, dashes, comment delimiters in texts).
examples=()
for f in examples/*.json tests/cli/fixtures/*.json; do examples+=("$f"); done

if [ "${CONSENTKIT_CLI_SKIP_KOTLIN:-0}" = 1 ]; then
    log "Kotlin codegen compile: skipped (CONSENTKIT_CLI_SKIP_KOTLIN=1)"
elif ! command -v mvn >/dev/null 2>&1 || ! command -v java >/dev/null 2>&1; then
    log "Kotlin codegen compile: skipped (no mvn/java; the Rust tests check the generated text)"
else
    src=$ART/codegen/kotlin
    build=$ART/codegen/kotlin-build
    mkdir -p "$src"
    for f in "${examples[@]}"; do
        stem=$(basename "$f" .json)
        "$BIN" codegen "$f" --lang kotlin --package "check.$stem" >"$src/$stem.kt"
    done
    kv=$(sed -n 's:.*<kotlin.version>\(.*\)</kotlin.version>.*:\1:p' bindings/kotlin/pom.xml | head -1)
    kv=${kv:-2.4.21}
    mvn_args=(-B -ntp -q -f tests/cli/kotlin-codegen/pom.xml compile "-Dkotlin.version=$kv" "-Dcodegen.src=$src" "-Dcodegen.build=$build")
    log "compiling the Kotlin codegen of ${#examples[@]} manifests (Kotlin $kv, -Werror)"
    if ! mvn -o "${mvn_args[@]}" >"$ART/kotlin-compile.log" 2>&1; then
        # Not cached yet (a fresh machine): the same artifacts are needed by bindings/kotlin right after.
        mvn "${mvn_args[@]}" >"$ART/kotlin-compile.log" 2>&1 || { cat "$ART/kotlin-compile.log" >&2; die "the generated Kotlin does not compile"; }
    fi
    stdlib=${HOME}/.m2/repository/org/jetbrains/kotlin/kotlin-stdlib/$kv/kotlin-stdlib-$kv.jar
    if [ -f "$stdlib" ]; then
        java -cp "$build/classes:$stdlib" check.CodegenCheckKt || die "CodegenCheck.kt failed: handles differ from the core's"
        passed+=("Kotlin codegen: ${#examples[@]} files compiled with -Werror, CodegenCheck ran")
    else
        log "kotlin-stdlib not found at $stdlib: compiled but not run"
        passed+=("Kotlin codegen: ${#examples[@]} files compiled with -Werror")
    fi
fi

swift_root=${CONSENTKIT_SWIFT_ROOT:-/var/cache/consentkit/trixie-swift}
if [ "${CONSENTKIT_CLI_SKIP_SWIFT:-0}" = 1 ]; then
    log "Swift codegen compile: skipped (CONSENTKIT_CLI_SKIP_SWIFT=1)"
elif [ ! -d "$swift_root" ] || [ "$(id -u)" != 0 ]; then
    log "Swift codegen compile: skipped (no Swift toolchain root at $swift_root, or not root; bindings/swift sets it up)"
else
    dir=$ART/codegen/swift
    mkdir -p "$dir"
    for f in "${examples[@]}"; do
        stem=$(basename "$f" .json)
        prefix=$(printf '%s' "$stem" | sed -E 's/(^|_)([a-z])/\U\2/g')
        "$BIN" codegen "$f" --lang swift --prefix "$prefix" >"$dir/$stem.swift"
    done
    cp tests/cli/swift-codegen/main.swift "$dir/main.swift"
    log "compiling and running the Swift codegen of ${#examples[@]} manifests"
    bindings/swift/toolchain.sh run "$dir" "swiftc -warnings-as-errors -module-name CodegenCheck *.swift -o codegen-check && ./codegen-check" \
        || die "the generated Swift does not compile or its check failed"
    passed+=("Swift codegen: ${#examples[@]} files compiled with -warnings-as-errors, main.swift ran")
fi

# ------------------------------------------------------------------------------------------------------------------
# 3. The exported privacy manifests read by a second, independent plist parser (Python's plistlib)

if command -v python3 >/dev/null 2>&1; then
    n=0
    for f in examples/*.json; do
        stem=$(basename "$f" .json)
        "$BIN" export apple-privacy "$f" >"$ART/$stem.xcprivacy"
        python3 - "$ART/$stem.xcprivacy" <<'PY' || die "$f: the exported privacy manifest does not read with plistlib"
import plistlib, sys
with open(sys.argv[1], "rb") as fh:
    d = plistlib.load(fh, fmt=plistlib.FMT_XML)
assert isinstance(d["NSPrivacyTracking"], bool)
for c in d["NSPrivacyCollectedDataTypes"]:
    assert c["NSPrivacyCollectedDataType"].startswith("NSPrivacyCollectedDataType"), c
    assert c["NSPrivacyCollectedDataTypePurposes"], c
PY
        n=$((n + 1))
    done
    passed+=("privacy manifests of $n examples read by plistlib")
else
    log "plistlib check: skipped (no python3)"
fi

printf '%s\n' "${passed[@]}" | sed 's/^/[cli-test] ok: /' >&2
echo "cli: ${#passed[@]} passed, 0 failed"
