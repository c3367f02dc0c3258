#!/usr/bin/env bash
# The read path against PostgreSQL itself: GET /v1/interviews/{id} through the server (wrk) versus
# the server's own query run by pgbench, on the same machine, same ids, same client count.
#
#   bench/get-interview.sh [path/to/parley.jar]        (default: $PARLEY_JAR, else target/parley.jar)
#
# Knobs (environment): CONNECTIONS=32 THREADS=2 DURATION=20 WARMUP=10 INTERVIEWS=300 COUNT_GETS=2000
#   POOL_RUN=1 (also run pgbench with as many clients as the server has pool connections, 8)
#   BENCH_PGHOST=127.0.0.1 BENCH_PGPORT=5432 BENCH_PGUSER=postgres BENCH_JAVA_OPTS= BENCH_KEEP=0
# Needs: java, curl, jq, wrk, pgbench, psql. Loopback only; runs about 2.5 minutes with the
# defaults; stops its server and drops its database on exit (also on Ctrl-C).
set -euo pipefail
case "${1:-}" in -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;; esac
source "$(dirname "$0")/lib.sh"

CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-10}
INTERVIEWS=${INTERVIEWS:-300}
COUNT_GETS=${COUNT_GETS:-2000}
POOL_RUN=${POOL_RUN:-1}
POOL_SIZE=${PARLEY_DB_POOL_SIZE:-8}
[ "$DURATION" -ge 6 ] || bench_die "DURATION must be at least 6 s"

bench_need java "Install a Java 17 runtime."
bench_need curl "apt-get install -y curl"
bench_need jq "apt-get install -y jq"
bench_need wrk "It is a Debian package: apt-get install -y wrk"
PGBENCH=$(bench_pg_tool pgbench)
BENCH_JAR=$(bench_jar "${1:-}")
bench_init

echo "== GET /v1/interviews/{id}: server vs pgbench, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
bench_machine
echo "wrk:     $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), pgbench: $("$PGBENCH" --version | awk '{print $3}')"
echo "load at start: $(bench_load)"

bench_create_db parley_bench_get
bench_start_server "$BENCH_JAR"
SERVER_PID=$BENCH_SERVER_PID
bench_company_and_key

# Interviews a week ahead, so that the dispatcher never calls them.
AT=$(date -u -d '+7 days' +%Y-%m-%dT%H:%M:%SZ)
bench_log "creating $INTERVIEWS interviews scheduled at $AT"
bench_create_interviews "$INTERVIEWS" 4 "$AT" >"$BENCH_WORK/ids.txt"
grep -v '^[0-9a-f-]\{36\}$' "$BENCH_WORK/ids.txt" | head -3 | grep . >&2 && bench_die "some creates failed"
N=$(wc -l <"$BENCH_WORK/ids.txt")
[ "$N" -eq "$INTERVIEWS" ] || bench_die "created $N of $INTERVIEWS interviews"
FIRST=$(head -1 "$BENCH_WORK/ids.txt")
GOT=$(curl -s --max-time 5 "$BENCH_API/interviews/$FIRST" -H "Authorization: Bearer $BENCH_KEY" | jq -r .data.id)
[ "$GOT" = "$FIRST" ] || bench_die "GET of $FIRST answered $GOT"

