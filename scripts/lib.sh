# Helpers the test scripts share (sourced, never run): bounded stops of the servers they start,
# bounded readiness waits, and cargo's test summary read back. Every wait here ends: a test run
# must fail, never hang.

# stop_group PID: stops a server started as `setsid CMD &` (PID = $!, which setsid makes the
# leader of a new process group): TERM to the group, then KILL to the group if any of it is still
# alive 5 s later; reaps PID. Safe when PID is empty or long gone, and when setsid has not run
# yet (no such group: the TERM goes to PID itself, which has not started the server, so nothing
# else can be left behind).
stop_group() {
  local pid=$1 i
  [ -n "$pid" ] || return 0
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do
    group_alive "$pid" || break
    sleep 0.1
  done
  if group_alive "$pid"; then
    echo "stop: process group $pid still alive 5 s after TERM; sending KILL" >&2
    kill -KILL -- "-$pid" 2>/dev/null || true
    kill -KILL "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do
      group_alive "$pid" || break
      sleep 0.1
    done
  fi
  # `wait` has no timeout: only reap a process that is gone (a D-state survivor is left).
  kill -0 "$pid" 2>/dev/null || wait "$pid" 2>/dev/null || true
}
group_alive() { kill -0 -- "-$1" 2>/dev/null || kill -0 "$1" 2>/dev/null; }

# wait_http URL PID LOG [TRIES]: waits until URL answers anything over HTTP (each probe bounded
# by curl -m 2), every 0.25 s, at most TRIES times (default 240: a minute or two). Fails,
# printing LOG, when the server (PID) exits or never answers.
wait_http() {
  local url=$1 pid=$2 log=$3 tries=${4:-240} i
  for i in $(seq 1 "$tries"); do
    curl -s -m 2 -o /dev/null "$url" && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      [ -f "$log" ] && tail -n 40 "$log"
      echo "server exited before answering $url" >&2
      return 1
    fi
    sleep 0.25
  done
  [ -f "$log" ] && tail -n 40 "$log"
  echo "server did not answer $url within $tries tries" >&2
  return 1
}

# free_port: a free loopback port, the OS's choice.
free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# fake_gateway DIR [MODE]: the fake SMS provider (tests/fakes/sms_gateway.py) on a loopback port
# of its own, in its own process group (stop it with stop_group "$gateway_pid"); sets gateway_pid,
# gateway_port and gateway_record (one JSON line per message it took). MODE is http (the city's
# gateway, the default), aliyun or tencent (SendSms, every signature checked with the provider's
# own SDK from the venv scripts/tools installs; the account from FAKE_SMS_KEY_ID and
# FAKE_SMS_SECRET).
fake_gateway() {
  local dir=$1 mode=${2:-http} python=python3 i
  mkdir -p "$dir"
  gateway_record=$dir/gateway.jsonl
  : >"$gateway_record"
  rm -f "$dir/gateway.port"
  [ "$mode" = http ] || python=$(sms_sdks_python)
  setsid "$python" tests/fakes/sms_gateway.py "$gateway_record" "$dir/gateway.port" "$mode" \
    </dev/null >"$dir/gateway.log" 2>&1 &
  gateway_pid=$!
  for i in $(seq 1 100); do [ -s "$dir/gateway.port" ] && break; sleep 0.1; done
  gateway_port=$(cat "$dir/gateway.port")
}

# sms_sdks_python: the Python of the venv with Aliyun's and Tencent Cloud's SDK cores
# (scripts/tools installs it at the versions pinned there).
sms_sdks_python() {
  local v
  v=$(sed -n 's/^ALIYUN_CORE_VERSION=\([^ ]*\) TENCENT_COMMON_VERSION=\(.*\)$/\1-\2/p' scripts/tools)
  echo "${XDG_CACHE_HOME:-$HOME/.cache}/minyi/sms-sdks-$v/bin/python"
}

# gateway_tally [TEXT]: "MESSAGES DISTINCT MOST" of the fake gateway's record (of the messages
# whose text contains TEXT, if given): how many messages it took, how many distinct outbox ids
# among them, and the most times one id came.
gateway_tally() {
  python3 -c 'import collections, json, sys
bodies = [json.loads(l)["body"] for l in open(sys.argv[1], encoding="utf-8")]
ids = [b["id"] for b in bodies if sys.argv[2] in b["text"]]
c = collections.Counter(ids)
print(len(ids), len(c), max(c.values(), default=0))' "$gateway_record" "${1:-}"
}

# test_counts LOG: "PASSED FAILED" summed over cargo's "test result:" lines in LOG, or
# "none none" when there is no such line (the tests did not build or did not run).
test_counts() {
  awk '/^test result:/ { p += $4; f += $6; n++ }
       END { if (n) print p, f; else print "none", "none" }' "$1"
}

