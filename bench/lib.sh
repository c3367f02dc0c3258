# Shared by the bench/*.sh scripts: sourced, not run. Loopback only; everything a script starts or
# creates (server, database, work directory) is registered here and removed by bench_cleanup.
# shellcheck shell=bash

BENCH_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_PGHOST=${BENCH_PGHOST:-127.0.0.1}
BENCH_PGPORT=${BENCH_PGPORT:-${PGPORT:-5432}}
BENCH_PGUSER=${BENCH_PGUSER:-postgres}
BENCH_SERVER_PID=""
BENCH_DB=""
BENCH_WORK=""
BENCH_PORT=""

bench_log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
bench_die() { bench_log "ERROR: $*"; exit 1; }

# bench_need COMMAND HINT: fail with an installation hint when COMMAND is missing.
bench_need() {
  command -v "$1" >/dev/null 2>&1 || bench_die "'$1' not found. $2"
}

# A PostgreSQL client program: on PATH, else the newest /usr/lib/postgresql/*/bin.
bench_pg_tool() {
  if command -v "$1" >/dev/null 2>&1; then command -v "$1"; return; fi
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin/"$1" 2>/dev/null | sort -V | tail -1)
  [ -n "$found" ] || bench_die "'$1' not found on PATH nor under /usr/lib/postgresql/*/bin (Debian: apt-get install -y postgresql-client)"
  echo "$found"
}

# The jar: first argument, else PARLEY_JAR, else target/parley.jar in the repository; made absolute.
bench_jar() {
  local jar=${1:-${PARLEY_JAR:-$BENCH_REPO/target/parley.jar}}
  [ -f "$jar" ] || bench_die "no jar at $jar: build it with 'mvn -B package -DskipTests' or pass its path"
  echo "$(cd "$(dirname "$jar")" && pwd)/$(basename "$jar")"
}

bench_init() {
  PSQL=$(bench_pg_tool psql)
  BENCH_WORK=$(mktemp -d "${TMPDIR:-/tmp}/parley-bench.XXXXXX")
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
  # the server's secrets for this run: every jar, server and admin CLI alike, gets the same
  BENCH_JWT_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
  BENCH_PEPPER=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
}

# bench_secrets JAR: the settings that give this jar its secrets, as VAR=value words for env. A node
# on DATABASE_URL needs both (docs/operations.md#secrets); a jar from before PARLEY_KEY_PEPPERS
# existed refuses that unknown variable and keeps its pepper in its own database instead.
bench_secrets() {
  echo "PARLEY_JWT_KEYS=bench=$BENCH_JWT_KEY"
  # zipinfo on the one entry (no pipe: under pipefail, grep -q ending early failed the test)
  if unzip -Z1 "$1" dev/parley/secrets/SecretSources.class >/dev/null 2>&1; then
    echo "PARLEY_KEY_PEPPERS=bench=$BENCH_PEPPER"
  fi
}

# psql against the bench database (or another one with -d).
bench_psql() {
  "$PSQL" -h "$BENCH_PGHOST" -p "$BENCH_PGPORT" -U "$BENCH_PGUSER" -X -q -v ON_ERROR_STOP=1 "$@"
}

bench_database_url() {
  local auth=$BENCH_PGUSER
  [ -n "${PGPASSWORD:-}" ] && auth="$BENCH_PGUSER:$PGPASSWORD"
  echo "postgresql://$auth@$BENCH_PGHOST:$BENCH_PGPORT/$BENCH_DB"
}

# A fresh database named PREFIX_<pid>_<random>.
bench_create_db() {
  BENCH_DB="${1}_$$_${RANDOM}"
  bench_psql -d postgres -c "CREATE DATABASE $BENCH_DB" || bench_die "cannot create database $BENCH_DB on $BENCH_PGHOST:$BENCH_PGPORT as $BENCH_PGUSER"
  export DATABASE_URL
  DATABASE_URL=$(bench_database_url)
}

# Whether the bench database's schema has call_attempts.callable_at (V14 on): there the claim reads
# callable_at, so a script that moves attempts by hand moves it too; an earlier jar's schema has none.
bench_has_callable_at() {
  [ "$(bench_psql -d "$BENCH_DB" -At -c "SELECT count(*) FROM information_schema.columns
        WHERE table_name = 'call_attempts' AND column_name = 'callable_at'")" = 1 ]
}

