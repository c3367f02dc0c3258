#!/usr/bin/env bash
# Where PostgreSQL's CPU goes in a create and a delete: pgbench runs the statements the server
# sends, then the same with one part taken away at a time, down to the minimal floors of
# bench/floors/, each case on a fresh database with the server's schema. No Parley server runs while
# pgbench does, so PostgreSQL's CPU is the backends' alone. Each difference between two lines is
# what that part costs PostgreSQL per request.
#
#   bench/write-costs.sh [JAR]          (default target/parley.jar: its migrations make the schema)
#
# create, as the server sends it (InterviewStore.insert, InterviewRows.create): BEGIN, the inline
#   candidate, the inline agent, the attempt, the interview with its document rendered in its
#   INSERT, COMMIT, in one pipeline;
#   - before V18: the same with what V18 took away (the keys to companies, and SET CONSTRAINTS ...
#     DEFERRED before the attempt, whose key was checked at once otherwise);
#   - no render: the same with a constant document instead of interview_doc(...);
#   - no counters: the same with the interview counters' trigger (V9) disabled;
#   - no keys: the same without any foreign key of the four tables (since V18 none points at
#     companies);
#   - minimal: bench/floors/create.pgbench (one statement, trigger-free and key-free copies of the tables).
# Then the ladder of the create, each rung taking one more part away from the one before, so that the
# differences add up to the whole distance from the server's create to the floor:
#   - node render: as sent, with the document given as a parameter (as if the node rendered it);
#   - + no keys: and without any foreign key of the four tables;
#   - + no counters: and without the counters' trigger;
#   - one statement: those inserts as one statement of CTEs in autocommit (the server's tables and
#     indexes, the document a parameter), the last rung above the minimal floor. (The attempt's
#     reference is checked at the end of the statement, so its interview may come after it.)
# delete, as the server sends it: SELECT ... FROM delete_interview(...) (V11), in autocommit;
#   - no counters: the same with the counters' trigger disabled;
#   - + no recording keys: and without the foreign keys of recordings and recording_chunks, whose
#     ON DELETE CASCADE probes both tables on every delete;
#   - + lock and audit only: and a copy of delete_interview without its deletes of the outbox, the
#     idempotency keys and the webhook deliveries (the attempts still go by their cascade);
#   - one statement: that copy's delete and audit row as one SQL statement, without the row lock;
#   - minimal: bench/floors/delete.pgbench.
# Each delete runs on a pool of its own, made in SQL beforehand.
#
# Knobs: ROUNDS=3 (every case once a round, in turn) CONNECTIONS=32 THREADS=2 WARMUP=10 DURATION=15
#   DELETE_POOL=300000 CASES="create-api create-minimal" (only those cases; default all)
# Prints one line per case and round (transactions/s, PostgreSQL cores, PostgreSQL CPU per
# transaction in us), then the median of each case over the rounds.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$BENCH_DIR/lib.sh"

CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-10}
DURATION=${DURATION:-15}
DELETE_POOL=${DELETE_POOL:-300000}
ROUNDS=${ROUNDS:-3}

bench_need jq "Debian: apt-get install -y jq"
bench_init
BENCH_JAR=$(bench_jar "${1:-}")
AT=$(date -u -d '+7 days' +%Y-%m-%dT%H:%M:%SZ)
ZONE=Europe/Bratislava
bench_machine >&2

