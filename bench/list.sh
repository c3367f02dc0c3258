#!/usr/bin/env bash
# Lists that stay flat: GET /v1/interviews?limit=100 for one company at growing sizes.
#
#   bench/list.sh [SIZE ...] [path/to/parley.jar]      (default sizes: 10k 1M 10M; jar: $PARLEY_JAR,
#                                                       else target/parley.jar)
#   bench/list.sh 10k 1M                               (a size is a number with an optional k or M)
#
# One company grows to each size in turn, in SQL (generate_series straight into interviews and
# call_attempts, about 1.33 attempts per interview as real ones have), and at each size wrk measures
# a probe (one GET by id, the same work at every size), page 1, two status filters (a common and a
# rare status), a cursor page in the middle of the list, a status filter from a cursor, and page 50
# (OFFSET 4,900). It prints each case's latencies and
# the ratio of the largest size to the smallest.
#
# Knobs (environment): CONNECTIONS=1 THREADS=1 DURATION=10 WARMUP=3 LIMIT=100
#   JIT_WARMUP=10 (seconds of each case, unmeasured, before the first size is measured: the
#   server's JIT is then as warm for the first size as for the last)
#   BULK_MIN=200000 (a growth step of at least this many rows drops the secondary indexes of
#   interviews and call_attempts and builds them again afterwards, which is much faster)
#   AFTER_WRITES=0 (1: lists right after the writes, with autovacuum off: each interview leaves its
#   own counter delta, as a create through the API does, the running server folds them, nothing
#   vacuums the tables (autovacuum_enabled = false on each; they are only analysed), and each size
#   is measured once the server's fold has taken every delta and two of its beats have passed.
#   0: the counters get one delta per status, and the tables are vacuumed as autovacuum would in
#   steady state)
#   BENCH_PGHOST=127.0.0.1 BENCH_PGPORT=5432 BENCH_PGUSER=postgres (a superuser: the load sets
#   session_replication_role) BENCH_JAVA_OPTS= BENCH_KEEP=0 BENCH_KEEP_DB=0
# Needs: java, curl, jq, wrk, psql. Disk: about 11 GB at 10M. Time on a 2-core machine: about 6
# minutes for 10k and 1M (2-3.5 of them growing to 1M, every document rendered), 23-27 for
# 10k 1M 10M (15 of them growing from 1M to 10M). Stops its server and drops its database on exit (BENCH_KEEP_DB=1 keeps it).
set -euo pipefail
case "${1:-}" in -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;; esac
source "$(dirname "$0")/lib.sh"

CONNECTIONS=${CONNECTIONS:-1}
THREADS=${THREADS:-1}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
JIT_WARMUP=${JIT_WARMUP:-10}
LIMIT=${LIMIT:-100}
BULK_MIN=${BULK_MIN:-200000}
AFTER_WRITES=${AFTER_WRITES:-0}

SIZES=()
JAR_ARG=""
for a in "$@"; do
  case "$a" in
    *.jar) JAR_ARG=$a ;;
    [0-9]*[kK]) SIZES+=($(( ${a%[kK]} * 1000 ))) ;;
    [0-9]*[mM]) SIZES+=($(( ${a%[mM]} * 1000000 ))) ;;
    [0-9]*) SIZES+=("$a") ;;
    *) bench_die "not a size nor a jar: $a" ;;
  esac