# e2e_verdict LOG STATUS: checks one run of the end-to-end suite (cargo's output in LOG, its
# exit STATUS): it must have run at least one test and failed none; a pass of zero tests (a
# filter that matches nothing, a suite compiled away) is a failure. Prints the verdict. Returns
# 0 when it passed, 1 when it failed and cargo's "test result:" line already counts the failures,
# 2 when it failed and no "test result:" line shows it (the caller must count it).
e2e_verdict() {
  local counts
  counts=$(test_counts "$1")
  case "$counts" in
    "none none") echo "FAIL  end-to-end suite: no \"test result:\" line (exit $2): it did not build or run"; return 2 ;;
    "0 0") echo "FAIL  end-to-end suite: ran no tests (exit $2)"; return 2 ;;
    *" 0") [ "$2" = 0 ] || { echo "FAIL  end-to-end suite: exit $2 with no failed test"; return 2; } ;;
    *) echo "FAIL  end-to-end suite: ${counts#* } failed"; return 1 ;;
  esac
  echo "ok    end-to-end suite: ${counts% *} passed"
}

# run_e2e LOG [FILTER]: the end-to-end suite tests/e2e.rs (or the test target named by
# MINYI_E2E_TARGET, e.g. desk_e2e) against the server in MINYI_E2E_URL
# (the caller sets MINYI_E2E_*): built first (compiling takes what it takes), then its test
# binary run directly, with --ignored --test-threads=1, under a 15-minute limit so a stuck
# server cannot hang the suite (directly, so the limit and Ctrl-C reach the process that runs
# the tests, not a cargo above it). Output is shown and kept in LOG for e2e_verdict. FILTER
# (default: MINYI_E2E_FILTER, else none) picks tests by name, as cargo's own filter does.
run_e2e() {
  local log=$1 filter=${2:-${MINYI_E2E_FILTER:-}} target=${MINYI_E2E_TARGET:-e2e} built bin dir
  : >"$log"
  built=$(cargo test -q --locked -p minyi-tests --test "$target" --no-run \
    --message-format=json-render-diagnostics | MINYI_E2E_TARGET=$target python3 -c '
import json, os, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == os.environ["MINYI_E2E_TARGET"] and m.get("executable"):
        print(m["executable"]); print(os.path.dirname(m["manifest_path"]))')
  { read -r bin; read -r dir; } <<<"$built" || true
  [ -n "$bin" ] && [ -x "$bin" ] || { echo "end-to-end suite: did not build"; return 101; }
  (cd "$dir" && timeout --foreground -k 10 900 "$bin" --ignored --test-threads=1 ${filter:+"$filter"}) 2>&1 |
    tee -a "$log"
  return "${PIPESTATUS[0]}"
}

# local_workers DIR VAR=VALUE...: the four Workers' configurations for one local `wrangler dev`
# session, written into DIR: DIR/desk.toml (the staff Worker, in front, with the public Worker
# bound as `PUBLIC` and the SMS Worker as `SMS`), DIR/public.toml (which hands the form and the
# writes to the submit Worker, its `SUBMIT` binding, as deployed), DIR/submit.toml and
# DIR/sms.toml: copies of wrangler.desk.toml, wrangler.toml, wrangler.submit.toml and
# wrangler.sms.toml with absolute paths and the given variables (MINYI_ENV=dev and the like:
# local runs only, never in the repository's configurations). Serve them with
#   wrangler dev $(session_configs DIR) --persist-to ...
# (two wrangler processes cannot share one local D1; one session can).
local_workers() {
  local dir=$1 src out vars='' kv value; shift
  mkdir -p "$dir"
  for kv in "$@"; do
    value=${kv#*=} value=${value//\\/\\\\} value=${value//\"/\\\"}
    vars+="${kv%%=*} = \"$value\""$'\n'
  done
  for pair in "wrangler.desk.toml:desk" "wrangler.toml:public" "wrangler.submit.toml:submit" \
    "wrangler.sms.toml:sms"; do
    src=${pair%%:*} out="$dir/${pair##*:}.toml"
    sed -e "s#^main = \"#main = \"$PWD/#" -e "s#^migrations_dir = \"#migrations_dir = \"$PWD/#" \
      -e '/^\[vars\]$/d' -e '/^\[triggers\]$/,/^crons/d' "$src" >"$out"
    printf '\n[vars]\n%s' "$vars" >>"$out"
  done
  printf '\n[[services]]\nbinding = "PUBLIC"\nservice = "minyi"\n' >>"$dir/desk.toml"
  printf '\n[[services]]\nbinding = "SMS"\nservice = "minyi-sms"\n' >>"$dir/desk.toml"
}

# session_configs DIR: the -c arguments of the four Workers local_workers wrote into DIR, the
# staff Worker first (it gets the port and the cron trigger).
session_configs() {
  printf -- '-c %s ' "$1/desk.toml" "$1/public.toml" "$1/submit.toml" "$1/sms.toml"
}

# public_configs DIR: the -c arguments of the public Worker alone with the submit Worker behind
# it (as deployed on the public hostname).
public_configs() {
  printf -- '-c %s ' "$1/public.toml" "$1/submit.toml"
}
