#!/usr/bin/env bash
# Times of the call lifecycle with the built-in simulator, read from the server's own Prometheus
# timers at /metrics:
#   parley_dispatch_delay_seconds  from an attempt being due to its dial (includes waiting for a slot)
#   parley_slot_release_seconds    from call.ended received to its concurrency slot freed
# plus create -> call as seen through the API (createdAt -> callAttempts[0].calledAt for every
# interview of the bursts, and a polled sample on an idle server).
#
#   bench/call-latency.sh [path/to/parley.jar]        (default: $PARLEY_JAR, else target/parley.jar)
#
# Knobs (environment): INTERVIEWS=200 BURSTS=4 BURST_GAP=2 PARALLEL=8 SLOTS=20 RING_MS=50 TALK_MS=200
#   SAMPLE=10 (polled create -> IN_PROGRESS sample) DEADLINE=180 (s to wait for all COMPLETED)
#   BENCH_PGHOST=127.0.0.1 BENCH_PGPORT=5432 BENCH_PGUSER=postgres BENCH_JAVA_OPTS= BENCH_KEEP=0
# Needs: java, curl, jq, psql. Loopback only; about 30 s with the defaults; stops its server and
# drops its database on exit.
set -euo pipefail
case "${1:-}" in -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;; esac
source "$(dirname "$0")/lib.sh"

INTERVIEWS=${INTERVIEWS:-200}
BURSTS=${BURSTS:-4}
BURST_GAP=${BURST_GAP:-2}
PARALLEL=${PARALLEL:-8}
SLOTS=${SLOTS:-20}
RING_MS=${RING_MS:-50}
TALK_MS=${TALK_MS:-200}
SAMPLE=${SAMPLE:-10}
DEADLINE=${DEADLINE:-180}

bench_need java "Install a Java 17 runtime."
bench_need curl "apt-get install -y curl"
bench_need jq "apt-get install -y jq"
BENCH_JAR=$(bench_jar "${1:-}")
bench_init

echo "== call lifecycle latency, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
bench_machine
echo "load at start: $(bench_load)"

bench_create_db parley_bench_calls
bench_start_server "$BENCH_JAR" PARLEY_SIMULATOR_RING_MS="$RING_MS" PARLEY_SIMULATOR_TALK_MS="$TALK_MS"
bench_company_and_key --call-window 00:00-24:00 --timezone UTC --max-concurrent-calls "$SLOTS"
AUTH="Authorization: Bearer $BENCH_KEY"
now_ms() { date +%s%3N; }

# ---------------------------------------------------------------------------------------------
# Bursts of interviews due now (no scheduledAt), PARALLEL requests at a time.
PER=$(( (INTERVIEWS + BURSTS - 1) / BURSTS ))
: >"$BENCH_WORK/ids.txt"
LEFT=$INTERVIEWS
T_START=$(now_ms)
for b in $(seq 1 "$BURSTS"); do
  n=$(( LEFT < PER ? LEFT : PER ))
  [ "$n" -gt 0 ] || break
  t0=$(now_ms)
  bench_create_interviews "$n" "$PARALLEL" >>"$BENCH_WORK/ids.txt"
  bench_log "burst $b: $n interviews created in $(( $(now_ms) - t0 )) ms"
  LEFT=$((LEFT - n))
  [ "$b" -lt "$BURSTS" ] && sleep "$BURST_GAP"
done
grep -v '^[0-9a-f-]\{36\}$' "$BENCH_WORK/ids.txt" | head -3 | grep . >&2 && bench_die "some creates failed"
[ "$(wc -l <"$BENCH_WORK/ids.txt")" -eq "$INTERVIEWS" ] || bench_die "not all interviews created"

count_status() {
  curl -s --max-time 5 "$BENCH_API/interviews?status=$1&limit=1" -H "$AUTH" | jq -r '.data.pagination.total // 0'
}
END=$((SECONDS + DEADLINE))
while :; do
  DONE=$(count_status COMPLETED); FAILED=$(count_status FAILED)
  [ $((DONE + FAILED)) -ge "$INTERVIEWS" ] && break
  [ $SECONDS -lt $END ] || bench_die "after ${DEADLINE} s: $DONE COMPLETED, $FAILED FAILED of $INTERVIEWS"
  sleep 0.5
done
T_DONE=$(now_ms)
bench_log "all $INTERVIEWS ended ($DONE COMPLETED, $FAILED FAILED) $(( T_DONE - T_START )) ms after the first create"
ACTIVE=$(bench_psql -d "$BENCH_DB" -Atc "SELECT active_calls FROM companies WHERE id = '$BENCH_COMPANY'")
LIVE=$(bench_psql -d "$BENCH_DB" -Atc "SELECT count(*) FROM live_calls")
curl -s --max-time 10 "http://127.0.0.1:$BENCH_PORT/metrics" >"$BENCH_WORK/metrics.txt"

# createdAt -> calledAt of the first attempt, for every interview of the bursts (API timestamps).
: >"$BENCH_WORK/list.json"
for page in $(seq 1 $(( (INTERVIEWS + 99) / 100 ))); do
  curl -s --max-time 10 "$BENCH_API/interviews?limit=100&page=$page" -H "$AUTH" >>"$BENCH_WORK/list.json"
done
jq -r '.data.items[] | [.createdAt, (.callAttempts | sort_by(.retryNumber) | .[0].calledAt // "")] | @tsv' \
  "$BENCH_WORK/list.json" >"$BENCH_WORK/created-called.tsv"