# ---------------------------------------------------------------------------------------------
# One query per GET. pg_stat_statements is usually not loaded, so count with the cumulative
# statistics: committed+rolled-back transactions of the database (each statement the server sends
# outside a transaction block is one), and scans of the interviews primary key. A backend flushes
# its counters within about 10 s of going idle, hence the pauses; the server's own background
# work (dispatcher poll every 500 ms, lease check, post-call drain) is measured over an idle
# window first and subtracted. Each psql snapshot is one transaction itself (subtracted too).
snapshot() {
  bench_psql -d "$BENCH_DB" -At -F' ' -c "
    SELECT d.xact_commit + d.xact_rollback,
           (SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = 'interviews_pkey'),
           (SELECT coalesce(sum(idx_scan), 0) FROM pg_stat_user_indexes WHERE relname = 'api_keys'),
           (SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'interviews')
      FROM pg_stat_database d WHERE d.datname = current_database()"
}
bench_log "query count: $COUNT_GETS sequential GETs between statistics snapshots (about 40 s)"
{
  while read -r id; do printf 'url = "%s/interviews/%s"\noutput = "/dev/null"\n' "$BENCH_API" "$id"; done <"$BENCH_WORK/ids.txt"
} >"$BENCH_WORK/one-round.curl"
: >"$BENCH_WORK/gets.curl"
while [ "$(grep -c '^url' "$BENCH_WORK/gets.curl")" -lt "$COUNT_GETS" ]; do cat "$BENCH_WORK/one-round.curl" >>"$BENCH_WORK/gets.curl"; done
head -n $((COUNT_GETS * 2)) "$BENCH_WORK/gets.curl" >"$BENCH_WORK/gets-n.curl"
sleep 11
read -r B_X B_PK B_KEY B_SEQ <<<"$(snapshot)"; B_T=$(date +%s.%N)
sleep 10
read -r S0_X S0_PK S0_KEY S0_SEQ <<<"$(snapshot)"; S0_T=$(date +%s.%N)
curl -s --max-time 120 -K "$BENCH_WORK/gets-n.curl" -H "Authorization: Bearer $BENCH_KEY" -w '%{http_code}\n' \
  | sort | uniq -c >"$BENCH_WORK/codes.txt"
G_T=$(date +%s.%N)
sleep 11
read -r S1_X S1_PK S1_KEY S1_SEQ <<<"$(snapshot)"; S1_T=$(date +%s.%N)
OK200=$(awk '$2 == 200 {print $1}' "$BENCH_WORK/codes.txt")
[ "${OK200:-0}" -eq "$COUNT_GETS" ] || { cat "$BENCH_WORK/codes.txt" >&2; bench_die "not all $COUNT_GETS GETs answered 200"; }
QUERY_CHECK=$(awk -v n="$COUNT_GETS" -v bx="$B_X" -v bt="$B_T" -v s0x="$S0_X" -v s0t="$S0_T" -v s1x="$S1_X" -v s1t="$S1_T" \
  -v gt="$G_T" -v bpk="$B_PK" -v s0pk="$S0_PK" -v s1pk="$S1_PK" -v s0k="$S0_KEY" -v s1k="$S1_KEY" \
  -v bseq="$B_SEQ" -v s0seq="$S0_SEQ" -v s1seq="$S1_SEQ" 'BEGIN {
    rate = (s0x - bx - 1) / (s0t - bt)               # background transactions per second
    raw = s1x - s0x - 1
    bg = rate * (s1t - s0t)
    printf "  transactions: %d in the window of %d GETs (%.1f s of GETs + %.1f s flush wait), background %.2f/s => %.3f per GET (raw %.3f)\n",
      raw, n, gt - s0t, s1t - gt, rate, (raw - bg) / n, raw / n
    printf "  interviews_pkey scans: %d => %.3f per GET (background: %d in the idle %.0f s); interviews seq scans during GETs: %d\n",
      s1pk - s0pk, (s1pk - s0pk) / n, s0pk - bpk, s0t - bt, s1seq - s0seq
    printf "  api_keys index scans during the GETs: %d (key cache: one lookup per key per PARLEY_KEY_CACHE_SECONDS, 5 s by default)\n", s1k - s0k
  }')

# ---------------------------------------------------------------------------------------------
# CPU split during a measured run: sample at 2 s and at DURATION-2 s into it (cores used by each
# party: load generator, server JVM, PostgreSQL backends, everything else on the machine).
# PG backends are those connected to the bench database at the first sample.
cpu_window() {  # cpu_window GENERATOR_PID [SKIP_SECONDS]: prints "gen server pg other steal" in cores
  bench_cpu_window "$1" "$SERVER_PID" "$DURATION" "${2:-0}"
}

run_wrk() {  # run_wrk SECONDS OUT; run in the background (it execs, so $! is wrk itself)
  exec wrk -t "$THREADS" -c "$CONNECTIONS" -d "${1}s" --timeout 5s -s "$(dirname "$0")/get-interview.lua" \
    "http://127.0.0.1:$BENCH_PORT" -- "$BENCH_WORK/ids.txt" "$BENCH_KEY" >"$2" 2>&1
}