# fresh_database: each round starts from the same state, an empty database with the schema (the
# previous round's pools and creates would make every later round a round on a bigger database)
fresh_database() {
  [ -n "$BENCH_DB" ] && bench_psql -d postgres -c "DROP DATABASE $BENCH_DB (FORCE)" >/dev/null
  bench_create_db parley_bench_costs
  bench_log "database $BENCH_DB, schema of $BENCH_JAR"
  bench_company_and_key --call-window 00:00-24:00
  KEY_ID=$(bench_psql -d "$BENCH_DB" -At -c "SELECT id FROM api_keys WHERE company_id = '$BENCH_COMPANY'")
  bench_psql -d "$BENCH_DB" -f "$BENCH_DIR/floors/tables.sql" >/dev/null
  # delete_interview (V11) without its deletes of the outbox, idempotency keys and deliveries
  bench_psql -d "$BENCH_DB" >/dev/null <<'SQL'
CREATE FUNCTION bench_delete_bare(p_id uuid, p_company uuid, p_key uuid, p_subject text,
                                  OUT outcome text, OUT status_at_delete text) LANGUAGE plpgsql AS $$
DECLARE
  v_company uuid;
BEGIN
  SELECT company_id, status INTO v_company, status_at_delete FROM interviews WHERE id = p_id FOR UPDATE;
  IF NOT FOUND THEN outcome := 'not_found'; RETURN; END IF;
  IF v_company <> p_company THEN outcome := 'other_company'; status_at_delete := NULL; RETURN; END IF;
  INSERT INTO interview_deletions (interview_id, company_id, api_key_id, token_subject, status_at_delete)
  VALUES (p_id, v_company, p_key, p_subject, status_at_delete);
  DELETE FROM interviews WHERE id = p_id;
  outcome := 'deleted';
END $$;
SQL
  MIN_DOC=$(bench_psql -d "$BENCH_DB" -At -c "SELECT interview_doc(gen_random_uuid(), '$BENCH_COMPANY', gen_random_uuid(), gen_random_uuid(), NULL, 'SCHEDULED', '$AT', 15, NULL, '{}', false, NULL, NULL, now(), now())")
  DOC_LITERAL="'${MIN_DOC//\'/\'\'}'"  # the same document as an SQL literal (the ladder's node render)
}

# The create as the server sends it; $1 is the interview's document expression, $2 a prefix that
# keeps each case's ids apart.
create_script() {
  cat <<PGB
\\set k :k + 1
\\startpipeline
BEGIN;
INSERT INTO candidates (id, company_id, job_id, first_name, last_name, email, phone_number, gdpr_expiry_date, metadata) VALUES (md5('$2c' || :client_id || '.' || :k)::uuid, '$BENCH_COMPANY', NULL, 'Bench', 'Mark', NULL, '+421915123456', NULL, COALESCE(NULL, '{}'::jsonb));
INSERT INTO agents (id, company_id, name, type, focus, language, duration, questions, instructions, voice_id, cefr_level, company_phone_number_id, metadata) SELECT md5('$2a' || :client_id || '.' || :k)::uuid, '$BENCH_COMPANY', 'Bench', COALESCE(NULL, 'PHONE'), COALESCE(NULL, 'GENERIC'), COALESCE(NULL, 'EN'), COALESCE(NULL, 15), COALESCE('["Why this role?", "Tell me about a project you led."]'::jsonb, '[]'::jsonb), NULL, NULL, NULL, NULL::uuid, COALESCE(NULL, '{}'::jsonb) WHERE true RETURNING id;
INSERT INTO call_attempts (id, interview_id, company_id, status, scheduled_at, callable_at) VALUES (md5('$2t' || :client_id || '.' || :k)::uuid, md5('$2i' || :client_id || '.' || :k)::uuid, '$BENCH_COMPANY', 'SCHEDULED', '$AT', '$AT');
INSERT INTO interviews (id, company_id, candidate_id, agent_id, job_id, status, scheduled_at, schedule_offset, duration_minutes, metadata, is_test, created_by_key, call_zone, doc) SELECT md5('$2i' || :client_id || '.' || :k)::uuid, '$BENCH_COMPANY', md5('$2c' || :client_id || '.' || :k)::uuid, md5('$2a' || :client_id || '.' || :k)::uuid, NULL, 'SCHEDULED', '$AT', NULL, a.duration, COALESCE(NULL, '{}'::jsonb), false, '$KEY_ID', '$ZONE', $1 FROM agents a WHERE a.id = md5('$2a' || :client_id || '.' || :k)::uuid RETURNING doc;
COMMIT;
\\endpipeline
PGB
}
render_for() {  # the document expression of the interview's INSERT, for the ids of prefix $1
  echo "interview_doc(md5('$1i' || :client_id || '.' || :k)::uuid, '$BENCH_COMPANY', md5('$1c' || :client_id || '.' || :k)::uuid, md5('$1a' || :client_id || '.' || :k)::uuid, NULL, 'SCHEDULED', '$AT', a.duration, NULL, COALESCE(NULL, '{}'::jsonb), false, NULL, NULL, now(), now())::text"
}

