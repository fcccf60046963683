#!/usr/bin/env bash
# pathtrace vs SuzieQ `path show`, side by side, on the same parquet directory and flows.
# Not part of CI: it installs SuzieQ from PyPI and takes a few minutes.
#
#   scripts/suzieq/bench.sh [DIR]        # DIR default: tests/fixtures/suzieq/parquet
#
# Environment:
#   SUZIEQ_VENV=/path   reuse a virtualenv that has suzieq==0.25.0 (else a throwaway one is made
#                       with python3.11 -m venv in a temporary directory and removed at the end)
#   COLD_RUNS=5         timed fresh processes per tool and flow (the median is shown)
#   WARM_RUNS=10        timed SuzieQ queries per flow after one warm-up (the median is shown)
#   BATCHES=501         pathtrace warm: batches of 10 traces per flow (the median is shown)
#   CARGO_TARGET_DIR    where cargo builds (default: target)
#
# Cold = a fresh process that reads the data, builds its state and traces one flow:
#   SuzieQ:    suzieq-cli path show --config CFG --src S --dest D --namespace NS --format json
#   pathtrace: pathtrace trace --suzieq DIR --namespace NS S D --format json
# (wall time, one untimed run of each first so both start from a warm page cache).
# Warm = data loaded once, the query repeated:
#   SuzieQ:    get_sqobject('path')(config_file=CFG).get(namespace=[NS], src=S, dest=D)
#   pathtrace: pathtrace_engine::trace on the DataPlane built once
#              (crates/import/examples/suzieq_bench.rs); a snapshot memoises its answers, so
#              this is a repeated question; "pt first query" walks afresh every time
#              (pathtrace_engine::state::trace_flow_fresh)
# The benchmark is about time; whether the two agree on the paths is tested separately.
set -euo pipefail

ROOT=$(realpath "$(dirname "$0")/../..")
DATA=$(realpath "${1:-$ROOT/tests/fixtures/suzieq/parquet}")
cd "$ROOT"
COLD_RUNS=${COLD_RUNS:-5}
WARM_RUNS=${WARM_RUNS:-10}
BATCHES=${BATCHES:-501}
TARGET=${CARGO_TARGET_DIR:-target}

FLOWS=(
  "mixed,1.1.1.1,6.6.6.6"
  "eos,10.0.0.14,10.0.0.11"
  "eos,172.16.1.101,172.16.3.202"
  "dual-evpn,10.0.0.11,10.0.0.14"
  "ospf-ibgp,172.16.1.101,172.16.2.104"
)

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

if [[ -n "${SUZIEQ_VENV:-}" ]]; then
  VENV=$SUZIEQ_VENV
else
  VENV=$WORK/venv
  echo "== a throwaway virtualenv with suzieq==0.25.0 ($VENV)" >&2
  python3.11 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check suzieq==0.25.0
fi
PY=$VENV/bin/python
SQCLI=$VENV/bin/suzieq-cli
"$PY" -c 'import suzieq' || { echo "no suzieq in $VENV" >&2; exit 2; }

CFG=$WORK/suzieq.yml
mkdir -p "$WORK/sqtmp"
cat > "$CFG" <<EOF
data-directory: $DATA
temp-directory: $WORK/sqtmp
logging-level: ERROR
analyzer:
  timezone: UTC
EOF

echo "== building pathtrace (release)" >&2
cargo build --quiet --release --locked -p pathtrace --bin pathtrace
cargo build --quiet --release --locked -p pathtrace-import --example suzieq_bench
PT=$TARGET/release/pathtrace
PTBENCH=$TARGET/release/examples/suzieq_bench

echo "== warm: pathtrace ($BATCHES batches of 10 traces per flow)" >&2
"$PTBENCH" --batches "$BATCHES" "$DATA" "${FLOWS[@]}" > "$WORK/pt-warm.txt"

echo "== warm: SuzieQ ($WARM_RUNS queries per flow after a warm-up)" >&2
"$PY" - "$CFG" "$WARM_RUNS" "${FLOWS[@]}" > "$WORK/sq-warm.txt" <<'EOF'
import statistics, sys, time, warnings
warnings.filterwarnings("ignore")
from suzieq.sqobjects import get_sqobject
cfg, n = sys.argv[1], int(sys.argv[2])
def query(path, ns, src, dst):
    try:
        return f"rows {len(path.get(namespace=[ns], src=src, dest=dst))}"
    except Exception as e:  # SuzieQ's answer is then its exception
        return f"exception {type(e).__name__}: {e}"
