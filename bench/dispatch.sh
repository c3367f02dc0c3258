#!/usr/bin/env bash
# The dispatcher: how soon and how fast due interviews are dialled, for one or more jars side by
# side in one run (e.g. the jar of an earlier commit and the current one).
#
#   bench/dispatch.sh JAR [JAR ...]          (default: $PARLEY_JAR, else target/parley.jar)
#
# For each jar, on a fresh database, with the built-in simulator (calls ring 50 ms, then stay live):
#   1. idle: IDLE interviews one after another, each due 2 s after it is created; due -> dial;
#   2. burst: BURST interviews (created a day ahead, then all moved to fall due at one instant, 3 s
#      ahead, through SQL, as a schedule would make them; the dispatcher's poll finds them well
#      before then and arms its timer for that instant), in a company with enough
#      slots; due -> claim of each, and dials per second from the instant they fell due; each
#      further size in BURSTS on a fresh database and server; each burst after a warm-up burst of
#      WARM_BURST on the same server (not measured: on two cores the JIT is still compiling the
#      dispatcher during a first burst);
# then, with the http provider against bench/fake-provider/FakeProvider.java (a Vert.x server run
# on the first jar's classpath) answering every dial after PROVIDER_LATENCY_MS:
#   3. a burst of HTTP_BURST: dials per second as the provider received them.
# "claim" is call_attempts.called_at (the claim's time); "dial" is the server's own
# parley_dispatch_delay_seconds (due -> the provider took the call), p99 from its histogram
# (">N" when it lies beyond the histogram's largest bucket, N ms).
#
# Knobs (environment): IDLE=5 BURST=1000 PROVIDER_LATENCY_MS=300 DEADLINE=300 (s for the simulator burst)
#   BURSTS="$BURST" (simulator burst sizes, e.g. "1000 2000") HTTP_BURST=$BURST (0: no http case)
#   RESULTS= (a file that gets the figures as lines "JAR idle|sim|http ...", for bench/compare.sh)
#   HTTP_DEADLINE=120 (s for the http burst: a dispatcher that is slower gets its rate over what it did)
#   WARM_BURST=500 (0: none) PARALLEL=8 (creates at a time) BENCH_PGHOST=127.0.0.1 BENCH_PGPORT=5432 BENCH_PGUSER=postgres
#   BENCH_JAVA_OPTS= BENCH_KEEP=0
# Needs: java, curl, jq, psql. Loopback only.
set -euo pipefail
case "${1:-}" in -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;; esac
source "$(dirname "$0")/lib.sh"

IDLE=${IDLE:-5}
BURST=${BURST:-1000}
read -r -a BURSTS <<<"${BURSTS:-$BURST}"
HTTP_BURST=${HTTP_BURST:-$BURST}
RESULTS=${RESULTS:-}
PROVIDER_LATENCY_MS=${PROVIDER_LATENCY_MS:-300}
DEADLINE=${DEADLINE:-300}
HTTP_DEADLINE=${HTTP_DEADLINE:-120}
PARALLEL=${PARALLEL:-8}
WARM_BURST=${WARM_BURST:-500}

