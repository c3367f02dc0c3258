package dev.parley.persistence;

import dev.parley.db.DatabaseHealth;
import dev.parley.lifecycle.Draining;
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
    DatabaseHealth health = DatabaseHealth.of(vertx);
    Draining draining = Draining.of(vertx);
    return vertx.setPeriodic(everyMs, t -> {
      if (!draining.isDraining()) pool.query(sql).execute().onFailure(e -> health.warnUnlessDown(log, failure, e));
    });
  }
}
