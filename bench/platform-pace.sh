#!/usr/bin/env bash
# Dials through Vapi and Retell: how fast Parley sends creates to each platform at its configured
# pace, and that none is placed twice. Each platform is played by its fake of the test suite
# (src/test/java/dev/parley/fakes, run by dev.parley.fakes.FakeMain), which takes the platform's
# requests as the platform would (Retell's fake refuses a create that comes less than a second
# after the one before, as Retell does by default).
#
#   bench/platform-pace.sh [JAR]          (default: $PARLEY_JAR, else target/parley.jar)
#
# For each platform, on a fresh database: a company with enough slots, COUNT interviews due at
# once, then until every one was created at the platform: creates per second from the first to
# the last (their arrival at the fake), the creates the fake refused, the callIds created more
# than once (must be 0) and the requests the platform's schema refused (must be 0).
#
# Knobs (environment): VAPI_COUNT=100 RETELL_COUNT=20 (interviews per platform)
#   VAPI_PACE= RETELL_PACE= (PARLEY_PROVIDER_CALLS_PER_SECOND; empty: Parley's default, 10 and 1)
#   PLATFORMS="vapi retell" BENCH_PGHOST=127.0.0.1 BENCH_PGPORT=5432 BENCH_PGUSER=postgres
# Needs: java, curl, jq, psql, and the test classes (mvn -B test-compile). Loopback only.
set -euo pipefail
case "${1:-}" in -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;; esac
source "$(dirname "$0")/lib.sh"

bench_need java "Install a Java 17 runtime."
bench_need curl "apt-get install -y curl"
bench_need jq "apt-get install -y jq"
BENCH_JAR=$(bench_jar "${1:-}")
TEST_CLASSES="$BENCH_REPO/target/test-classes"
[ -f "$TEST_CLASSES/dev/parley/fakes/FakeMain.class" ] || bench_die "no fakes in $TEST_CLASSES: run 'mvn -B test-compile' first"
read -r -a PLATFORMS <<<"${PLATFORMS:-vapi retell}"
bench_init

echo "== dials through the platforms' fakes, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
bench_machine
echo "jar: $BENCH_JAR ($(git -C "$BENCH_REPO" rev-parse --short HEAD 2>/dev/null || echo unknown))"

for platform in "${PLATFORMS[@]}"; do
  case "$platform" in
    vapi) count=${VAPI_COUNT:-100}; pace=${VAPI_PACE:-} ;;
    retell) count=${RETELL_COUNT:-20}; pace=${RETELL_PACE:-} ;;
    *) bench_die "unknown platform $platform" ;;
  esac
  # the fake: its first line is {"url", "apiKey"}; "report" on its input gets one JSON line
  mkfifo "$BENCH_WORK/$platform.in"
  java -cp "$TEST_CLASSES:$BENCH_JAR" dev.parley.fakes.FakeMain "$platform" <"$BENCH_WORK/$platform.in" >"$BENCH_WORK/$platform.out" 2>"$BENCH_WORK/$platform.err" &
  bench_bg $!
  exec 7>"$BENCH_WORK/$platform.in"
  for _ in $(seq 1 100); do [ -s "$BENCH_WORK/$platform.out" ] && break; sleep 0.2; done
  url=$(head -1 "$BENCH_WORK/$platform.out" | jq -r .url)
  key=$(head -1 "$BENCH_WORK/$platform.out" | jq -r .apiKey)
  [ -n "$url" ] && [ "$url" != null ] || { cat "$BENCH_WORK/$platform.err" >&2; bench_die "the $platform fake did not start"; }
  report() {
    local lines
    lines=$(wc -l <"$BENCH_WORK/$platform.out")
    echo report >&7
    for _ in $(seq 1 50); do [ "$(wc -l <"$BENCH_WORK/$platform.out")" -gt "$lines" ] && break; sleep 0.1; done
    tail -1 "$BENCH_WORK/$platform.out"
  }

  bench_create_db "bench_pace_$platform"
  settings=(PARLEY_PROVIDER="$platform" PARLEY_OUTBOUND_ALLOW="${url#http://}" PARLEY_DEFAULT_RATE_LIMIT=0/0)
  if [ "$platform" = vapi ]; then settings+=(PARLEY_VAPI_API_KEY="$key" PARLEY_VAPI_BASE_URL="$url")
  else settings+=(PARLEY_RETELL_API_KEY="$key" PARLEY_RETELL_BASE_URL="$url" PARLEY_RETELL_AGENT_ID=agent_bench); fi
  [ -n "$pace" ] && settings+=(PARLEY_PROVIDER_CALLS_PER_SECOND="$pace")
  # the platform posts the call's events back to this server: its port is chosen first
  BENCH_SERVER_PORT=$(bench_free_port)
  settings+=(PARLEY_PUBLIC_URL="http://127.0.0.1:$BENCH_SERVER_PORT")
  bench_start_server "$BENCH_JAR" "${settings[@]}"
  unset BENCH_SERVER_PORT

  bench_company_and_key --call-window 00:00-24:00 --max-concurrent-calls 10000
  bench_admin phone-number create --company "$BENCH_COMPANY" --number +421233456789 --provider-ref bench-number --default >/dev/null
  bench_log "$platform: $count interviews due now"
  bench_create_interviews "$count" 8 | grep -v '^[0-9a-f-]\{36\}$' && bench_die "some creates failed" || true
  deadline=$((SECONDS + count * 3 + 60))
  while :; do
    r=$(report); echo "$r" > "$BENCH_WORK/last-report.json"
    [ "$(jq '.creates | length' <<<"$r")" -ge "$count" ] && break
    [ $SECONDS -lt $deadline ] || { bench_log "not every interview was created in time"; break; }
    sleep 1
  done
  jq -r --arg p "$platform" --arg pace "${pace:-default}" '
    (.creates | map(.atMs) | sort) as $t
    | (.creates | length) as $n
    | (if $n > 1 then (($n - 1) * 1000 / ($t[-1] - $t[0])) else 0 end) as $rate
    | (.creates | group_by(.callId) | map(select(length > 1)) | length) as $twice
    | "\($p): pace \($pace), \($n) creates in \((($t[-1] - $t[0]) / 1000 * 100 | round) / 100) s: \(($rate * 100 | round) / 100) creates/s; refused by the platform \(.refused), callIds created twice \($twice), schema violations \(.violations)"' <<<"$r"
  bench_stop_server
  bench_psql -d postgres -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" >/dev/null
  BENCH_DB=""
  exec 7>&-
done
