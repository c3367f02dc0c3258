package dev.parley.db;

import dev.parley.client.ErrorCode;
import dev.parley.bus.ParleyException;
import dev.parley.lifecycle.Draining;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.impl.NoStackTraceThrowable;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import io.vertx.sqlclient.Pool;
import dev.parley.logging.RequestIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Whether this node reaches PostgreSQL. Every failure that means "the database is not there" (a
 * refused or lost connection, a pool with no connection to give within its timeout, an
 * administrator's shutdown) is reported here by whoever met it, and a probe checks every second.
 * The API answers such failures 503 UNAVAILABLE with Retry-After, readiness answers 503 while the
 * database is down, and background work skips its own logging of them: one line says when the
 * database went away and one when it is back, however many requests failed in between.
 * One per node (per Vert.x instance).
 */
public final class DatabaseHealth implements Shareable {
  private static final Logger LOG = LoggerFactory.getLogger(DatabaseHealth.class);
  /** How long a client is told to wait before it tries again. */
  public static final int RETRY_AFTER_SECONDS = 5;
  private static final long PROBE_EVERY_MS = 1000;
  private static final long PROBE_TIMEOUT_MS = 2000;
  /** How the pool says that its wait for a free connection ran out. */
  private static final String POOL_WAIT_TIMEOUT = "Timeout waiting for connection";

  private volatile boolean up = true;
  private volatile Counter poolWaits;
  private volatile Counter unreachable;
  private volatile long downSince;
  private volatile String why;

  /** This node's tracker. */
  public static DatabaseHealth of(Vertx vertx) {
    LocalMap<String, DatabaseHealth> map = vertx.sharedData().getLocalMap("parley.database");
    return map.computeIfAbsent("health", k -> new DatabaseHealth());
  }

  /**
   * Shows in the node's metrics: {@code parley_database_up} (1 or 0, as readiness says) and
   * {@code parley_database_unavailable_total}, the requests answered 503 UNAVAILABLE, by cause:
   * {@code pool_exhausted} (no pooled connection was free within the pool's wait) or
   * {@code unreachable} (PostgreSQL refused, lost or never answered the connection).
   */
  public void metrics(MeterRegistry registry) {
    Gauge.builder("parley.database.up", this, h -> h.up ? 1 : 0)
      .description("1 while this node reaches PostgreSQL, 0 while it does not (readiness answers 503)").register(registry);
    String description = "requests answered 503 UNAVAILABLE because no database connection could be had";
    poolWaits = Counter.builder("parley.database.unavailable").description(description).tag("cause", "pool_exhausted").register(registry);
    unreachable = Counter.builder("parley.database.unavailable").description(description).tag("cause", "unreachable").register(registry);
  }

  /** Starts the probe on the node's pool (once per node); it stops when the node starts shutting down. */
  public void probe(Vertx vertx, Pool pool) {
    Draining draining = Draining.of(vertx);
    vertx.setPeriodic(PROBE_EVERY_MS, t -> {
      if (draining.isDraining()) {
        vertx.cancelTimer(t);
        return;
      }
      pool.query("SELECT 1").execute().timeout(PROBE_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .onSuccess(r -> reachable())
        .onFailure(e -> down(e instanceof TimeoutException ? "no answer within " + PROBE_TIMEOUT_MS + " ms" : e.getMessage()));
    });
  }

  public boolean isUp() {
    return up;
  }

  /**
   * What a failure means for a client: UNAVAILABLE when the database is not there (and the tracker
   * learns of it), the failure itself otherwise.
   */
  public Throwable translate(Throwable failure) {
    return translate(failure, false);
  }

  /**
   * {@link #translate} for code that talks to PostgreSQL and nothing else (the persistence
   * stores): there, any failed socket is the database's. A backend terminated under a query
   * surfaces as the socket's own failure ("Connection reset"), raised by the network layer with
   * nothing of the pg client in it.
   */
  public Throwable translateDatabaseFailure(Throwable failure) {
    return translate(failure, true);
  }

  private Throwable translate(Throwable failure, boolean databaseOnly) {
    if (!unavailable(failure) && !(databaseOnly && socketFailure(failure))) return failure;
    down(failure.getMessage());
    boolean poolWait = poolWait(failure);
    Counter counter = poolWait ? poolWaits : unreachable;
    if (counter != null) counter.increment();
    return new ParleyException(ErrorCode.UNAVAILABLE, poolWait
      ? "The server has no database connection free; retry in a few seconds"
      : "The database is unavailable; retry in a few seconds");
  }

  /**
   * The pool's wait for a free connection ran out. The pool fails its waiter with a bare
   * {@code NoStackTraceThrowable("Timeout")} (SqlConnectionPool's waiter timeout in 5.0), and with
   * "Timeout waiting for connection" on its other path.
   */
  private static boolean poolWait(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof NoStackTraceThrowable && "Timeout".equals(t.getMessage())) return true;
      if (t instanceof VertxException && t.getMessage() != null && t.getMessage().startsWith(POOL_WAIT_TIMEOUT)) return true;
    }
    return false;
  }

  /** Whether a failure was the database being away: reported here, so the caller need not log it. */
  public boolean absorbed(Throwable failure) {
    if (!unavailable(failure)) return false;
    down(failure.getMessage());
    return true;
  }

  private void down(String reason) {
    if (up) {
      synchronized (this) {
        if (!up) return;
        up = false;
        downSince = System.currentTimeMillis();
        why = reason;
      }
      // with the id of the request that found it, when a request did
      RequestIds.log(() -> LOG.error("PostgreSQL is unavailable: {} (requests answer 503 until it is back)", reason));
    }
  }

  private void reachable() {
    if (!up) {
      synchronized (this) {
        if (up) return;
        up = true;
      }
      LOG.info("PostgreSQL is reachable again after {} s (it went away with: {})",
        (System.currentTimeMillis() - downSince) / 1000, why);
    }
  }

  /**
   * What the pg client (SocketConnectionBase, 5.0) fails the statements queued on a pipelined
   * connection with when that connection closes before they were sent.
   */
  private static final String PENDING_ON_CLOSED = "Pending requests failed to be sent due to connection has been closed";

  /** The pg client's own word that the connection a statement was on (or queued for) is gone. */
  private static boolean closedUnderneath(Throwable t) {
    return t instanceof VertxException && t.getMessage() != null
      && (t.getMessage().startsWith("Connection is not active") || t.getMessage().startsWith(PENDING_ON_CLOSED));
  }

  /**
   * Failures that mean the database cannot be reached right now: connections refused, lost, not
   * active or failing under a query, a TLS handshake that failed, a pool wait that ran out,
   * PostgreSQL shutting down, terminating the connection or refusing connections.
   */
  public static boolean unavailable(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ConnectException || t instanceof NoRouteToHostException || t instanceof UnknownHostException
        || t instanceof ClosedConnectionException || t instanceof io.netty.channel.ConnectTimeoutException) {
        return true;
      }
      if (t instanceof PgException pg && pg.getSqlState() != null
        && (pg.getSqlState().startsWith("08") || pg.getSqlState().startsWith("57P") || pg.getSqlState().equals("53300"))) {
        return true;
      }
      if (closedUnderneath(t)) return true;
      // the database's socket failed under a query (a backend terminated or a server gone while
      // the client wrote to it: "Broken pipe", "Connection reset by peer"); only the pg client's
      // own: a third party's socket failing is not the database going away
      if (t instanceof java.io.IOException && raisedByTheDatabaseClient(t)) {
        return true;
      }
      // the pg client's TLS handshake failed (a certificate changed since the start); not SSLException
      // in general: third parties' (an analysis provider's) would pass for the database's
      if (t instanceof VertxException && DatabaseTls.VERTX_HANDSHAKE_FAILED.equals(t.getMessage())) {
        return true;
      }
    }
    return poolWait(failure);
  }

  /**
   * The statement's connection went away under it (a terminated backend, a reset or closed
   * socket), as against a database that cannot be reached at all or a pool with nothing free:
   * another connection may well answer, so a read is worth one more try. For the persistence
   * stores, which talk to PostgreSQL alone: there any failed socket is the database's.
   */
  public static boolean connectionLost(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ClosedConnectionException) return true;
      // admin_shutdown: pg_terminate_backend, or the server's fast shutdown (where the retry is refused at once)
      if (t instanceof PgException pg && "57P01".equals(pg.getSqlState())) return true;
      if (closedUnderneath(t)) return true;
      // the socket's own failure ("Connection reset"), with nothing of the pg client in it: as in
      // translateDatabaseFailure, this is for code that talks to PostgreSQL and nothing else
      if (t instanceof java.io.IOException && !(t instanceof ConnectException)) return true;
    }
    return false;
  }

  private static boolean socketFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.io.IOException) return true;
    }
    return false;
  }

  private static boolean raisedByTheDatabaseClient(Throwable t) {
    for (StackTraceElement frame : t.getStackTrace()) {
      if (frame.getClassName().startsWith("io.vertx.pgclient.") || frame.getClassName().startsWith("io.vertx.sqlclient.")) return true;
    }
    return false;
  }

  /** A background step's failure: logged unless it was the database being away (already said once). */
  public void warnUnlessDown(Logger log, String what, Throwable failure) {
    if (!absorbed(failure)) log.warn("{}: {}", what, failure.getMessage());
  }
}
