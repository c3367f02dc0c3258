#!/usr/bin/env bash
# The typed client's overhead (parley-client) against a raw event-bus request: one clustered node,
# one client joined as a member, GET of one interview over the bus, alternating rounds of raw
# requests and ParleyClient calls in one run (bench/bus-client/ClientOverhead.java).
#
#   bench/bus-client.sh [path/to/parley.jar]        (default: $PARLEY_JAR, else target/parley.jar)
#
# Knobs (environment): CONCURRENCY=32 ROUNDS=4 ROUND_SECONDS=15
#   BENCH_PGHOST=127.0.0.1 BENCH_PGPORT=5432 BENCH_PGUSER=postgres BENCH_JAVA_OPTS= BENCH_KEEP=0
# Needs: java, curl, jq, psql. Loopback only; about 2.5 minutes with the defaults; stops its server
# and drops its database on exit (also on Ctrl-C).
set -euo pipefail
case "${1:-}" in -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;; esac
source "$(dirname "$0")/lib.sh"

bench_need java "Install a Java 17 runtime."
bench_need curl "apt-get install -y curl"
bench_need jq "apt-get install -y jq"
BENCH_JAR=$(bench_jar "${1:-}")
bench_init

echo "== parley-client vs a raw event-bus request, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
bench_machine
echo "load at start: $(bench_load)"

bench_create_db parley_bench_client
NODE_PORT=$(bench_free_port)
CLIENT_PORT=$(bench_free_port)
CLUSTER_NAME="bench-client-$$"
MEMBERS="127.0.0.1:$NODE_PORT,127.0.0.1:$CLIENT_PORT"
BENCH_JAVA_OPTS="${BENCH_JAVA_OPTS:-} -Dhazelcast.wait.seconds.before.join=0" \
  bench_start_server "$BENCH_JAR" CLUSTER=true PARLEY_CLUSTER_NAME="$CLUSTER_NAME" PARLEY_CLUSTER_HOST=127.0.0.1 \
  PARLEY_CLUSTER_PORT="$NODE_PORT" PARLEY_CLUSTER_MEMBERS="$MEMBERS"
bench_company_and_key --call-window 00:00-24:00
INTERVIEW_ID=$(curl -sf -X POST "$BENCH_API/interviews" -H "Authorization: Bearer $BENCH_KEY" -H 'Content-Type: application/json' \
  -d '{"candidate":{"firstName":"Ada","lastName":"Lovelace","phoneNumber":"+421915123456"},"agent":{"name":"Bench"},
       "scheduledAt":"'"$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)"'"}' | jq -r .data.id)
[ -n "$INTERVIEW_ID" ] && [ "$INTERVIEW_ID" != null ] || bench_die "no interview made"
bench_log "interview $INTERVIEW_ID; client joins on $CLIENT_PORT"

env PARLEY_TOKEN="$BENCH_KEY" INTERVIEW_ID="$INTERVIEW_ID" PARLEY_CLUSTER_NAME="$CLUSTER_NAME" PARLEY_CLUSTER_MEMBERS="$MEMBERS" \
  CLIENT_PORT="$CLIENT_PORT" CONCURRENCY="${CONCURRENCY:-32}" ROUNDS="${ROUNDS:-4}" ROUND_SECONDS="${ROUND_SECONDS:-15}" \
  java -cp "$BENCH_JAR" "$(dirname "$0")/bus-client/ClientOverhead.java"
echo "load at end: $(bench_load)"