# The last rung of the create's ladder: the server's inserts, columns and tables as one statement
# of CTEs in autocommit, with no render (the document a parameter), keys and counters already taken
# away by the caller. $1 keeps each round's ids apart.
ladder_one_statement_script() {
  cat <<PGB
\\set k :k + 1
WITH c AS (INSERT INTO candidates (id, company_id, job_id, first_name, last_name, email, phone_number, gdpr_expiry_date, metadata) VALUES (md5('$1c' || :client_id || '.' || :k)::uuid, '$BENCH_COMPANY', NULL, 'Bench', 'Mark', NULL, '+421915123456', NULL, '{}'::jsonb)),
     a AS (INSERT INTO agents (id, company_id, name, type, focus, language, duration, questions, instructions, voice_id, cefr_level, company_phone_number_id, metadata) VALUES (md5('$1a' || :client_id || '.' || :k)::uuid, '$BENCH_COMPANY', 'Bench', 'PHONE', 'GENERIC', 'EN', 15, '["Why this role?", "Tell me about a project you led."]'::jsonb, NULL, NULL, NULL, NULL::uuid, '{}'::jsonb)),
     t AS (INSERT INTO call_attempts (id, interview_id, company_id, status, scheduled_at, callable_at) VALUES (md5('$1t' || :client_id || '.' || :k)::uuid, md5('$1i' || :client_id || '.' || :k)::uuid, '$BENCH_COMPANY', 'SCHEDULED', '$AT', '$AT'))
INSERT INTO interviews (id, company_id, candidate_id, agent_id, job_id, status, scheduled_at, schedule_offset, duration_minutes, metadata, is_test, created_by_key, call_zone, doc) VALUES (md5('$1i' || :client_id || '.' || :k)::uuid, '$BENCH_COMPANY', md5('$1c' || :client_id || '.' || :k)::uuid, md5('$1a' || :client_id || '.' || :k)::uuid, NULL, 'SCHEDULED', '$AT', NULL, 15, '{}'::jsonb, false, '$KEY_ID', '$ZONE', $2);
PGB
}

declare -a LINES
# wanted NAME: whether the case runs (CASES, a list of names, empty for all)
wanted() { [ -z "${CASES:-}" ] || [[ " $CASES " == *" $1 "* ]]; }
run() {  # run NAME SCRIPT_FILE [PGBENCH ARGS...]
  local name=$1 file=$2 line cpu tps
  shift 2
  # every case from the same start: the counters' deltas folded away (the server does that every
  # 2 s; none runs here) and no dirty buffers left by the case before
  bench_psql -d "$BENCH_DB" -c "TRUNCATE interview_count_deltas" -c "CHECKPOINT" >/dev/null
  bench_log "$name: pgbench ${WARMUP} s + ${DURATION} s, $CONNECTIONS clients"
  line=$(bench_pgbench_measured "$CONNECTIONS" "$THREADS" "$WARMUP" "$DURATION" "$name" "" -f "$file" -D k=0 "$@")
  tps=$(kv "$line" tps)
  cpu=$(kv "$line" cpu)
  LINES+=("$(awk -v n="$name" -v t="$tps" -v c="$cpu" 'BEGIN { split(c, a, ","); printf "%-24s %8.0f/s  pg %.2f cores  %5.0f us/tx\n", n, t, a[3], (t > 0 ? a[3] / t * 1e6 : 0) }')")
  echo "${LINES[-1]}"
}
counters() { bench_psql -d "$BENCH_DB" -c "ALTER TABLE interviews $1 TRIGGER interviews_counts_insert_delete" >/dev/null; }
# drop_keys WHERE: drops the foreign keys that match WHERE (on pg_constraint c) for the case's
# database. CREATE_KEYS: those of the create's four tables.
KEY_TABLES="'candidates'::regclass, 'agents'::regclass, 'interviews'::regclass, 'call_attempts'::regclass"
CREATE_KEYS="c.conrelid IN ($KEY_TABLES)"
drop_keys() {
  bench_psql -d "$BENCH_DB" -At -c "SELECT format('ALTER TABLE %s DROP CONSTRAINT %I;', c.conrelid::regclass, c.conname)
      FROM pg_constraint c WHERE c.contype = 'f' AND $1" >"$W/drop-keys.sql"
  bench_psql -d "$BENCH_DB" -f "$W/drop-keys.sql" >/dev/null
  bench_log "dropped $(wc -l <"$W/drop-keys.sql") foreign keys"
}

