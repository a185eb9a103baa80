#!/usr/bin/env bash
# Swift-on-Linux test toolchain for the consentkit bindings.
#
# Debian trixie's `swiftlang` (Swift 6.0.3) needs a newer glibc than this Debian bookworm host has, so Swift runs
# inside a trixie root made with debootstrap (see /work/shared/toolchains/swift-linux.md and TOOLCHAIN-NOTES.md).
#
# Usage (as root: debootstrap, chroot and mount need it):
#   bindings/swift/toolchain.sh ensure
#       Create the trixie root with swiftlang if it does not exist yet (a few minutes the first time).
#   bindings/swift/toolchain.sh run <dir> <command...>
#       Ensure the root, bind-mount the repository at the same absolute path inside it, mount /proc, and run
#       `cd <dir> && <command...>` there with `bash -c`. The command words are joined with spaces and read by
#       bash (like ssh), so quote what must stay one word. The exit code is the command's. Everything the script
#       mounted is unmounted on exit, also on failure or Ctrl-C.
#       e.g. bindings/swift/toolchain.sh run bindings/swift \
#              LD_LIBRARY_PATH=$PWD/target/debug swift test --disable-swift-testing -Xlinker -L$PWD/target/debug
#   bindings/swift/toolchain.sh cleanup
#       Unmount whatever an earlier, killed run left mounted in the root (only if no run is active).
#
# Environment:
#   CONSENTKIT_SWIFT_ROOT          the root (default /var/cache/consentkit/trixie-swift; it is a cache)
#   CONSENTKIT_DEBIAN_MIRROR       Debian mirror (default: the host's, from /etc/apt/sources.list.d/debian.sources)
#   CONSENTKIT_SWIFT_EXTRA_MOUNTS  colon-separated absolute host directories to bind-mount too (e.g. a
#                                  CARGO_TARGET_DIR outside the repository)
#   CONSENTKIT_SWIFT_PASSENV       space-separated names of host environment variables to pass into the root
#                                  (the command otherwise gets a clean PATH/HOME/LANG/TERM environment)
#   CONSENTKIT_SWIFT_LOCK_TIMEOUT  seconds to wait for another invocation holding the lock (default 1800)
#   CONSENTKIT_SWIFT_VERBOSE=1     show debootstrap / apt output live instead of only on failure
#
# Progress lines go to stderr, prefixed [swift-toolchain]; the command's stdout is left alone.
set -euo pipefail

readonly PFX='[swift-toolchain]'
log() { printf '%s %s\n' "$PFX" "$*" >&2; }
die() {
    printf '%s ERROR: %s\n' "$PFX" "$1" >&2
    shift
    local line
    for line in "$@"; do printf '%s        %s\n' "$PFX" "$line" >&2; done
    exit 1
}

ROOT="${CONSENTKIT_SWIFT_ROOT:-/var/cache/consentkit/trixie-swift}"
ROOT="${ROOT%/}"
case "$ROOT" in /?*) ;; *) die "CONSENTKIT_SWIFT_ROOT must be an absolute path (got '$ROOT')" ;; esac
LOCK_FILE="$ROOT.lock"      # mutex: creating the root, mounting, unmounting
USERS_FILE="$ROOT.users"    # every active `run` holds a shared lock on it; the last one out unmounts
MOUNTS_FILE="$ROOT.mounts"  # mount points this script made in the root (for the last one out / stale cleanup)
BUILD_LOG="$ROOT.build.log" # debootstrap + apt output of the last creation attempt
LOCK_TIMEOUT="${CONSENTKIT_SWIFT_LOCK_TIMEOUT:-1800}"
SUITE=trixie
CHROOT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

SCRIPT_DIR="$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"

