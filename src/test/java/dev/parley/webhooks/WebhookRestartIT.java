package dev.parley.webhooks;

import dev.parley.support.Receiver;
import dev.parley.support.Sql;
import dev.parley.support.TestServer;
import dev.parley.support.TestServer.Tenant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Deliveries survive a restart of the server in the middle of their retries (at least once). */
class WebhookRestartIT {
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start("whrestart", Map.of(
      "PARLEY_WEBHOOKS_ALLOW_PRIVATE", "true",
      "PARLEY_WEBHOOK_RETRY_BASE_MS", "200",
      "PARLEY_WEBHOOK_TIMEOUT_MS", "2000",
      // keep retrying, at most a second apart, however long the restart takes on a loaded machine
      "PARLEY_WEBHOOK_RETRY_MAX_MS", "1000",
      "PARLEY_WEBHOOK_MAX_ATTEMPTS", "1000",
      "PARLEY_WEBHOOK_CIRCUIT_THRESHOLD", "1000",
      "PARLEY_WEBHOOK_POLL_MS", "100",
      "PARLEY_SIMULATOR_RING_MS", "100", "PARLEY_SIMULATOR_TALK_MS", "300"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** What the server holds about the interview, for a failure message. */
  static String state(String id, Receiver receiver) {
    return "hits " + receiver.hits.size() + ", interview " + Sql.rows(server.database,
      "SELECT status, analysis IS NOT NULL AS analysed FROM interviews WHERE id = ?", id)
      + ", outbox " + Sql.rows(server.database, "SELECT kind, event_type, attempts, available_at - now() AS due_in FROM outbox")
      + ", deliveries " + Sql.rows(server.database,
        "SELECT event_type, status, attempts, next_attempt_at - now() AS due_in, last_error FROM webhook_deliveries");
  }

  @Test
  void aRestartDuringRetriesLosesNothing() throws Exception {
    try (Receiver receiver = new Receiver()) {
      Tenant t = server.company("Restart", "read:interviews,write:interviews,write:webhooks", "--call-window", "00:00-24:00");
      var created = server.post("/webhooks", t.key(), "{\"url\":\"" + receiver.url() + "\",\"events\":"
        + "[\"interview.started\",\"interview.completed\",\"analysis.completed\"]}");
      receiver.secret = created.data().getString("signingSecret");
      receiver.answer = () -> 503;
      var interview = server.post("/interviews", t.key(), "{\"candidate\":{\"firstName\":\"A\",\"lastName\":\"B\","
        + "\"phoneNumber\":\"+421915123456\"},\"agent\":{\"name\":\"Screening\"},\"isTest\":true}");
      assertThat(interview.status()).as(interview.raw().body()).isEqualTo(201);
      String id = interview.data().getString("id");
      // every event is in the delivery queue (post-call work done) and the first has been refused twice
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(receiver.hits.size() >= 2 && Sql.count(
        server.database, "SELECT count(*) FROM webhook_deliveries WHERE interview_id = ?", id) == 3)
        .as(() -> state(id, receiver)).isTrue());

      server.restart();
      receiver.answer = () -> 204;

      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(receiver.delivered()).as(() -> state(id, receiver))
        .hasSize(3));
      assertThat(receiver.delivered()).extracting(Receiver.Hit::event)
        .containsExactly("interview.started", "interview.completed", "analysis.completed");
      assertThat(receiver.delivered()).allSatisfy(h -> {
        assertThat(h.interviewId()).isEqualTo(id);
        assertThat(h.signatureValid()).isTrue();
      });
    }
  }
}
