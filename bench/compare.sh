#!/usr/bin/env bash
# Every speed figure of the "speed at scale" issue for two jars side by side in one run: the jar of
# a git ref (base) and the current one (new), alternating base, new, base, new ... for ROUNDS rounds,
# each jar on its own fresh database (the two may have different migrations).
#
#   bench/compare.sh BASE_REF          e.g. bench/compare.sh dba3ecd
#
# Jars. Base: `git archive BASE_REF` into the work directory and `mvn -B -q package -DskipTests`
# there; the jar is cached as $CACHE_DIR/<commit>.jar, so a second run does not build it again.
# New: NEW_JAR, else target/parley.jar of this checkout, built with `mvn -B -q package -DskipTests`
# when missing or when BUILD=1.
#
# Each round, for each jar, on a fresh database and server:
#   GET    /v1/interviews/{id}: INTERVIEWS created through the API a week ahead (nothing dials);
#          wrk -cCONNECTIONS -tTHREADS with get-interview.lua, WARMUP s, then DURATION s measured;
#          CPU per request of the server and of PostgreSQL.
#   floor  pgbench -M prepared, as many clients as wrk has connections, same database, right after:
#          SELECT company_id, doc FROM bench_floor WHERE id = :iid, a one-row primary-key lookup of
#          the same ids returning their GET bodies (about 800 bytes), run like get-interview.sh does
#          (bench_ids and \gset); only its last DURATION s count. The same for both jars.
#   DELETE /v1/interviews/{id}: a pool of ids copied in SQL from one interview created through the
#          API (and its call attempt); wrk with interview-writes.lua deletes each id once, after
#          DELETE_WARMUP s of warm-up on ids of its own.
#   POST   /v1/interviews: wrk with interview-writes.lua, inline candidate and agent, a week ahead.
#   raw    (new jar only; SKIP_RAW=1 leaves it out): bench/raw-get/RawGetServer.java, a bare Vert.x
#          server (no router, auth, validation, envelope or bus) on the new jar's classpath serving
#          the same ids with the same statement, wrk as for the GET: the ceiling of a Vert.x server.
#   write floors (new jar only; SKIP_WRITE_FLOORS=1 leaves them out): pgbench, as many clients as
#          wrk has connections, running the statements the new server sends for the same DELETE
#          (delete_interview on another pool of copies) and the same POST (BEGIN, the inserts of
#          the candidate, agent, interview and attempt, the document, COMMIT, as one pipeline like
#          the server's), so the API's write rates get a ratio to what PostgreSQL does with them;
#          then the minimal floors of bench/floors/ (the least SQL of a create and of a delete, one
#          statement each on trigger-free copies of the tables with their indexes), the same way.
# Then bench/dispatch.sh with both jars (simulator bursts of DISPATCH_BURSTS, and a burst with the
# fake http provider answering after 300 ms), and bench/list.sh for each jar when it exists.
# Prints each figure per jar and round, then a table: figure | base | new | new/base | target.
#
# Knobs (environment): ROUNDS=2 DURATION=20 WARMUP=45 CONNECTIONS=32 THREADS=2 INTERVIEWS=300
#   (WARMUP: on two cores the JIT compilers are still busy 20 s into a load, so a short warm-up
#   measures the compiler as much as the server)
#   DELETE_WARMUP=10 DELETE_MAX_RATE=6000 (the DELETE pool: 1.3 x this x the seconds of wrk, per
#   jar and round) DELETE_FLOOR_MAX_RATE=8000 (the same for the delete floor's pool)
#   NEW_JAR= (default target/parley.jar) BUILD=0 (1: build target/parley.jar even if it exists)
#   CACHE_DIR=~/.cache/parley-bench  BENCH_GIT=<this checkout> (the repository BASE_REF is read from)
#   SKIP_DISPATCH=0 DISPATCH_BURSTS="1000 2000" DISPATCH_HTTP_BURST=1000 DISPATCH_HTTP_DEADLINE=60
#   SKIP_LIST=0 LIST_SIZES="10k 100k" (bench/list.sh, only when it exists)
#   TIME_LIMIT=3600 (s; the run stops, and cleans up, after this) OTHER_WARN=0.3 (cores used by the rest
#   of the machine during a measured window above which the round is flagged as disturbed)
#   BENCH_PGHOST=127.0.0.1 BENCH_PGPORT=5432 BENCH_PGUSER=postgres BENCH_JAVA_OPTS= BENCH_KEEP=0
# Needs: git and mvn (unless both jars exist), java, curl, jq, wrk, pgbench, psql.
# Loopback only. About 40 minutes with the defaults on a 2-core machine, builds and bench/list.sh
# not counted (list.sh: about 2 minutes per size up to 1M, and only the new jar gets that far when
# the base predates the list counters: with an older schema list.sh stops at once). Stops
# its servers and load generators, drops its databases and removes its work directory (with the
# base's source) on exit, also on Ctrl-C.
set -euo pipefail
case "${1:-}" in -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;; esac
[ $# -eq 1 ] || { echo "usage: bench/compare.sh BASE_REF   (--help for more)" >&2; exit 2; }
BASE_REF=$1
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
source "$BENCH_DIR/lib.sh"

ROUNDS=${ROUNDS:-2}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-45}
DELETE_WARMUP=${DELETE_WARMUP:-10}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
INTERVIEWS=${INTERVIEWS:-300}
DELETE_MAX_RATE=${DELETE_MAX_RATE:-6000}
DELETE_FLOOR_MAX_RATE=${DELETE_FLOOR_MAX_RATE:-8000}
SKIP_WRITE_FLOORS=${SKIP_WRITE_FLOORS:-0}
SKIP_RAW=${SKIP_RAW:-0}
BUILD=${BUILD:-0}
CACHE_DIR=${CACHE_DIR:-$HOME/.cache/parley-bench}
BENCH_GIT=${BENCH_GIT:-$BENCH_REPO}
SKIP_DISPATCH=${SKIP_DISPATCH:-0}
DISPATCH_BURSTS=${DISPATCH_BURSTS:-1000 2000}
DISPATCH_HTTP_BURST=${DISPATCH_HTTP_BURST:-1000}
DISPATCH_HTTP_DEADLINE=${DISPATCH_HTTP_DEADLINE:-60}
SKIP_LIST=${SKIP_LIST:-0}
LIST_SIZES=${LIST_SIZES:-10k 100k}
TIME_LIMIT=${TIME_LIMIT:-3600}
OTHER_WARN=${OTHER_WARN:-0.3}
[ "$DURATION" -ge 6 ] || bench_die "DURATION must be at least 6 s"
[ "$WARMUP" -ge 1 ] || bench_die "WARMUP must be at least 1 s"
[ "$DELETE_WARMUP" -ge 1 ] || bench_die "DELETE_WARMUP must be at least 1 s"

bench_need git "apt-get install -y git"
bench_need java "Install a Java 17 runtime."
bench_need curl "apt-get install -y curl"
bench_need jq "apt-get install -y jq"
bench_need wrk "It is a Debian package: apt-get install -y wrk"
PGBENCH=$(bench_pg_tool pgbench)
bench_init
START=$SECONDS

