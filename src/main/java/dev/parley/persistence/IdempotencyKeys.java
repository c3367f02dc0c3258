package dev.parley.persistence;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idempotency keys of {@code POST /interviews} live 24 hours, as Stripe's do: within them a repeat
 * gets the first answer; after them the key is free (a create with it takes it over) and the row is
 * purged, so that the table holds one day of keys and not every key ever sent.
 */
final class IdempotencyKeys {
  private static final Logger LOG = LoggerFactory.getLogger(IdempotencyKeys.class);

  /** How long a key holds its answer, as a PostgreSQL interval. */
  static final String LIFETIME = "24 hours";
  /** How often a node purges expired keys: each purge is one index probe when there are none. */
  static final long PURGE_EVERY_MS = 10_000;
  /** Keys removed by one purge statement at most (the next purge takes the rest). */
  static final int PURGE_BATCH = 1_000;

  /** Whether a key row of this age is expired, for SQL that reads {@code idempotency_keys} as the table's name. */
  static final String EXPIRED = "idempotency_keys.created_at <= now() - interval '" + LIFETIME + "'";

  static final String PURGE = """
    DELETE FROM idempotency_keys WHERE (company_id, key) IN (
      SELECT company_id, key FROM idempotency_keys WHERE\s""" + EXPIRED + """
       ORDER BY created_at LIMIT\s""" + PURGE_BATCH + " FOR UPDATE SKIP LOCKED)";

  private IdempotencyKeys() {
  }

  /** Purges expired keys every {@link #PURGE_EVERY_MS}, on this verticle's context; returns the timer. */
  static long purgePeriodically(Vertx vertx, Pool pool) {
    return Housekeeping.every(vertx, pool, PURGE_EVERY_MS, PURGE, LOG, "expired idempotency keys not purged");
  }
}
