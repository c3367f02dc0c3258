package dev.parley.db;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlClient;

import java.util.concurrent.TimeUnit;

/** The node's PostgreSQL pool: one named, shared pool, whichever verticle asks for it. */
public final class Pools {
  private Pools() {}

  /**
   * The pool called {@code name}: every verticle that asks by the same name gets the same
   * connections ({@code size} in all), so the node holds one pool whatever its instance count.
   */
  public static Pool shared(Vertx vertx, PgConnectOptions connectOptions, String name, int size) {
    return PgBuilder.pool()
      .with(new PoolOptions().setMaxSize(size).setShared(true).setName(name)
        // a pool wait ends before the bus request that waits on it (Bus.SEND_TIMEOUT_MS, 10 s): 503, not a timeout
        .setConnectionTimeout(5).setConnectionTimeoutUnit(TimeUnit.SECONDS))
      .connectingTo(connectOptions)
      .using(vertx)
      .build();
  }

  /**
   * A small pipelining client for one verticle instance's reads: its connections live on that
   * instance's event loop, so a read does not hop between threads, and several reads share a
   * connection without waiting for each other. Not for transactions (they cannot pipeline).
   */
  public static SqlClient readClient(Vertx vertx, PgConnectOptions connectOptions, int size) {
    return PgBuilder.client()
      // a name of its own, so that its pool metrics are not mixed with (or refused as) another's
      .with(new PoolOptions().setMaxSize(size).setName("parley-reads-" + java.util.UUID.randomUUID())
        .setConnectionTimeout(5).setConnectionTimeoutUnit(TimeUnit.SECONDS))
      .connectingTo(new PgConnectOptions(connectOptions).setPipeliningLimit(256))
      .using(vertx)
      .build();
  }
}