# The whole run has a time bound: a watchdog sends this script TERM, whose trap cleans up.
(
  trap 'kill "$s" 2>/dev/null; exit 0' TERM
  sleep "$TIME_LIMIT" & s=$!
  wait "$s"
  bench_log "time limit of ${TIME_LIMIT} s reached: stopping"
  kill -TERM $$ 2>/dev/null
) &
bench_bg $!

# run_bg LOG COMMAND...: a long child in the background (so that a signal's trap runs at once),
# registered for cleanup; returns its status.
run_bg() {
  local log=$1 pid rc=0
  shift
  "$@" >"$log" 2>&1 &
  pid=$!
  bench_bg "$pid"
  wait "$pid" || rc=$?
  return $rc
}

mvn_package() {  # mvn_package DIR NAME
  bench_need mvn "Install Maven, or give the jars (NEW_JAR, a cached base jar)."
  bench_log "building $2 in $1 (mvn -B -q package -DskipTests)"
  run_bg "$BENCH_WORK/build-$2.log" bash -c 'cd "$1" && exec mvn -B -q package -DskipTests' _ "$1" \
    || { tail -30 "$BENCH_WORK/build-$2.log" >&2; bench_die "the build of $2 failed"; }
  [ -f "$1/target/parley.jar" ] || bench_die "the build of $2 made no target/parley.jar"
}

# ---------------------------------------------------------------------------------------------
# The two jars, copied into the work directory under distinct names (dispatch.sh names them so).
BASE_SHA=$(git -C "$BENCH_GIT" rev-parse --verify --quiet "$BASE_REF^{commit}") \
  || bench_die "'$BASE_REF' is not a commit in $BENCH_GIT"
mkdir -p "$CACHE_DIR"
if [ -f "$CACHE_DIR/$BASE_SHA.jar" ]; then
  bench_log "base jar of ${BASE_SHA:0:7} from the cache ($CACHE_DIR/$BASE_SHA.jar)"
else
  mkdir "$BENCH_WORK/base-src"
  git -C "$BENCH_GIT" archive "$BASE_SHA" | tar -x -C "$BENCH_WORK/base-src"
  mvn_package "$BENCH_WORK/base-src" "base-${BASE_SHA:0:7}"
  cp "$BENCH_WORK/base-src/target/parley.jar" "$CACHE_DIR/$BASE_SHA.jar.$$"
  mv "$CACHE_DIR/$BASE_SHA.jar.$$" "$CACHE_DIR/$BASE_SHA.jar"
  rm -rf "$BENCH_WORK/base-src"
fi
if [ -n "${NEW_JAR:-}" ]; then
  [ -f "$NEW_JAR" ] || bench_die "no jar at NEW_JAR=$NEW_JAR"
  NEW_DESC="$NEW_JAR${NEW_COMMIT:+ (commit $NEW_COMMIT)}"
  NEW_NAME=new${NEW_COMMIT:+-${NEW_COMMIT:0:7}}
else
  if [ "$BUILD" = 1 ] || [ ! -f "$BENCH_REPO/target/parley.jar" ]; then mvn_package "$BENCH_REPO" current; fi
  NEW_JAR=$BENCH_REPO/target/parley.jar
  NEW_COMMIT=$(git -C "$BENCH_REPO" rev-parse HEAD 2>/dev/null || echo unknown)
  DIRTY=""
  [ -z "$(git -C "$BENCH_REPO" status --porcelain --untracked-files=no 2>/dev/null)" ] || DIRTY=" plus uncommitted changes"
  NEW_DESC="target/parley.jar of $NEW_COMMIT$DIRTY, built $(date -u -r "$NEW_JAR" +%Y-%m-%dT%H:%M:%SZ)"
  NEW_NAME=new-${NEW_COMMIT:0:7}
fi
[ "$NEW_NAME" != new- ] || NEW_NAME=new
mkdir -p "$BENCH_WORK/jars"
declare -A JAR LABEL
JAR[base]=$BENCH_WORK/jars/base-${BASE_SHA:0:7}.jar
JAR[new]=$BENCH_WORK/jars/$NEW_NAME.jar
cp "$CACHE_DIR/$BASE_SHA.jar" "${JAR[base]}"
cp "$NEW_JAR" "${JAR[new]}"
LABEL[base]="base ${BASE_SHA:0:7}"
LABEL[new]="new ${NEW_NAME#new-}"

echo "== bench/compare.sh $BASE_REF, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
bench_machine
echo "wrk:     $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), pgbench: $("$PGBENCH" --version | awk '{print $3}')"
echo "base:    $BASE_SHA ($(git -C "$BENCH_GIT" log -1 --format=%cs "$BASE_SHA")) $(git -C "$BENCH_GIT" log -1 --format=%s "$BASE_SHA" | cut -c1-80)"
echo "new:     $NEW_DESC"
echo "rounds:  $ROUNDS (base, new alternating), wrk -c$CONNECTIONS -t$THREADS, ${WARMUP} s warm-up + ${DURATION} s measured per figure"
echo "load at start: $(bench_load)"

sql() { bench_psql -d "$BENCH_DB" -At -c "$1"; }

# wrk_bg SECONDS NAME LUA ARGS...: wrk in the background ($! is wrk itself), output in NAME.txt;
# against the server on WRK_PORT when set, else the bench server
wrk_bg() {
  local s=$1 name=$2 lua=$3
  shift 3
  (exec wrk -t "$THREADS" -c "$CONNECTIONS" -d "${s}s" --timeout 5s -s "$BENCH_DIR/$lua" \
     "http://127.0.0.1:${WRK_PORT:-$BENCH_PORT}" -- "$@" >"$BENCH_WORK/$name.txt" 2>&1) &
}
wrk_warm() {  # wrk_warm NAME LUA ARGS...: WARMUP seconds (WRK_WARMUP when set), figures not kept
  local pid
  wrk_bg "${WRK_WARMUP:-$WARMUP}" "$@"
  pid=$!
  bench_bg "$pid"
  wait "$pid" || { cat "$BENCH_WORK/$1.txt" >&2; bench_die "wrk ($1) failed"; }
}
wrk_measured() {  # wrk_measured NAME LUA ARGS...: DURATION seconds; prints its WRK line and cpu=... (of WRK_SERVER_PID when set)
  local pid cpu line
  wrk_bg "$DURATION" "$@"
  pid=$!
  bench_bg "$pid"
  cpu=$(bench_cpu_window "$pid" "${WRK_SERVER_PID:-$BENCH_SERVER_PID}" "$DURATION")
  wait "$pid" || { cat "$BENCH_WORK/$1.txt" >&2; bench_die "wrk ($1) failed"; }
  line=$(grep '^WRK ' "$BENCH_WORK/$1.txt") || { cat "$BENCH_WORK/$1.txt" >&2; bench_die "no wrk summary ($1)"; }
  echo "$line cpu=${cpu// /,}"
}

# Results: V[which,figure,round]; figures also kept as lines in results.txt.
declare -A V
keep() {  # keep WHICH ROUND FIGURE VALUE
  V[$1,$3,$2]=$4
  echo "$1 $2 $3 $4" >>"$BENCH_WORK/results.txt"
}
keep_wrk() {  # keep_wrk WHICH ROUND PREFIX LINE
  local k
  for k in rps p50_ms p99_ms non2xx socket_errors; do keep "$1" "$2" "$3_$k" "$(kv "$4" "$k")"; done
}
ratio_of() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", (b > 0 ? a / b : 0)}'; }  # ratio_of A B: A / B, 0 when B is 0
cpu_us() {  # cpu_us CPU(g,s,p,o,st) FIELD(2 server, 3 pg) RATE: microseconds of CPU per request
  awk -v c="$1" -v f="$2" -v r="$3" 'BEGIN { split(c, a, ","); printf "%.0f", (r > 0 ? a[f] / r * 1e6 : 0) }'
}