for spec in sys.argv[3:]:
    ns, src, dst = spec.split(",")
    # One object per flow: SuzieQ 0.25's path object keeps per-namespace state between
    # calls, and reusing one across namespaces can raise (IndexError on ospf-ibgp).
    path = get_sqobject("path")(config_file=cfg)
    query(path, ns, src, dst)  # warm-up
    times = []
    for _ in range(n):
        t = time.perf_counter()
        answer = query(path, ns, src, dst)
        times.append(time.perf_counter() - t)
    print(f"flow {ns} {src} {dst} median_ns {int(statistics.median(times) * 1e9)} {answer}")
EOF

echo "== cold: $COLD_RUNS fresh processes per tool and flow" >&2
"$PY" - "$COLD_RUNS" "$SQCLI" "$CFG" "$PT" "$DATA" "${FLOWS[@]}" > "$WORK/cold.txt" <<'EOF'
import statistics, subprocess, sys, time
runs, sqcli, cfg, pt, data = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
for spec in sys.argv[6:]:
    ns, src, dst = spec.split(",")
    cmds = {
        "suzieq": [sqcli, "path", "show", "--config", cfg, "--src", src, "--dest", dst,
                   "--namespace", ns, "--format", "json"],
        # exit 1 is a trace whose DNA Center outcome is FAILED: still an answer
        "pathtrace": [pt, "trace", "--suzieq", data, "--namespace", ns, src, dst,
                      "--format", "json"],
    }
    times = {k: [] for k in cmds}
    for i in range(runs + 1):
        for tool, cmd in cmds.items():
            t = time.perf_counter()
            r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            dt = time.perf_counter() - t
            if r.returncode not in (0, 1):
                print(f"# {tool} exited {r.returncode}: {' '.join(cmd)}", file=sys.stderr)
            if i > 0:  # the first run of each only warms the page cache
                times[tool].append(dt)
    for tool, ts in times.items():
        print(f"{tool} {ns} {src} {dst} median_ns {int(statistics.median(ts) * 1e9)}")
EOF

"$PY" - "$WORK" "${FLOWS[@]}" <<'EOF'
import os, sys
work, flows = sys.argv[1], [f.split(",") for f in sys.argv[2:]]
def table(path, tag):
    out = {}
    for line in open(os.path.join(work, path)):
        p = line.split()
        if p and p[0] == tag:
            fresh = int(p[7]) if len(p) > 7 and p[6] == "fresh_ns" else None
            out[(p[1], p[2], p[3])] = (int(p[5]), " ".join(p[6:]), fresh)
    return out
pt_warm, sq_warm = table("pt-warm.txt", "flow"), table("sq-warm.txt", "flow")
sq_cold, pt_cold = table("cold.txt", "suzieq"), table("cold.txt", "pathtrace")
def t(ns_):
    if ns_ >= 1e9: return f"{ns_ / 1e9:.2f} s"
    if ns_ >= 1e6: return f"{ns_ / 1e6:.1f} ms"
    if ns_ >= 1e3: return f"{ns_ / 1e3:.1f} µs"
    return f"{ns_} ns"
print("namespaces read once by pathtrace (read, convert, build):")
for line in open(os.path.join(work, "pt-warm.txt")):
    if line.startswith("namespace"):
        print("  " + line.strip())
print()
hdr = f"{'flow':<36} {'SuzieQ cold':>11} {'pathtrace cold':>14} {'ratio':>7}   {'SuzieQ warm':>11} {'pathtrace warm':>14} {'ratio':>10}   {'pt first query':>14} {'ratio':>9}"
print(hdr)
print("-" * len(hdr))
cold_r, warm_r, fresh_r = [], [], []
for ns, src, dst in flows:
    k = (ns, src, dst)
    sc, pc = sq_cold[k][0], pt_cold[k][0]
    sw, pw = sq_warm[k][0], pt_warm[k][0]
    pf = pt_warm[k][2] or pw
    cold_r.append(sc / pc); warm_r.append(sw / pw); fresh_r.append(sw / pf)
    print(f"{ns + ' ' + src + ' -> ' + dst:<36} {t(sc):>11} {t(pc):>14} {sc / pc:>6.1f}x   {t(sw):>11} {t(pw):>14} {sw / pw:>9,.0f}x   {t(pf):>14} {sw / pf:>8,.0f}x")
print()
print(f"cold ratio: min {min(cold_r):.1f}x (goal >= 20x: {'met' if min(cold_r) >= 20 else 'NOT met'})")
print(f"warm ratio: min {min(warm_r):,.0f}x (goal >= 100,000x: {'met' if min(warm_r) >= 100_000 else 'NOT met'})")
print(f"first-query ratio (no memoised answer): min {min(fresh_r):,.0f}x")
print()
print("pathtrace (warm):", *(f"  {' '.join(k)}: {v[1]}" for k, v in pt_warm.items()), sep="\n")
print("SuzieQ (warm):", *(f"  {' '.join(k)}: {v[1]}" for k, v in sq_warm.items()), sep="\n")
EOF
