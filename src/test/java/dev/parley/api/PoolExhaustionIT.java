package dev.parley.api;

import dev.parley.support.Sql;
import dev.parley.support.TestServer;
import dev.parley.support.TestServer.Response;
import dev.parley.support.TestServer.Tenant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.parley.api.ApiChecks.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node whose pool has no connection to give: the request that waits for one is answered 503
 * UNAVAILABLE with Retry-After when the pool's wait (5 s) runs out, before the bus timeout (10 s),
 * and the exhaustion shows in the metrics. The node's one pooled connection is held by a delete
 * that waits on a row lock the test holds.
 */
class PoolExhaustionIT {
  static final Duration WAIT = Duration.ofSeconds(30);
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start("poolexhaust", Map.of("PARLEY_DB_POOL_SIZE", "1"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }


  double poolInUse() {
    return server.metric("vertx_pool_in_use", "pool_type", "sql", "pool_name", "parley-" + server.node().nodeId());
  }

  @Test
  void aRequestThatFindsNoFreeConnectionIs503BeforeTheBusTimeoutAndTheMetricsShowIt() throws Exception {
    Tenant t = server.company("Exhausted", "read:interviews,write:interviews,delete:interviews");
    String id = server.post("/interviews", t.key(), ApiChecks.interview()).data().getString("id");
    assertThat(server.metric("parley_database_unavailable_total", "cause", "pool_exhausted")).isZero();
    assertThat(server.metric("parley_database_up")).isEqualTo(1);

    CompletableFuture<Response> delete;
    try (Connection hold = server.database.connect()) {
      hold.setAutoCommit(false);
      Sql.lock(hold, "SELECT 1 FROM interviews WHERE id = ? FOR UPDATE", id);
      // the delete takes the node's only pooled connection and waits on the lock with it
      delete = CompletableFuture.supplyAsync(() -> server.delete("/interviews/" + id, t.key()));
      await().atMost(WAIT).until(() -> Sql.waitingOnALock(server.database, "FROM delete_interview("));
      assertThat(poolInUse()).as("connections of the pool in use").isEqualTo(1);

      long started = System.nanoTime();
      Response create = server.post("/interviews", t.key(), ApiChecks.interview());
      long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      assertError(create, 503, "UNAVAILABLE");
      assertThat(create.raw().headers().firstValue("Retry-After")).hasValue("5");
      assertThat(create.body().getJsonObject("error").getString("message")).contains("no database connection free");
      assertThat(waitedMs).as("answered when the pool's wait ran out, before the bus timeout").isBetween(4_000L, 9_900L);
      assertThat(server.metric("parley_database_unavailable_total", "cause", "pool_exhausted")).isEqualTo(1);
      assertThat(server.metric("parley_database_unavailable_total", "cause", "unreachable")).isZero();
      // readiness follows: the node has nothing to serve writes with
      await().atMost(WAIT).until(() -> server.get("/health/ready", null).status() == 503);
      assertThat(server.metric("parley_database_up")).isZero();
      assertThat(delete).as("the delete still waits on the lock").isNotDone();
      hold.commit();
    }

    assertThat(delete.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
    await().atMost(WAIT).until(() -> server.get("/health/ready", null).status() == 200);
    assertThat(server.metric("parley_database_up")).isEqualTo(1);
    Response again = server.post("/interviews", t.key(), ApiChecks.interview());
    assertThat(again.status()).as(again.raw().body()).isEqualTo(201);
    assertThat(Sql.count(server.database, "SELECT count(*) FROM interviews WHERE company_id = ?", t.companyId()))
      .as("the refused create left nothing; the one after it is there").isEqualTo(1);
  }
}
