#!/usr/bin/env bash
# The test rig: the test OpenID provider (test/idp/idp.mjs) and the CI token issuer whose ID tokens it
# accepts for the token exchange grant (test/idp/ci-issuer.mjs), each on a free port of 127.0.0.1.
#
#   scripts/rig.sh start    install the npm packages if needed (npm ci), start the CI issuer, then the IdP
#                           (which trusts it), wait until both answer
#   scripts/rig.sh stop     stop both (by PID) and remove the state files
#   scripts/rig.sh env      print `export OPENEO_TEST_ISSUER=<issuer>` and `export OPENEO_TEST_CI_ISSUER=<url>`
#                           when they run (use: eval "$(scripts/rig.sh env)")
#   scripts/rig.sh status   print the issuers and exit 0 when both run, exit 1 otherwise
#   scripts/rig.sh approve <user_code> [user]
#                           approve a device login at the IdP as user (default alice; or bob), without a
#                           browser (builds and runs internal/testrig/approve, the tests' helper); the IdP is the
#                           one OPENEO_TEST_ISSUER names, else the one the rig runs
#
# State lives in <repo>/.rig/ (git-ignored): idp.pid, issuer, idp.log, ci.pid, ci-issuer, ci.log. RIG_STATE_DIR
# overrides that folder, e.g. to run a private IdP beside a shared one. RIG_IDP_PORT and RIG_CI_PORT pick fixed
# ports (default 0: a free one).
# Without Node.js, `start` prints a note and exits 0 without an issuer: the rig tests then skip.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
root=$(cd "$script_dir/.." && pwd -P)
idp_dir="$root/test/idp"
rig_dir="${RIG_STATE_DIR:-$root/.rig}"
pid_file="$rig_dir/idp.pid"
issuer_file="$rig_dir/issuer"
log_file="$rig_dir/idp.log"
ci_pid_file="$rig_dir/ci.pid"
ci_issuer_file="$rig_dir/ci-issuer"
ci_log_file="$rig_dir/ci.log"
stamp_file="$idp_dir/node_modules/.rig-lock-stamp"
lock_dir="$rig_dir/start.lock"
start_timeout=${RIG_START_TIMEOUT:-15}

say() { echo "rig: $*" >&2; }

# alive PIDFILE SCRIPT: true when PIDFILE names a live process that is node running SCRIPT.
alive() {
  [ -s "$1" ] || return 1
  local pid
  pid=$(cat "$1")
  case "$pid" in '' | *[!0-9]*) return 1 ;; esac
  kill -0 "$pid" 2>/dev/null || return 1
  # Guard against a recycled PID: the process must be node running the script.
  if [ -r "/proc/$pid/cmdline" ]; then
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "$2" || return 1
  fi
  return 0
}

# running: true when our IdP runs; ci_running: when our CI issuer runs.
running() { alive "$pid_file" 'idp\.mjs'; }
ci_running() { alive "$ci_pid_file" 'ci-issuer\.mjs'; }

# answers ISSUER: true when the discovery document is served.
answers() {
  local url="$1/.well-known/openid-configuration"
  if command -v curl >/dev/null 2>&1; then
    curl -fsS --max-time 2 -o /dev/null "$url" 2>/dev/null
  else
    node -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "$url" 2>/dev/null
  fi
}

issuer() { [ -s "$issuer_file" ] && head -n1 "$issuer_file"; }
ci_issuer() { [ -s "$ci_issuer_file" ] && head -n1 "$ci_issuer_file"; }

# healthy: both processes run and answer.
healthy() {
  local iss ci
  running && ci_running && iss=$(issuer) && ci=$(ci_issuer) && [ -n "$iss" ] && [ -n "$ci" ] &&
    answers "$iss" && answers "$ci"
}

