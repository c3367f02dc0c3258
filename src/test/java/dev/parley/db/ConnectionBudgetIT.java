package dev.parley.db;

import dev.parley.support.Sql;
import dev.parley.support.TestServer;
import dev.parley.support.TestServer.Tenant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node's PostgreSQL connections stay within PARLEY_DB_POOL_SIZE + PARLEY_DB_READ_CONNECTIONS
 * however many event loops it has: here 16, as on a 16-core machine, under concurrent reads and
 * writes that make every pool open what it may.
 */
class ConnectionBudgetIT {
  static TestServer server;
  static final int BUDGET = 8 + 8;

  @BeforeAll
  static void start() {
    server = TestServer.start("connbudget", Map.of("PARLEY_EVENT_LOOPS", "16"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** The server's backends now: what each last ran, so that a failure shows who holds what. */
  static List<Map<String, Object>> connections() {
    return Sql.rows(server.database, "SELECT pid, application_name, backend_type, state, left(query, 50) AS query"
      // the server's own (it names itself): not this test's JDBC connections, which may still be closing
      + " FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'parley' ORDER BY backend_start");
  }

  static List<Map<String, Object>> larger(List<Map<String, Object>> a, List<Map<String, Object>> b) {
    return b.size() > a.size() ? b : a;
  }

  @Test
  void sixteenEventLoopsStayWithinTheDefaultBudget() throws Exception {
    Tenant t = server.company("Budget", "read:interviews,write:interviews,delete:interviews");
    String body = "{\"candidate\":{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\",\"phoneNumber\":\"+421915123456\"},"
      + "\"agent\":{\"name\":\"Screening\",\"questions\":[\"Why us?\"]},\"scheduledAt\":\"" + OffsetDateTime.now().plusDays(7) + "\"}";
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 20; i++) ids.add(server.post("/interviews", t.key(), body).data().getString("id"));

    ExecutorService clients = Executors.newFixedThreadPool(64);
    List<Map<String, Object>> most = List.of();
    try {
      List<Future<Integer>> answers = new ArrayList<>();
      for (int round = 0; round < 40; round++) {
        for (int c = 0; c < 64; c++) {
          String id = ids.get((round + c) % ids.size());
          boolean write = c % 8 == 0;
          answers.add(clients.submit(() -> write
            ? server.post("/interviews", t.key(), body).status()
            : server.get("/interviews/" + id, t.key()).status()));
        }
        most = larger(most, connections());
      }
      for (Future<Integer> a : answers) assertThat(a.get()).isIn(200, 201);
    } finally {
      clients.shutdownNow();
    }
    most = larger(most, connections());
    // every read client was used: more than the pool alone, and never more than the budget
    assertThat(most.size()).as("the most backends seen at once: %s", most).isGreaterThan(8).isLessThanOrEqualTo(BUDGET);
  }
}
