#!/usr/bin/env bash
# Compatibility tests: the real Python clients (uniq 1.4.0.36, dnacentersdk 2.11.0, raw
# requests, Ansible's cisco.dnac 6.43.0) against `pathtrace serve` on 127.0.0.1.
# See tests/compat/README.md.
#
#   tests/compat/run.sh                 # every check
#   tests/compat/run.sh dnac_notebook   # only the named checks
#   tests/compat/run.sh --list          # the check names
#
# Environment:
#   PATHTRACE_BIN            use this binary instead of `cargo build --locked -p pathtrace`
#   PATHTRACE_VENV           the clients' virtualenv (default target/compat-venv)
#   PYTHON                   the interpreter that creates it (default python3)
#   PATHTRACE_COMPAT_TIMEOUT seconds allowed per check (default 90; ansible_workflow gets
#                            three times as long)
#   PATHTRACE_COMPAT_KEEP=1  keep the work directory (server log, data dir, outputs)
#   PATHTRACE_COMPAT_SERVER=external  do not build or start a server: use the one already
#                            listening on PATHTRACE_HTTP_PORT / PATHTRACE_HTTPS_PORT (127.0.0.1)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"

CHECKS=(
  apic_em_notebook   # the APIC-EM notebook, verbatim, through uniq over HTTPS
  apic_em_bad_login  # uniq with a wrong password: HTTPError 401
  dnac_notebook      # the DNA Center notebook, verbatim, through uniq + its token login
  dnac_bonus         # the DNA Center bonus: softwareVersion of every device on the path
  dnac_challenge     # the DNA Center challenge: DEVICE-STATS, and the bonus on its devices
  sdk_dnacentersdk   # dnacentersdk over HTTP: initiate, task, result, devices, list, delete, 401
  raw_requests       # raw requests over HTTP (contract §9.3), 202, error bodies
  ansible_workflow   # ansible-playbook with cisco.dnac over HTTPS (contract §12)
)

# ---------------------------------------------------------------------------------------------
# The checks. Each runs in its own `bash run.sh __check NAME` under a timeout, with
# PATHTRACE_HTTP_PORT, PATHTRACE_HTTPS_PORT, PATHTRACE_COMPAT_PY and PATHTRACE_COMPAT_WORK set.
# Exit 0 = ok, 77 = skipped, anything else = FAILED; what they print is shown on failure.

# run_notebook SCRIPT EXPECTED [compare.py options]: run SCRIPT (in its own directory, so that
# `from login import login` finds the login module next to it), compare its stdout.
run_notebook() {
  local script=$1 expected=$2
  shift 2
  local out="$PATHTRACE_COMPAT_WORK/$CHECK.stdout" err="$PATHTRACE_COMPAT_WORK/$CHECK.stderr"
  local rc=0 crc=0
  "$PATHTRACE_COMPAT_PY" "$script" >"$out" 2>"$err" || rc=$?
  if [[ $rc == 77 ]]; then
    tail -n 1 "$err"
    return 77
  fi
  "$PATHTRACE_COMPAT_PY" "$HERE/compare.py" --expected "$expected" --actual "$out" "$@" || crc=$?
  if [[ $rc != 0 || $crc != 0 ]]; then
    echo "--- $script exited with status $rc"
    if [[ -s $err ]]; then
      echo "--- the end of its stderr:"
      tail -n 25 "$err"
    fi
    return 1
  fi
}

check_apic_em_notebook() {
  cd "$HERE/apic_em"
  run_notebook notebook.py expected.txt --result-check apic_em
}

check_apic_em_bad_login() {
  cd "$HERE/apic_em"
  "$PATHTRACE_COMPAT_PY" bad_login.py
}

check_dnac_notebook() {
  cd "$HERE/dnac"
  run_notebook notebook.py expected.txt --result-check dnac
}

check_dnac_bonus() {
  cd "$HERE/dnac"
  run_notebook bonus.py bonus_expected.txt
}

check_dnac_challenge() {
  cd "$HERE/dnac"
  run_notebook challenge.py challenge_expected.txt --regex
}

check_sdk_dnacentersdk() {
  cd "$HERE"
  "$PATHTRACE_COMPAT_PY" sdk_dnacentersdk.py
}

check_raw_requests() {
  cd "$HERE"
  "$PATHTRACE_COMPAT_PY" raw_requests.py
}

