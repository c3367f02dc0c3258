package dev.parley.persistence;

import dev.parley.db.DatabaseHealth;
import dev.parley.db.Pools;
import dev.parley.bus.Bus;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;

import java.util.List;

/**
 * Owns the PostgreSQL pool and serves the {@code parley.db.*} addresses. Deployed with one
 * instance per event loop, up to the node's read connections; the instances share one named
 * pool ({@code dbPoolSize} connections in all) and each has its own pipelined read client of
 * {@code readConnections} (their sum is the node's {@code dbReadConnections}).
 */
public final class PersistenceVerticle extends VerticleBase {
  private final PgConnectOptions connectOptions;
  private final int poolSize;
  private final String poolName;
  private final int readConnections;
  private final long gdprSweepMillis;
  private Pool pool;
  private SqlClient reads;

  public PersistenceVerticle(PgConnectOptions connectOptions, int poolSize, String poolName, int readConnections,
                             long gdprSweepMillis) {
    this.gdprSweepMillis = gdprSweepMillis;
    this.connectOptions = connectOptions;
    this.poolSize = poolSize;
    this.poolName = poolName;
    this.readConnections = readConnections;
  }

  @Override
  public Future<?> start() {
    pool = Pools.shared(vertx, connectOptions, poolName, poolSize);
    reads = Pools.readClient(vertx, connectOptions, readConnections);
    List<Store> stores = List.of(new KeyStore(vertx, pool, reads), new CompanyStore(vertx, pool, reads),
      new CandidateStore(vertx, pool, reads), new AgentStore(vertx, pool, reads), new InterviewStore(vertx, pool, reads),
      new AttemptStore(vertx, pool, reads), new WebhookStore(vertx, pool, reads));
    stores.forEach(Store::register);
    // one fold a node, not one per instance: the first instance to start takes it
    if (vertx.sharedData().getLocalMap(InterviewCounts.class.getName()).putIfAbsent("folder", deploymentID()) == null) {
      InterviewCounts.foldPeriodically(vertx, pool);
      IdempotencyKeys.purgePeriodically(vertx, pool);
      GdprExpiry.sweepPeriodically(vertx, pool, gdprSweepMillis);
    }
    Bus.<JsonObject>internal(vertx, Bus.DB_PING, m -> pool.query("SELECT 1").execute()
      .onSuccess(r -> m.reply(new JsonObject().put("ok", true)))
      .onFailure(e -> Bus.fail(m, DatabaseHealth.of(vertx).translate(e))));
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    return pool == null ? Future.succeededFuture() : Future.join(pool.close(), reads.close());
  }
}