# Columns of TABLE to copy a row with: all but id, EXCEPT (comma-separated) and those a BEFORE INSERT
# row trigger assigns (NEW.x := ...; the new schema renders the stored document, doc, that way).
copy_columns() {  # copy_columns TABLE EXCEPT PREFIX
  sql "WITH filled AS (
         SELECT DISTINCT lower(m[1]) AS col FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid,
                LATERAL regexp_matches(p.prosrc, 'NEW\\.(\\w+)\\s*:=', 'gi') m
          WHERE t.tgrelid = 'public.$1'::regclass AND NOT t.tgisinternal AND t.tgtype & 7 = 7)
       SELECT string_agg('$3' || quote_ident(column_name), ', ' ORDER BY ordinal_position)
         FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name = '$1' AND column_name <> 'id'
          AND column_name <> ALL (string_to_array('$2', ','))
          AND column_name NOT IN (SELECT col FROM filled)"
}
trigger_filled() {  # the columns of TABLE that a BEFORE INSERT row trigger fills
  sql "SELECT coalesce(string_agg(DISTINCT lower(m[1]), ','), '-') FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid,
              LATERAL regexp_matches(p.prosrc, 'NEW\\.(\\w+)\\s*:=', 'gi') m
        WHERE t.tgrelid = 'public.$1'::regclass AND NOT t.tgisinternal AND t.tgtype & 7 = 7"
}

# copy_pool TABLE COUNT ID_EXPR SRC: COUNT copies of interview SRC and its call attempt, in SQL;
# TABLE (n, id) lists them, id = ID_EXPR (an SQL expression of g, 1..COUNT). Each copy's document is
# rendered after its attempt is in (since V15 no trigger renders it; before, the UPDATE's trigger did).
copy_pool() {
  local cols acols
  cols=$(copy_columns interviews "" "")
  acols=$(copy_columns call_attempts interview_id "")
  bench_psql -d "$BENCH_DB" \
    -c "CREATE TABLE $1 (n int PRIMARY KEY, id uuid NOT NULL)" \
    -c "INSERT INTO $1 SELECT g, $3 FROM generate_series(1, $2) g" \
    -c "INSERT INTO interviews (id, $cols) SELECT d.id, $(copy_columns interviews "" s.) FROM $1 d, interviews s WHERE s.id = '$4'" \
    -c "INSERT INTO call_attempts (id, interview_id, $acols) SELECT gen_random_uuid(), d.id, $(copy_columns call_attempts interview_id a.)
          FROM $1 d, call_attempts a WHERE a.interview_id = '$4'" \
    -c "UPDATE interviews i SET doc = interview_json(i)::text FROM $1 d WHERE i.id = d.id" \
    -c "VACUUM ANALYZE interviews, call_attempts, $1" -c "CHECKPOINT"
}

# raw_get TAG ROUND: bench/raw-get/RawGetServer.java (no router, auth, validation, envelope or bus;
# a pipelined pg client per event loop) serving the same ids from the same database with the same
# statement, on the new jar's classpath, wrk as for the GET: what a bare Vert.x server does here.
raw_get() {
  local tag=$1 r=$2 port pid line cpu deadline
  port=$(bench_free_port)
  (exec java ${BENCH_JAVA_OPTS:-} -cp "${JAR[new]}" "$BENCH_DIR/raw-get/RawGetServer.java" "$port" "$DATABASE_URL" \
     >"$BENCH_WORK/raw-get-$r.log" 2>&1) &
  pid=$!
  bench_bg "$pid"
  deadline=$((SECONDS + 90))
  until curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$port/v1/interviews/$(head -1 "$BENCH_WORK/ids.txt")"; do
    kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ] || { tail -5 "$BENCH_WORK/raw-get-$r.log" >&2; bench_die "the raw GET server did not start"; }
    sleep 0.3
  done
  bench_log "$tag: raw Vert.x GET server, wrk ${WARMUP} s warm-up + ${DURATION} s"
  WRK_PORT=$port wrk_warm "raw-get-warm-$r" get-interview.lua "$BENCH_WORK/ids.txt" "$BENCH_KEY"
  line=$(WRK_PORT=$port WRK_SERVER_PID=$pid wrk_measured "raw-get-$r" get-interview.lua "$BENCH_WORK/ids.txt" "$BENCH_KEY")
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  cpu=$(kv "$line" cpu)
  keep new "$r" raw_rps "$(kv "$line" rps)"
  keep new "$r" raw_non2xx "$(kv "$line" non2xx)"
  keep new "$r" raw_cpu_server "$(cpu_us "$cpu" 2 "$(kv "$line" rps)")"
  keep new "$r" raw_cpu_pg "$(cpu_us "$cpu" 3 "$(kv "$line" rps)")"
  keep new "$r" raw_cpu_split "$cpu"
  printf '%-22s raw Vert.x GET %6.0f/s (/ floor %s; Parley GET / raw %s; CPU/GET server %s us, pg %s us)\n' "$tag" "${V[new,raw_rps,$r]}" \
    "$(ratio_of "${V[new,raw_rps,$r]}" "${V[new,floor_tps,$r]}")" \
    "$(ratio_of "${V[new,get_rps,$r]}" "${V[new,raw_rps,$r]}")" \
    "${V[new,raw_cpu_server,$r]}" "${V[new,raw_cpu_pg,$r]}" | tee -a "$BENCH_WORK/rounds.txt"
}

