#!/usr/bin/env bash
# The server's API suites again, on PostgreSQL: start a throwaway cluster (initdb + pg_ctl as the
# postgres user, on a free loopback port, in a temporary directory), run the suites with
# PATHTRACE_TEST_DATABASE_URL pointing at it (every test app gets a fresh database), stop and
# remove the cluster. Needs the PostgreSQL server binaries (.ci/run installs them).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[[ -x "$BIN/initdb" ]] || { echo "PostgreSQL server binaries not found under /usr/lib/postgresql" >&2; exit 1; }
WORK="$(mktemp -d /tmp/pathtrace-pg.XXXXXX)"
chown postgres:postgres "$WORK"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
cleanup() {
  runuser -u postgres -- "$BIN/pg_ctl" -D "$WORK/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
runuser -u postgres -- "$BIN/initdb" -A trust -U postgres -D "$WORK/data" >/dev/null
runuser -u postgres -- "$BIN/pg_ctl" -D "$WORK/data" -l "$WORK/log" -w -t 60 \
  -o "-p $PORT -k $WORK -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null
echo "== PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT"
cd "$ROOT"
PATHTRACE_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/postgres" \
  cargo test --locked -p pathtrace-server --test api --test openapi --test refresh