# install: npm ci when node_modules is missing or older than package-lock.json.
install() {
  local lock="$idp_dir/package-lock.json"
  if [ -d "$idp_dir/node_modules/oidc-provider" ] && [ -f "$stamp_file" ] && cmp -s "$lock" "$stamp_file"; then
    return 0
  fi
  if ! command -v npm >/dev/null 2>&1; then
    say "npm not found (it ships with Node.js): cannot install test/idp's packages"
    return 1
  fi
  say "installing test/idp npm packages (npm ci)"
  local t0=$SECONDS
  (cd "$idp_dir" && npm ci --no-audit --no-fund --loglevel=error) >&2
  cp "$lock" "$stamp_file"
  say "npm ci took $((SECONDS - t0)) s"
}

stop_pid() {
  local pid="$1" i
  kill "$pid" 2>/dev/null || return 0
  for i in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  say "IdP (pid $pid) did not stop after SIGTERM, sending SIGKILL"
  kill -9 "$pid" 2>/dev/null || true
}

# lock: serialise concurrent `start` and `stop` calls (mkdir is atomic; a lock older than 60 s is stale).
lock() {
  mkdir -p "$rig_dir"
  local i
  for i in $(seq 1 300); do
    if mkdir "$lock_dir" 2>/dev/null; then
      trap 'rmdir "$lock_dir" 2>/dev/null || true' EXIT
      return 0
    fi
    if [ -n "$(find "$lock_dir" -maxdepth 0 -mmin +1 2>/dev/null)" ]; then
      rmdir "$lock_dir" 2>/dev/null || true
      continue
    fi
    sleep 0.1
  done
  say "could not take the lock $lock_dir"
  return 1
}