# write_floors TAG ROUND SRC AT: what PostgreSQL itself does with the new server's write statements,
# pgbench -c CONNECTIONS, right after the API's figures on the same database and server.
#   delete: SELECT ... FROM delete_interview(id, company, key, NULL), InterviewStore's DELETE, on a
#           pool of copies of SRC whose ids are md5('floor' || n)::uuid, so that client c of C takes
#           n = c + 1, c + 1 + C, ... and no lookup of the id adds a statement.
#   create: the statements of InterviewStore.insert for a body with inline candidate and agent
#           (CandidateStore.INSERT_INLINE, AgentStore.INSERT_INLINE, then InterviewRows.create: the
#           deferred attempt reference, the attempt, the interview rendering and returning its document),
#           between BEGIN and COMMIT in one pipeline, as the server sends them; ids from md5 of the
#           client and its transaction number. Keep both in step with the server's statements.
write_floors() {
  local tag=$1 r=$2 src=$3 at=$4 total line left key zone
  key=$(sql "SELECT id FROM api_keys WHERE company_id = '$BENCH_COMPANY' LIMIT 1")
  zone=$(sql "SELECT call_zone FROM interviews WHERE id = '$src'")
  total=$(awk -v r="$DELETE_FLOOR_MAX_RATE" -v s="$((DELETE_WARMUP + DURATION))" 'BEGIN {printf "%d", r * s * 1.3 + 0.999}')
  bench_log "$tag: delete floor, a pool of $total copies of $src in SQL"
  copy_pool bench_delete_floor "$total" "md5('floor' || g)::uuid" "$src"
  cat >"$BENCH_WORK/delete-floor.pgbench" <<PGB
\\set k :k + 1
\\set n (:k - 1) * $CONNECTIONS + :client_id + 1
SELECT outcome, status_at_delete FROM delete_interview(md5('floor' || :n)::uuid, '$BENCH_COMPANY', '$key', NULL);
PGB
  bench_log "$tag: delete floor, pgbench $((DELETE_WARMUP + DURATION)) s, the last ${DURATION} s measured"
  LOADS+=("$tag, delete floor: $(bench_load)")
  line=$(bench_pgbench_measured "$CONNECTIONS" "$THREADS" "$DELETE_WARMUP" "$DURATION" "delete-floor-$r" "$BENCH_SERVER_PID" \
    -f "$BENCH_WORK/delete-floor.pgbench" -D k=0)
  left=$(sql "SELECT count(*) FROM bench_delete_floor d JOIN interviews i ON i.id = d.id")
  [ "$left" -gt 0 ] || bench_log "WARNING: the delete floor ran out of copies (raise DELETE_FLOOR_MAX_RATE): its rate is too high"
  keep new "$r" delete_floor_tps "$(kv "$line" tps)"
  keep new "$r" delete_floor_cpu_pg "$(cpu_us "$(kv "$line" cpu)" 3 "$(kv "$line" tps)")"
  keep new "$r" delete_floor_cpu_split "$(kv "$line" cpu)"

  cat >"$BENCH_WORK/create-floor.pgbench" <<PGB
\\set k :k + 1
\\startpipeline
BEGIN;
INSERT INTO candidates (id, company_id, job_id, first_name, last_name, email, phone_number, gdpr_expiry_date, metadata) VALUES (md5('c' || :client_id || '.' || :k)::uuid, '$BENCH_COMPANY', NULL, 'Bench', 'Mark', NULL, '+421915123456', NULL, COALESCE(NULL, '{}'::jsonb));
INSERT INTO agents (id, company_id, name, type, focus, language, duration, questions, instructions, voice_id, cefr_level, company_phone_number_id, metadata) VALUES (md5('a' || :client_id || '.' || :k)::uuid, '$BENCH_COMPANY', 'Bench', COALESCE(NULL, 'PHONE'), COALESCE(NULL, 'GENERIC'), COALESCE(NULL, 'EN'), COALESCE(NULL, 15), COALESCE('["Why this role?", "Tell me about a project you led."]'::jsonb, '[]'::jsonb), NULL, NULL, NULL, NULL, COALESCE(NULL, '{}'::jsonb)) RETURNING id;
INSERT INTO call_attempts (id, interview_id, company_id, status, scheduled_at, callable_at) VALUES (md5('t' || :client_id || '.' || :k)::uuid, md5('i' || :client_id || '.' || :k)::uuid, '$BENCH_COMPANY', 'SCHEDULED', '$at', '$at');
INSERT INTO interviews (id, company_id, candidate_id, agent_id, job_id, status, scheduled_at, schedule_offset, duration_minutes, metadata, is_test, created_by_key, call_zone, doc) SELECT md5('i' || :client_id || '.' || :k)::uuid, '$BENCH_COMPANY', md5('c' || :client_id || '.' || :k)::uuid, md5('a' || :client_id || '.' || :k)::uuid, NULL, 'SCHEDULED', '$at', NULL, a.duration, COALESCE(NULL, '{}'::jsonb), false, '$key', '$zone', interview_doc(md5('i' || :client_id || '.' || :k)::uuid, '$BENCH_COMPANY', md5('c' || :client_id || '.' || :k)::uuid, md5('a' || :client_id || '.' || :k)::uuid, NULL, 'SCHEDULED', '$at', a.duration, NULL, COALESCE(NULL, '{}'::jsonb), false, NULL, NULL, now(), now())::text FROM agents a WHERE a.id = md5('a' || :client_id || '.' || :k)::uuid RETURNING doc;
COMMIT;
\\endpipeline
PGB
  bench_log "$tag: create floor, pgbench $((WARMUP + DURATION)) s, the last ${DURATION} s measured"
  LOADS+=("$tag, create floor: $(bench_load)")
  line=$(bench_pgbench_measured "$CONNECTIONS" "$THREADS" "$WARMUP" "$DURATION" "create-floor-$r" "$BENCH_SERVER_PID" \
    -f "$BENCH_WORK/create-floor.pgbench" -D k=0)
  keep new "$r" create_floor_tps "$(kv "$line" tps)"
  keep new "$r" create_floor_cpu_pg "$(cpu_us "$(kv "$line" cpu)" 3 "$(kv "$line" tps)")"
  keep new "$r" create_floor_cpu_split "$(kv "$line" cpu)"
  printf '%-22s write floors: delete %6.0f/s (DELETE / floor %s), create %6.0f/s (POST / floor %s); PostgreSQL CPU per transaction: delete %s us, create %s us\n' \
    "$tag" "${V[new,delete_floor_tps,$r]}" "$(ratio_of "${V[new,del_rps,$r]}" "${V[new,delete_floor_tps,$r]}")" \
    "${V[new,create_floor_tps,$r]}" "$(ratio_of "${V[new,post_rps,$r]}" "${V[new,create_floor_tps,$r]}")" \
    "${V[new,delete_floor_cpu_pg,$r]}" "${V[new,create_floor_cpu_pg,$r]}" | tee -a "$BENCH_WORK/rounds.txt"
}

