-- Lists that stay flat: GET /interviews costs the same at ten million interviews in a company as at
-- ten thousand (docs/api.md, "Lists").
--
-- 1. Every list is a keyset scan of an index in the list's order (created_at DESC, id DESC), so
--    page 1 and a cursor page read limit + 1 index entries whatever the company's size, and an
--    OFFSET page skips index entries only (index-only) before rendering its own rows.
-- 2. pagination.total comes from per-company counters (total and per status) instead of count(*).
--
-- Plain CREATE INDEX: on a large existing table these block writes to interviews while they build.
-- An operator with such a table can create them beforehand with CREATE INDEX CONCURRENTLY under
-- the same names (then this migration is quick: IF NOT EXISTS).

-- The status filter: (company_id, status) could find the rows of a status but not in list order,
-- so a page of a common status sorted all of them. This one scans in order, also from a cursor.
CREATE INDEX IF NOT EXISTS interviews_company_status_created ON interviews(company_id, status, created_at DESC, id DESC);
DROP INDEX IF EXISTS interviews_company_status;

-- Filters by candidate and by agent, in list order. They also serve the foreign-key checks and
-- "does this candidate still have interviews" (leading column), as the single-column ones did.
CREATE INDEX IF NOT EXISTS interviews_candidate_created ON interviews(candidate_id, created_at DESC, id DESC);
DROP INDEX IF EXISTS interviews_candidate;
CREATE INDEX IF NOT EXISTS interviews_agent_created ON interviews(agent_id, created_at DESC, id DESC);
DROP INDEX IF EXISTS interviews_agent;
-- interviews_company_created (company_id, created_at DESC, id DESC) from V1 serves the unfiltered list.

-- Counters. A company's count of interviews in a status is
--   interview_counts.n  +  the sum of its interview_count_deltas rows,
-- both read in the list's own statement, so in the same snapshot as the page: exact.
--
-- Why two tables and no "UPDATE counters SET n = n + 1": a counter row per company (or the
-- companies row) updated by every create, delete and status change would be a row lock that every
-- writing transaction of the company holds until it commits: creates of one company would run one
-- at a time (each waiting for the previous one's commit and WAL flush), and a claim transaction
-- that changes interviews of several companies could deadlock with another. Only the claim and the
-- end of a call lock the companies row today (active_calls); creates, deletes, post-call
-- completion and attempt changes do not, so that lock cannot be borrowed either. Writers therefore
-- only INSERT delta rows, which conflict with nothing, and a background fold
-- (InterviewCounts.FOLD, every few seconds on every node, one at a time through an advisory lock)
-- moves them into interview_counts. Only the fold ever updates interview_counts. Reads stay cheap
-- as long as the fold keeps up: the deltas of one company are at most its writes of the last few
-- seconds. Totals are right without any fold, just slower to read.
CREATE TABLE interview_counts (
  company_id uuid   NOT NULL,
  status     text   NOT NULL,
  n          bigint NOT NULL,
  PRIMARY KEY (company_id, status)
);

CREATE TABLE interview_count_deltas (
  company_id uuid   NOT NULL,
  status     text   NOT NULL,
  n          int    NOT NULL
);
CREATE INDEX interview_count_deltas_company ON interview_count_deltas(company_id, status);
-- Many short-lived rows: let autovacuum visit it often.
ALTER TABLE interview_count_deltas SET (autovacuum_vacuum_scale_factor = 0.0, autovacuum_vacuum_threshold = 1000,
                                        autovacuum_vacuum_insert_scale_factor = 0.0, autovacuum_vacuum_insert_threshold = 1000);

-- Every path that inserts, deletes or changes the status of an interview keeps the counters, in
-- its own transaction, whatever statement it uses: the trigger is the one place.
CREATE FUNCTION interview_counts_track() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO interview_count_deltas (company_id, status, n) VALUES (NEW.company_id, NEW.status, 1);
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO interview_count_deltas (company_id, status, n) VALUES (OLD.company_id, OLD.status, -1);
  ELSE
    INSERT INTO interview_count_deltas (company_id, status, n)
    VALUES (OLD.company_id, OLD.status, -1), (NEW.company_id, NEW.status, 1);
  END IF;
  RETURN NULL;
END
$$;

-- The triggers come before the backfill: creating them locks out writers of interviews until this
-- migration commits, so no change falls between the count and the first delta.
CREATE TRIGGER interviews_counts_insert_delete AFTER INSERT OR DELETE ON interviews
  FOR EACH ROW EXECUTE FUNCTION interview_counts_track();
CREATE TRIGGER interviews_counts_status AFTER UPDATE OF status, company_id ON interviews
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.company_id IS DISTINCT FROM NEW.company_id)
  EXECUTE FUNCTION interview_counts_track();

INSERT INTO interview_counts (company_id, status, n)
SELECT company_id, status, count(*) FROM interviews GROUP BY company_id, status;
