package dev.parley.calls;

import dev.parley.support.Sql;
import dev.parley.support.TestServer;
import dev.parley.support.TestServer.Response;
import dev.parley.support.TestServer.Tenant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An attempt due at T is dialled at T, not at the next poll: here the poll comes every ten
 * minutes, so only the dispatcher's timer for the next due attempt can dial it in time.
 */
class DueAtTimeIT {
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start("dueat", Map.of("PARLEY_DISPATCH_POLL_MS", "600000", "PARLEY_SIMULATOR_RING_MS", "100"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void anInterviewDueInAFewSecondsIsDialledWhenItFallsDue() {
    Tenant t = server.company("Due", "read:interviews,write:interviews", "--call-window", "00:00-24:00");
    Instant due = Instant.now().plusSeconds(4).truncatedTo(ChronoUnit.MILLIS);
    Response r = server.post("/interviews", t.key(), "{\"candidate\":{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\","
      + "\"phoneNumber\":\"+421915123456\"},\"agent\":{\"name\":\"Screening\"},\"scheduledAt\":\"" + due + "\"}");
    assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
    String id = r.data().getString("id");
    assertThat(r.data().getJsonArray("callAttempts").getJsonObject(0).getString("status")).isEqualTo("SCHEDULED");

    await().atMost(Duration.ofSeconds(30)).until(() ->
      Sql.count(server.database, "SELECT count(*) FROM call_attempts WHERE interview_id = ? AND called_at IS NOT NULL", id) == 1);
    assertThat(Sql.count(server.database, "SELECT count(*) FROM call_attempts WHERE interview_id = ? AND called_at >= scheduled_at", id))
      .as("dialled at its time, not before").isEqualTo(1);
  }

  /** Due at once: the node that committed it wakes its dispatcher (there is no poll for ten minutes). */
  @Test
  void anInterviewDueNowIsDialledWithoutWaitingForThePoll() {
    Tenant t = server.company("DueNow", "read:interviews,write:interviews", "--call-window", "00:00-24:00");
    Response r = server.post("/interviews", t.key(), "{\"candidate\":{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\","
      + "\"phoneNumber\":\"+421915123456\"},\"agent\":{\"name\":\"Screening\"}}");
    assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
    String id = r.data().getString("id");
    await().atMost(Duration.ofSeconds(30)).until(() ->
      Sql.count(server.database, "SELECT count(*) FROM call_attempts WHERE interview_id = ? AND called_at IS NOT NULL", id) == 1);
  }
}