# minimal_floors TAG ROUND SRC AT: the least PostgreSQL must do for a create and a delete
# (bench/floors/: one statement each, in autocommit, on trigger-free copies of the tables with the
# same indexes), pgbench -c CONNECTIONS right after the API's figures on the same database and server.
minimal_floors() {
  local tag=$1 r=$2 src=$3 at=$4 total line doc zone
  bench_psql -d "$BENCH_DB" -f "$BENCH_DIR/floors/tables.sql" >/dev/null
  doc=$(sql "SELECT doc FROM interviews WHERE id = '$src'")
  zone=$(sql "SELECT coalesce(call_zone, 'UTC') FROM interviews WHERE id = '$src'")
  total=$(awk -v r="$DELETE_FLOOR_MAX_RATE" -v s="$((DELETE_WARMUP + DURATION))" 'BEGIN {printf "%d", r * s * 1.3 + 0.999}')
  bench_log "$tag: minimal delete floor, a pool of $total copies of $src"
  bench_psql -d "$BENCH_DB" \
    -c "INSERT INTO floor_interviews SELECT (jsonb_populate_record(i, jsonb_build_object('id', md5('floor' || g)::uuid))).*
          FROM interviews i, generate_series(1, $total) g WHERE i.id = '$src'" \
    -c "INSERT INTO floor_call_attempts SELECT (jsonb_populate_record(a, jsonb_build_object('id', gen_random_uuid(),
          'interview_id', md5('floor' || g)::uuid))).* FROM call_attempts a, generate_series(1, $total) g WHERE a.interview_id = '$src'" \
    -c "VACUUM ANALYZE floor_interviews, floor_call_attempts" -c "CHECKPOINT" >/dev/null
  LOADS+=("$tag, minimal delete floor: $(bench_load)")
  line=$(bench_pgbench_measured "$CONNECTIONS" "$THREADS" "$DELETE_WARMUP" "$DURATION" "delete-min-$r" "$BENCH_SERVER_PID" \
    -f "$BENCH_DIR/floors/delete.pgbench" -D k=0 -D "clients=$CONNECTIONS")
  [ "$(sql "SELECT count(*) FROM floor_interviews")" -gt 0 ] \
    || bench_log "WARNING: the minimal delete floor ran out of copies (raise DELETE_FLOOR_MAX_RATE): its rate is too high"
  keep new "$r" delete_min_tps "$(kv "$line" tps)"
  keep new "$r" delete_min_cpu_pg "$(cpu_us "$(kv "$line" cpu)" 3 "$(kv "$line" tps)")"
  bench_log "$tag: minimal create floor, pgbench $((WARMUP + DURATION)) s, the last ${DURATION} s measured"
  LOADS+=("$tag, minimal create floor: $(bench_load)")
  line=$(bench_pgbench_measured "$CONNECTIONS" "$THREADS" "$WARMUP" "$DURATION" "create-min-$r" "$BENCH_SERVER_PID" \
    -f "$BENCH_DIR/floors/create.pgbench" -D k=0 -D "company=$BENCH_COMPANY" -D "at=$at" -D "zone=$zone" -D "doc=$doc")
  keep new "$r" create_min_tps "$(kv "$line" tps)"
  keep new "$r" create_min_cpu_pg "$(cpu_us "$(kv "$line" cpu)" 3 "$(kv "$line" tps)")"
  printf '%-22s minimal floors: delete %6.0f/s (DELETE / floor %s), create %6.0f/s (POST / floor %s); PostgreSQL CPU per transaction: delete %s us (DELETE %s us), create %s us (POST %s us)\n' \
    "$tag" "${V[new,delete_min_tps,$r]}" "$(ratio_of "${V[new,del_rps,$r]}" "${V[new,delete_min_tps,$r]}")" \
    "${V[new,create_min_tps,$r]}" "$(ratio_of "${V[new,post_rps,$r]}" "${V[new,create_min_tps,$r]}")" \
    "${V[new,delete_min_cpu_pg,$r]}" "${V[new,del_cpu_pg,$r]}" "${V[new,create_min_cpu_pg,$r]}" "${V[new,post_cpu_pg,$r]}" \
    | tee -a "$BENCH_WORK/rounds.txt"
}

