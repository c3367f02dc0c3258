package dev.parley.persistence;

import dev.parley.bus.Bus;
import dev.parley.db.DatabaseHealth;
import dev.parley.lifecycle.Draining;
import dev.parley.repository.InterviewRows;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;

/**
 * A candidate whose {@code gdprExpiryDate} has passed (the date is over in UTC) is erased: each of
 * their interviews is deleted as a DELETE of the API would (in any status, audited under the
 * subject {@value #SUBJECT}, a live call left to finish with nothing after it), then the candidate.
 * A node sweeps every PARLEY_GDPR_SWEEP_SECONDS; a sweep takes up to {@link #BATCH} interviews and
 * goes on at once while there are more.
 */
final class GdprExpiry {
  private static final Logger LOG = LoggerFactory.getLogger(GdprExpiry.class);
  /** Who the audit rows of these deletes name (interview_deletions.token_subject). */
  static final String SUBJECT = "gdpr-expiry";
  static final int BATCH = 100;
  private static final String EXPIRED = "c.gdpr_expiry_date < (now() AT TIME ZONE 'UTC')::date";

  /** Interviews of expired candidates (found by the candidates' partial index). */
  static final String EXPIRED_INTERVIEWS = "SELECT i.id, i.company_id FROM candidates c JOIN interviews i ON i.candidate_id = c.id"
    + " WHERE " + EXPIRED + " LIMIT " + BATCH;
  /** Expired candidates left without interviews. */
  static final String EXPIRED_CANDIDATES = "DELETE FROM candidates WHERE id IN (SELECT c.id FROM candidates c WHERE " + EXPIRED
    + " AND NOT EXISTS (SELECT 1 FROM interviews i WHERE i.candidate_id = c.id) LIMIT " + BATCH + " FOR UPDATE SKIP LOCKED)";

  private final Vertx vertx;
  private final Pool pool;
  private final DatabaseHealth health;
  private final Draining draining;
  private boolean sweeping;

  private GdprExpiry(Vertx vertx, Pool pool) {
    this.vertx = vertx;
    this.pool = pool;
    this.health = DatabaseHealth.of(vertx);
    this.draining = Draining.of(vertx);
  }

  /** Sweeps every {@code everyMs} on this verticle's context. */
  static void sweepPeriodically(Vertx vertx, Pool pool, long everyMs) {
    GdprExpiry expiry = new GdprExpiry(vertx, pool);
    vertx.setPeriodic(everyMs, t -> expiry.sweep());
  }

  private void sweep() {
    if (sweeping || draining.isDraining()) return;
    sweeping = true;
    pool.query(EXPIRED_INTERVIEWS).execute().compose(this::deleteAll)
      .compose(interviews -> pool.query(EXPIRED_CANDIDATES).execute().map(candidates -> {
        if (interviews + candidates.rowCount() > 0) {
          LOG.info("GDPR expiry: {} interviews and {} candidates erased", interviews, candidates.rowCount());
        }
        return interviews == BATCH || candidates.rowCount() == BATCH;
      }))
      .onComplete(ar -> {
        sweeping = false;
        if (ar.failed()) health.warnUnlessDown(LOG, "GDPR expiry sweep failed", ar.cause());
        else if (ar.result()) sweep(); // more are waiting
      });
  }

  /** Deletes the interviews one after another, as the API's delete does; how many there were. */
  private Future<Integer> deleteAll(RowSet<Row> interviews) {
    Future<Void> done = Future.succeededFuture();
    for (Row r : interviews) {
      UUID id = r.getUUID(0), company = r.getUUID(1);
      done = done.compose(v -> InterviewRows.delete(pool, id, company, null, SUBJECT).map(deletion -> {
        if (deletion.outcome() == InterviewRows.Deletion.Outcome.DELETED && "IN_PROGRESS".equals(deletion.statusAtDelete())) {
          // after commit, as for the API's delete: the node holding the call flags it
          vertx.eventBus().publish(Bus.CLUSTER_INTERVIEW_DELETED, new JsonObject().put("interviewId", id.toString()));
        }
        return null;
      }));
    }
    return done.map(interviews.size());
  }
}
