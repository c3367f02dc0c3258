package dev.parley.webhooks;

import dev.parley.support.DrippingReceiver;
import dev.parley.support.Receiver;
import dev.parley.support.Sql;
import dev.parley.support.TestServer;
import dev.parley.support.TestServer.Response;
import dev.parley.support.TestServer.Tenant;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One tenant's webhook receivers cannot hurt another's deliveries: every send has a total
 * deadline (a receiver that drips its answer a byte at a time is cut off at it), and one company
 * holds at most its share of a node's sends ({@link 4}).
 */
class WebhookBoundsIT {
  static final String SCOPES = "read:interviews,write:interviews,read:webhooks,write:webhooks";
  static final Duration WAIT = Duration.ofSeconds(30);

  static Tenant company(TestServer server, String name, int slots) {
    return server.company(name, SCOPES, "--call-window", "00:00-24:00", "--max-concurrent-calls", String.valueOf(slots));
  }

  static void subscribe(TestServer server, Tenant t, String url) {
    Response created = server.post("/webhooks", t.key(), "{\"url\":\"" + url + "\",\"events\":[\"interview.started\"],\"name\":\"t\"}");
    assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
  }

  static String testInterview(TestServer server, Tenant t) {
    Response r = server.post("/interviews", t.key(), "{\"candidate\":{\"firstName\":\"Ada\",\"lastName\":\"L\","
      + "\"phoneNumber\":\"+421915123456\"},\"agent\":{\"name\":\"Screening\",\"questions\":[\"Why us?\"]},\"isTest\":true}");
    assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
    return r.data().getString("id");
  }

  /**
   * Company A has twenty deliveries to a receiver that drips its answers, more than a node's
   * sixteen sends; the deadline is a minute, so only the company's share keeps A's sends from
   * taking all sixteen. Company B's delivery must still arrive within seconds.
   */
  @Test
  void aDrippingReceiverHoldsOnlyItsCompanysShareOfTheSends() throws Exception {
    try (TestServer server = TestServer.start("webhookshare", Map.of(
          "PARLEY_WEBHOOKS_ALLOW_PRIVATE", "true", "PARLEY_WEBHOOK_POLL_MS", "100", "PARLEY_WEBHOOK_TIMEOUT_MS", "60000",
          "PARLEY_SIMULATOR_RING_MS", "100", "PARLEY_SIMULATOR_TALK_MS", "300"));
         DrippingReceiver drip = new DrippingReceiver(2000);
         Receiver receiver = new Receiver()) {
      Tenant a = company(server, "Dripping A", 20);
      Tenant b = company(server, "Prompt B", 2);
      subscribe(server, a, drip.url());
      subscribe(server, b, receiver.url());
      for (int k = 0; k < 20; k++) testInterview(server, a);
      await().atMost(WAIT).until(() -> Sql.count(server.database,
        "SELECT count(*) FROM webhook_deliveries WHERE company_id = ?::uuid", a.companyId()) == 20);
      await().atMost(WAIT).until(() -> drip.open() == WebhookVerticle.MAX_SENDS_PER_COMPANY);

      Instant created = Instant.now();
      String id = testInterview(server, b);
      await().atMost(Duration.ofSeconds(5)).until(() -> receiver.delivered().stream().anyMatch(h -> id.equals(h.interviewId())));
      assertThat(Duration.between(created, Instant.now())).isLessThan(Duration.ofSeconds(5));
      // A's receiver still drips on the sends it got, and got no more than its share
      assertThat(drip.open()).isEqualTo(WebhookVerticle.MAX_SENDS_PER_COMPANY);
      assertThat(drip.hits).hasSize(WebhookVerticle.MAX_SENDS_PER_COMPANY);
    }
  }

  /**
   * A receiver that sends a byte every second never lets an idle timeout of 2.5 s fire; the send's
   * total deadline ends each try at 2.5 s, records it as a failed try, and the delivery's tries
   * never overlap (its lease outlasts the deadline).
   */
  @Test
  void aDrippedAnswerIsCutOffAtTheDeadline() throws Exception {
    try (TestServer server = TestServer.start("webhookdeadline", Map.of(
          "PARLEY_WEBHOOKS_ALLOW_PRIVATE", "true", "PARLEY_WEBHOOK_POLL_MS", "100", "PARLEY_WEBHOOK_TIMEOUT_MS", "2500",
          "PARLEY_WEBHOOK_RETRY_BASE_MS", "200", "PARLEY_SIMULATOR_RING_MS", "100", "PARLEY_SIMULATOR_TALK_MS", "300"));
         DrippingReceiver drip = new DrippingReceiver(1000)) {
      Tenant a = company(server, "Dripping", 2);
      subscribe(server, a, drip.url());
      testInterview(server, a);

      await().atMost(WAIT).until(() -> tries(server, a).size() >= 2);
      for (JsonObject t : tries(server, a)) {
        assertThat(t.getString("error")).isEqualTo("no complete answer within 2500 ms");
        assertThat(t.getLong("durationMs")).isBetween(2500L, 6000L);
      }
      await().atMost(WAIT).until(() -> drip.hits.size() >= 2 && drip.hits.get(0).closed != null && drip.hits.get(1).closed != null);
      // one delivery, its tries one after another: each began after the one before was cut off
      assertThat(drip.hits.stream().map(h -> h.deliveryId).distinct()).hasSize(1);
      List<DrippingReceiver.Hit> hits = new ArrayList<>(drip.hits);
      for (int k = 1; k < hits.size(); k++) {
        assertThat(hits.get(k).opened).as("try %d", k + 1).isAfter(hits.get(k - 1).opened.plusMillis(2400));
      }
      assertThat(Duration.between(hits.get(0).opened, hits.get(0).closed)).isLessThan(Duration.ofSeconds(6));
    }
  }

  /** The tries recorded in the company's deliveries' logs. */
  static List<JsonObject> tries(TestServer server, Tenant t) {
    return Sql.rows(server.database, "SELECT log::text AS log FROM webhook_deliveries WHERE company_id = ?::uuid", t.companyId())
      .stream().flatMap(r -> new JsonArray((String) r.get("log")).stream().map(JsonObject.class::cast))
      .collect(Collectors.toList());
  }
}