bench_log "wrk warm-up ${WARMUP} s, then ${DURATION} s measured ($CONNECTIONS connections, $THREADS threads)"
run_wrk "$WARMUP" "$BENCH_WORK/wrk-warmup.txt" &
bench_bg $!
wait $! || { cat "$BENCH_WORK/wrk-warmup.txt" >&2; bench_die "wrk failed"; }
LOAD_API=$(bench_load)
run_wrk "$DURATION" "$BENCH_WORK/wrk.txt" &
WRK_PID=$!
bench_bg "$WRK_PID"
CPU_API=$(cpu_window "$WRK_PID")
wait "$WRK_PID" || { cat "$BENCH_WORK/wrk.txt" >&2; bench_die "wrk failed"; }
WRK_LINE=$(grep '^WRK ' "$BENCH_WORK/wrk.txt") || { cat "$BENCH_WORK/wrk.txt" >&2; bench_die "no wrk summary"; }
[ "$(kv "$WRK_LINE" non2xx)" = 0 ] && [ "$(kv "$WRK_LINE" socket_errors)" = 0 ] \
  || bench_log "WARNING: wrk saw errors: $WRK_LINE"

# ---------------------------------------------------------------------------------------------
# pgbench runs the server's statement text for text:
#   SELECT company_id, doc FROM interviews WHERE id = :iid;
# which -M prepared sends as one named statement with one parameter, $1, as Vert.x does (it
# prepares the statement once per pooled connection and executes it with the id bound).
# pgbench's \set makes only numbers, so the uuid comes into :iid with \gset from a table of the
# same ids, bench_ids(n, id): first from -D iid=<an id>, then each client draws a new random id of
# the set in about one transaction in RELOAD (default 1000), i.e. an extra primary-key lookup on
# a small table in 0.1% of the transactions. Rejected alternatives (measured on this machine):
#   - "WHERE i.id = (SELECT id FROM bench_ids WHERE n = :n)" on every transaction: a different
#     statement with an extra index scan, 5-10% fewer transactions/s than the server's statement;
#   - one -D variable per id and an \if tree on random(1, N) with one leaf per id: N prepared
#     statements per connection, 25-40% fewer transactions/s (mostly in PostgreSQL), plus ~15 us
#     of pgbench CPU per transaction for the tree.
# One pgbench process runs WARMUP + DURATION seconds; only transactions that end in the last
# DURATION seconds are counted (from its per-transaction log), so connections, prepares and the
# first custom plans fall in the warm-up. Over TCP to 127.0.0.1 as the server connects.
RELOAD=${RELOAD:-1000}
{
  echo "CREATE TABLE bench_ids (n int PRIMARY KEY, id uuid NOT NULL);"
  awk '{printf "INSERT INTO bench_ids VALUES (%d, '"'"'%s'"'"');\n", NR, $1}' "$BENCH_WORK/ids.txt"
} | bench_psql -d "$BENCH_DB"
bench_psql -d "$BENCH_DB" -c "VACUUM ANALYZE bench_ids"
cat >"$BENCH_WORK/get-interview.pgbench" <<PGB
\\set r random(1, $RELOAD)
\\if :r = 1
  \\set n random(1, $N)
  SELECT id AS iid FROM bench_ids WHERE n = :n \\gset
\\endif
SELECT company_id, doc FROM interviews WHERE id = :iid;
PGB
PGB_VARS=(-D "iid=$FIRST")

measured_pgbench() {  # measured_pgbench CLIENTS NAME: prints "tps=... <percentiles> cpu=..." (lib.sh)
  bench_pgbench_measured "$1" "$THREADS" "$WARMUP" "$DURATION" "$2" "$SERVER_PID" \
    -f "$BENCH_WORK/get-interview.pgbench" "${PGB_VARS[@]}"
}