# before_v18: puts back what V18 took from the create: the four tables' foreign keys to companies,
# and the attempt's key checked at once unless a transaction defers it.
before_v18() {
  bench_psql -d "$BENCH_DB" >/dev/null <<'SQL'
ALTER TABLE candidates    ADD CONSTRAINT candidates_company_id_fkey    FOREIGN KEY (company_id) REFERENCES companies(id);
ALTER TABLE agents        ADD CONSTRAINT agents_company_id_fkey        FOREIGN KEY (company_id) REFERENCES companies(id);
ALTER TABLE interviews    ADD CONSTRAINT interviews_company_id_fkey    FOREIGN KEY (company_id) REFERENCES companies(id);
ALTER TABLE call_attempts ADD CONSTRAINT call_attempts_company_id_fkey FOREIGN KEY (company_id) REFERENCES companies(id);
ALTER TABLE call_attempts ALTER CONSTRAINT call_attempts_interview_id_fkey DEFERRABLE INITIALLY IMMEDIATE;
SQL
}

# A pool of interviews to delete, as creates leave them (document rendered), ids md5(PREFIX || n).
delete_pool() {  # delete_pool PREFIX [COUNT]
  local p=$1 n=${2:-$DELETE_POOL}
  bench_log "delete pool '$p': $n interviews"
  bench_psql -d "$BENCH_DB" >/dev/null <<SQL
INSERT INTO candidates (id, company_id, first_name, last_name, phone_number)
SELECT md5('${p}c' || g)::uuid, '$BENCH_COMPANY', 'Bench', 'Mark', '+421915123456' FROM generate_series(1, $n) g;
INSERT INTO agents (id, company_id, name, questions)
SELECT md5('${p}a' || g)::uuid, '$BENCH_COMPANY', 'Bench', '["Why this role?"]' FROM generate_series(1, $n) g;
INSERT INTO interviews (id, company_id, candidate_id, agent_id, status, scheduled_at, duration_minutes, call_zone, created_by_key, doc)
SELECT md5('$p' || g)::uuid, '$BENCH_COMPANY', md5('${p}c' || g)::uuid, md5('${p}a' || g)::uuid, 'SCHEDULED', '$AT', 15, '$ZONE', '$KEY_ID', ''
  FROM generate_series(1, $n) g;
INSERT INTO call_attempts (id, interview_id, company_id, status, scheduled_at, callable_at)
SELECT gen_random_uuid(), md5('$p' || g)::uuid, '$BENCH_COMPANY', 'SCHEDULED', '$AT', '$AT' FROM generate_series(1, $n) g;
UPDATE interviews i SET doc = interview_json(i)::text WHERE doc = '';
VACUUM ANALYZE;
CHECKPOINT;
SQL
}
delete_script() {
  cat <<PGB
\\set k :k + 1
\\set n (:k - 1) * $CONNECTIONS + :client_id + 1
SELECT outcome, status_at_delete FROM delete_interview(md5('$1' || :n)::uuid, '$BENCH_COMPANY', '$KEY_ID', NULL);
PGB
}
pool_left() {
  [ "$(bench_psql -d "$BENCH_DB" -At -c "SELECT count(*) FROM interviews WHERE id IN (SELECT md5('$1' || g)::uuid FROM generate_series(1, $DELETE_POOL) g)")" -gt 0 ] \
    || bench_log "WARNING: pool $1 ran out (raise DELETE_POOL)"
}