# The Ansible playbook (ansible/pathtrace.yml) with the cisco.dnac collection bundled in the
# venv's ansible package. Every ANSIBLE_* variable of the caller is dropped, so that neither a
# collections path nor a config file from outside can swap the collection; Ansible's home and
# temporary directories are inside the work directory.
check_ansible_workflow() {
  local dir="$HERE/ansible" bin home out rc=0
  bin="$(dirname "$PATHTRACE_COMPAT_PY")"
  home="$PATHTRACE_COMPAT_WORK/ansible-home"
  out="$PATHTRACE_COMPAT_WORK/$CHECK.stdout"
  mkdir -p "$home/tmp"
  while read -r var; do unset "$var"; done < <(compgen -e | grep '^ANSIBLE_' || true)
  export ANSIBLE_CONFIG="$dir/ansible.cfg" ANSIBLE_HOME="$home" \
    ANSIBLE_LOCAL_TEMP="$home/tmp" ANSIBLE_REMOTE_TEMP="$home/tmp" ANSIBLE_NOCOLOR=1
  export PATH="$bin:$PATH"
  cd "$dir"
  # The collection must be the bundled cisco.dnac 6.43.0 (contract §12), found once.
  local found
  found="$(ansible-galaxy collection list cisco.dnac --format json 2>&1)" || true
  if ! "$PATHTRACE_COMPAT_PY" - "$found" "$bin" <<'PY'
import json, os, sys
found, venv_bin = sys.argv[1], sys.argv[2]
try:
    paths = {p: c["cisco.dnac"]["version"] for p, c in json.loads(found).items() if "cisco.dnac" in c}
except ValueError:
    sys.exit(f"ansible-galaxy collection list cisco.dnac printed: {found}")
venv = os.path.dirname(os.path.realpath(venv_bin))
if len(paths) != 1 or not all(os.path.realpath(p).startswith(venv + "/") and v == "6.43.0"
                              for p, v in paths.items()):
    sys.exit(f"expected only the bundled cisco.dnac 6.43.0 under {venv}; found {paths}")
PY
  then
    return 1
  fi
  ansible-playbook pathtrace.yml >"$out" 2>&1 || rc=$?
  if [[ $rc != 0 ]]; then
    echo "--- ansible-playbook pathtrace.yml exited with status $rc"
    if grep -q '^fatal: ' "$out"; then
      # The failed task: its title, and the module's message or the assertion's fail_msg.
      echo "--- the failed task:"
      awk '/^TASK \[/ { task = $0 } /^fatal: / && !n { print task } /^fatal: / || n { if (n++ < 60) print }' "$out"
    else
      tail -n 30 "$out"
    fi
    return 1
  fi
  if [[ -s $PATHTRACE_COMPAT_WORK/$CHECK.notes ]]; then
    sed 's/^/note: /' "$PATHTRACE_COMPAT_WORK/$CHECK.notes"
  fi
}

if [[ ${1:-} == __check ]]; then
  CHECK=$2
  "check_$CHECK"
  exit 0
fi

# ---------------------------------------------------------------------------------------------
# The run.

if [[ ${1:-} == --list ]]; then
  printf '%s\n' "${CHECKS[@]}"
  exit 0
fi
SELECTED=()
for arg in "$@"; do
  found=
  for c in "${CHECKS[@]}"; do [[ $c == "$arg" ]] && found=1; done
  if [[ -z $found ]]; then
    echo "run.sh: unknown check '$arg' (known: ${CHECKS[*]})" >&2
    exit 2
  fi
  SELECTED+=("$arg")