bench_need java "Install a Java 17 runtime."
bench_need curl "apt-get install -y curl"
bench_need jq "apt-get install -y jq"
JARS=()
if [ $# -eq 0 ]; then JARS+=("$(bench_jar "")"); else for j in "$@"; do JARS+=("$(bench_jar "$j")"); done; fi
BENCH_JAR=${JARS[0]} # the admin CLI of the first jar creates companies and keys (same schema)
bench_init

echo "== dispatcher, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
bench_machine
echo "load at start: $(bench_load)"

sql() { bench_psql -d "$BENCH_DB" -At -c "$1"; }

# dispatch_buckets: the cumulative buckets of parley_dispatch_delay_seconds, "le count" a line, then "count N"
dispatch_buckets() {
  curl -s --max-time 10 "http://127.0.0.1:$BENCH_PORT/metrics" | awk '
    index($0, "parley_dispatch_delay_seconds_bucket{") == 1 {
      le = $0; sub(/.*le="/, "", le); sub(/".*/, "", le); if (le != "+Inf") print le, $NF + 0 }
    index($0, "parley_dispatch_delay_seconds_count ") == 1 { print "count", $NF + 0 }'
}

# dispatch_p99 [BEFORE]: p99 of parley_dispatch_delay_seconds in ms, interpolated in its histogram
# buckets; with BEFORE (a file of dispatch_buckets), of the dials since then only
dispatch_p99() {
  dispatch_buckets | awk -v before="${1:-}" '
    BEGIN { if (before != "") while ((getline l < before) > 0) { split(l, f, " "); base[f[1]] = f[2] } }
    $1 == "count" { count = $2 - base["count"]; next }
    { n++; ub[n] = $1 + 0; cum[n] = $2 - base[$1] }
    END { if (count <= 0) { print "-"; exit }
      rank = 0.99 * count; prev = 0; lo = 0
      for (i = 1; i <= n; i++) { if (cum[i] >= rank && cum[i] > prev) { printf "%.0f\n", (lo + (ub[i] - lo) * (rank - prev) / (cum[i] - prev)) * 1000; exit }
        prev = cum[i]; lo = ub[i] }
      if (n) printf ">%.0f\n", ub[n] * 1000; else print "-" }'
}

# also_callable TIME: ", callable_at = TIME" for a schema where the claim reads callable_at (V14 on),
# nothing for an earlier jar's
also_callable() {
  bench_has_callable_at && echo ", callable_at = $1"
  return 0
}

# burst_due: moves every scheduled attempt of the company to fall due 3 s from now (the poll finds
# them before then) and waits until all SIZE are claimed; prints "p50_ms p99_ms max_ms claims_per_s"
burst_due() {  # burst_due SIZE
  local size=$1 t end=$((SECONDS + DEADLINE)) n=0
  t=$(sql "SELECT date_trunc('milliseconds', now()) + interval '3 s'")
  sql "UPDATE call_attempts SET scheduled_at = '$t'$(also_callable "'$t'") WHERE company_id = '$BENCH_COMPANY' AND status = 'SCHEDULED'" >/dev/null
  while :; do
    n=$(sql "SELECT count(*) FROM call_attempts WHERE scheduled_at = '$t' AND called_at IS NOT NULL")
    [ "$n" -ge "$size" ] && break
    [ $SECONDS -lt $end ] || bench_die "after ${DEADLINE} s only $n of $size claimed"
    sleep 0.5
  done
  sql "SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY d)), round(percentile_cont(0.99) WITHIN GROUP (ORDER BY d)), round(max(d)),
              round(count(*) / greatest(extract(epoch FROM max(called_at) - '$t'::timestamptz), 0.001))
         FROM (SELECT called_at, extract(epoch FROM called_at - scheduled_at) * 1000 AS d FROM call_attempts
                WHERE scheduled_at = '$t' AND called_at IS NOT NULL) x" | tr '|' ' '
}

# sim_server: a fresh database and server with the simulator, a company with SLOTS slots
sim_server() {
  bench_create_db parley_bench_dispatch
  bench_start_server "$jar" PARLEY_SIMULATOR_RING_MS=50 PARLEY_SIMULATOR_TALK_MS=3600000 PARLEY_SIMULATOR_LONG_CALL_MS=3600000
  BENCH_COMPANY=""
  bench_company_and_key --call-window 00:00-24:00 --timezone UTC --max-concurrent-calls "$1"
}
drop_db() {
  bench_stop_server
  bench_psql -d postgres -c "DROP DATABASE $BENCH_DB WITH (FORCE)" >/dev/null
  BENCH_DB=""
}

# http_burst SIZE: SIZE interviews created a day ahead, then all due 3 s from now; waits until the
# fake provider has taken a dial of each (or HTTP_DEADLINE s: a slower dispatcher gets its rate over
# what it did) and prints "dials_per_s calls dup" over this burst's dials alone (by interviewId):
# the rate from the first to the last dial the provider answered, and the callIds dialled twice
http_burst() {
  local size=$1 end=$((SECONDS + HTTP_DEADLINE)) log="$BENCH_WORK/dials-$name.log"
  bench_create_interviews "$size" "$PARALLEL" "$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)" >"$BENCH_WORK/ids.txt"
  [ "$(grep -c '^[0-9a-f-]\{36\}$' "$BENCH_WORK/ids.txt")" -eq "$size" ] || bench_die "some creates failed"
  sql "UPDATE call_attempts SET scheduled_at = now() + interval '3 s'$(also_callable "now() + interval '3 s'") WHERE company_id = '$BENCH_COMPANY' AND status = 'SCHEDULED'" >/dev/null
  burst_dials() { awk 'FNR == NR {mine[$1] = 1; next} $3 in mine' "$BENCH_WORK/ids.txt" "$log"; }
  until [ "$(burst_dials | wc -l)" -ge "$size" ] || [ $SECONDS -ge $end ]; do sleep 0.5; done
  burst_dials | awk 'NR == 1 || $1 < lo {lo = $1} $1 > hi {hi = $1} {if (!($2 in c)) calls++; c[$2]++}
    END {d = 0; for (k in c) if (c[k] > 1) d++; printf "%.0f %d %d", NR / (hi - lo + 0.000001), calls, d}'
}

declare -A R
for jar in "${JARS[@]}"; do
  name=$(basename "$jar")
  bench_log "== $name: simulator"
  sim_server $((BURSTS[0] + WARM_BURST + IDLE + 10))

  # 1. idle: one interview at a time, due 2 s after its create
  : >"$BENCH_WORK/idle.txt"
  for _ in $(seq 1 "$IDLE"); do
    id=$(bench_create_interviews 1 1 "$(date -u -d '+2 seconds' +%Y-%m-%dT%H:%M:%S.%3NZ)")
    until [ "$(sql "SELECT count(*) FROM call_attempts WHERE interview_id = '$id' AND called_at IS NOT NULL")" = 1 ]; do sleep 0.2; done
    sql "SELECT round(extract(epoch FROM called_at - scheduled_at) * 1000) FROM call_attempts WHERE interview_id = '$id'" >>"$BENCH_WORK/idle.txt"
  done
  R[$name,idle]=$(sort -n "$BENCH_WORK/idle.txt" | awk '{v[NR] = $1} END {printf "%s %s", v[int((NR + 1) / 2)], v[NR]}')

  # 2. bursts with the simulator: the first on the idle run's server, each further one on its own
  for i in "${!BURSTS[@]}"; do
    b=${BURSTS[$i]}
    [ "$i" -eq 0 ] || sim_server $((b + WARM_BURST + 10))
    if [ "$WARM_BURST" -gt 0 ]; then
      # the JIT compilers are busy for tens of seconds on two cores: a first burst warms the
      # dispatcher's code (its calls stay live, holding their slots), and only the next one counts
      bench_log "$name: warm-up burst of $WARM_BURST (not measured)"
      bench_create_interviews "$WARM_BURST" "$PARALLEL" "$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)" >"$BENCH_WORK/ids.txt"
      [ "$(grep -c '^[0-9a-f-]\{36\}$' "$BENCH_WORK/ids.txt")" -eq "$WARM_BURST" ] || bench_die "some creates failed"
      burst_due "$WARM_BURST" >/dev/null
    fi
    dispatch_buckets >"$BENCH_WORK/buckets-before.txt"
    bench_log "$name: creating $b interviews a day ahead"
    bench_create_interviews "$b" "$PARALLEL" "$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)" >"$BENCH_WORK/ids.txt"
    [ "$(grep -c '^[0-9a-f-]\{36\}$' "$BENCH_WORK/ids.txt")" -eq "$b" ] || bench_die "some creates failed"
    bench_log "$name: $b fall due at one instant"
    R[$name,sim,$b]=$(burst_due "$b")
    R[$name,simdial,$b]=$(dispatch_p99 "$BENCH_WORK/buckets-before.txt")
    drop_db
  done

  # 3. burst with the http provider
  [ "$HTTP_BURST" -gt 0 ] || continue
  bench_log "== $name: http provider answering after ${PROVIDER_LATENCY_MS} ms"
  : >"$BENCH_WORK/dials-$name.log"
  PPORT=$(bench_free_port)
  java -cp "$BENCH_JAR" "$(dirname "$0")/fake-provider/FakeProvider.java" "$PPORT" "$PROVIDER_LATENCY_MS" \
    "$BENCH_WORK/dials-$name.log" >"$BENCH_WORK/provider-$name.out" 2>&1 &
  PROVIDER_PID=$!
  bench_bg "$PROVIDER_PID"
  deadline=$((SECONDS + 30))
  until curl -s -o /dev/null --max-time 2 -X POST "http://127.0.0.1:$PPORT/ready"; do
    kill -0 "$PROVIDER_PID" 2>/dev/null && [ $SECONDS -lt $deadline ] ||
      { tail -5 "$BENCH_WORK/provider-$name.out" >&2; bench_die "the fake provider did not start"; }
    sleep 0.3
  done
  bench_create_db parley_bench_dispatch
  bench_start_server "$jar" PARLEY_PROVIDER=http PARLEY_PROVIDER_URL="http://127.0.0.1:$PPORT" PARLEY_PROVIDER_SECRET=bench-secret
  bench_company_and_key --call-window 00:00-24:00 --timezone UTC --max-concurrent-calls $((HTTP_BURST + WARM_BURST + 10))
  if [ "$WARM_BURST" -gt 0 ]; then
    # as for the simulator: a first burst warms the code up (its calls stay live: this provider
    # sends no events), and only the next one counts
    bench_log "$name: http warm-up burst of $WARM_BURST (not measured)"
    http_burst "$WARM_BURST" >/dev/null
  fi
  dispatch_buckets >"$BENCH_WORK/buckets-before.txt"
  bench_log "$name: http burst of $HTTP_BURST"
  R[$name,http]=$(http_burst "$HTTP_BURST")
  R[$name,httpdial]=$(dispatch_p99 "$BENCH_WORK/buckets-before.txt")
  bench_stop_server
  kill "$PROVIDER_PID" 2>/dev/null || true
  drop_db
done

echo
echo "simulator: $IDLE idle interviews, then bursts of ${BURSTS[*]} due at one instant; http provider answering after ${PROVIDER_LATENCY_MS} ms"
printf '%-30s %16s %6s %28s %10s %16s %26s\n' "" "idle due->claim" "burst" "burst due->claim p50/p99/max" "claims/s" "burst dial p99" "http dials/s (calls, dup)"
for jar in "${JARS[@]}"; do
  name=$(basename "$jar")
  read -r i50 imax <<<"${R[$name,idle]}"
  [ -z "$RESULTS" ] || echo "$name idle $i50 $imax" >>"$RESULTS"
  http="-"
  if [ "$HTTP_BURST" -gt 0 ]; then
    read -r hrate hcalls hdup <<<"${R[$name,http]}"
    http="$hrate ($hcalls, $hdup)"
    [ -z "$RESULTS" ] || echo "$name http $HTTP_BURST $hrate $hcalls $hdup ${R[$name,httpdial]}" >>"$RESULTS"
  fi
  for i in "${!BURSTS[@]}"; do
    b=${BURSTS[$i]}
    read -r p50 p99 pmax rate <<<"${R[$name,sim,$b]}"
    [ -z "$RESULTS" ] || echo "$name sim $b $p50 $p99 $pmax $rate ${R[$name,simdial,$b]}" >>"$RESULTS"
    if [ "$i" -eq 0 ]; then idle="$i50/$imax ms"; else idle=""; name=""; http=""; fi
    printf '%-30s %16s %6s %15s/%5s/%6s ms %10s %13s ms %26s\n' "$name" "$idle" "$b" "$p50" "$p99" "$pmax" "$rate" \
      "${R[$(basename "$jar"),simdial,$b]}" "$http"
  done
done
echo "(idle: median/max of $IDLE; claim = call_attempts.called_at; dial p99 = parley_dispatch_delay_seconds; dup = callIds dialled more than once)"
echo "load at end: $(bench_load)"