# ---------------------------------------------------------------------------------------------------------------
# timing
now() { printf '%s' "${EPOCHREALTIME/,/.}"; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
TIMINGS=()
phase_done() { # <name> <start>
    local t
    t="$(elapsed "$2")"
    TIMINGS+=("$1 ${t}s")
    log "$1: ${t}s"
}

# ---------------------------------------------------------------------------------------------------------------
# repository top level: the nearest ancestor of this script with a .git (directory, or file for worktrees and
# submodules), which is what `git rev-parse --show-toplevel` answers, without needing git.
repo_top() {
    local d="$SCRIPT_DIR"
    while :; do
        if [ -e "$d/.git" ]; then printf '%s' "$d"; return 0; fi
        [ "$d" = / ] && break
        d="$(dirname -- "$d")"
    done
    # No .git (e.g. an exported source tree): the script lives in <repo>/bindings/swift.
    (cd -P -- "$SCRIPT_DIR/../.." && pwd -P)
}

debian_mirror() {
    if [ -n "${CONSENTKIT_DEBIAN_MIRROR:-}" ]; then printf '%s' "${CONSENTKIT_DEBIAN_MIRROR%/}"; return; fi
    local m=""
    if [ -r /etc/apt/sources.list.d/debian.sources ]; then
        m="$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' \
            /etc/apt/sources.list.d/debian.sources)"
    fi
    if [ -z "$m" ] && [ -r /etc/apt/sources.list ]; then
        m="$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z+]+:\/\//) { if ($i !~ /security/) { print $i; exit } else break } }' \
            /etc/apt/sources.list)"
    fi
    printf '%s' "${m:-http://deb.debian.org/debian}" | sed 's:/*$::'
}

# ---------------------------------------------------------------------------------------------------------------
# locks (fd 8: mutex, fd 7: users). Both are closed for the command that runs inside the root.
HAVE_MUTEX=0
REGISTERED=0
open_locks() {
    mkdir -p -- "$(dirname -- "$ROOT")" 2>/dev/null || true
    { exec 8>>"$LOCK_FILE" 7>>"$USERS_FILE"; } 2>/dev/null ||
        die "cannot open the lock files $LOCK_FILE / $USERS_FILE" "run as root (sudo), or set CONSENTKIT_SWIFT_ROOT"
}
take_mutex() {
    [ "$HAVE_MUTEX" = 1 ] && return 0
    if ! flock -x -n 8; then
        log "another toolchain.sh holds $LOCK_FILE (creating the root or mounting); waiting up to ${LOCK_TIMEOUT}s"
        flock -x -w "$LOCK_TIMEOUT" 8 ||
            die "timed out after ${LOCK_TIMEOUT}s waiting for $LOCK_FILE" \
                "another toolchain.sh is still running (see: fuser -v $LOCK_FILE); retry when it has finished"
    fi
    HAVE_MUTEX=1
}
drop_mutex() {
    [ "$HAVE_MUTEX" = 1 ] || return 0
    flock -u 8 || true
    HAVE_MUTEX=0
}

# ---------------------------------------------------------------------------------------------------------------
# mounts
mounts_under() { # <dir>: mount points at or below <dir>, deepest first
    local base="$1"
    findmnt -rn -o TARGET | while IFS= read -r t; do
        t="$(printf '%b' "$t")" # findmnt -r escapes blanks as \x20
        case "$t" in "$base" | "$base"/*) printf '%s\n' "$t" ;; esac
    done | awk '{ print length($0) "\t" $0 }' | sort -rn | cut -f2-
}
unmount_one() { # <mount point>; returns non-zero only if it is still mounted afterwards
    local m="$1"
    mountpoint -q -- "$m" || return 0
    for _ in 1 2 3 4 5; do
        umount -- "$m" 2>/dev/null && { log "unmounted $m"; return 0; }
        mountpoint -q -- "$m" || return 0
        sleep 1
    done
    if umount -l -- "$m"; then
        log "WARNING: $m was busy; detached it lazily (umount -l)"
        return 0
    fi
    log "WARNING: could not unmount $m"
    return 1
}
unmount_all_under() { # <dir>
    local m rc=0
    while IFS= read -r m; do
        [ -n "$m" ] || continue
        unmount_one "$m" || rc=1
    done < <(mounts_under "$1")
    return "$rc"
}
same_dir() { [ "$(stat -c %d:%i -- "$1")" = "$(stat -c %d:%i -- "$2")" ]; }
record_mount() { grep -qxF -- "$1" "$MOUNTS_FILE" 2>/dev/null || printf '%s\n' "$1" >>"$MOUNTS_FILE"; }

ensure_proc() { # <root>
    local p="$1/proc"
    if mountpoint -q -- "$p" && [ "$(findmnt -n -o FSTYPE --mountpoint "$p" | tail -n1)" = proc ]; then
        log "reusing /proc already mounted in $1"
    else
        mkdir -p -- "$p"
        mount -t proc proc "$p" || die "mount -t proc proc $p failed" "are you root (and allowed to mount)?"
        log "mounted proc on $p"
    fi
}
ensure_bind() { # <host dir>: bind-mount it at the same path inside the root
    local src="$1" dst="$ROOT$1"
    [ -d "$src" ] || die "cannot bind-mount $src: not a directory"
    if mountpoint -q -- "$dst"; then
        if same_dir "$src" "$dst"; then
            log "reusing bind mount $src -> $dst"
            return 0
        fi
        die "$dst is a mount point but not of $src" \
            "run '$0 cleanup' when no other run is active, then retry"
    fi
    mkdir -p -- "$dst"
    mount --bind -- "$src" "$dst" || die "mount --bind $src $dst failed" "are you root (and allowed to mount)?"
    log "bind-mounted $src -> $dst"
}

# Called with the mutex held. If no run is active, anything still mounted in the root was left by a run that was
# killed (SIGKILL, power loss): unmount it. Returns 0 if we are the only user.
no_other_users() { flock -x -n 7; }
clean_stale_mounts() {
    local left
    left="$(mounts_under "$ROOT")"
    if [ -n "$left" ]; then
        log "found mounts left by an earlier run in $ROOT; unmounting them"
        unmount_all_under "$ROOT" || die "could not unmount what an earlier run left in $ROOT" \
            "see: findmnt -R $ROOT ; unmount by hand, then retry"
    fi
    : >"$MOUNTS_FILE"
}

# ---------------------------------------------------------------------------------------------------------------
# creating the root
safe_remove_dir() { # <dir>: delete a (half-made) root, never while something is mounted inside it
    local d="$1"
    [ -e "$d" ] || return 0
    unmount_all_under "$d" || die "refusing to delete $d: something is still mounted inside it" \
        "see: findmnt -R $d ; unmount it, then retry"
    if [ -n "$(mounts_under "$d")" ]; then
        die "refusing to delete $d: something is still mounted inside it" "see: findmnt -R $d"
    fi
    rm -rf --one-file-system -- "$d"
}

run_logged() { # <what> <command...>: output to the build log (or live when verbose); on failure show its tail
    local what="$1" rc=0
    shift
    {
        printf '\n===== %s: %s\n' "$what" "$*"
    } >>"$BUILD_LOG"
    # In a subshell: redirections on a shell function (chroot_env) would otherwise apply to this shell, and a
    # signal trap running right after the command would log into the build log with the lock fds closed.
    if [ "${CONSENTKIT_SWIFT_VERBOSE:-0}" = 1 ]; then
        ("$@") 2>&1 7>&- 8>&- </dev/null | tee -a "$BUILD_LOG" >&2 || rc=$?
    else
        ("$@") >>"$BUILD_LOG" 2>&1 </dev/null 7>&- 8>&- || rc=$?
    fi
    if [ "$rc" != 0 ]; then
        log "$what failed (exit $rc); last lines of $BUILD_LOG:"
        tail -n 25 "$BUILD_LOG" | sed "s/^/$PFX   | /" >&2
    fi
    return "$rc"
}

CREATING_DIR=""
creation_failed() { # <what failed>
    die "creating the Swift root failed: $1" \
        "full log: $BUILD_LOG" \
        "the half-made root ${CREATING_DIR:-} was not put in place; it is removed on the next attempt" \
        "retry with: $0 ensure   (add CONSENTKIT_SWIFT_VERBOSE=1 to watch the output)"
}

ensure_debootstrap() {
    command -v debootstrap >/dev/null 2>&1 && return 0
    local t0
    t0="$(now)"
    log "installing debootstrap on the host (apt-get)"
    run_logged "apt-get update (host)" apt-get update || creation_failed "apt-get update on the host"
    run_logged "apt-get install debootstrap (host)" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends debootstrap || creation_failed "apt-get install debootstrap"
    command -v debootstrap >/dev/null 2>&1 || creation_failed "debootstrap is still not on PATH after installing it"
    phase_done "install debootstrap (host)" "$t0"
}

chroot_env() { # <root> <command...>: clean environment inside the root
    local r="$1"
    shift
    chroot "$r" /usr/bin/env -i PATH="$CHROOT_PATH" HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

# Does <root> have a usable /usr/bin/swift? It is an absolute symlink (update-alternatives style:
# /usr/bin/swift -> /usr/libexec/swift/bin/swift), so a plain `test -x` from the host follows it to the host's
# /usr/libexec and says no: look inside the root instead.
root_has_swift() {
    [ -L "$1/usr/bin/swift" ] || [ -e "$1/usr/bin/swift" ] || return 1
    if [ "$(id -u)" = 0 ]; then
        chroot "$1" /usr/bin/test -x /usr/bin/swift
    else
        local t
        t="$(readlink -- "$1/usr/bin/swift" 2>/dev/null || true)"
        case "$t" in /*) [ -x "$1$t" ] ;; "") [ -x "$1/usr/bin/swift" ] ;; *) [ -x "$1/usr/bin/$t" ] ;; esac
    fi
}

# Called with the mutex held.
ensure_root_locked() {
    if root_has_swift "$ROOT"; then
        log "Swift root ready at $ROOT"
        return 0
    fi
    [ "$(id -u)" = 0 ] || die "creating the Swift root needs root (debootstrap, chroot, mount)" "retry as root: sudo $0 ensure"
    local t_all t0 parent old mirror
    t_all="$(now)"
    parent="$(dirname -- "$ROOT")"
    mkdir -p -- "$parent"
    : >"$BUILD_LOG"

    # Leftovers of earlier failed attempts (never mistaken for a good root: only a finished one gets renamed).
    for old in "$ROOT".tmp.*; do
        [ -d "$old" ] || continue
        log "removing half-made root from an earlier attempt: $old"
        safe_remove_dir "$old"
    done
    if [ -e "$ROOT" ]; then
        log "$ROOT exists but has no /usr/bin/swift: treating it as broken and replacing it"
        old="$(mktemp -d "$ROOT.tmp.old.XXXXXX")"
        rmdir -- "$old"
        unmount_all_under "$ROOT" || die "$ROOT has mounts that could not be unmounted" "see: findmnt -R $ROOT"
        mv -- "$ROOT" "$old"
        safe_remove_dir "$old"
    fi

    ensure_debootstrap
    mirror="$(debian_mirror)"
    CREATING_DIR="$(mktemp -d "$ROOT.tmp.XXXXXX")"
    chmod 755 "$CREATING_DIR"

    t0="$(now)"
    log "debootstrap --variant=minbase $SUITE $CREATING_DIR $mirror (about a minute)"
    run_logged "debootstrap" debootstrap --variant=minbase "$SUITE" "$CREATING_DIR" "$mirror" ||
        creation_failed "debootstrap --variant=minbase $SUITE (mirror $mirror)"
    phase_done "debootstrap" "$t0"

    # No services may start inside the root.
    printf '#!/bin/sh\nexit 101\n' >"$CREATING_DIR/usr/sbin/policy-rc.d"
    chmod 755 "$CREATING_DIR/usr/sbin/policy-rc.d"
    [ -s "$CREATING_DIR/etc/resolv.conf" ] || cp -L /etc/resolv.conf "$CREATING_DIR/etc/resolv.conf" 2>/dev/null || true

    mkdir -p -- "$CREATING_DIR/proc"
    mount -t proc proc "$CREATING_DIR/proc" || creation_failed "mount -t proc proc $CREATING_DIR/proc"

    t0="$(now)"
    log "installing swiftlang inside the root (apt-get; one to two minutes)"
    run_logged "apt-get update (root)" chroot_env "$CREATING_DIR" apt-get update ||
        creation_failed "apt-get update inside the root"
    run_logged "apt-get install swiftlang (root)" chroot_env "$CREATING_DIR" apt-get install -y swiftlang ||
        creation_failed "apt-get install -y swiftlang inside the root"
    run_logged "apt-get clean (root)" chroot_env "$CREATING_DIR" apt-get clean || creation_failed "apt-get clean inside the root"
    phase_done "apt-get install swiftlang" "$t0"

    local version
    version="$(chroot_env "$CREATING_DIR" swift --version 2>&1 | head -n1)" ||
        creation_failed "swift --version does not run inside the new root"
    unmount_one "$CREATING_DIR/proc" || creation_failed "could not unmount $CREATING_DIR/proc"
    root_has_swift "$CREATING_DIR" || creation_failed "no /usr/bin/swift after installing swiftlang"

    mv -T -- "$CREATING_DIR" "$ROOT" || creation_failed "mv $CREATING_DIR $ROOT"
    CREATING_DIR=""
    log "Swift root ready at $ROOT ($version; $(du -sh --one-file-system "$ROOT" 2>/dev/null | cut -f1))"
    phase_done "create root (total)" "$t_all"
}

# ---------------------------------------------------------------------------------------------------------------
# exit handling
CHILD=""
on_exit() {
    local rc=$?
    set +e
    trap - EXIT INT TERM HUP
    if [ -n "$CHILD" ] && kill -0 "$CHILD" 2>/dev/null; then
        log "stopping the command (pid $CHILD)"
        kill -TERM -- "-$CHILD" "$CHILD" 2>/dev/null
        for _ in $(seq 1 20); do kill -0 "$CHILD" 2>/dev/null || break; sleep 0.5; done
        kill -KILL -- "-$CHILD" "$CHILD" 2>/dev/null
        wait "$CHILD" 2>/dev/null
    fi
    # A half-made root: only its /proc can be mounted; unmount it (the directory itself is removed next time).
    if [ -n "$CREATING_DIR" ] && [ -d "$CREATING_DIR" ]; then
        unmount_all_under "$CREATING_DIR"
    fi
    if [ "$REGISTERED" = 1 ]; then
        local t0
        t0="$(now)"
        if [ "$HAVE_MUTEX" = 1 ] || flock -x -w 600 8; then
            HAVE_MUTEX=1
            if no_other_users; then
                local m rc_um=0
                if [ -s "$MOUNTS_FILE" ]; then
                    while IFS= read -r m; do
                        [ -n "$m" ] || continue
                        unmount_one "$m" || rc_um=1
                    done < <(tac "$MOUNTS_FILE")
                fi
                if [ "$rc_um" = 0 ]; then : >"$MOUNTS_FILE"; fi
                [ -z "$(mounts_under "$ROOT")" ] || log "WARNING: still mounted in $ROOT: $(mounts_under "$ROOT" | tr '\n' ' ')"
            else
                log "another run is still using $ROOT; leaving the mounts to it (the last run unmounts them)"
            fi
            flock -u 7
            drop_mutex
        else
            log "WARNING: timed out waiting for $LOCK_FILE; left the mounts in place (run '$0 cleanup' later)"
        fi
        TIMINGS+=("unmount $(elapsed "$t0")s")
    fi
    drop_mutex
    if [ "${#TIMINGS[@]}" -gt 0 ]; then
        log "timings: $(IFS=,; printf '%s' "${TIMINGS[*]}" | sed 's/,/, /g')"
    fi
    exit "$rc"
}
on_signal() { # <signal name> <exit code>
    log "received SIG$1; cleaning up"
    if [ -n "$CHILD" ] && kill -0 "$CHILD" 2>/dev/null; then
        kill "-$1" -- "-$CHILD" "$CHILD" 2>/dev/null || true
        for _ in $(seq 1 20); do kill -0 "$CHILD" 2>/dev/null || break; sleep 0.5; done
    fi
    exit "$2"
}
trap on_exit EXIT
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM
trap 'on_signal HUP 129' HUP

# ---------------------------------------------------------------------------------------------------------------
cmd_ensure() {
    local t0
    t0="$(now)"
    open_locks
    take_mutex
    ensure_root_locked
    drop_mutex
    phase_done "ensure" "$t0"
}

cmd_cleanup() {
    open_locks
    take_mutex
    if no_other_users; then
        clean_stale_mounts
        flock -u 7
        log "nothing is mounted in $ROOT"
    else
        die "a run is active in $ROOT; not unmounting anything" "retry when it has finished"
    fi
    drop_mutex
}

cmd_run() {
    [ "$#" -ge 2 ] || usage
    [ "$(id -u)" = 0 ] || die "'run' needs root (chroot, mount)" "retry as root"
    local arg_dir="$1" dir top extra t0
    shift
    dir="$(realpath -e -- "$arg_dir" 2>/dev/null)" || die "directory '$arg_dir' does not exist"
    [ -d "$dir" ] || die "'$dir' is not a directory"
    top="$(repo_top)"

    local -a binds=("$top")
    if [ -n "${CONSENTKIT_SWIFT_EXTRA_MOUNTS:-}" ]; then
        local IFS=:
        for extra in $CONSENTKIT_SWIFT_EXTRA_MOUNTS; do
            [ -n "$extra" ] || continue
            extra="$(realpath -e -- "$extra" 2>/dev/null)" || die "CONSENTKIT_SWIFT_EXTRA_MOUNTS: '$extra' does not exist"
            binds+=("$extra")
        done
        unset IFS
    fi
    local b ok=0
    for b in "${binds[@]}"; do
        case "$dir/" in "$b"/*) ok=1 ;; esac
    done
    [ "$ok" = 1 ] || die "$dir is outside the repository ($top), so it would not be visible inside the root" \
        "put it inside the repository, or add it to CONSENTKIT_SWIFT_EXTRA_MOUNTS"

    t0="$(now)"
    open_locks
    take_mutex
    ensure_root_locked
    phase_done "ensure" "$t0"

    t0="$(now)"
    if no_other_users; then
        clean_stale_mounts
        flock -s 7 # downgrade: nobody else can take the users lock while we hold the mutex
    else
        log "another run is active in $ROOT; sharing its mounts"
        flock -s 7
    fi
    REGISTERED=1
    ensure_proc "$ROOT"
    record_mount "$ROOT/proc"
    for b in "${binds[@]}"; do
        ensure_bind "$b"
        record_mount "$ROOT$b"
    done
    drop_mutex
    phase_done "mount" "$t0"

    # Pass-through variables, then the command.
    local -a envs=(PATH="$CHROOT_PATH" HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}")
    local name
    for name in ${CONSENTKIT_SWIFT_PASSENV:-}; do
        [[ "$name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "CONSENTKIT_SWIFT_PASSENV: '$name' is not a variable name"
        if [ -n "${!name+x}" ]; then envs+=("$name=${!name}"); fi
    done
    local script
    script="cd -- $(printf '%q' "$dir") || exit 125"$'\n'"$*"
    log "running in $ROOT: cd $dir && $*"
    t0="$(now)"
    local rc=0
    # Own session/process group, so a signal to this script can stop the whole command tree (Ctrl-C reaches this
    # script, which forwards it); SIGINT/SIGQUIT back to default (bash ignores them in background jobs); lock fds
    # closed so nothing inside keeps the locks.
    setsid -w env --default-signal=INT,QUIT chroot "$ROOT" /usr/bin/env -i "${envs[@]}" /bin/bash -c "$script" 7>&- 8>&- &
    CHILD=$!
    wait "$CHILD" || rc=$?
    CHILD=""
    phase_done "command (exit $rc)" "$t0"
    return "$rc"
}

usage() {
    cat >&2 <<EOF
usage: $0 ensure
       $0 run <dir> <command...>
       $0 cleanup
(see the comment at the top of $0)
EOF
    exit 2
}

main() {
    [ "$#" -ge 1 ] || usage
    local sub="$1"
    shift
    case "$sub" in
        ensure) [ "$#" = 0 ] || usage; cmd_ensure ;;
        run) cmd_run "$@" ;;
        cleanup) [ "$#" = 0 ] || usage; cmd_cleanup ;;
        -h | --help | help) usage ;;
        *) usage ;;
    esac
}

main "$@"
