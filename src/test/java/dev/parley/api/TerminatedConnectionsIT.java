package dev.parley.api;

import dev.parley.support.TestServer;
import dev.parley.support.TestServer.Response;
import dev.parley.support.TestServer.Tenant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Runs alone ({@link Isolated}): it makes the server reconnect again and again on the PostgreSQL
 * that the test classes running side by side share, whose connections are few.
 *
 * <p>PostgreSQL terminates the server's connections while requests run on them (what an operator's
 * pg_terminate_backend, a failover or a fast shutdown does): a request whose connection went away
 * under it is answered 503 UNAVAILABLE with Retry-After, never 500.
 */
@Isolated
class TerminatedConnectionsIT {
  static TestServer server;
  static Tenant acme;

  @BeforeAll
  static void start() {
    server = TestServer.start("terminated");
    acme = server.company("Acme", ApiChecks.ALL);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void aRequestWhoseConnectionIsTerminatedIs503NeverA500() throws Exception {
    String known = server.post("/interviews", acme.key(), ApiChecks.interview()).data().getString("id");
    List<Response> writes = new CopyOnWriteArrayList<>(), reads = new CopyOnWriteArrayList<>();
    AtomicBoolean running = new AtomicBoolean(true);
    ExecutorService clients = Executors.newFixedThreadPool(8);
    List<Future<?>> load = new java.util.ArrayList<>();
    for (int c = 0; c < 8; c++) {
      boolean writer = c % 2 == 0;
      load.add(clients.submit(() -> {
        while (running.get()) {
          if (writer) writes.add(server.post("/interviews", acme.key(), ApiChecks.interview()));
          else reads.add(server.get("/interviews/" + known, acme.key()));
        }
      }));
    }
    long terminated = 0;
    // one connection of the test's own for every termination: no connection churn beside the server's
    try (java.sql.Connection admin = server.database.connect();
         java.sql.PreparedStatement terminate = admin.prepareStatement("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
           + " WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'")) {
      // each termination comes once the load has answered more requests since the last one, so
      // connections are busy again; it goes on until a write was cut off (the race was met)
      for (int round = 0; round < 10 || writes.stream().noneMatch(r -> r.status() == 503) && round < 100; round++) {
        int seen = writes.size() + reads.size();
        await().atMost(Duration.ofSeconds(20)).until(() -> writes.size() + reads.size() >= seen + 8);
        try (java.sql.ResultSet rs = terminate.executeQuery()) {
          rs.next();
          terminated += rs.getLong(1);
        }
      }
    } finally {
      running.set(false);
      for (Future<?> f : load) f.get(60, TimeUnit.SECONDS);
      clients.shutdown();
    }

    List<Response> all = new java.util.ArrayList<>(writes);
    all.addAll(reads);
    assertThat(terminated).as("connections terminated").isPositive();
    assertThat(all.stream().filter(r -> r.status() >= 500 && r.status() != 503).map(r -> r.status() + " " + r.raw().body()))
      .as("answers other than 503 among the failures").isEmpty();
    assertThat(all).allSatisfy(r -> assertThat(r.status()).as(r.raw().body()).isIn(200, 201, 503));
    assertThat(all.stream().filter(r -> r.status() == 503)).allSatisfy(r -> {
      assertThat(r.errorCode()).isEqualTo("UNAVAILABLE");
      assertThat(r.raw().headers().firstValue("Retry-After")).hasValue("5");
    });
    // the race was forced: some writes were under way on a connection when it was terminated
    assertThat(writes.stream().filter(r -> r.status() == 503)).as("writes cut off by a termination").isNotEmpty();
    // and the server works on after it
    assertThat(ApiChecks.poll(Duration.ofSeconds(20), () -> server.get("/interviews/" + known, acme.key()),
      r -> r.status() == 200).status()).isEqualTo(200);
  }

  /** The backend running the server's GET of one interview while it waits for a lock; 0 when none. */
  static long waitingRead(java.sql.Connection admin) throws java.sql.SQLException {
    try (java.sql.Statement s = admin.createStatement(); java.sql.ResultSet rs = s.executeQuery(
      "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        + " AND query LIKE 'SELECT company_id, doc FROM interviews WHERE id = $1%'")) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  /**
   * A read is run once more on another connection when its own is terminated under it: the GET
   * waits on a lock the test holds, its backend is terminated, and the same read, started again,
   * waits on the lock under a new backend; once the lock goes, it answers 200. Without the retry
   * the GET would be answered 503 at the termination.
   */
  @Test
  void aReadWhoseConnectionIsTerminatedUnderItRunsOnceMoreAndAnswers() throws Exception {
    String id = server.post("/interviews", acme.key(), ApiChecks.interview()).data().getString("id");
    assertThat(server.get("/interviews/" + id, acme.key()).status()).isEqualTo(200); // the key is cached now
    try (java.sql.Connection locker = server.database.connect(); java.sql.Connection admin = server.database.connect()) {
      locker.setAutoCommit(false);
      try (java.sql.Statement lock = locker.createStatement()) {
        lock.execute("LOCK TABLE interviews IN ACCESS EXCLUSIVE MODE");
      }
      java.util.concurrent.CompletableFuture<Response> read =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> server.get("/interviews/" + id, acme.key()));
      long first = await().atMost(Duration.ofSeconds(20)).until(() -> waitingRead(admin), pid -> pid != 0);
      try (java.sql.PreparedStatement terminate = admin.prepareStatement("SELECT pg_terminate_backend(?::int)")) {
        terminate.setLong(1, first);
        terminate.execute();
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> read.isDone() || waitingRead(admin) != 0 && waitingRead(admin) != first);
      locker.commit();
      Response answer = read.get(20, TimeUnit.SECONDS);
      assertThat(answer.status()).as(answer.raw().body()).isEqualTo(200);
      assertThat(answer.data().getString("id")).isEqualTo(id);
    }
  }
}