W=$BENCH_WORK
ROUND=0
# Every case runs on a database of its own, made afresh (fresh_database): in one database each case
# ran on the tables and WAL the cases before it had grown, and with PostgreSQL's 128 MB of shared
# buffers here the later cases, the floor included, came out up to twice as dear as the same case
# run first.
create_round() {  # the create cases once
  local r=$ROUND
  if wanted create-api; then
    fresh_database; create_script "$(render_for "A$r")" "A$r" >"$W/create-api.pgbench"
    run create-api "$W/create-api.pgbench"
  fi
  if wanted create-before-v18; then  # the same create as main sent it before V18, on the keys it had then
    fresh_database; before_v18
    create_script "$(render_for "P$r")" "P$r" \
      | sed 's/^INSERT INTO call_attempts/SET CONSTRAINTS call_attempts_interview_id_fkey DEFERRED;\nINSERT INTO call_attempts/' \
      >"$W/create-before-v18.pgbench"
    run create-before-v18 "$W/create-before-v18.pgbench"
  fi
  if wanted create-no-render; then
    fresh_database; create_script "'{}'" "B$r" >"$W/create-no-render.pgbench"
    run create-no-render "$W/create-no-render.pgbench"
  fi
  if wanted create-no-counters; then
    fresh_database; create_script "$(render_for "C$r")" "C$r" >"$W/create-no-counters.pgbench"
    counters DISABLE
    run create-no-counters "$W/create-no-counters.pgbench"
  fi
  if wanted create-no-keys; then
    fresh_database; create_script "$(render_for "G$r")" "G$r" >"$W/create-no-keys.pgbench"
    drop_keys "$CREATE_KEYS"
    run create-no-keys "$W/create-no-keys.pgbench"
  fi
  if wanted create-minimal; then
    fresh_database
    run create-minimal "$BENCH_DIR/floors/create.pgbench" -D "company=$BENCH_COMPANY" -D "at=$AT" -D "zone=$ZONE" -D "doc=$MIN_DOC"
  fi
  # the ladder: each rung takes one more part away
  if wanted ladder-node-render; then
    fresh_database
    create_script "$DOC_LITERAL" "H$r" >"$W/ladder-node-render.pgbench"
    run ladder-node-render "$W/ladder-node-render.pgbench"
  fi
  if wanted ladder-no-keys; then
    fresh_database; drop_keys "$CREATE_KEYS"
    create_script "$DOC_LITERAL" "I$r" >"$W/ladder-no-keys.pgbench"
    run ladder-no-keys "$W/ladder-no-keys.pgbench"
  fi
  if wanted ladder-no-counters; then
    fresh_database; drop_keys "$CREATE_KEYS"; counters DISABLE
    create_script "$DOC_LITERAL" "J$r" >"$W/ladder-no-counters.pgbench"
    run ladder-no-counters "$W/ladder-no-counters.pgbench"
  fi
  if wanted ladder-one-statement; then
    fresh_database; drop_keys "$CREATE_KEYS"; counters DISABLE
    ladder_one_statement_script "K$r" "$DOC_LITERAL" >"$W/ladder-one-statement.pgbench"
    run ladder-one-statement "$W/ladder-one-statement.pgbench"
  fi
}

