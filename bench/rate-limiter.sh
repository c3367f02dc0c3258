#!/usr/bin/env bash
# What the rate limiter costs: GET /v1/interviews/{id} throughput of one node with and without it,
# side by side in one run.
#
#   bench/rate-limiter.sh [path/to/parley.jar]        (default: $PARLEY_JAR, else target/parley.jar)
#
# One server at a time on one database, each measured with two keys, alternated ROUNDS times:
#   - a key with --rate-limit 0/0: the limiter is skipped (no limiter);
#   - a key with a limit it never reaches (2147483647/2147483647): every request takes from its
#     budget and carries the X-RateLimit-* headers.
# First a single node (CLUSTER=false: budgets in memory), then a node with CLUSTER=true, a cluster
# of one member (budgets in Hazelcast, an entry processor per request).
#
# Knobs (environment): CONNECTIONS=32 THREADS=2 DURATION=15 WARMUP=10 ROUNDS=3 INTERVIEWS=300
#   BENCH_PGHOST=127.0.0.1 BENCH_PGPORT=5432 BENCH_PGUSER=postgres BENCH_JAVA_OPTS= BENCH_KEEP=0
# Needs: java, curl, jq, wrk, psql. Loopback only; about 4 minutes with the defaults.
set -euo pipefail
case "${1:-}" in -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;; esac
source "$(dirname "$0")/lib.sh"

CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-10}
ROUNDS=${ROUNDS:-3}
INTERVIEWS=${INTERVIEWS:-300}

bench_need java "Install a Java 17 runtime."
bench_need curl "apt-get install -y curl"
bench_need jq "apt-get install -y jq"
bench_need wrk "It is a Debian package: apt-get install -y wrk"
BENCH_JAR=$(bench_jar "${1:-}")
bench_init
CLK_TCK=$(getconf CLK_TCK)

echo "== rate limiter cost on GET /v1/interviews/{id}, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
bench_machine
echo "load at start: $(bench_load)"
bench_create_db parley_bench_limiter

kv() { tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k {print $2}'; }

# measure LABEL KEY: one wrk run; prints "rps=... p50_ms=... p99_ms=... non2xx=... cpu_us=..." (server CPU per request)
measure() {
  local out="$BENCH_WORK/wrk-$1.txt" t0 t1 line
  t0=$(bench_ticks "$BENCH_SERVER_PID")
  wrk -t "$THREADS" -c "$CONNECTIONS" -d "${DURATION}s" --timeout 5s -s "$(dirname "$0")/get-interview.lua" \
    "http://127.0.0.1:$BENCH_PORT" -- "$BENCH_WORK/ids.txt" "$2" >"$out" 2>&1 || { cat "$out" >&2; bench_die "wrk failed"; }
  t1=$(bench_ticks "$BENCH_SERVER_PID")
  line=$(grep '^WRK ' "$out") || { cat "$out" >&2; bench_die "no wrk summary"; }
  [ "$(kv "$line" non2xx)" = 0 ] && [ "$(kv "$line" socket_errors)" = 0 ] || bench_log "WARNING: wrk saw errors: $line"
  awk -v l="$line" -v t=$((t1 - t0)) -v hz="$CLK_TCK" 'BEGIN {
    split(l, f, " "); for (i in f) { split(f[i], kv, "="); v[kv[1]] = kv[2] }
    printf "rps=%s p50_ms=%s p99_ms=%s non2xx=%s cpu_us=%.0f\n", v["rps"], v["p50_ms"], v["p99_ms"], v["non2xx"], t / hz / v["requests"] * 1e6 }'
}

# headers_of KEY: the X-RateLimit headers one GET gets, or "none"
headers_of() {
  local h
  h=$(curl -s -D - -o /dev/null --max-time 5 "$BENCH_API/interviews/$(head -1 "$BENCH_WORK/ids.txt")" -H "Authorization: Bearer $1" \
    | tr -d '\r' | grep -i '^x-ratelimit-limit-minute' | cut -d' ' -f2)
  echo "${h:-none}"
}

