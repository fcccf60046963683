#!/usr/bin/env bash
# Scale-out figures of docs/benchmarks.md ("Scale-out"): one run of `pathtrace loadgen` against
# pathtrace servers on this machine, with the CPU every process used.
#
#   scripts/bench-scaleout.sh sqlite  [LOADGEN FLAGS…]   1 server, embedded SQLite
#   scripts/bench-scaleout.sh pg1     [LOADGEN FLAGS…]   1 server on a throwaway PostgreSQL
#   scripts/bench-scaleout.sh pg3     [LOADGEN FLAGS…]   3 servers on one PostgreSQL, requests round robin
#   scripts/bench-scaleout.sh big     [LOADGEN FLAGS…]   1 server (SQLite) on a generated 10,000-device network
#
# Default load flags: --clients 16 --duration 15 (add e.g. --rate 1000 to pace). Environment:
# BIN (default target/release/pathtrace), OUT (default /tmp/pathtrace-bench: reports and logs),
# SYNC (PostgreSQL synchronous_commit, default on), DEVICES (big: default 10000),
# WORKERS (workers per server, default 2), EXTRA_CONFIG (more lines for the servers' TOML file,
# e.g. 'analysis_retention = 0.0001').
# Prints one summary line and writes OUT/MODE-*.json (the loadgen report, with a "cpu" and a
# "servers" object added). PostgreSQL runs as the postgres user (initdb/pg_ctl refuse root),
# with fsync on, in a temporary directory removed at the end; loopback only.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
MODE="${1:?usage: $0 sqlite|pg1|pg3|big [loadgen flags]}"
shift
BIN="${BIN:-target/release/pathtrace}"
OUT="${OUT:-/tmp/pathtrace-bench}"
SYNC="${SYNC:-on}"
DEVICES="${DEVICES:-10000}"
WORKERS="${WORKERS:-2}"
mkdir -p "$OUT"
[[ -x "$BIN" ]] || { echo "build first: cargo build --release -p pathtrace" >&2; exit 2; }
LOADFLAGS=("$@")
[[ ${#LOADFLAGS[@]} -gt 0 ]] || LOADFLAGS=(--clients 16 --duration 15)

WORK="$(mktemp -d /tmp/pathtrace-bench.XXXXXX)"
chmod 755 "$WORK"   # the postgres user must reach its directory inside
PIDS=()
PGBIN=""
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  if [[ -n "$PGBIN" ]]; then
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# CPU seconds (user + system) a process used so far.
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"; }
# CPU seconds of every process of the postgres user (postmaster, backends, walwriter, …),
# live ones plus what finished children left in the postmaster's cutime/cstime.
pg_cpu() {
  local total=0 t
  for p in $(pgrep -u postgres || true); do
    t=$(awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15 + $16 + $17) / hz}' "/proc/$p/stat" 2>/dev/null || echo 0)
    total=$(python3 -c "print($total + $t)")
  done
  echo "$total"
}

DB=""
if [[ "$MODE" == pg1 || "$MODE" == pg3 ]]; then
  PGBIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  mkdir -p "$WORK/pg"
  chown postgres:postgres "$WORK/pg"
  runuser -u postgres -- "$PGBIN/initdb" -A trust -U postgres -D "$WORK/pg/data" >/dev/null
  PGPORT="$(free_port)"
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/log" -w -t 60 \
    -o "-p $PGPORT -k $WORK/pg -c listen_addresses=127.0.0.1 -c synchronous_commit=$SYNC -c shared_buffers=256MB -c shared_preload_libraries=pg_stat_statements" \
    start >/dev/null
  DB="postgres://postgres@127.0.0.1:$PGPORT/postgres"
  "$PGBIN/psql" -X -q -h 127.0.0.1 -p "$PGPORT" -U postgres -c 'CREATE EXTENSION pg_stat_statements' >/dev/null
fi

NETWORK=()
if [[ "$MODE" == big ]]; then
  "$BIN" generate -d "$DEVICES" -o "$WORK/big.yaml" >/dev/null
  NETWORK=(--network "$WORK/big.yaml")
fi

printf 'workers = %s\n%s\n' "$WORKERS" "${EXTRA_CONFIG:-}" > "$WORK/pathtrace.toml"
N=1
[[ "$MODE" == pg3 ]] && N=3
URLS=()
SERVER_PIDS=()
for i in $(seq 1 "$N"); do
  port="$(free_port)"
  args=(serve --config "$WORK/pathtrace.toml" --tls-listen off --listen "127.0.0.1:$port" --data-dir "$WORK/d$i")
  [[ -n "$DB" ]] && args+=(--database-url "$DB")
  # The first server publishes the network; the others serve what is stored.
  [[ $i -eq 1 ]] && args+=("${NETWORK[@]}")
  PATHTRACE_LOG=warn "$BIN" "${args[@]}" > "$OUT/$MODE-server$i.log" 2>&1 &
  PIDS+=($!)
  SERVER_PIDS+=($!)
  URLS+=("http://127.0.0.1:$port")
  for _ in $(seq 1 1200); do
    curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
    sleep 0.1
  done
  curl -fs "http://127.0.0.1:$port/health" >/dev/null || { echo "server $i did not start:"; cat "$OUT/$MODE-server$i.log"; exit 1; }
done
IDLE_RSS=()
for p in "${SERVER_PIDS[@]}"; do IDLE_RSS+=("$(awk '/VmRSS/ {print $2}' "/proc/$p/status")"); done

FLOWS=()
[[ "$MODE" == big ]] && FLOWS=(--flows-from-hosts 500)
WATCH=()
for p in "${SERVER_PIDS[@]}"; do WATCH+=(--watch-pid "$p"); done

declare -A CPU0
for p in "${SERVER_PIDS[@]}"; do CPU0[$p]=$(cpu_of "$p"); done
PG0=0
[[ -n "$DB" ]] && PG0=$(pg_cpu)
STAMP="$(date +%Y%m%d-%H%M%S)"
REPORT="$OUT/$MODE-$STAMP.json"
SAMPLER=""
if [[ -n "$DB" ]]; then
  # Every 30 s: active sessions, what they wait on, the database's size.
  (while sleep 30; do
     "$PGBIN/psql" -X -A -t -h 127.0.0.1 -p "$PGPORT" -U postgres -c "SELECT to_char(now(), 'HH24:MI:SS'), count(*) FILTER (WHERE state = 'active' AND backend_type = 'client backend'), string_agg(DISTINCT wait_event, ',') FILTER (WHERE state = 'active'), pg_size_pretty(pg_database_size('postgres')) FROM pg_stat_activity" 2>/dev/null
   done) > "$OUT/$MODE-$STAMP-pg-samples.txt" &
  SAMPLER=$!
  PIDS+=("$SAMPLER")
fi
/usr/bin/time -f '%U %S' -o "$WORK/loadgen.time" \
  "$BIN" loadgen --url "$(IFS=,; echo "${URLS[*]}")" "${FLOWS[@]}" "${WATCH[@]}" --format json \
  "${LOADFLAGS[@]}" > "$REPORT.raw" || true
SERVER_CPU=0
for p in "${SERVER_PIDS[@]}"; do
  SERVER_CPU=$(python3 -c "print($SERVER_CPU + $(cpu_of "$p") - ${CPU0[$p]})")
done
PG_CPU=0
[[ -n "$DB" ]] && PG_CPU=$(python3 -c "print($(pg_cpu) - $PG0)")
LG_CPU=$(awk '{print $1 + $2}' "$WORK/loadgen.time")

python3 - "$REPORT.raw" "$REPORT" "$MODE" "$SERVER_CPU" "$PG_CPU" "$LG_CPU" "$SYNC" "${IDLE_RSS[*]}" <<'EOF'
import json, sys
raw, out, mode, server_cpu, pg_cpu, lg_cpu, sync, idle = sys.argv[1:]
r = json.load(open(raw))
done = max(r.get("completed", 0), 1)
per = lambda s: round(float(s) / done * 1e6)
r["cpu"] = {"servers_s": float(server_cpu), "postgres_s": float(pg_cpu), "loadgen_s": float(lg_cpu),
            "servers_us_per_analysis": per(server_cpu), "postgres_us_per_analysis": per(pg_cpu),
            "loadgen_us_per_analysis": per(lg_cpu)}
r["servers"] = {"mode": mode, "synchronous_commit": sync if mode.startswith("pg") else None,
                "idle_rss_kib": [int(x) for x in idle.split()]}
json.dump(r, open(out, "w"), indent=1)
rt = r["round_trip_ms"]
peak = max((w["max_mib"] for w in r.get("watch", [])), default=0)
print(f"{mode}: {r['analyses_per_s']:.0f} analyses/s, {r['completed']} completed, "
      f"errors {r['errors']['total']}, round trip p50 {rt['p50']} p99 {rt['p99']} max {rt['max']} ms; "
      f"CPU per analysis: servers {per(server_cpu)} µs, postgres {per(pg_cpu)} µs, loadgen {per(lg_cpu)} µs; "
      f"server peak RSS {peak} MiB; report {out}")
EOF
rm -f "$REPORT.raw"
if [[ -n "$DB" ]]; then
  # Where PostgreSQL's time went: the statements by total execution time.
  "$PGBIN/psql" -X -h 127.0.0.1 -p "$PGPORT" -U postgres -c "SELECT calls, round(total_exec_time::numeric, 0) AS total_ms, round((total_exec_time / calls)::numeric, 3) AS mean_ms, rows, left(regexp_replace(query, '\s+', ' ', 'g'), 110) AS query FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 15" > "${REPORT%.json}-pgstats.txt"
  echo "PostgreSQL statements: ${REPORT%.json}-pgstats.txt"
fi
