#!/usr/bin/env bash
# A waiting backlog: what it costs PostgreSQL on an idle node, and whether another company's
# interview is still dialled on time. For each jar given (an earlier commit's beside the current
# one, say) and each case, on a fresh database with the simulator:
#   window: company W has COUNT interviews due now whose calling window is closed (UTC, the window
#           six hours ahead of now);
#   slots:  company S has COUNT interviews due now inside its window, and its one slot is taken (its
#           active_calls set to its limit, as by a call that goes on);
# the rows are written in SQL (one candidate and agent, attempts as the API writes them: callable
# from their scheduled time). Then: how long the server takes to set the backlog aside (window:
# until no attempt of W is callable now; every attempt is read once and moved to its window's
# opening), PostgreSQL's CPU over MEASURE seconds of an idle node twice: right after ("pg first")
# and QUIET seconds later ("pg cores", the backlog's steady cost), then company B's interviews,
# each created due 2 s ahead one after another: due -> dial (call_attempts.called_at - scheduled_at).
#
#   bench/backlog.sh [JAR ...]          (default: $PARLEY_JAR, else target/parley.jar)
#
# Knobs (environment): COUNT=1000000 CASES="window slots" MEASURE=20 (s) QUIET=60 (s) PROBES=5 (B's interviews)
#   SETTLE_DEADLINE=1800 (s for the window case's one-time move) BENCH_PGHOST=127.0.0.1
#   BENCH_PGPORT=5432 BENCH_PGUSER=postgres BENCH_JAVA_OPTS= BENCH_KEEP=0
# Needs: java, curl, jq, psql. Loopback only. Disk: about 1 GB per million interviews.
set -euo pipefail
case "${1:-}" in -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;; esac
source "$(dirname "$0")/lib.sh"

COUNT=${COUNT:-1000000}
read -r -a CASES <<<"${CASES:-window slots}"
MEASURE=${MEASURE:-20}
PROBES=${PROBES:-5}
SETTLE_DEADLINE=${SETTLE_DEADLINE:-1800}
QUIET=${QUIET:-60}