bench_log "pgbench $((WARMUP + DURATION)) s, the last ${DURATION} s measured ($CONNECTIONS clients, -j $THREADS, -M prepared)"
LOAD_PGB=$(bench_load)
PGB_LINE=$(measured_pgbench "$CONNECTIONS" pgbench)
if [ "$POOL_RUN" = 1 ]; then
  bench_log "pgbench $((WARMUP + DURATION)) s with $POOL_SIZE clients (the server's pool size)"
  PGB_POOL_LINE=$(measured_pgbench "$POOL_SIZE" pgbench-pool)
fi
LOAD_END=$(bench_load)

# ---------------------------------------------------------------------------------------------
row() {  # row LABEL RATE KV-LINE CPU(gen,server,pg,other,steal)
  local cpu=$4 rate=$2
  IFS=, read -r g s p o st <<<"$cpu"
  printf '%-30s %9.0f %7s %7s %7s %7s %7s %7s   %4s %6s %4s %5s %5s\n' "$1" "$rate" "$(kv "$3" mean_ms)" "$(kv "$3" p50_ms)" \
    "$(kv "$3" p90_ms)" "$(kv "$3" p99_ms)" "$(kv "$3" p999_ms)" "$(kv "$3" max_ms)" "$g" "$s" "$p" "$o" "$st"
}
API_RPS=$(kv "$WRK_LINE" rps)
PGB_TPS=$(kv "$PGB_LINE" tps)
echo
echo "Measured ${DURATION} s each after ${WARMUP} s warm-up; $N interviews; latencies in ms; CPU in cores used (of $(nproc)):"
echo "load generator, server JVM, PostgreSQL backends of the bench database, rest of the machine, stolen by the hypervisor"
printf '%-30s %9s %7s %7s %7s %7s %7s %7s   %4s %6s %4s %5s %5s\n' "" "req/s" mean p50 p90 p99 p99.9 max "load" server pg other steal
row "API GET  (wrk -c$CONNECTIONS -t$THREADS)" "$API_RPS" "$WRK_LINE" "${CPU_API// /,}"
row "pgbench  (-c$CONNECTIONS -j$THREADS -M prepared)" "$PGB_TPS" "$PGB_LINE" "$(kv "$PGB_LINE" cpu)"
if [ "$POOL_RUN" = 1 ]; then
  row "pgbench  (-c$POOL_SIZE -j$THREADS, = pool size)" "$(kv "$PGB_POOL_LINE" tps)" "$PGB_POOL_LINE" "$(kv "$PGB_POOL_LINE" cpu)"
fi
awk -v a="$API_RPS" -v p="$PGB_TPS" 'BEGIN { printf "ratio API/pgbench (same client count): %.3f  (design goal >= 0.85)\n", a / p }'
if [ "$POOL_RUN" = 1 ]; then
  awk -v a="$API_RPS" -v p="$(kv "$PGB_POOL_LINE" tps)" 'BEGIN { printf "ratio API/pgbench (pool-size clients):  %.3f\n", a / p }'
fi
IFS=' ' read -r _ CPU_S CPU_P _ _ <<<"$CPU_API"
awk -v s="$CPU_S" -v p="$CPU_P" -v r="$API_RPS" 'BEGIN { printf "CPU per API GET: server %.0f us, PostgreSQL %.0f us\n", s / r * 1e6, p / r * 1e6 }'
IFS=, read -r _ _ CPU_PP _ _ <<<"$(kv "$PGB_LINE" cpu)"
awk -v p="$CPU_PP" -v r="$PGB_TPS" 'BEGIN { printf "CPU per pgbench transaction: PostgreSQL %.0f us\n", p / r * 1e6 }'
echo "wrk: $(kv "$WRK_LINE" requests) requests, non-2xx $(kv "$WRK_LINE" non2xx), socket errors $(kv "$WRK_LINE" socket_errors);" \
  "pgbench: $(kv "$PGB_LINE" counted) transactions in the last $(kv "$PGB_LINE" seconds) s"
echo "one query per GET ($COUNT_GETS GETs, statistics deltas):"
echo "$QUERY_CHECK"
echo "load during API run: $LOAD_API"
echo "load during pgbench: $LOAD_PGB"
echo "load at end:         $LOAD_END"
