#!/usr/bin/env bash
# The receiver's tests against a real, throwaway PostgreSQL: installs the server from Debian's packages if absent,
# initdb into a temporary directory as an unprivileged user, starts it on a random free port (Unix socket in the same
# directory), runs `cargo test` here with CK_TEST_DATABASE_URL pointing at it, and stops and removes it at the end,
# whatever happens (trap). Prints cargo's own summary lines.
set -euo pipefail
cd "$(dirname "$0")"
# The repository's target directory unless one is set: the crates both builds share are compiled once.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$(cd .. && pwd)/target}"

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
if [ -z "$(pg_bin)" ] || [ ! -x "$(pg_bin)/initdb" ]; then
  echo "==> installing PostgreSQL from Debian's packages (once)"
  if [ "$(id -u)" -ne 0 ]; then echo "PostgreSQL is not installed and this is not root: apt-get install postgresql" >&2; exit 1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
BIN=$(pg_bin)

# PostgreSQL refuses to run as root: an unprivileged user owns the cluster.
RUN_AS=()
if [ "$(id -u)" -eq 0 ]; then
  id ckpg >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin ckpg
  RUN_AS=(runuser -u ckpg --)
fi

DIR=$(mktemp -d /tmp/ck-pg.XXXXXX)
chmod 755 "$DIR"
[ "$(id -u)" -eq 0 ] && chown ckpg "$DIR"
stop() {
  "${RUN_AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap stop EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${RUN_AS[@]}" "$BIN/initdb" -D "$DIR/data" -U ck -A trust --no-sync -E UTF8 >/dev/null
# The tests kill the receiver, never PostgreSQL: they run without fsync. The benchmark (--bench) keeps the defaults.
SYNC="-c fsync=off -c synchronous_commit=off"
[ "${1:-}" = "--bench" ] && SYNC=""
"${RUN_AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=200 $SYNC" start >/dev/null
"${RUN_AS[@]}" "$BIN/createdb" -h "$DIR" -p "$PORT" -U ck receipts

export CK_TEST_DATABASE_URL="host=127.0.0.1 port=$PORT user=ck dbname=receipts"
echo "==> PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on port $PORT"
if [ "${1:-}" = "--bench" ]; then
  # server/bench.sh: the benchmark instead of the tests, against the same kind of throwaway cluster.
  shift
  cargo build --release --bin receipts-bench --color never
  CK_DATABASE_URL="$CK_TEST_DATABASE_URL" "${CARGO_TARGET_DIR:-target}/release/receipts-bench" "$@"
else
  cargo test --color never 2>&1
fi