# A TCP port nothing listens on (loopback).
bench_free_port() {
  local p
  for _ in $(seq 1 50); do
    # below Linux's ephemeral range (32768 on), where outgoing connections (to the fake provider,
    # in their hundreds) take their local ports: one of those made a later listen fail
    p=$((20000 + RANDOM % 12000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  bench_die "no free port found"
}

# bench_start_server JAR [VAR=value ...]: starts the jar on a free loopback port (BENCH_SERVER_PORT
# when set: a script that must name the port in the settings first), in the work directory (so
# ./data stays there), waits up to 90 s for /health/ready.
bench_start_server() {
  local jar=$1; shift
  BENCH_PORT=${BENCH_SERVER_PORT:-$(bench_free_port)}
  mkdir -p "$BENCH_WORK/server"
  # an empty configuration file: no conf/config.json of a checkout (a PARLEY_CONFIG must exist)
  echo '{}' >"$BENCH_WORK/empty.json"
  (cd "$BENCH_WORK/server" && exec env $(bench_secrets "$jar") HTTP_HOST=127.0.0.1 HTTP_PORT="$BENCH_PORT" DATABASE_URL="$DATABASE_URL" \
     PARLEY_CONFIG="$BENCH_WORK/empty.json" PARLEY_DATA_DIR="$BENCH_WORK/server/data" "$@" \
     java ${BENCH_JAVA_OPTS:-} -jar "$jar" >"$BENCH_WORK/server.log" 2>&1) &
  BENCH_SERVER_PID=$!
  local deadline=$((SECONDS + 90))
  until curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$BENCH_PORT/health/ready"; do
    if ! kill -0 "$BENCH_SERVER_PID" 2>/dev/null; then tail -20 "$BENCH_WORK/server.log" >&2; bench_die "server exited"; fi
    [ $SECONDS -lt $deadline ] || { tail -20 "$BENCH_WORK/server.log" >&2; bench_die "server not ready after 90 s"; }
    sleep 0.3
  done
  BENCH_API="http://127.0.0.1:$BENCH_PORT/v1"
  bench_log "server pid $BENCH_SERVER_PID on 127.0.0.1:$BENCH_PORT, database $BENCH_DB"
}

bench_stop_server() {
  [ -n "$BENCH_SERVER_PID" ] || return 0
  if kill -0 "$BENCH_SERVER_PID" 2>/dev/null; then
    kill -TERM "$BENCH_SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$BENCH_SERVER_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$BENCH_SERVER_PID" 2>/dev/null || true
  fi
  wait "$BENCH_SERVER_PID" 2>/dev/null || true
  BENCH_SERVER_PID=""
}

# Registers a background load generator, stopped by bench_cleanup if the script ends early.
bench_bg() {
  echo "$1" >>"$BENCH_WORK/bg.pids"
}

bench_cleanup() {
  local rc=$? pid
  trap - EXIT INT TERM
  [ "$rc" -eq 0 ] || bench_log "cleaning up after exit status $rc"
  if [ -n "$BENCH_WORK" ] && [ -f "$BENCH_WORK/bg.pids" ]; then
    while read -r pid; do kill -TERM "$pid" 2>/dev/null || true; done <"$BENCH_WORK/bg.pids"
    # give them up to 15 s to end (a child bench script drops its own database on TERM)
    for _ in $(seq 1 75); do
      local alive=0
      while read -r pid; do kill -0 "$pid" 2>/dev/null && alive=1; done <"$BENCH_WORK/bg.pids"
      [ "$alive" = 1 ] || break
      sleep 0.2
    done
  fi
  bench_stop_server
  if [ -n "$BENCH_DB" ] && [ "${BENCH_KEEP_DB:-0}" = 1 ]; then
    bench_log "kept database $BENCH_DB (drop it by hand: DROP DATABASE $BENCH_DB)"
  elif [ -n "$BENCH_DB" ]; then
    bench_psql -d postgres -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" >/dev/null 2>&1 \
      || bench_log "could not drop database $BENCH_DB: drop it by hand"
  fi
  if [ -n "$BENCH_WORK" ] && [ -d "$BENCH_WORK" ]; then
    if [ "${BENCH_KEEP:-0}" = 1 ]; then bench_log "kept $BENCH_WORK"; else rm -rf "$BENCH_WORK"; fi
  fi
  exit $rc
}

# The admin CLI against the bench database; prints its one JSON object.
bench_admin() {
  local out
  echo '{}' >"$BENCH_WORK/empty.json"
  out=$(cd "$BENCH_WORK" && env $(bench_secrets "$BENCH_JAR") PARLEY_CONFIG="$BENCH_WORK/empty.json" java -jar "$BENCH_JAR" admin "$@" 2>"$BENCH_WORK/admin.log") \
    || { cat "$BENCH_WORK/admin.log" >&2; bench_die "admin $* failed: $out"; }
  echo "$out"
}

# A company and a key with the given company options; sets BENCH_COMPANY and BENCH_KEY. The key
# has no rate limit (0/0), so a rate limiter, when there is one, does not shape the figures; its
# scopes are BENCH_SCOPES (default read:interviews,write:interviews,read:companies).
bench_company_and_key() {
  BENCH_COMPANY=$(bench_admin company create --name "Bench $$" "$@" | jq -r .id)
  BENCH_KEY=$(bench_admin key create --company "$BENCH_COMPANY" --name bench --rate-limit 0/0 \
    --scopes "${BENCH_SCOPES:-read:interviews,write:interviews,read:companies}" | jq -r .key)
  [ -n "$BENCH_KEY" ] && [ "$BENCH_KEY" != null ] || bench_die "no API key created"
}

# bench_create_interviews COUNT PARALLEL [SCHEDULED_AT]: POSTs COUNT interviews (inline candidate
# and agent), PARALLEL at a time; prints their ids, one a line. No SCHEDULED_AT: due now.
bench_create_interviews() {
  local count=$1 parallel=$2 at=${3:-} body="$BENCH_WORK/interview.json"
  jq -n --arg at "$at" '{candidate: {firstName: "Bench", lastName: "Mark", phoneNumber: "+421915123456"},
      agent: {name: "Bench", questions: ["Why this role?", "Tell me about a project you led."]}}
    + (if $at == "" then {} else {scheduledAt: $at} end)' >"$body"
  seq 1 "$count" | xargs -P "$parallel" -I{} curl -s --max-time 30 -X POST "$BENCH_API/interviews" \
      -H "Authorization: Bearer $BENCH_KEY" -H 'Content-Type: application/json' --data-binary @"$body" -w '\n' \
    | jq -r 'if .success then .data.id else ("create failed: " + (.|tostring)) end'
}

# Whether a Maven test run (surefire / failsafe) is going on, and the load average.
bench_load() {
  local tests="none"
  # the forked test JVM runs surefirebooter*.jar (failsafe too); a command line that merely mentions
  # -Dsurefire... (a Maven run still waiting for a lock) is not a test run
  if pgrep -f 'surefirebooter' >/dev/null 2>&1; then tests="RUNNING (figures disturbed)"; fi
  echo "loadavg $(cut -d' ' -f1-3 /proc/loadavg), maven tests: $tests"
}

bench_machine() {
  echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(free -g | awk '/Mem:/ {print $2}') GiB"
  echo "java:    $(java -version 2>&1 | head -1)"
  echo "pg:      $(bench_psql -d postgres -Atc 'SELECT version()' | cut -d, -f1)"
}

# CPU accounting: clock ticks (user+system) of processes, and busy ticks of the whole machine.
bench_ticks() {
  local t=0 p v
  for p in "$@"; do
    v=$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null) && t=$((t + v))
  done
  echo "$t"
}
# "pid ticks" lines, for deltas over the processes alive at both ends of a window.
bench_pid_ticks() {
  local p files=()
  for p in "$@"; do files+=("/proc/$p/stat"); done
  [ ${#files[@]} -gt 0 ] || return 0
  cat "${files[@]}" 2>/dev/null | awk '{print $1, $14 + $15}' || true
}
# bench_ticks_delta BEFORE AFTER: summed growth of the processes present in both samples.
bench_ticks_delta() {
  awk 'NR == FNR {b[$1] = $2; next} ($1 in b) {d += $2 - b[$1]} END {print d + 0}' <(echo "$1") <(echo "$2")
}
bench_machine_ticks() {
  awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat
}
# Ticks stolen by the hypervisor (a shared virtual machine): CPU this machine wanted but did not get.
bench_steal_ticks() {
  awk '/^cpu / {print $9}' /proc/stat
}

# bench_cpu_window GENERATOR_PID SERVER_PID SECONDS [SKIP_SECONDS]: the CPU split during a measured
# run of SECONDS that starts SKIP_SECONDS from now (a warm-up inside the same process), sampled at
# 2 s and SECONDS-2 s into it. Prints "gen server pg other steal", each in cores used: the load
# generator, the server JVM (SERVER_PID may be empty), the PostgreSQL backends connected to the bench
# database at the first sample, everything else on the machine, and the hypervisor's steal.
bench_cpu_window() {
  local gen=$1 server=$2 dur=$3 skip=${4:-0} pids start=$((SECONDS + ${4:-0})) hz rest
  hz=$(getconf CLK_TCK)
  sleep $((2 + skip))
  pids=$(bench_psql -d "$BENCH_DB" -At -c "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()" | tr '\n' ' ')
  local t0 g0 s0 p0 m0 st0 t1 g1 s1 p1 m1 st1
  # shellcheck disable=SC2086
  t0=$(date +%s.%N); g0=$(bench_ticks "$gen"); s0=$(bench_ticks $server); p0=$(bench_pid_ticks $pids); m0=$(bench_machine_ticks); st0=$(bench_steal_ticks)
  rest=$((dur - 2 - (SECONDS - start)))
  [ "$rest" -ge 1 ] || rest=1
  sleep "$rest"
  # shellcheck disable=SC2086
  t1=$(date +%s.%N); g1=$(bench_ticks "$gen"); s1=$(bench_ticks $server); p1=$(bench_pid_ticks $pids); m1=$(bench_machine_ticks); st1=$(bench_steal_ticks)
  awk -v hz="$hz" -v dt="$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')" -v g=$((g1 - g0)) -v s=$((s1 - s0)) \
    -v p="$(bench_ticks_delta "$p0" "$p1")" -v m=$((m1 - m0)) -v st=$((st1 - st0)) \
    'BEGIN { printf "%.2f %.2f %.2f %.2f %.2f\n", g/hz/dt, s/hz/dt, p/hz/dt, (m-g-s-p)/hz/dt, st/hz/dt }'
}

# kv "k1=v1 k2=v2 ..." KEY: the value of KEY in a line of key=value pairs (wrk and pgbench summaries).
kv() { tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k {print $2}'; }

# bench_pgbench_figures NAME WARMUP: from the per-transaction logs $BENCH_WORK/NAME.<pid>[.<thread>]
# (client, number, latency us, script, end epoch s, end us), the transactions that ended after the
# first one + WARMUP seconds; prints "tps=... counted=... seconds=... mean_ms=... p50_ms=... ...".
bench_pgbench_figures() {
  local win
  win=$(cat "$BENCH_WORK/$1".[0-9]* | awk -v warm="$2" -v out="$BENCH_WORK/$1.latencies" '
    { t = $5 + $6 / 1e6; end[NR] = t; lat[NR] = $3; if (NR == 1 || t < first) first = t; if (t > last) last = t }
    END { cut = first + warm; for (i = 1; i <= NR; i++) if (end[i] >= cut) print lat[i] > out
          printf "%.6f\n", last - cut }')
  sort -n "$BENCH_WORK/$1.latencies" | awk -v win="$win" '{v[NR] = $1; s += $1}
    END { if (NR == 0 || win <= 0) { print "tps=0"; exit }
      printf "tps=%.1f counted=%d seconds=%.3f mean_ms=%.3f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f\n",
        NR / win, NR, win, s / NR / 1000, v[int(NR * 0.50) + 1] / 1000, v[int(NR * 0.90) + 1] / 1000,
        v[int(NR * 0.99) + 1] / 1000, v[int(NR * 0.999) + 1] / 1000, v[NR] / 1000 }'
}

# bench_pgbench_measured CLIENTS THREADS WARMUP DURATION NAME SERVER_PID PGBENCH_ARGS...: one pgbench
# process of WARMUP + DURATION seconds, -M prepared, over TCP to the bench database; only the
# transactions that end in its last DURATION seconds count (from its per-transaction log), so
# connections, prepares and first plans fall in the warm-up. PGBENCH_ARGS name the script (-f ...)
# and variables (-D ...). Prints the figures of bench_pgbench_figures and "cpu=gen,server,pg,other,steal".
bench_pgbench_measured() {
  local c=$1 j=$2 warm=$3 dur=$4 name=$5 server=$6 pid cpu
  shift 6
  [ -n "${PGBENCH:-}" ] || PGBENCH=$(bench_pg_tool pgbench)
  (exec "$PGBENCH" -h "$BENCH_PGHOST" -p "$BENCH_PGPORT" -U "$BENCH_PGUSER" -n -M prepared -c "$c" -j "$j" \
     -T $((warm + dur)) "$@" -l --log-prefix="$BENCH_WORK/$name" "$BENCH_DB" >"$BENCH_WORK/$name.txt" 2>&1) &
  pid=$!
  bench_bg "$pid"
  cpu=$(bench_cpu_window "$pid" "$server" "$dur" "$warm")
  wait "$pid" || { cat "$BENCH_WORK/$name.txt" >&2; bench_die "pgbench failed"; }
  if grep -q '^number of failed transactions: [1-9]' "$BENCH_WORK/$name.txt"; then
    bench_log "WARNING: pgbench: $(grep '^number of failed' "$BENCH_WORK/$name.txt")"
  fi
  echo "$(bench_pgbench_figures "$name" "$warm") cpu=${cpu// /,}"
}
