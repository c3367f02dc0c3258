package dev.parley.persistence;

import dev.parley.db.DatabaseHealth;
import dev.parley.lifecycle.Draining;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;

/**
 * A statement a node runs on a beat, from one persistence-verticle instance: the fold of the
 * interview counters, the purge of expired idempotency keys. A node that is shutting down leaves
 * the work to the next beat, on any node.
 */
final class Housekeeping {
  private Housekeeping() {
  }

  /** Runs {@code sql} every {@code everyMs} on this verticle's context; returns the timer. */
  static long every(Vertx vertx, Pool pool, long everyMs, String sql, Logger log, String failure) {
    return every(vertx, pool, everyMs, sql, null, log, failure);
  }

  /**
   * Runs {@code sql} every {@code everyMs}, and {@code cleanUp} at the beat after one where
   * {@code sql} changed rows (the vacuum of a table the statement emptied: right after its commit,
   * another transaction's snapshot may still see the rows it deleted, and the vacuum could not
   * remove them yet; a beat later it can); returns the timer.
   */
  static long every(Vertx vertx, Pool pool, long everyMs, String sql, String cleanUp, Logger log, String failure) {
    DatabaseHealth health = DatabaseHealth.of(vertx);
    Draining draining = Draining.of(vertx);
    boolean[] changed = {false};
    return vertx.setPeriodic(everyMs, t -> {
      if (draining.isDraining()) return;
      Future<?> first = cleanUp != null && changed[0] ? pool.query(cleanUp).execute() : Future.succeededFuture();
      first.compose(cleaned -> pool.query(sql).execute())
        .onSuccess(done -> changed[0] = done.rowCount() > 0)
        .onFailure(e -> health.warnUnlessDown(log, failure, e));
    });
  }
}
