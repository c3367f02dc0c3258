package dev.parley.calls;

import dev.parley.support.Sql;
import dev.parley.support.TestServer;
import dev.parley.support.TestServer.Tenant;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A call that never reports its end holds its slot only for its lease (invariant 2). */
class LeaseIT {
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start("lease", Map.of(
      "PARLEY_SIMULATOR_RING_MS", "100",
      "PARLEY_LEASE_SECONDS", "2",
      "PARLEY_LEASE_CHECK_MS", "200",
      "PARLEY_RETRY_COUNT", "0",
      "PARLEY_DISPATCH_POLL_MS", "200"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void anEndlessCallLosesItsSlotWhenTheLeaseExpires() {
    Tenant t = server.company("Lease", "read:interviews,write:interviews", "--call-window", "00:00-24:00",
      "--max-concurrent-calls", "1");
    String body = "{\"candidate\":{\"firstName\":\"Ada\",\"lastName\":\"L\",\"phoneNumber\":\"+421915120005\"},"
      + "\"agent\":{\"name\":\"Screening\"}}";
    String id = server.post("/interviews", t.key(), body).data().getString("id");
    await().atMost(Duration.ofSeconds(10)).until(() ->
      Sql.count(server.database, "SELECT count(*) FROM live_calls WHERE interview_id = ?", id) == 1);
    assertThat(Sql.count(server.database, "SELECT active_calls FROM companies WHERE id = ?", t.companyId())).isEqualTo(1);

    await().atMost(Duration.ofSeconds(15)).until(() ->
      "FAILED".equals(server.get("/interviews/" + id, t.key()).data().getString("status")));
    JsonObject attempt = server.get("/interviews/" + id, t.key()).data().getJsonArray("callAttempts").getJsonObject(0);
    assertThat(attempt.getString("status")).isEqualTo("FAILED");
    assertThat(attempt.getString("reasonCode")).isEqualTo("PROVIDER_ERROR");
    assertThat(Sql.count(server.database, "SELECT count(*) FROM live_calls WHERE company_id = ?", t.companyId())).isZero();
    assertThat(Sql.count(server.database, "SELECT active_calls FROM companies WHERE id = ?", t.companyId())).isZero();
  }
}
