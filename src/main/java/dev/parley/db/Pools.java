package dev.parley.db;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

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
        .setConnectionTimeout(10).setConnectionTimeoutUnit(TimeUnit.SECONDS))
      .connectingTo(connectOptions)
      .using(vertx)
      .build();
  }
}