bench_need java "Install a Java 17 runtime."
bench_need curl "apt-get install -y curl"
bench_need jq "apt-get install -y jq"
JARS=()
if [ $# -eq 0 ]; then JARS+=("$(bench_jar "")"); else for j in "$@"; do JARS+=("$(bench_jar "$j")"); done; fi
bench_init

echo "== a waiting backlog of $COUNT, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
bench_machine
sql() { bench_psql -d "$BENCH_DB" -At -c "$1"; }

# fill COMPANY: COUNT interviews of COMPANY due a minute ago, each with one SCHEDULED attempt
fill() {
  local company=$1 callable="" callable_value=""
  # the schema of the jar under test: before callable_at, the claim read scheduled_at alone
  if bench_has_callable_at; then
    callable=", callable_at"; callable_value=", now() - interval '1 minute'"
  fi
  bench_psql -d "$BENCH_DB" -v company="$company" <<SQL
BEGIN;
SET LOCAL session_replication_role = replica;
SET LOCAL synchronous_commit = off;
INSERT INTO candidates (id, company_id, first_name, last_name, phone_number)
  VALUES ('00000000-0000-0000-0000-0000000000c1', :'company', 'Bench', 'Backlog', '+80012345678');
INSERT INTO agents (id, company_id, name) VALUES ('00000000-0000-0000-0000-0000000000a1', :'company', 'Backlog');
INSERT INTO interviews (id, company_id, candidate_id, agent_id, status, scheduled_at, duration_minutes, doc)
SELECT md5('i' || g)::uuid, :'company', '00000000-0000-0000-0000-0000000000c1', '00000000-0000-0000-0000-0000000000a1',
       'SCHEDULED', now() - interval '1 minute', 15, '{}'
  FROM generate_series(1, $COUNT) g;
INSERT INTO call_attempts (id, interview_id, company_id, status, scheduled_at$callable)
SELECT md5('a' || g)::uuid, md5('i' || g)::uuid, :'company', 'SCHEDULED', now() - interval '1 minute'$callable_value
  FROM generate_series(1, $COUNT) g;
COMMIT;
ANALYZE interviews;
ANALYZE call_attempts;
SQL
}

# probes: PROBES interviews of B, each due 2 s after its create, one after another; prints due -> dial in ms
probes() {
  local out=() id at
  for _ in $(seq 1 "$PROBES"); do
    at=$(date -u -d '+2 seconds' +%Y-%m-%dT%H:%M:%S.%3NZ)
    id=$(bench_create_interviews 1 1 "$at" | head -1)
    [[ "$id" == create* ]] && bench_die "$id"
    for _ in $(seq 1 100); do
      [ "$(sql "SELECT count(*) FROM call_attempts WHERE interview_id = '$id' AND called_at IS NOT NULL")" = 1 ] && break
      sleep 0.1
    done
    out+=("$(sql "SELECT coalesce(round(extract(epoch FROM called_at - scheduled_at) * 1000)::text, 'not dialled in 10 s')
                    FROM call_attempts WHERE interview_id = '$id'")")
  done
  echo "${out[*]}"
}

# idle_cpu: PostgreSQL's and the server's cores over MEASURE s of an idle node
idle_cpu() {
  local gen server pg
  sleep $((MEASURE + 10)) &
  gen=$!
  bench_bg $gen
  read -r _ server pg _ _ < <(bench_cpu_window "$gen" "$BENCH_SERVER_PID" "$MEASURE")
  kill "$gen" 2>/dev/null || true
  echo "$pg $server"
}

printf '%-10s %-8s %14s %12s %12s %12s  %s\n' jar case "set aside (s)" "pg first" "pg cores" "server cores" "B due -> dial (ms, each)"
for jar in "${JARS[@]}"; do
  BENCH_JAR=$jar
  label=$(basename "$jar" .jar)
  for case in "${CASES[@]}"; do
    bench_create_db bench_backlog
    bench_start_server "$jar" PARLEY_SIMULATOR_RING_MS=50 PARLEY_DEFAULT_RATE_LIMIT=0/0
    hour=$(date -u +%H); hour=$((10#$hour))
    case "$case" in
      window)
        company=$(bench_admin company create --name "Waiting W" --timezone UTC --max-concurrent-calls 1000 \
          --call-window "$(printf '%02d:00-%02d:00' $(((hour + 6) % 24)) $(((hour + 7) % 24)))" | jq -r .id) ;;
      slots)
        company=$(bench_admin company create --name "Full S" --call-window 00:00-24:00 --max-concurrent-calls 1 | jq -r .id) ;;
      *) bench_die "unknown case $case" ;;
    esac
    bench_company_and_key --call-window 00:00-24:00 --max-concurrent-calls 100
    bench_log "$case: filling $COUNT interviews"
    t0=$SECONDS
    fill "$company"
    [ "$case" = slots ] && sql "UPDATE companies SET active_calls = max_concurrent_calls WHERE id = '$company'" >/dev/null
    bench_log "$case: filled in $((SECONDS - t0)) s; the dispatcher's poll finds the backlog"
    settled="-"
    if [ "$case" = window ]; then
      t0=$SECONDS
      while :; do
        if bench_has_callable_at; then
          left=$(sql "SELECT count(*) FROM call_attempts WHERE company_id = '$company' AND status = 'SCHEDULED' AND callable_at <= now()")
        else
          left="n/a"; settled="never (no callable_at)"; break
        fi
        [ "$left" = 0 ] && { settled=$((SECONDS - t0)); break; }
        [ $((SECONDS - t0)) -lt "$SETTLE_DEADLINE" ] || { settled=">$SETTLE_DEADLINE ($left left)"; break; }
        sleep 1
      done
      bench_log "$case: set aside after $settled s"
    fi
    sleep 5 # the claim rounds that set the backlog aside have ended; the node is idle
    # right after: PostgreSQL still sets the hint bits of a million rows that no vacuum has seen,
    # once, as the polls first touch them (a cost of the writes that made the backlog)
    read -r pg_first server_first < <(idle_cpu)
    bench_log "$case: first ${MEASURE} s: pg $pg_first cores; waiting ${QUIET} s more"
    sleep "$QUIET"
    read -r pg server < <(idle_cpu)
    dials=$(probes)
    printf '%-10s %-8s %14s %12s %12s %12s  %s\n' "$label" "$case" "$settled" "$pg_first" "$pg" "$server" "$dials"
    bench_stop_server
    # BENCH_KEEP_DB=1 keeps each case's database for a look at its plans (lib.sh names the last)
    if [ "${BENCH_KEEP_DB:-0}" = 1 ]; then bench_log "kept database $BENCH_DB"; else bench_psql -d postgres -c "DROP DATABASE $BENCH_DB" >/dev/null; fi
  done
done