# ---------------------------------------------------------------------------------------------
# One jar, one round: GET, floor, DELETE, POST on a fresh database and server.
jar_round() {  # jar_round WHICH ROUND
  local which=$1 r=$2 at n first line pool_w pool_m src total got
  local tag="${LABEL[$which]}, round $r"
  BENCH_JAR=${JAR[$which]} # its admin CLI: its schema
  bench_log "== $tag"
  bench_create_db parley_bench_cmp
  bench_start_server "${JAR[$which]}"
  BENCH_SCOPES=read:interviews,write:interviews,delete:interviews,read:companies bench_company_and_key
  at=$(date -u -d '+7 days' +%Y-%m-%dT%H:%M:%SZ)

  # GET: INTERVIEWS through the API, a week ahead
  bench_log "$tag: creating $INTERVIEWS interviews scheduled at $at"
  bench_create_interviews "$INTERVIEWS" 8 "$at" >"$BENCH_WORK/ids.txt"
  grep -v '^[0-9a-f-]\{36\}$' "$BENCH_WORK/ids.txt" | head -3 | grep . >&2 && bench_die "some creates failed"
  n=$(wc -l <"$BENCH_WORK/ids.txt")
  [ "$n" -eq "$INTERVIEWS" ] || bench_die "created $n of $INTERVIEWS interviews"
  first=$(head -1 "$BENCH_WORK/ids.txt")
  bench_log "$tag: GET, wrk ${WARMUP} s warm-up + ${DURATION} s"
  wrk_warm "get-warm-$which-$r" get-interview.lua "$BENCH_WORK/ids.txt" "$BENCH_KEY"
  LOADS+=("$tag, GET: $(bench_load)")
  line=$(wrk_measured "get-$which-$r" get-interview.lua "$BENCH_WORK/ids.txt" "$BENCH_KEY")
  keep_wrk "$which" "$r" get "$line"
  keep "$which" "$r" get_cpu_server "$(cpu_us "$(kv "$line" cpu)" 2 "$(kv "$line" rps)")"
  keep "$which" "$r" get_cpu_pg "$(cpu_us "$(kv "$line" cpu)" 3 "$(kv "$line" rps)")"
  keep "$which" "$r" get_cpu_split "$(kv "$line" cpu)"

  # The floor: the GET bodies of the same ids in a table, read by primary key with pgbench
  { while read -r id; do printf 'url = "%s/interviews/%s"\n' "$BENCH_API" "$id"; done <"$BENCH_WORK/ids.txt"; } >"$BENCH_WORK/bodies.curl"
  curl -s --max-time 60 -K "$BENCH_WORK/bodies.curl" -H "Authorization: Bearer $BENCH_KEY" -w '\n' \
    | jq -r 'select(.success) | [.data.id, .data.companyId, tojson] | @csv' >"$BENCH_WORK/floor.csv"
  [ "$(wc -l <"$BENCH_WORK/floor.csv")" -eq "$n" ] || bench_die "could not read the $n GET bodies for the floor table"
  bench_psql -d "$BENCH_DB" -c "CREATE TABLE bench_floor (id uuid PRIMARY KEY, company_id uuid, doc text)" \
    -c "\\copy bench_floor FROM '$BENCH_WORK/floor.csv' WITH (FORMAT csv)" \
    -c "CREATE TABLE bench_ids (n int PRIMARY KEY, id uuid NOT NULL)" \
    -c "INSERT INTO bench_ids SELECT row_number() OVER (ORDER BY id), id FROM bench_floor" \
    -c "VACUUM ANALYZE bench_floor, bench_ids"
  keep "$which" "$r" floor_bytes "$(sql "SELECT round(avg(octet_length(doc))) FROM bench_floor")"
  cat >"$BENCH_WORK/floor.pgbench" <<PGB
\\set r random(1, 1000)
\\if :r = 1
  \\set n random(1, $n)
  SELECT id AS iid FROM bench_ids WHERE n = :n \\gset
\\endif
SELECT company_id, doc FROM bench_floor WHERE id = :iid;
PGB
  bench_log "$tag: floor, pgbench $((WARMUP + DURATION)) s, the last ${DURATION} s measured"
  LOADS+=("$tag, floor: $(bench_load)")
  line=$(bench_pgbench_measured "$CONNECTIONS" "$THREADS" "$WARMUP" "$DURATION" "floor-$which-$r" "$BENCH_SERVER_PID" \
    -f "$BENCH_WORK/floor.pgbench" -D "iid=$first")
  keep "$which" "$r" floor_tps "$(kv "$line" tps)"
  keep "$which" "$r" floor_p50_ms "$(kv "$line" p50_ms)"
  keep "$which" "$r" floor_p99_ms "$(kv "$line" p99_ms)"
  keep "$which" "$r" floor_cpu_pg "$(cpu_us "$(kv "$line" cpu)" 3 "$(kv "$line" tps)")"
  keep "$which" "$r" floor_cpu_split "$(kv "$line" cpu)"
  keep "$which" "$r" get_floor_ratio "$(awk -v a="${V[$which,get_rps,$r]}" -v b="$(kv "$line" tps)" 'BEGIN {printf "%.3f", (b > 0 ? a / b : 0)}')"

  if [ "$which" = new ] && [ "$SKIP_RAW" != 1 ]; then raw_get "$tag" "$r"; fi

  # DELETE: a pool of copies of one interview created through the API, each deleted once
  pool_w=$(awk -v r="$DELETE_MAX_RATE" -v s="$DELETE_WARMUP" 'BEGIN {printf "%d", r * s * 1.3 + 0.999}')
  pool_m=$(awk -v r="$DELETE_MAX_RATE" -v s="$DURATION" 'BEGIN {printf "%d", r * s * 1.3 + 0.999}')
  total=$((pool_w + pool_m))
  src=$(bench_create_interviews 1 1 "$at")
  [[ "$src" =~ ^[0-9a-f-]{36}$ ]] || bench_die "create of the DELETE template failed: $src"
  bench_log "$tag: DELETE pool of $total copies of $src in SQL (columns a trigger fills, left out: interviews $(trigger_filled interviews), call_attempts $(trigger_filled call_attempts))"
  local t0=$SECONDS
  copy_pool bench_del "$total" "gen_random_uuid()" "$src"
  keep "$which" "$r" del_pool_seconds $((SECONDS - t0))
  got=$(sql "SELECT (SELECT count(*) FROM interviews), (SELECT count(*) FROM call_attempts a JOIN bench_del d ON d.id = a.interview_id)")
  [ "$got" = "$((n + 1 + total))|$total" ] \
    || bench_die "after the copy: interviews|their attempts = $got, expected $((n + 1 + total))|$total"
  line=$(sql "SELECT id FROM bench_del WHERE n = $total")
  got=$(curl -s --max-time 5 "$BENCH_API/interviews/$line" -H "Authorization: Bearer $BENCH_KEY" | jq -r '"\(.data.id) \(.data.callAttempts | length)"')
  [ "$got" = "$line 1" ] || bench_die "GET of the copied interview $line answered: $got"
  sql "SELECT id FROM bench_del WHERE n <= $pool_w ORDER BY n" >"$BENCH_WORK/del-warm.txt"
  sql "SELECT id FROM bench_del WHERE n > $pool_w ORDER BY n" >"$BENCH_WORK/del-measured.txt"
  bench_log "$tag: DELETE, wrk ${DELETE_WARMUP} s warm-up ($pool_w ids) + ${DURATION} s ($pool_m ids), pool built in $((SECONDS - t0)) s"
  WRK_WARMUP=$DELETE_WARMUP wrk_warm "del-warm-$which-$r" interview-writes.lua delete "$BENCH_KEY" "$BENCH_WORK/del-warm.txt" "$THREADS"
  line=$(grep '^WRK ' "$BENCH_WORK/del-warm-$which-$r.txt")
  [ "$(kv "$line" exhausted)" = 0 ] || bench_log "WARNING: the DELETE warm-up ran out of ids (DELETE_MAX_RATE=$DELETE_MAX_RATE too low?)"
  LOADS+=("$tag, DELETE: $(bench_load)")
  line=$(wrk_measured "del-$which-$r" interview-writes.lua delete "$BENCH_KEY" "$BENCH_WORK/del-measured.txt" "$THREADS")
  keep_wrk "$which" "$r" del "$line"
  keep "$which" "$r" del_exhausted "$(kv "$line" exhausted)"
  keep "$which" "$r" del_cpu_server "$(cpu_us "$(kv "$line" cpu)" 2 "$(kv "$line" rps)")"
  keep "$which" "$r" del_cpu_pg "$(cpu_us "$(kv "$line" cpu)" 3 "$(kv "$line" rps)")"
  keep "$which" "$r" del_cpu_split "$(kv "$line" cpu)"
  [ "$(kv "$line" exhausted)" = 0 ] || bench_log "WARNING: DELETE ran out of ids: raise DELETE_MAX_RATE"

  # POST
  jq -n --arg at "$at" '{candidate: {firstName: "Bench", lastName: "Mark", phoneNumber: "+421915123456"},
      agent: {name: "Bench", questions: ["Why this role?", "Tell me about a project you led."]}, scheduledAt: $at}' \
    >"$BENCH_WORK/post.json"
  bench_log "$tag: POST, wrk ${WARMUP} s warm-up + ${DURATION} s"
  wrk_warm "post-warm-$which-$r" interview-writes.lua post "$BENCH_KEY" "$BENCH_WORK/post.json"
  LOADS+=("$tag, POST: $(bench_load)")
  line=$(wrk_measured "post-$which-$r" interview-writes.lua post "$BENCH_KEY" "$BENCH_WORK/post.json")
  keep_wrk "$which" "$r" post "$line"
  keep "$which" "$r" post_cpu_server "$(cpu_us "$(kv "$line" cpu)" 2 "$(kv "$line" rps)")"
  keep "$which" "$r" post_cpu_pg "$(cpu_us "$(kv "$line" cpu)" 3 "$(kv "$line" rps)")"
  keep "$which" "$r" post_cpu_split "$(kv "$line" cpu)"

  if [ "$which" = new ] && [ "$SKIP_WRITE_FLOORS" != 1 ]; then
    write_floors "$tag" "$r" "$src" "$at"
    minimal_floors "$tag" "$r" "$src" "$at"
  fi

  printf '%-22s GET %6.0f/s p99 %6.1f ms (floor %6.0f/s, ratio %s; CPU/GET server %s us, pg %s us; floor pg %s us) | DELETE %6.0f/s p99 %6.1f ms | POST %6.0f/s p99 %6.1f ms | non-2xx %s/%s/%s\n' \
    "$tag" "${V[$which,get_rps,$r]}" "${V[$which,get_p99_ms,$r]}" "${V[$which,floor_tps,$r]}" "${V[$which,get_floor_ratio,$r]}" \
    "${V[$which,get_cpu_server,$r]}" "${V[$which,get_cpu_pg,$r]}" "${V[$which,floor_cpu_pg,$r]}" \
    "${V[$which,del_rps,$r]}" "${V[$which,del_p99_ms,$r]}" "${V[$which,post_rps,$r]}" "${V[$which,post_p99_ms,$r]}" \
    "${V[$which,get_non2xx,$r]}" "${V[$which,del_non2xx,$r]}" "${V[$which,post_non2xx,$r]}" | tee -a "$BENCH_WORK/rounds.txt"
  # The rest of the machine (not wrk/pgbench, the server, nor this database's backends) and steal,
  # in cores, during each measured window: above OTHER_WARN the figures of this round are disturbed.
  local f o other=""
  for f in GET:get floor:floor DELETE:del POST:post; do
    o=$(awk -v c="${V[$which,${f#*:}_cpu_split,$r]}" 'BEGIN { split(c, a, ","); printf "%.2f", a[4] + a[5] }')
    other="$other ${f%:*} $o"
    if awk -v o="$o" -v w="$OTHER_WARN" 'BEGIN { exit !(o > w) }'; then
      echo "  WARNING: $tag: the rest of the machine took $o cores during the ${f%:*} window (figures disturbed)" | tee -a "$BENCH_WORK/rounds.txt"
    fi
  done
  echo "  $tag: cores used by the rest of the machine (and steal) in each window:$other" | tee -a "$BENCH_WORK/rounds.txt"

  bench_stop_server
  bench_psql -d postgres -c "DROP DATABASE $BENCH_DB WITH (FORCE)" >/dev/null
  BENCH_DB=""
}

