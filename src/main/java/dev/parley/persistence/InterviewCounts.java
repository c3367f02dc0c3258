package dev.parley.persistence;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-company interview counters behind {@code pagination.total} (V9__flat_lists.sql): writers
 * only insert delta rows (a trigger on interviews), and this fold moves them into one row per
 * company and status, so that reading a total stays a couple of index lookups.
 */
final class InterviewCounts {
  private static final Logger LOG = LoggerFactory.getLogger(InterviewCounts.class);

  /** How often a node tries to fold (one persistence-verticle instance of each node does). */
  static final long FOLD_EVERY_MS = 2_000;

  /**
   * One statement, so one transaction: the deltas it can see leave and their sums land in
   * interview_counts at the same commit, so a reader sees either both or neither. Deltas committed
   * after its snapshot stay for the next fold. The advisory lock lets one fold run at a time in the
   * whole cluster (the others skip), so two folds never wait on each other's rows; writers never
   * touch interview_counts, so they never wait on a fold either.
   */
  static final String FOLD = """
    WITH go AS MATERIALIZED (SELECT pg_try_advisory_xact_lock(7365812904417) AS got),
         moved AS (DELETE FROM interview_count_deltas WHERE (SELECT got FROM go) RETURNING company_id, status, n)
    INSERT INTO interview_counts (company_id, status, n)
    SELECT company_id, status, sum(n) FROM moved GROUP BY company_id, status ORDER BY company_id, status
    ON CONFLICT (company_id, status) DO UPDATE SET n = interview_counts.n + EXCLUDED.n""";

  /**
   * The fold deletes what it moved, and a deleted row's index entry stays until the table is
   * vacuumed: a list sums a company's deltas through that index, so without a vacuum every list
   * would walk the entries of every delta ever folded (after a million creates with autovacuum
   * off, page 1 took three times as long). The node that folded vacuums at its next beat, so the
   * table and its index hold a few seconds of writes whether autovacuum runs or not. The table is
   * small (its live rows are the writes since the last fold), so this vacuum reads a few pages.
   * SKIP_LOCKED: a vacuum that another node runs already does the job.
   */
  static final String VACUUM = "VACUUM (SKIP_LOCKED) interview_count_deltas";

  private InterviewCounts() {
  }

  /** Folds (and then vacuums) every {@link #FOLD_EVERY_MS} on this verticle's context; returns the timer. */
  static long foldPeriodically(Vertx vertx, Pool pool) {
    return Housekeeping.every(vertx, pool, FOLD_EVERY_MS, FOLD, VACUUM, LOG, "interview counters not folded");
  }
}