# launch NAME PIDFILE ISSUERFILE LOGFILE ARGS...: start `node ARGS...` in test/idp, wait until the issuer
# it writes answers; prints nothing, returns non-zero (and stops it) when it does not come up.
launch() {
  local name="$1" pidf="$2" issf="$3" logf="$4"
  shift 4
  # setsid (when present) detaches the process from the caller's process group and terminal.
  local launcher=()
  command -v setsid >/dev/null 2>&1 && launcher=(setsid)
  (cd "$idp_dir" && exec "${launcher[@]}" node "$@" --issuer-file "$issf" </dev/null >"$logf" 2>&1) &
  local pid=$!
  echo "$pid" >"$pidf"
  local deadline=$((SECONDS + start_timeout)) iss=""
  while [ "$SECONDS" -lt "$deadline" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      say "the $name exited during start; last lines of $logf:"
      tail -n 20 "$logf" >&2 || true
      rm -f "$pidf" "$issf"
      return 1
    fi
    iss=$([ -s "$issf" ] && head -n1 "$issf" || true)
    if [ -n "$iss" ] && answers "$iss"; then
      return 0
    fi
    sleep 0.1
  done
  say "the $name did not answer within ${start_timeout} s; last lines of $logf:"
  tail -n 20 "$logf" >&2 || true
  stop_pid "$pid"
  rm -f "$pidf" "$issf"
  return 1
}

# stop_all: stop both processes (those the PID files name) and remove their state files.
stop_all() {
  if running; then stop_pid "$(cat "$pid_file")"; fi
  if ci_running; then stop_pid "$(cat "$ci_pid_file")"; fi
  rm -f "$pid_file" "$issuer_file" "$ci_pid_file" "$ci_issuer_file"
}

cmd_start() {
  lock
  if healthy; then
    say "IdP already running: $(issuer) (pid $(cat "$pid_file")); CI issuer $(ci_issuer) (pid $(cat "$ci_pid_file"))"
    return 0
  fi
  if running || ci_running; then
    # The IdP trusts the CI issuer it was started with: restart both together.
    say "the rig does not answer completely: restarting the IdP and the CI issuer"
  fi
  stop_all

  if ! command -v node >/dev/null 2>&1; then
    say "Node.js (node) is not on PATH: the test IdP cannot run. Tests that need it will skip."
    say "Install Node.js 20+ with npm to run them."
    return 0
  fi
  install

  mkdir -p "$rig_dir"
  local t0
  t0=$(date +%s%N 2>/dev/null || echo 0)
  launch "CI issuer" "$ci_pid_file" "$ci_issuer_file" "$ci_log_file" ci-issuer.mjs --port "${RIG_CI_PORT:-0}" || return 1
  local ci
  ci=$(ci_issuer)
  if ! launch IdP "$pid_file" "$issuer_file" "$log_file" idp.mjs --port "${RIG_IDP_PORT:-0}" --ci-issuer "$ci"; then
    stop_all
    return 1
  fi
  local t1 ms=""
  t1=$(date +%s%N 2>/dev/null || echo 0)
  [ "$t0" != 0 ] && [ "$t1" != 0 ] && ms=" in $(((t1 - t0) / 1000000)) ms"
  say "IdP ready$ms: $(issuer) (pid $(cat "$pid_file"), log $log_file); CI issuer $ci (pid $(cat "$ci_pid_file"), log $ci_log_file)"
  return 0
}

cmd_stop() {
  lock
  local what
  for what in IdP "CI issuer"; do
    local pidf="$pid_file" check=running
    [ "$what" = IdP ] || { pidf="$ci_pid_file"; check=ci_running; }
    if [ -s "$pidf" ]; then
      local pid
      pid=$(cat "$pidf")
      if "$check"; then
        stop_pid "$pid"
        say "$what (pid $pid) stopped"
      else
        say "$what not running (stale pid file removed)"
      fi
    else
      say "$what not running"
    fi
  done
  rm -f "$pid_file" "$issuer_file" "$ci_pid_file" "$ci_issuer_file"
}

cmd_env() {
  local iss
  if running && iss=$(issuer) && [ -n "$iss" ]; then
    echo "export OPENEO_TEST_ISSUER=$iss"
  fi
  if ci_running && iss=$(ci_issuer) && [ -n "$iss" ]; then
    echo "export OPENEO_TEST_CI_ISSUER=$iss"
  fi
  return 0
}

cmd_status() {
  if healthy; then
    echo "running: $(issuer) (pid $(cat "$pid_file")); CI issuer $(ci_issuer) (pid $(cat "$ci_pid_file"))"
    return 0
  fi
  echo "not running"
  return 1
}

cmd_approve() {
  if [ "$#" -lt 1 ] || [ "$#" -gt 2 ]; then
    echo "usage: $0 approve <user_code> [user]   (user: alice (default) or bob)" >&2
    return 2
  fi
  # The IdP that OPENEO_TEST_ISSUER names (as for the tests), else the one this rig runs.
  local iss=${OPENEO_TEST_ISSUER:-}
  if [ -z "$iss" ] && { ! running || ! iss=$(issuer) || [ -z "$iss" ]; }; then
    say "IdP not running: start it with \`scripts/rig.sh start\` (and start the device login against it)"
    return 1
  fi
  command -v go >/dev/null 2>&1 || { say "Go is not on PATH: approve runs a small Go program"; return 1; }
  # go build (cached), not go run: go run turns every exit status into 1.
  local bin rc=0
  bin=$(mktemp -d "${TMPDIR:-/tmp}/rig-approve.XXXXXX")
  if (cd "$root" && go build -o "$bin/approve" ./internal/testrig/approve); then
    "$bin/approve" -issuer "$iss" "$@" || rc=$?
  else
    rc=1
  fi
  rm -rf "$bin"
  return "$rc"
}

case "${1:-}" in
start) cmd_start ;;
stop) cmd_stop ;;
env) cmd_env ;;
status) cmd_status ;;
approve)
  shift
  cmd_approve "$@"
  ;;
*)
  echo "usage: $0 start|stop|env|status|approve <user_code> [user]" >&2
  exit 2
  ;;
esac