LOADS=()
for r in $(seq 1 "$ROUNDS"); do
  for which in base new; do jar_round "$which" "$r"; done
done

# ---------------------------------------------------------------------------------------------
# The dispatcher, by bench/dispatch.sh with both jars
if [ "$SKIP_DISPATCH" != 1 ]; then
  bench_log "== dispatcher: bench/dispatch.sh with both jars, bursts of $DISPATCH_BURSTS, http burst of $DISPATCH_HTTP_BURST"
  : >"$BENCH_WORK/dispatch-results.txt"
  LOADS+=("dispatcher: $(bench_load)")
  if ! run_bg "$BENCH_WORK/dispatch.txt" env BURSTS="$DISPATCH_BURSTS" BURST="${DISPATCH_BURSTS%% *}" \
      HTTP_BURST="$DISPATCH_HTTP_BURST" HTTP_DEADLINE="$DISPATCH_HTTP_DEADLINE" RESULTS="$BENCH_WORK/dispatch-results.txt" \
      bash "$BENCH_DIR/dispatch.sh" "${JAR[base]}" "${JAR[new]}"; then
    tail -20 "$BENCH_WORK/dispatch.txt" >&2
    bench_log "WARNING: bench/dispatch.sh failed; no dispatcher figures"
  fi
fi

# The lists, by bench/list.sh when it exists
if [ "$SKIP_LIST" != 1 ] && [ -f "$BENCH_DIR/list.sh" ]; then
  for which in base new; do
    bench_log "== lists: bench/list.sh $LIST_SIZES with ${LABEL[$which]}"
    # shellcheck disable=SC2086
    run_bg "$BENCH_WORK/list-$which.txt" env -u DURATION -u WARMUP -u CONNECTIONS -u THREADS \
        bash "$BENCH_DIR/list.sh" $LIST_SIZES "${JAR[$which]}" \
      || bench_log "WARNING: bench/list.sh failed with ${LABEL[$which]}: $(tail -1 "$BENCH_WORK/list-$which.txt")"
  done
elif [ "$SKIP_LIST" != 1 ]; then
  bench_log "no bench/list.sh here: no list figures"
fi

# ---------------------------------------------------------------------------------------------
mean() {  # mean WHICH FIGURE: mean over the rounds
  local r vals=""
  for r in $(seq 1 "$ROUNDS"); do vals="$vals ${V[$1,$2,$r]:-}"; done
  awk -v v="$vals" 'BEGIN { n = split(v, a, " "); s = 0; for (i = 1; i <= n; i++) s += a[i]; if (n) printf "%.6g", s / n; else print "-" }'
}
sum() {
  local r s=0
  for r in $(seq 1 "$ROUNDS"); do s=$((s + ${V[$1,$2,$r]:-0})); done
  echo "$s"
}
rounds_of() {  # the per-round values "a / b"
  local r out=""
  for r in $(seq 1 "$ROUNDS"); do out="$out${out:+ / }$(awk -v x="${V[$1,$2,$r]:-0}" 'BEGIN {printf "%.0f", x}')"; done
  echo "$out"
}
fmt() {  # fmt VALUE DECIMALS
  awk -v v="$1" -v d="$2" 'BEGIN { if (v !~ /^-?[0-9.]+([eE][-+]?[0-9]+)?$/) print (v == "" ? "-" : v); else printf "%.*f", d, v }'
}
# row FIGURE BASE NEW DECIMALS [TARGET CHECK]: CHECK is an awk condition on r (new/base), b, n
row() {
  local ratio mark=""
  ratio=$(awk -v b="$2" -v n="$3" 'BEGIN { num = "^-?[0-9.]+([eE][-+]?[0-9]+)?$"
    if (b !~ num || n !~ num || b + 0 == 0) print "-"; else printf "%.2f", n / b }')
  if [ -n "${6:-}" ]; then
    if ! [[ "$2$3" =~ ^[0-9.e+-]+$ ]] || [ "$2" = - ] || [ "$3" = - ] || { [ "$ratio" = - ] && [[ "$6" == *"r "* ]]; }; then mark="  ?"
    elif awk -v r="$ratio" -v b="$2" -v n="$3" "BEGIN { exit !($6) }"; then mark="  PASS"; else mark="  FAIL"; fi
  fi
  printf '%-46s %12s %12s %9s   %s%s\n' "$1" "$(fmt "$2" "$4")" "$(fmt "$3" "$4")" "$ratio" "${5:-}" "$mark"
}

echo
echo "Per round (base and new alternating; each on a fresh database):"
cat "$BENCH_WORK/rounds.txt"
echo
for which in base new; do
  echo "${LABEL[$which]}: GET req/s $(rounds_of "$which" get_rps), floor tps $(rounds_of "$which" floor_tps), DELETE req/s $(rounds_of "$which" del_rps), POST req/s $(rounds_of "$which" post_rps)"
done
echo
echo "Means of $ROUNDS rounds; wrk -c$CONNECTIONS -t$THREADS, ${DURATION} s measured after ${WARMUP} s warm-up; latencies in ms; CPU in us per request"
printf '%-46s %12s %12s %9s   %s\n' "figure" "${LABEL[base]}" "${LABEL[new]}" "new/base" "target"
row "GET /v1/interviews/{id} req/s" "$(mean base get_rps)" "$(mean new get_rps)" 0 ">= 2.5x" 'r >= 2.5'
row "GET p50 ms" "$(mean base get_p50_ms)" "$(mean new get_p50_ms)" 2
row "GET p99 ms" "$(mean base get_p99_ms)" "$(mean new get_p99_ms)" 2
row "pgbench floor tps (-c$CONNECTIONS, ~$(mean new floor_bytes | cut -d. -f1) bytes)" "$(mean base floor_tps)" "$(mean new floor_tps)" 0
row "GET / floor" "$(mean base get_floor_ratio)" "$(mean new get_floor_ratio)" 3 "new >= 0.5" 'n >= 0.5'
row "GET: PostgreSQL CPU us" "$(mean base get_cpu_pg)" "$(mean new get_cpu_pg)" 0
row "GET: server CPU us" "$(mean base get_cpu_server)" "$(mean new get_cpu_server)" 0
row "floor: PostgreSQL CPU us per transaction" "$(mean base floor_cpu_pg)" "$(mean new floor_cpu_pg)" 0
if [ "$SKIP_RAW" != 1 ]; then
  row "raw Vert.x GET req/s (bench/raw-get, new jar)" "-" "$(mean new raw_rps)" 0
  row "  raw Vert.x GET / floor" "-" "$(ratio_of "$(mean new raw_rps)" "$(mean new floor_tps)")" 3
  row "  Parley GET / raw Vert.x GET" "-" "$(ratio_of "$(mean new get_rps)" "$(mean new raw_rps)")" 3
  row "  raw Vert.x GET: server CPU us" "-" "$(mean new raw_cpu_server)" 0
fi
row "GET PostgreSQL CPU / floor's" "$(awk -v a="$(mean base get_cpu_pg)" -v b="$(mean base floor_cpu_pg)" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')" \
  "$(awk -v a="$(mean new get_cpu_pg)" -v b="$(mean new floor_cpu_pg)" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')" 2 "new <= 2" 'n <= 2'