done
((${#SELECTED[@]})) || SELECTED=("${CHECKS[@]}")

cd "$ROOT"
TIMEOUT="${PATHTRACE_COMPAT_TIMEOUT:-90}"

# The clients' virtualenv, (re)installed when requirements.txt changed.
VENV="${PATHTRACE_VENV:-target/compat-venv}"
[[ $VENV == /* ]] || VENV="$ROOT/$VENV"
PY="$VENV/bin/python"
STAMP="$VENV/.pathtrace-compat-requirements.txt"
if [[ ! -x $PY ]] || ! cmp -s "$HERE/requirements.txt" "$STAMP"; then
  echo "== virtualenv $VENV"
  if [[ ! -x $PY ]]; then
    "${PYTHON:-python3}" -m venv "$VENV"
  fi
  "$PY" -m pip install --disable-pip-version-check --quiet -r "$HERE/requirements.txt"
  cp "$HERE/requirements.txt" "$STAMP"
fi
echo "== clients: $("$PY" -c 'import sys, uniq, dnacentersdk, requests
from importlib.metadata import version
print("python %d.%d.%d," % sys.version_info[:3], "uniq", uniq.__version__ + ",",
      "dnacentersdk", dnacentersdk.__version__ + ",", "requests", requests.__version__ + ",",
      "ansible", version("ansible"), "(ansible-core " + version("ansible-core") + ")")')"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/pathtrace-compat.XXXXXX")"
SERVER_PID=
cleanup() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [[ ${PATHTRACE_COMPAT_KEEP:-} == 1 ]]; then
    echo "(kept $WORK)"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ ${PATHTRACE_COMPAT_SERVER:-} == external ]]; then
  : "${PATHTRACE_HTTP_PORT:?PATHTRACE_COMPAT_SERVER=external needs PATHTRACE_HTTP_PORT}"
  : "${PATHTRACE_HTTPS_PORT:?PATHTRACE_COMPAT_SERVER=external needs PATHTRACE_HTTPS_PORT}"
  echo "== external server on 127.0.0.1:$PATHTRACE_HTTP_PORT (http), :$PATHTRACE_HTTPS_PORT (https)"
else
  if [[ -n ${PATHTRACE_BIN:-} ]]; then
    BIN="$PATHTRACE_BIN"
  else
    echo "== cargo build --locked -p pathtrace"
    cargo build --locked -p pathtrace
    BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/pathtrace"
    [[ $BIN == /* ]] || BIN="$ROOT/$BIN"
  fi
  # Two free loopback ports (both sockets held open together, so they differ).
  read -r PATHTRACE_HTTP_PORT PATHTRACE_HTTPS_PORT < <("$PY" -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))')
  mkdir "$WORK/data"
  echo "== $BIN serve --listen 127.0.0.1:$PATHTRACE_HTTP_PORT --tls-listen 127.0.0.1:$PATHTRACE_HTTPS_PORT --data-dir $WORK/data"
  # tower_http=debug logs every request's method, URI and status (shown when a check fails).
  PATHTRACE_LOG="${PATHTRACE_LOG:-info,tower_http=debug}" \
    "$BIN" serve --listen "127.0.0.1:$PATHTRACE_HTTP_PORT" \
    --tls-listen "127.0.0.1:$PATHTRACE_HTTPS_PORT" \
    --data-dir "$WORK/data" >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  ready() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
  deadline=$((SECONDS + 30))
  until ready "$PATHTRACE_HTTP_PORT" && ready "$PATHTRACE_HTTPS_PORT"; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      rc=0
      wait "$SERVER_PID" || rc=$?
      SERVER_PID=
      echo "the server exited with status $rc before it was ready; its log:"
      sed 's/^/    /' "$WORK/server.log"
      echo "0 passed, ${#SELECTED[@]} failed"
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      echo "the server was not ready within 30 s (no TCP connect to both ports); its log:"
      sed 's/^/    /' "$WORK/server.log"
      echo "0 passed, ${#SELECTED[@]} failed"
      exit 1
    fi
    sleep 0.2
  done
  echo "== server ready (pid $SERVER_PID)"
fi

export PATHTRACE_HTTP_PORT PATHTRACE_HTTPS_PORT
export PATHTRACE_COMPAT_PY="$PY" PATHTRACE_COMPAT_WORK="$WORK"
export PYTHONDONTWRITEBYTECODE=1

passed=0 failed=0 skipped=0
for name in "${SELECTED[@]}"; do
  log="$WORK/$name.log"
  rc=0
  start=$SECONDS
  limit=$TIMEOUT
  if [[ $name == ansible_workflow ]]; then
    # About 30 Ansible tasks, each a new Python process that logs in again (≈ 40 s idle).
    limit=$((3 * TIMEOUT))
  fi
  timeout -k 5 "$limit" bash "$HERE/run.sh" __check "$name" >"$log" 2>&1 || rc=$?
  took=$((SECONDS - start))
  case $rc in
    0)
      echo "$name: ok (${took}s)"
      grep '^note: ' "$log" | sed 's/^/    /' || true
      passed=$((passed + 1))
      ;;
    77)
      echo "$name: skipped ($(tail -n 1 "$log"))"
      skipped=$((skipped + 1))
      ;;
    124 | 137)
      echo "$name: FAILED (timed out after ${limit}s)"
      sed 's/^/    /' "$log"
      for f in "$WORK/$name.stdout" "$WORK/$name.stderr"; do
        if [[ -s $f ]]; then
          echo "    --- the end of its ${f##*.}:"
          tail -n 15 "$f" | sed 's/^/    /'
        fi
      done
      failed=$((failed + 1))
      ;;
    *)
      echo "$name: FAILED"
      sed 's/^/    /' "$log"
      failed=$((failed + 1))
      ;;
  esac
done

if [[ -n $SERVER_PID ]] && ! kill -0 "$SERVER_PID" 2>/dev/null; then
  echo "server: FAILED (it exited during the run)"
  failed=$((failed + 1))
  SERVER_PID=
fi
if ((failed)) && [[ -f $WORK/server.log ]]; then
  echo "--- the end of the server log:"
  tail -n 40 "$WORK/server.log" | sed 's/^/    /'
fi

if ((skipped)); then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
((failed == 0))