# ---------------------------------------------------------------------------------------------
# Sample on the now idle server: POST, then GET every ~10 ms until the status leaves SCHEDULED.
bench_log "polled sample: $SAMPLE interviews one after another"
: >"$BENCH_WORK/sample.txt"
jq -n '{candidate: {firstName: "Sample", lastName: "Call", phoneNumber: "+421915123456"}, agent: {name: "Bench", questions: ["Why?"]}}' \
  >"$BENCH_WORK/sample.json"
for _ in $(seq 1 "$SAMPLE"); do
  t0=$(now_ms)
  id=$(curl -s --max-time 10 -X POST "$BENCH_API/interviews" -H "$AUTH" -H 'Content-Type: application/json' \
    --data-binary @"$BENCH_WORK/sample.json" | jq -r .data.id)
  t_created=$(now_ms)
  status=SCHEDULED
  while [ "$status" = SCHEDULED ] && [ $(( $(now_ms) - t0 )) -lt 10000 ]; do
    sleep 0.01
    status=$(curl -s --max-time 5 "$BENCH_API/interviews/$id" -H "$AUTH" | jq -r .data.status)
  done
  echo "$(( $(now_ms) - t0 )) $(( t_created - t0 )) $status" >>"$BENCH_WORK/sample.txt"
done

# ---------------------------------------------------------------------------------------------
# Statistics of a Prometheus timer: count, mean, p50/p95/p99 interpolated inside the histogram
# buckets (as histogram_quantile does, capped at the max), max. In milliseconds.
timer_stats() {
  awk -v name="$1" '
    index($0, name "_bucket{") == 1 {
      le = $0; sub(/.*le="/, "", le); sub(/".*/, "", le)
      if (le != "+Inf") { n++; ub[n] = le + 0; cum[n] = $NF + 0 }
    }
    index($0, name "_count ") == 1 { count = $NF + 0 }
    index($0, name "_sum ") == 1 { sum = $NF + 0 }
    index($0, name "_max ") == 1 { max = $NF + 0 }
    function q(p,   rank, i, lo, prev) {
      rank = p * count; prev = 0; lo = 0
      for (i = 1; i <= n; i++) {
        if (cum[i] >= rank && cum[i] > prev) {
          v = lo + (ub[i] - lo) * (rank - prev) / (cum[i] - prev)
          return v > max ? max : v
        }
        prev = cum[i]; lo = ub[i]
      }
      return max
    }
    END {
      if (count == 0) { printf "%-32s %6d\n", name, 0; exit }
      printf "%-32s %6d %8.1f %8.1f %8.1f %8.1f %8.1f\n", name, count, sum / count * 1000,
        q(0.5) * 1000, q(0.95) * 1000, q(0.99) * 1000, max * 1000
    }' "$BENCH_WORK/metrics.txt"
}

# Statistics of a column of milliseconds.
ms_stats() {  # ms_stats LABEL < values
  sort -n | awk -v label="$1" '{v[NR] = $1; s += $1}
    END { if (NR == 0) { printf "%-32s %6d\n", label, 0; exit }
      printf "%-32s %6d %8.1f %8.1f %8.1f %8.1f %8.1f\n", label, NR, s / NR,
        v[int((NR - 1) * 0.50) + 1], v[int((NR - 1) * 0.95) + 1], v[int((NR - 1) * 0.99) + 1], v[NR] }'
}
iso_ms() {  # ISO-8601 UTC with milliseconds -> epoch ms, per line pair (created, called)
  while IFS=$'\t' read -r c d; do
    [ -n "$d" ] || continue
    echo $(( $(date -u -d "$d" +%s%3N) - $(date -u -d "$c" +%s%3N) ))
  done
}

echo
echo "$INTERVIEWS interviews due now in $BURSTS bursts $BURST_GAP s apart ($PARALLEL concurrent creates), $SLOTS slots,"
echo "simulator ring ${RING_MS} ms + talk ${TALK_MS} ms; all ended $(( T_DONE - T_START )) ms after the first create"
echo "($DONE COMPLETED, $FAILED FAILED); afterwards active_calls=$ACTIVE, live_calls rows=$LIVE"
printf '%-32s %6s %8s %8s %8s %8s %8s\n' "(ms)" count mean p50 p95 p99 max
timer_stats parley_dispatch_delay_seconds
timer_stats parley_slot_release_seconds
iso_ms <"$BENCH_WORK/created-called.tsv" | ms_stats "API createdAt->calledAt (bursts)"
# Gaps between consecutive dials (calledAt of all attempts, sorted): with a backlog, the
# dispatcher's claim rate (it claims one attempt per transaction, one transaction at a time).
cut -f2 "$BENCH_WORK/created-called.tsv" | grep . | while read -r d; do date -u -d "$d" +%s%3N; done | sort -n \
  | awk 'NR > 1 {print $1 - prev} {prev = $1}' | ms_stats "gap between consecutive dials"
awk '{print $1}' "$BENCH_WORK/sample.txt" | ms_stats "polled create->IN_PROGRESS (idle)"
awk '{print $2}' "$BENCH_WORK/sample.txt" | ms_stats "  of which the POST itself"
echo "timer percentiles are interpolated in the histogram buckets; _max is the timer's recent max"
echo "polled sample statuses: $(awk '{print $3}' "$BENCH_WORK/sample.txt" | sort | uniq -c | tr -s ' ' | tr '\n' ';')"
echo "load at end: $(bench_load)"