row "POST /v1/interviews req/s" "$(mean base post_rps)" "$(mean new post_rps)" 0 ">= 3x" 'r >= 3'
row "POST p50 ms" "$(mean base post_p50_ms)" "$(mean new post_p50_ms)" 2
row "POST p99 ms" "$(mean base post_p99_ms)" "$(mean new post_p99_ms)" 2
row "POST: PostgreSQL CPU us" "$(mean base post_cpu_pg)" "$(mean new post_cpu_pg)" 0
row "POST: server CPU us" "$(mean base post_cpu_server)" "$(mean new post_cpu_server)" 0
row "DELETE /v1/interviews/{id} req/s" "$(mean base del_rps)" "$(mean new del_rps)" 0 ">= 3x" 'r >= 3'
row "DELETE p50 ms" "$(mean base del_p50_ms)" "$(mean new del_p50_ms)" 2
row "DELETE p99 ms" "$(mean base del_p99_ms)" "$(mean new del_p99_ms)" 2
row "DELETE: PostgreSQL CPU us" "$(mean base del_cpu_pg)" "$(mean new del_cpu_pg)" 0
row "DELETE: server CPU us" "$(mean base del_cpu_server)" "$(mean new del_cpu_server)" 0
if [ "$SKIP_WRITE_FLOORS" != 1 ]; then
  row "write floors (new jar's statements, pgbench -c$CONNECTIONS):" "" "" 0
  row "  delete floor tps" "-" "$(mean new delete_floor_tps)" 0
  row "  DELETE / delete floor" "-" "$(ratio_of "$(mean new del_rps)" "$(mean new delete_floor_tps)")" 3
  row "  delete floor: PostgreSQL CPU us" "-" "$(mean new delete_floor_cpu_pg)" 0
  row "  create floor tps" "-" "$(mean new create_floor_tps)" 0
  row "  POST / create floor" "-" "$(ratio_of "$(mean new post_rps)" "$(mean new create_floor_tps)")" 3
  row "  create floor: PostgreSQL CPU us" "-" "$(mean new create_floor_cpu_pg)" 0
  row "  3x base POST / create floor" "-" "$(ratio_of "$(awk -v b="$(mean base post_rps)" 'BEGIN {print 3 * b}')" "$(mean new create_floor_tps)")" 3
  row "  3x base DELETE / delete floor" "-" "$(ratio_of "$(awk -v b="$(mean base del_rps)" 'BEGIN {print 3 * b}')" "$(mean new delete_floor_tps)")" 3
  row "minimal floors (bench/floors/, pgbench -c$CONNECTIONS):" "" "" 0
  row "  minimal delete tps" "-" "$(mean new delete_min_tps)" 0
  row "  DELETE / minimal delete" "-" "$(ratio_of "$(mean new del_rps)" "$(mean new delete_min_tps)")" 3 "new >= 0.9" 'n >= 0.9'
  row "  minimal delete: PostgreSQL CPU us" "-" "$(mean new delete_min_cpu_pg)" 0
  row "  minimal create tps" "-" "$(mean new create_min_tps)" 0
  row "  POST / minimal create" "-" "$(ratio_of "$(mean new post_rps)" "$(mean new create_min_tps)")" 3 "new >= 0.5" 'n >= 0.5'
  row "  minimal create: PostgreSQL CPU us" "-" "$(mean new create_min_cpu_pg)" 0
fi
row "non-2xx + socket errors: GET, POST, DELETE" "$(( $(sum base get_non2xx) + $(sum base post_non2xx) + $(sum base del_non2xx) + $(sum base get_socket_errors) + $(sum base post_socket_errors) + $(sum base del_socket_errors) ))" \
  "$(( $(sum new get_non2xx) + $(sum new post_non2xx) + $(sum new del_non2xx) + $(sum new get_socket_errors) + $(sum new post_socket_errors) + $(sum new del_socket_errors) ))" 0 "0 both" 'b == 0 && n == 0'
if [ "$SKIP_DISPATCH" != 1 ] && [ -s "$BENCH_WORK/dispatch-results.txt" ]; then
  D=$BENCH_WORK/dispatch-results.txt
  bn=$(basename "${JAR[base]}")
  nn=$(basename "${JAR[new]}")
  df() { awk -v j="$1" -v k="$2" -v b="$3" -v f="$4" '$1 == j && $2 == k && (b == "" || $3 == b) {print $f; found = 1} END {if (!found) print "-"}' "$D"; }
  echo "dispatcher (bench/dispatch.sh; simulator, then the http provider answering after 300 ms):"
  row "idle: due -> claim, median ms" "$(df "$bn" idle "" 3)" "$(df "$nn" idle "" 3)" 0 "new <= 100" 'n <= 100'
  for b in $DISPATCH_BURSTS; do
    row "burst $b: claims/s" "$(df "$bn" sim "$b" 7)" "$(df "$nn" sim "$b" 7)" 0 "new >= 1000/s" 'n >= 1000'
    row "burst $b: due -> claim p50 ms" "$(df "$bn" sim "$b" 4)" "$(df "$nn" sim "$b" 4)" 0
    row "burst $b: due -> claim p99 ms" "$(df "$bn" sim "$b" 5)" "$(df "$nn" sim "$b" 5)" 0
    if [ "$b" = 1000 ]; then
      row "burst $b: due -> dial p99 ms (server histogram)" "$(df "$bn" sim "$b" 8)" "$(df "$nn" sim "$b" 8)" 0 "new <= 1000" 'n <= 1000'
    else
      row "burst $b: due -> dial p99 ms (server histogram)" "$(df "$bn" sim "$b" 8)" "$(df "$nn" sim "$b" 8)" 0
    fi
  done
  if [ "$DISPATCH_HTTP_BURST" -gt 0 ]; then
    row "http provider, burst $DISPATCH_HTTP_BURST: dials/s" "$(df "$bn" http "" 4)" "$(df "$nn" http "" 4)" 0 "new >= 500/s" 'n >= 500'
    row "  dials received of $DISPATCH_HTTP_BURST (in ${DISPATCH_HTTP_DEADLINE} s)" "$(df "$bn" http "" 5)" "$(df "$nn" http "" 5)" 0
    row "  callIds dialled twice" "$(df "$bn" http "" 6)" "$(df "$nn" http "" 6)" 0 "0 both" 'b == 0 && n == 0'
  fi
elif [ "$SKIP_DISPATCH" != 1 ]; then
  echo "dispatcher: no figures (bench/dispatch.sh failed; see above)"
fi
echo "(new/base is a ratio of the figures: above 1 is better for rates, below 1 for latencies and CPU)"
if [ "$SKIP_DISPATCH" != 1 ] && [ -s "$BENCH_WORK/dispatch.txt" ]; then
  echo
  echo "bench/dispatch.sh:"
  sed -n '/^simulator: /,$p' "$BENCH_WORK/dispatch.txt"
fi
for which in base new; do
  if [ -s "$BENCH_WORK/list-$which.txt" ]; then
    echo
    echo "bench/list.sh $LIST_SIZES, ${LABEL[$which]}:"
    grep -v '^\[' "$BENCH_WORK/list-$which.txt" || true
  fi
done
echo
printf '%s\n' "${LOADS[@]}" | sed 's/^/load: /'
echo "load at end: $(bench_load); total $((SECONDS - START)) s"