declare -A RESULTS
# run_mode NAME [VAR=value ...]: starts a server, alternates the two keys ROUNDS times, stops it
run_mode() {
  local mode=$1; shift
  bench_start_server "$BENCH_JAR" "$@"
  if [ -z "${BENCH_COMPANY:-}" ]; then
    bench_company_and_key # the key without a limit (0/0)
    UNLIMITED_KEY=$BENCH_KEY
    LIMITED_KEY=$(bench_admin key create --company "$BENCH_COMPANY" --name limited --rate-limit 2147483647/2147483647 \
      --scopes read:interviews | jq -r .key)
    AT=$(date -u -d '+7 days' +%Y-%m-%dT%H:%M:%SZ)
    bench_log "creating $INTERVIEWS interviews scheduled at $AT"
    bench_create_interviews "$INTERVIEWS" 4 "$AT" >"$BENCH_WORK/ids.txt"
    [ "$(grep -c '^[0-9a-f-]\{36\}$' "$BENCH_WORK/ids.txt")" -eq "$INTERVIEWS" ] || bench_die "some creates failed"
  fi
  [ "$(headers_of "$UNLIMITED_KEY")" = none ] || bench_die "the 0/0 key got rate-limit headers"
  [ "$(headers_of "$LIMITED_KEY")" = 2147483647 ] || bench_die "the limited key got no rate-limit headers"
  bench_log "$mode: warm-up ${WARMUP} s per key, then $ROUNDS rounds of ${DURATION} s per key, alternated"
  local d=$DURATION; DURATION=$WARMUP
  measure warm-a "$UNLIMITED_KEY" >/dev/null; measure warm-b "$LIMITED_KEY" >/dev/null
  DURATION=$d
  for r in $(seq 1 "$ROUNDS"); do
    RESULTS["$mode,off,$r"]=$(measure "$mode-off-$r" "$UNLIMITED_KEY")
    RESULTS["$mode,on,$r"]=$(measure "$mode-on-$r" "$LIMITED_KEY")
    bench_log "$mode round $r: off $(kv "${RESULTS[$mode,off,$r]}" rps) req/s, on $(kv "${RESULTS[$mode,on,$r]}" rps) req/s"
  done
  bench_stop_server
}

run_mode single CLUSTER=false
HZ_PORT=$(bench_free_port)
run_mode cluster CLUSTER=true PARLEY_CLUSTER_NAME="bench-$$" PARLEY_CLUSTER_PORT="$HZ_PORT" \
  PARLEY_CLUSTER_MEMBERS="127.0.0.1:$HZ_PORT" PARLEY_CLUSTER_HOST=127.0.0.1

echo
echo "GET /v1/interviews/{id}, wrk -c$CONNECTIONS -t$THREADS, ${DURATION} s per run; server CPU in us per request"
printf '%-44s' ""
for r in $(seq 1 "$ROUNDS"); do printf '%10s' "round $r"; done
printf '%10s %8s %8s %8s %9s\n' "mean" "p50 ms" "p99 ms" "cpu us" "vs off"
for mode in single cluster; do
  for state in off on; do
    case "$mode,$state" in
      single,off) label="one node, CLUSTER=false, no limiter (0/0)" ;;
      single,on) label="one node, CLUSTER=false, in-memory limiter" ;;
      cluster,off) label="one node, CLUSTER=true, no limiter (0/0)" ;;
      cluster,on) label="one node, CLUSTER=true, Hazelcast limiter" ;;
    esac
    printf '%-44s' "$label"
    sum=0; p50=0; p99=0; cpu=0
    for r in $(seq 1 "$ROUNDS"); do
      line=${RESULTS[$mode,$state,$r]}
      printf '%10.0f' "$(kv "$line" rps)"
      sum=$(awk -v a="$sum" -v b="$(kv "$line" rps)" 'BEGIN {print a + b}')
      p50=$(awk -v a="$p50" -v b="$(kv "$line" p50_ms)" 'BEGIN {print a + b}')
      p99=$(awk -v a="$p99" -v b="$(kv "$line" p99_ms)" 'BEGIN {print a + b}')
      cpu=$(awk -v a="$cpu" -v b="$(kv "$line" cpu_us)" 'BEGIN {print a + b}')
    done
    mean=$(awk -v s="$sum" -v n="$ROUNDS" 'BEGIN {print s / n}')
    [ "$state" = off ] && base=$mean
    awk -v m="$mean" -v a="$p50" -v b="$p99" -v c="$cpu" -v n="$ROUNDS" -v base="$base" \
      'BEGIN { printf "%10.0f %8.2f %8.2f %8.0f %9.3f\n", m, a / n, b / n, c / n, m / base }'
  done
done
echo "load at end: $(bench_load)"