done
[ ${#SIZES[@]} -gt 0 ] || SIZES=(10000 1000000 10000000)
mapfile -t SIZES < <(printf '%s\n' "${SIZES[@]}" | sort -n | uniq)

bench_need java "Install a Java 17 runtime."
bench_need curl "apt-get install -y curl"
bench_need jq "apt-get install -y jq"
bench_need wrk "It is a Debian package: apt-get install -y wrk"
BENCH_JAR=$(bench_jar "$JAR_ARG")
bench_init

human() { awk -v n="$1" 'BEGIN { if (n >= 1e6 && n % 1e6 == 0) printf "%dM", n / 1e6; else if (n >= 1e3 && n % 1e3 == 0) printf "%dk", n / 1e3; else print n }'; }

echo "== GET /v1/interviews?limit=$LIMIT at $(for s in "${SIZES[@]}"; do printf '%s ' "$(human "$s")"; done)interviews in one company, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
bench_machine
echo "wrk:     $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), -c$CONNECTIONS -t$THREADS, ${WARMUP} s warm-up + ${DURATION} s per case"
echo "load at start: $(bench_load)"

bench_create_db parley_bench_list
bench_start_server "$BENCH_JAR"
if [ "$AFTER_WRITES" = 1 ]; then
  bench_psql -d "$BENCH_DB" -At -c "SELECT format('ALTER TABLE %I SET (autovacuum_enabled = false);', relname)
    FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace" | bench_psql -d "$BENCH_DB" >/dev/null
fi
bench_company_and_key
COMPANY=$BENCH_COMPANY

# Helpers in the bench database: deterministic ids and statuses by row number (spread, so that
# every page has the same mix), 1,000 candidates and 10 agents of the company. Statuses: 5% SCHEDULED (attempt 20 days ahead, so never dialled),
# 8% FAILED (three failed attempts), 1% CANCELLED (the rare one: 100 at 10k, a full page), the rest COMPLETED (one in
# five after a first unanswered attempt), with a short transcript and an analysis.
bench_psql -d "$BENCH_DB" -v company="$COMPANY" <<'SQL'
CREATE FUNCTION bench_iid(g bigint) RETURNS uuid LANGUAGE sql IMMUTABLE
  RETURN ('00000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid;
CREATE FUNCTION bench_aid(g bigint, k int) RETURNS uuid LANGUAGE sql IMMUTABLE
  RETURN ('00000000-0000-4000-9' || k || '00-' || lpad(to_hex(g), 12, '0'))::uuid;
CREATE FUNCTION bench_status(g bigint) RETURNS text LANGUAGE sql IMMUTABLE
  RETURN CASE WHEN g * 617 % 1000 < 50 THEN 'SCHEDULED' WHEN g * 617 % 1000 < 130 THEN 'FAILED'
              WHEN g * 617 % 1000 < 140 THEN 'CANCELLED' ELSE 'COMPLETED' END;
CREATE FUNCTION bench_created(g bigint) RETURNS timestamptz LANGUAGE sql IMMUTABLE
  RETURN timestamptz '2025-01-01 00:00:00+00' + g * interval '1 second';
CREATE TABLE bench_candidates (n int PRIMARY KEY, id uuid NOT NULL);
CREATE TABLE bench_agents (n int PRIMARY KEY, id uuid NOT NULL);
WITH c AS (
  INSERT INTO candidates (id, company_id, first_name, last_name, email, phone_number)
  SELECT gen_random_uuid(), :'company', 'Bench', 'Candidate ' || g, 'c' || g || '@example.com', '+4219151' || lpad(g::text, 5, '0')
    FROM generate_series(0, 999) g RETURNING id, last_name)
INSERT INTO bench_candidates SELECT substr(last_name, 11)::int, id FROM c;
WITH a AS (
  INSERT INTO agents (id, company_id, name, questions)
  SELECT gen_random_uuid(), :'company', 'Agent ' || g, '["Why this role?", "Tell me about a project you led."]'
    FROM generate_series(0, 9) g RETURNING id, name)
INSERT INTO bench_agents SELECT substr(name, 7)::int, id FROM a;
SQL

# grow FROM TO: rows FROM+1..TO of the company, in one transaction, with triggers and foreign-key
# checks off (session_replication_role): the counters get the batch's counts as delta rows, as the
# trigger would have written them one by one. A bulk step drops the full secondary indexes and
# keeps the partial ones (the dispatcher's queue index is small, and without it every poll of the
# running server would scan the whole table). The indexes of call_attempts stay: each document's
# render looks up its interview's attempts.
grow() {
  local from=$1 to=$2 bulk=0 t0=$SECONDS
  [ $((to - from)) -ge "$BULK_MIN" ] && bulk=1
  if [ "$bulk" = 1 ]; then
    bench_psql -d "$BENCH_DB" -At -c "
      SELECT pg_get_indexdef(x.indexrelid) || ';' FROM pg_index x
       WHERE x.indrelid = 'interviews'::regclass AND NOT x.indisprimary AND NOT x.indisunique
         AND x.indpred IS NULL" \
      >"$BENCH_WORK/indexes.sql"
    bench_psql -d "$BENCH_DB" -At -c "
      SELECT 'DROP INDEX ' || x.indexrelid::regclass || ';' FROM pg_index x
       WHERE x.indrelid = 'interviews'::regclass AND NOT x.indisprimary AND NOT x.indisunique
         AND x.indpred IS NULL" \
      | bench_psql -d "$BENCH_DB"
  fi
  bench_psql -d "$BENCH_DB" -v company="$COMPANY" -v from="$from" -v to="$to" -v after_writes="$AFTER_WRITES" <<'SQL'
BEGIN;
SET LOCAL session_replication_role = replica;
SET LOCAL synchronous_commit = off;
SET LOCAL work_mem = '256MB';
INSERT INTO call_attempts (id, interview_id, company_id, status, reason_code, retry_number, scheduled_at, called_at,
                           ended_at, duration, recording_url, created_at, updated_at)
SELECT bench_aid(g, k), bench_iid(g), :'company', s.st, s.reason, k, s.at, s.called, s.called + interval '3 minutes',
       CASE WHEN s.st = 'COMPLETED' THEN 540 END,
       CASE WHEN s.st = 'COMPLETED' THEN 'http://localhost:8080/v1/interviews/' || bench_iid(g) || '/recording' END,
       bench_created(g), bench_created(g) + interval '2 hours'
  FROM generate_series(:from::bigint + 1, :to::bigint) g
  CROSS JOIN LATERAL generate_series(0, CASE bench_status(g) WHEN 'FAILED' THEN 2 WHEN 'COMPLETED' THEN (g % 5 = 0)::int ELSE 0 END) k
  CROSS JOIN LATERAL (SELECT
      CASE WHEN bench_status(g) = 'SCHEDULED' THEN 'SCHEDULED'
           WHEN bench_status(g) = 'COMPLETED' AND (k = 1 OR g % 5 <> 0) THEN 'COMPLETED' ELSE 'FAILED' END AS st,
      CASE WHEN bench_status(g) IN ('SCHEDULED') THEN NULL
           WHEN bench_status(g) = 'COMPLETED' AND (k = 1 OR g % 5 <> 0) THEN NULL ELSE 'NO_ANSWER' END AS reason,
      CASE WHEN bench_status(g) = 'SCHEDULED' THEN now() + interval '20 days'
           ELSE bench_created(g) + interval '1 hour' + k * interval '15 minutes' END AS at,
      CASE WHEN bench_status(g) = 'SCHEDULED' THEN NULL
           ELSE bench_created(g) + interval '1 hour' + k * interval '15 minutes' END AS called) s;
-- The interviews after their attempts, so that each one's document (V10), rendered here by
-- interview_json since the triggers are off, holds them. The row is built by name first
-- (jsonb_populate_record), the form interview_json takes; MATERIALIZED renders it once per row.
WITH src AS MATERIALIZED (
  SELECT jsonb_populate_record(NULL::interviews, jsonb_build_object(
           'id', bench_iid(g), 'company_id', :'company', 'candidate_id', c.id, 'agent_id', a.id,
           'status', bench_status(g),
           'scheduled_at', CASE WHEN bench_status(g) = 'SCHEDULED' THEN now() + interval '20 days'
                                ELSE bench_created(g) + interval '1 hour' END,
           'duration_minutes', 15,
           'finished_at', CASE WHEN bench_status(g) IN ('COMPLETED', 'FAILED') THEN bench_created(g) + interval '2 hours' END,
           'metadata', '{"source": "bench", "externalInterviewId": "EXT-42"}'::jsonb, 'is_test', false,
           'transcript', CASE WHEN bench_status(g) = 'COMPLETED' THEN
             '[{"role": "agent", "text": "Why this role?", "startMs": 0},
               {"role": "candidate", "text": "I like building things that last, with people who care.", "startMs": 2100},
               {"role": "agent", "text": "Tell me about a project you led.", "startMs": 9800},
               {"role": "candidate", "text": "A billing migration for forty thousand accounts, on time.", "startMs": 12400}]'::jsonb END,
           'analysis', CASE WHEN bench_status(g) = 'COMPLETED' THEN
             '{"general": {"overallRating": 74, "companyFitRating": "MEDIUM", "strongPoints": ["clear answers"],
               "weakPoints": ["few details"], "evaluation": "Answered every question briefly and clearly."}}'::jsonb END,
           'call_zone', 'Europe/Bratislava', 'created_at', bench_created(g),
           'updated_at', bench_created(g) + interval '2 hours')) AS i
    FROM generate_series(:from::bigint + 1, :to::bigint) g
    JOIN bench_candidates c ON c.n = g % 1000
    JOIN bench_agents a ON a.n = g % 10),
ins AS (
  INSERT INTO interviews (id, company_id, candidate_id, agent_id, status, scheduled_at, duration_minutes, finished_at,
                          metadata, is_test, transcript, analysis, call_zone, created_at, updated_at, doc)
  SELECT (i).id, (i).company_id, (i).candidate_id, (i).agent_id, (i).status, (i).scheduled_at, (i).duration_minutes,
         (i).finished_at, (i).metadata, (i).is_test, (i).transcript, (i).analysis, (i).call_zone, (i).created_at,
         (i).updated_at, interview_json(i)::text
    FROM src
  RETURNING status)
INSERT INTO interview_count_deltas (company_id, status, n)
SELECT :'company'::uuid, status, count(*) FROM ins WHERE :after_writes = 0 GROUP BY status
UNION ALL SELECT :'company'::uuid, status, 1 FROM ins WHERE :after_writes = 1;
COMMIT;
SQL
  bench_log "  rows $((from + 1))..$to inserted ($((SECONDS - t0)) s)"
  # the documents rendered in SQL are the ones the triggers would have stored (a sample of 100)
  local stale
  stale=$(bench_psql -d "$BENCH_DB" -At -c "SELECT count(*) FROM interviews i
    WHERE id IN (SELECT bench_iid(g) FROM generate_series($from + 1, $to, greatest(($to - $from) / 100, 1)) g)
      AND doc IS DISTINCT FROM interview_json(i)::text")
  [ "$stale" = 0 ] || bench_die "$stale sampled documents differ from a fresh render"
  if [ "$bulk" = 1 ]; then
    { echo "SET maintenance_work_mem = '1GB'; SET max_parallel_maintenance_workers = 2;"; cat "$BENCH_WORK/indexes.sql"; } \
      | bench_psql -d "$BENCH_DB"
    bench_log "  indexes built again ($((SECONDS - t0)) s)"
  fi
  # What autovacuum does to a table in steady state: statistics, and the visibility map that lets
  # an index-only scan skip the heap.
  if [ "$AFTER_WRITES" = 1 ]; then
    # Statistics only; the deltas go the way the server takes them.
    bench_psql -d "$BENCH_DB" -c "ANALYZE interviews, call_attempts, candidates, agents"
    local deadline=$((SECONDS + 300))
    until [ "$(bench_psql -d "$BENCH_DB" -At -c "SELECT count(*) FROM interview_count_deltas")" = 0 ]; do
      [ $SECONDS -lt $deadline ] || bench_die "the server did not fold the counter deltas within 300 s"
      sleep 1
    done
    sleep 5 # two beats of the fold (2 s each): what the server does after a fold has been done
    bench_log "  the server folded the deltas ($((SECONDS - t0)) s); deltas table: $(bench_psql -d "$BENCH_DB" -At -c \
      "SELECT pg_size_pretty(pg_total_relation_size('interview_count_deltas')) || ', vacuumed ' || coalesce(vacuum_count, 0) || ' times'
         FROM pg_stat_user_tables WHERE relname = 'interview_count_deltas'")"
  else
    bench_psql -d "$BENCH_DB" -c "VACUUM (ANALYZE) interviews, call_attempts, interview_count_deltas, candidates, agents"
  fi
  # and the load's dirty pages written now, not by a checkpoint in the middle of the measurements
  bench_psql -d "$BENCH_DB" -c "CHECKPOINT"
  bench_log "  ready and checkpointed ($((SECONDS - t0)) s)"
}

# A cursor as the server writes it (Cursor.java): base64url of "<created_at in UTC>|<id>", here of
# the item at the middle of the list (optionally of one status).
cursor_at() {  # cursor_at OFFSET [STATUS]
  local where="company_id = '$COMPANY'"
  [ -n "${2:-}" ] && where="$where AND status = '$2'"
  bench_psql -d "$BENCH_DB" -At -c "
    SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US') || '|' || id FROM interviews
     WHERE $where ORDER BY created_at DESC, id DESC OFFSET $1 LIMIT 1" | tr -d '\n' | base64 -w0 | tr '+/' '-_' | tr -d '='
}

load() {  # load PATH SECONDS: wrk on one path, its figures thrown away
  wrk -t "$THREADS" -c "$CONNECTIONS" -d "${2}s" --timeout 10s -s "$(dirname "$0")/list.lua" \
    "http://127.0.0.1:$BENCH_PORT" -- "$1" "$BENCH_KEY" >"$BENCH_WORK/wrk-warmup.txt" 2>&1 \
    || { cat "$BENCH_WORK/wrk-warmup.txt" >&2; bench_die "wrk failed"; }
}

measure() {  # measure NAME PATH: one line of figures into $BENCH_WORK/results
  local name=$1 path=$2 body
  body=$(curl -s --max-time 60 "http://127.0.0.1:$BENCH_PORT$path" -H "Authorization: Bearer $BENCH_KEY")
  jq -e '.success' >/dev/null <<<"$body" || bench_die "$path answered $(head -c 300 <<<"$body")"
  local items total
  items=$(jq '.data.items | length' <<<"$body")
  total=$(jq '.data.pagination.total' <<<"$body")
  load "$path" "$WARMUP"
  wrk -t "$THREADS" -c "$CONNECTIONS" -d "${DURATION}s" --timeout 10s -s "$(dirname "$0")/list.lua" \
    "http://127.0.0.1:$BENCH_PORT" -- "$path" "$BENCH_KEY" >"$BENCH_WORK/wrk.txt" 2>&1 \
    || { cat "$BENCH_WORK/wrk.txt" >&2; bench_die "wrk failed"; }
  local line
  line=$(grep '^WRK ' "$BENCH_WORK/wrk.txt") || { cat "$BENCH_WORK/wrk.txt" >&2; bench_die "no wrk summary"; }
  grep -q 'non2xx=0 socket_errors=0' <<<"$line" || bench_log "WARNING: wrk saw errors: $line"
  echo "$SIZE $name items=$items total=$total $line" >>"$BENCH_WORK/results"
}

kv() { tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k {print $2}'; }

: >"$BENCH_WORK/results"
HAVE=0
for SIZE in "${SIZES[@]}"; do
  bench_log "growing the company to $(human "$SIZE") interviews"
  grow "$HAVE" "$SIZE"
  HAVE=$SIZE
  N=$(bench_psql -d "$BENCH_DB" -At -c "SELECT count(*) FROM interviews WHERE company_id = '$COMPANY'")
  [ "$N" -eq "$SIZE" ] || bench_die "the company has $N interviews, not $SIZE"
  SCHEDULED=$(bench_psql -d "$BENCH_DB" -At -c "SELECT count(*) FROM interviews WHERE company_id = '$COMPANY' AND status = 'SCHEDULED'")
  MID=$(cursor_at $((SIZE / 2)))
  MID_SCHEDULED=$(cursor_at $((SCHEDULED / 2)) SCHEDULED)
  Q="/v1/interviews?limit=$LIMIT"
  # probe: a GET of the company's first interview, one primary-key lookup at every size, so that its
  # ratio between sizes is the machine's own drift (this VM slows down minutes into a heavy run:
  # README.md, write-costs.sh), to read beside the lists' ratios
  PROBE=$(bench_psql -d "$BENCH_DB" -At -c "SELECT id FROM interviews WHERE company_id = '$COMPANY' ORDER BY created_at, id LIMIT 1")
  CASES=(probe "/v1/interviews/$PROBE" page1 "$Q" status "$Q&status=SCHEDULED" rare "$Q&status=CANCELLED" cursor "$Q&cursor=$MID"
         status+cursor "$Q&status=SCHEDULED&cursor=$MID_SCHEDULED" page50 "$Q&page=50")
  if [ "$HAVE" = "${SIZES[0]}" ] && [ "$JIT_WARMUP" -gt 0 ]; then
    # Without this the first size's first cases ran on a cold JIT: page 1 took longer at 10k than at 10M.
    bench_log "warming the server: each case for $JIT_WARMUP s, not measured"
    for ((c = 1; c < ${#CASES[@]}; c += 2)); do load "${CASES[c]}" "$JIT_WARMUP"; done
  fi
  bench_log "measuring at $(human "$SIZE") ($(bench_load))"
  for ((c = 0; c < ${#CASES[@]}; c += 2)); do measure "${CASES[c]}" "${CASES[c + 1]}"; done
  awk -v s="$SIZE" '$1 == s' "$BENCH_WORK/results" >&2
done

echo
echo "latencies in ms, wrk -c$CONNECTIONS -t$THREADS, ${DURATION} s per case; items on the page, pagination.total"
printf '%-6s %-14s %6s %9s %8s %8s %8s %8s %8s %8s\n' size case items total req/s mean p50 p90 p99 max
while read -r size name items total line; do
  line=${line#WRK }
  printf '%-6s %-14s %6s %9s %8s %8s %8s %8s %8s %8s\n' "$(human "$size")" "$name" "${items#items=}" "${total#total=}" \
    "$(kv "$line" rps)" "$(kv "$line" mean_ms)" "$(kv "$line" p50_ms)" "$(kv "$line" p90_ms)" "$(kv "$line" p99_ms)" "$(kv "$line" max_ms)"
done <"$BENCH_WORK/results"
if [ ${#SIZES[@]} -gt 1 ]; then
  SMALL=${SIZES[0]}
  echo
  echo "ratio to $(human "$SMALL") (p50 / mean; the goal is at most 1.5 for page1, status, rare, cursor, status+cursor;"
  echo "probe, one GET by id, is the same work at every size: its ratio is the machine's drift between the sizes):"
  for BIG in "${SIZES[@]:1}"; do
    awk -v small="$SMALL" -v big="$BIG" -v label="$(human "$BIG")/$(human "$SMALL")" '
      { for (i = 5; i <= NF; i++) { split($i, kv, "="); v[$1, $2, kv[1]] = kv[2] } names[$2] = 1; order[NR] = $2 }
      END { printf "%-10s", label
            for (n = 1; n <= NR; n++) { c = order[n]; if (c in seen) continue; seen[c] = 1
              if (v[small, c, "p50_ms"] > 0 && v[big, c, "p50_ms"] != "")
                printf "  %s %.2f/%.2f", c, v[big, c, "p50_ms"] / v[small, c, "p50_ms"], v[big, c, "mean_ms"] / v[small, c, "mean_ms"] }
            printf "\n" }' "$BENCH_WORK/results"
  done
fi
echo "load at end: $(bench_load)"
