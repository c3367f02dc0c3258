package dev.parley.webhooks;

import dev.parley.support.Receiver;
import dev.parley.support.Sql;
import dev.parley.support.TestServer;
import dev.parley.support.TestServer.Response;
import dev.parley.support.TestServer.Tenant;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Subscriptions and signed, retried, ordered deliveries (SPEC section 5) against local receivers. */
class WebhooksIT {
  static TestServer server;
  static final String SCOPES = "read:interviews,write:interviews,delete:interviews,read:webhooks,write:webhooks";
  static final Duration WAIT = Duration.ofSeconds(30);

  @BeforeAll
  static void start() {
    server = TestServer.start("webhooks", Map.of(
      "PARLEY_WEBHOOKS_ALLOW_PRIVATE", "true",
      "PARLEY_WEBHOOK_RETRY_BASE_MS", "200",
      "PARLEY_WEBHOOK_CIRCUIT_THRESHOLD", "4",
      "PARLEY_WEBHOOK_POLL_MS", "100",
      // test interviews are simulated calls: short ones
      "PARLEY_SIMULATOR_RING_MS", "100", "PARLEY_SIMULATOR_TALK_MS", "300",
      // longer than a test's HTTP requests wait (20 s): a request that waited for a send would fail
      "PARLEY_WEBHOOK_TIMEOUT_MS", "60000"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static Tenant company(String name) {
    return server.company(name, SCOPES, "--call-window", "00:00-24:00");
  }

  static JsonObject subscribe(Tenant t, Receiver r, String events) {
    Response created = server.post("/webhooks", t.key(), "{\"url\":\"" + r.url() + "\",\"events\":" + events
      + ",\"name\":\"test\",\"headers\":[{\"name\":\"X-Custom\",\"value\":\"s3cret-value\"}]}");
    assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
    r.secret = created.data().getString("signingSecret");
    return created.data();
  }

  static final String ALL_EVENTS = "[\"interview.started\",\"interview.completed\",\"interview.failed\","
    + "\"analysis.completed\",\"analysis.failed\",\"ping\"]";

  /** A test interview: a short simulated call, so started, completed and analysis.completed within a moment. */
  static String testInterview(Tenant t) {
    Response r = server.post("/interviews", t.key(), "{\"candidate\":{\"firstName\":\"Ada\",\"lastName\":\"L\","
      + "\"phoneNumber\":\"+421915123456\"},\"agent\":{\"name\":\"Screening\",\"questions\":[\"Why us?\"]},\"isTest\":true}");
    assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
    return r.data().getString("id");
  }

  @Test
  void aReceiverThatFailsThreeTimesGetsEveryEventOnceInOrderSigned() throws Exception {
    try (Receiver receiver = new Receiver()) {
      Tenant t = company("Retry");
      subscribe(t, receiver, ALL_EVENTS);
      receiver.failFirst(3);
      String id = testInterview(t);

      await().atMost(WAIT).until(() -> receiver.delivered().size() == 3);
      List<Receiver.Hit> delivered = receiver.delivered();
      assertThat(delivered).extracting(Receiver.Hit::event)
        .containsExactly("interview.started", "interview.completed", "analysis.completed");
      assertThat(delivered).allSatisfy(h -> {
        assertThat(h.interviewId()).isEqualTo(id);
        assertThat(h.deliveryId()).isEqualTo(h.body().getString("deliveryId"));
        assertThat(h.customHeader()).isEqualTo("s3cret-value");
      });
      assertThat(delivered).extracting(Receiver.Hit::deliveryId).doesNotHaveDuplicates();
      // the three failures were tries of the first delivery, which the later ones waited for
      assertThat(receiver.hits).hasSize(6);
      assertThat(receiver.hits.subList(0, 4)).extracting(Receiver.Hit::deliveryId).containsOnly(delivered.get(0).deliveryId());
      assertThat(receiver.hits).allSatisfy(h -> assertThat(h.signatureValid()).as("signature of %s", h.deliveryId()).isTrue());
      assertThat(delivered.get(2).body().getJsonObject("data").getJsonObject("analysis").getJsonObject("general")
        .getInteger("overallRating")).isBetween(0, 100);
      assertThat(delivered.get(0).body().getString("timestamp")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    }
  }

  @Test
  void nothingAboutADeletedInterviewArrivesAfterItsDelete() throws Exception {
    try (Receiver receiver = new Receiver()) {
      Tenant t = company("Deleted");
      subscribe(t, receiver, ALL_EVENTS);
      receiver.answer = () -> 503;
      String deleted = testInterview(t);
      await().atMost(WAIT).until(() -> Sql.count(server.database,
        "SELECT count(*) FROM webhook_deliveries WHERE interview_id = ?", deleted) == 3);
      await().atMost(WAIT).until(() -> !receiver.hits.isEmpty());

      assertThat(server.delete("/interviews/" + deleted, t.key()).status()).isEqualTo(200);
      Instant deletedAt = Instant.now();
      receiver.answer = () -> 204;
      assertThat(Sql.count(server.database, "SELECT count(*) FROM webhook_deliveries WHERE interview_id = ?", deleted)).isZero();

      // A later interview's events arrive; none about the deleted one ever does.
      String later = testInterview(t);
      await().atMost(WAIT).until(() -> receiver.delivered().stream().filter(h -> later.equals(h.interviewId())).count() == 3);
      assertThat(receiver.hits.stream().filter(h -> deleted.equals(h.interviewId()))).allSatisfy(h -> {
        assertThat(h.at()).isBefore(deletedAt.plusMillis(1));
        assertThat(h.answered()).isEqualTo(503);
      });
    }
  }

  /** A receiver that does not answer holds no connection and no lock: the delete of its interview answers at once. */
  @Test
  void aReceiverThatHangsNeverHoldsUpADelete() throws Exception {
    try (Receiver receiver = new Receiver()) {
      Tenant t = company("Hanging receiver");
      subscribe(t, receiver, ALL_EVENTS);
      java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
      java.util.concurrent.CountDownLatch sending = new java.util.concurrent.CountDownLatch(1);
      receiver.answer = () -> {
        sending.countDown();
        try {
          release.await(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return 204;
      };
      try {
        String id = testInterview(t);
        assertThat(sending.await(30, java.util.concurrent.TimeUnit.SECONDS)).as("a delivery is on the wire").isTrue();
        Response deleted = server.delete("/interviews/" + id, t.key());
        assertThat(deleted.status()).as("the delete answered while the receiver still holds the send").isEqualTo(200);
        assertThat(release.getCount()).isEqualTo(1);
        assertThat(Sql.count(server.database, "SELECT count(*) FROM webhook_deliveries WHERE interview_id = ?", id)).isZero();
        // the API stays fast meanwhile for everyone: a read answers too
        assertThat(server.get("/interviews?limit=1", t.key()).status()).isEqualTo(200);
      } finally {
        release.countDown();
        receiver.answer = () -> 204;
      }
    }
  }

  @Test
  void theCircuitOpensAfterConsecutiveFailuresAndResetClosesIt() throws Exception {
    try (Receiver receiver = new Receiver()) {
      Tenant t = company("Circuit");
      String webhookId = subscribe(t, receiver, ALL_EVENTS).getString("id");
      receiver.answer = () -> 500;
      testInterview(t);

      await().atMost(WAIT).until(() -> server.get("/webhooks/" + webhookId, t.key()).data().getString("circuitOpenedAt") != null);
      JsonObject open = server.get("/webhooks/" + webhookId, t.key()).data();
      assertThat(open.getBoolean("isActive")).isFalse();
      assertThat(open.getInteger("consecutiveFailures")).isGreaterThanOrEqualTo(4);
      int triesWhenOpened = receiver.hits.size();
      JsonObject ping = server.post("/webhooks/" + webhookId + "/test", t.key(), null).data();
      assertThat(ping.getBoolean("success")).isFalse();
      assertThat(receiver.hits).hasSize(triesWhenOpened); // nothing is sent while it is open

      receiver.answer = () -> 204;
      JsonObject reset = server.post("/webhooks/" + webhookId + "/reset-circuit", t.key(), null).data();
      assertThat(reset.getBoolean("isActive")).isTrue();
      assertThat(reset.getInteger("consecutiveFailures")).isZero();
      assertThat(reset.getValue("circuitOpenedAt")).isNull();
      await().atMost(WAIT).until(() -> receiver.delivered().size() == 3);
      // the receiver counts a hit before its answer reaches the server, which records it after:
      // wait for the log to catch up, and fail if it never does
      await().atMost(WAIT).untilAsserted(() -> {
        JsonArray log = server.get("/webhooks/" + webhookId + "/deliveries", t.key()).data().getJsonArray("items");
        assertThat(log).hasSize(3).allSatisfy(d -> assertThat(((JsonObject) d).getString("status")).isEqualTo("DELIVERED"));
      });
      assertThat(receiver.delivered()).hasSize(3);
    }
  }

  @Test
  void subscriptionsAreManagedShownMaskedAndPinged() throws Exception {
    try (Receiver receiver = new Receiver()) {
      Tenant t = company("Manage");
      JsonObject created = subscribe(t, receiver, "[\"INTERVIEW_COMPLETED\", 5]");
      assertThat(created.getString("signingSecret")).matches("[0-9a-f]{64}");
      assertThat(created.getJsonArray("events")).containsExactlyInAnyOrder("interview.completed", "interview.started");
      String id = created.getString("id");

      JsonObject got = server.get("/webhooks/" + id, t.key()).data();
      assertThat(got.containsKey("signingSecret")).isFalse();
      assertThat(got.getJsonArray("headers").getJsonObject(0)).isEqualTo(new JsonObject().put("name", "X-Custom").put("isMasked", true));
      assertThat(server.get("/webhooks/" + id, t.key()).raw().body()).doesNotContain("s3cret-value");
      assertThat(server.get("/webhooks", t.key()).data().getJsonArray("items")).hasSize(1);

      JsonObject notSubscribed = server.post("/webhooks/" + id + "/test", t.key(), null).data();
      assertThat(notSubscribed.getBoolean("success")).isFalse();
      assertThat(notSubscribed.getString("message")).contains("ping");
      Response patched = server.send("PATCH", "/webhooks/" + id, t.key(), "{\"events\":[\"ping\"],\"name\":\"renamed\"}", Map.of());
      assertThat(patched.status()).as(patched.raw().body()).isEqualTo(200);
      JsonObject ping = server.post("/webhooks/" + id + "/test", t.key(), null).data();
      assertThat(ping.getBoolean("success")).as(ping.encode()).isTrue();
      assertThat(ping.getInteger("httpStatus")).isEqualTo(204);
      assertThat(receiver.hits).hasSize(1);
      assertThat(receiver.hits.get(0).event()).isEqualTo("ping");
      assertThat(receiver.hits.get(0).signatureValid()).isTrue();
      assertThat(receiver.hits.get(0).deliveryId()).isEqualTo(ping.getString("deliveryId"));

      Tenant other = company("Other");
      assertThat(server.get("/webhooks/" + id, other.key()).errorCode()).isEqualTo("FORBIDDEN_COMPANY");
      assertThat(server.delete("/webhooks/" + id, other.key()).errorCode()).isEqualTo("FORBIDDEN_COMPANY");
      Tenant reader = new Tenant(t.companyId(), null, server.admin("key", "create", "--company", t.companyId(), "--name", "r",
        "--scopes", "read:webhooks").getString("key"));
      assertThat(server.post("/webhooks", reader.key(), "{\"url\":\"" + receiver.url() + "\",\"events\":[\"ping\"]}").errorCode())
        .isEqualTo("INSUFFICIENT_PERMISSIONS");
      assertThat(server.post("/webhooks", t.key(), "{\"url\":\"" + receiver.url() + "\",\"events\":[\"interview.exploded\"]}")
        .errorCode()).isEqualTo("VALIDATION_FAILED");
      assertThat(server.post("/webhooks", t.key(), "{\"url\":\"ftp://x\",\"events\":[\"ping\"]}").errorCode()).isEqualTo("VALIDATION_FAILED");

      assertThat(server.delete("/webhooks/" + id, t.key()).status()).isEqualTo(200);
      assertThat(server.get("/webhooks/" + id, t.key()).status()).isEqualTo(404);
    }
  }

  @Test
  void anAtsSubscriptionWithoutCompanyGetsEveryCompanyOfItsPartner() throws Exception {
    try (Receiver receiver = new Receiver()) {
      String partner = server.admin("ats-partner", "create", "--name", "ATS").getString("id");
      String ats = server.admin("key", "create", "--partner", partner, "--name", "ats", "--scopes", SCOPES).getString("key");
      String first = server.admin("company", "create", "--name", "A", "--partner", partner, "--call-window", "00:00-24:00").getString("id");
      String second = server.admin("company", "create", "--name", "B", "--partner", partner, "--call-window", "00:00-24:00").getString("id");
      Response created = server.post("/webhooks", ats, "{\"url\":\"" + receiver.url() + "\",\"events\":[\"interview.started\"]}");
      assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
      receiver.secret = created.data().getString("signingSecret");
      String body = "{\"candidate\":{\"firstName\":\"A\",\"lastName\":\"B\",\"phoneNumber\":\"+421915123456\"},"
        + "\"agent\":{\"name\":\"Screening\"},\"isTest\":true}";
      assertThat(server.post("/interviews?companyId=" + first, ats, body).status()).isEqualTo(201);
      assertThat(server.post("/interviews?companyId=" + second, ats, body).status()).isEqualTo(201);
      await().atMost(WAIT).until(() -> receiver.delivered().size() == 2);
      assertThat(receiver.delivered()).allSatisfy(h -> assertThat(h.signatureValid()).isTrue());
    }
  }
}