delete_round() {
  local r=$ROUND
  if wanted delete-api; then
    fresh_database; delete_pool "D$r"
    delete_script "D$r" >"$W/delete-api.pgbench"
    run delete-api "$W/delete-api.pgbench"
    pool_left "D$r"
  fi
  if wanted delete-no-counters; then
    fresh_database; delete_pool "E$r"; counters DISABLE
    delete_script "E$r" >"$W/delete-no-counters.pgbench"
    run delete-no-counters "$W/delete-no-counters.pgbench"
    pool_left "E$r"
  fi
  # the ladder, from no counters on: each rung takes one more part away
  local recording_keys="c.confrelid = 'interviews'::regclass AND c.conrelid IN ('recordings'::regclass, 'recording_chunks'::regclass)"
  if wanted ladder-no-rec-keys; then
    fresh_database; delete_pool "L$r"; counters DISABLE; drop_keys "$recording_keys"
    delete_script "L$r" >"$W/ladder-no-rec-keys.pgbench"
    run ladder-no-rec-keys "$W/ladder-no-rec-keys.pgbench"
    pool_left "L$r"
  fi
  if wanted ladder-lock-audit; then
    fresh_database; delete_pool "M$r"; counters DISABLE; drop_keys "$recording_keys"
    delete_script "M$r" | sed 's/FROM delete_interview(/FROM bench_delete_bare(/' >"$W/ladder-lock-audit.pgbench"
    run ladder-lock-audit "$W/ladder-lock-audit.pgbench"
    pool_left "M$r"
  fi
  if wanted ladder-del-statement; then
    fresh_database; delete_pool "N$r"; counters DISABLE; drop_keys "$recording_keys"
    cat >"$W/ladder-del-statement.pgbench" <<PGB
\\set k :k + 1
\\set n (:k - 1) * $CONNECTIONS + :client_id + 1
WITH i AS (DELETE FROM interviews WHERE id = md5('N$r' || :n)::uuid AND company_id = '$BENCH_COMPANY' RETURNING id, company_id, status)
INSERT INTO interview_deletions (interview_id, company_id, api_key_id, token_subject, status_at_delete)
SELECT id, company_id, '$KEY_ID', NULL, status FROM i;
PGB
    run ladder-del-statement "$W/ladder-del-statement.pgbench"
    pool_left "N$r"
  fi
  if wanted delete-minimal; then
    fresh_database; delete_pool "O$r" 1
    bench_log "minimal delete pool: $DELETE_POOL copies"
    bench_psql -d "$BENCH_DB" >/dev/null <<SQL
INSERT INTO floor_interviews SELECT (jsonb_populate_record(i, jsonb_build_object('id', md5('floor' || g)::uuid))).*
    FROM interviews i, generate_series(1, $DELETE_POOL) g WHERE i.id = (SELECT min(interview_id::text)::uuid FROM call_attempts);
INSERT INTO floor_call_attempts SELECT (jsonb_populate_record(a, jsonb_build_object('id', gen_random_uuid(),
    'interview_id', md5('floor' || g)::uuid))).* FROM call_attempts a, generate_series(1, $DELETE_POOL) g
    WHERE a.id = (SELECT id FROM call_attempts WHERE interview_id = (SELECT min(interview_id::text)::uuid FROM call_attempts) LIMIT 1);
VACUUM ANALYZE floor_interviews, floor_call_attempts;
CHECKPOINT;
SQL
    run delete-minimal "$BENCH_DIR/floors/delete.pgbench" -D "clients=$CONNECTIONS"
    [ "$(bench_psql -d "$BENCH_DB" -At -c "SELECT count(*) FROM floor_interviews")" -gt 0 ] || bench_log "WARNING: the minimal pool ran out"
  fi
}

for ROUND in $(seq 1 "$ROUNDS"); do
  bench_log "== round $ROUND of $ROUNDS"
  create_round
  delete_round
done

echo
echo "write costs, $(date -u +%Y-%m-%dT%H:%MZ), $CONNECTIONS clients, $ROUNDS rounds of ${DURATION} s measured per case ($(bench_load))"
printf '%s\n' "${LINES[@]}"
echo
echo "medians over the rounds (PostgreSQL CPU per transaction; the difference to the line above is what that part costs)"
printf '%s\n' "${LINES[@]}" | awk '{ n = $1; sub("/s", "", $2); r[n] = r[n] " " $2; u[n] = u[n] " " $(NF - 1); if (!(n in seen)) { seen[n] = 1; order[++k] = n } }
  function median(list,   a, m, i, j, t) { m = split(list, a, " "); for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2 }
  END { for (i = 1; i <= k; i++) printf "%-24s %8.0f/s  %5.0f us/tx\n", order[i], median(r[order[i]]), median(u[order[i]]) }'
